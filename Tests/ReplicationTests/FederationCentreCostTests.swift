import Foundation
import Replication
import Simulation
import Testing

/// A centre's cost follows its interest, not the size of the nation
/// (issue 14): `tcbench federation`'s centre_bytes_ratio, smaller.
@Suite struct FederationCentreCostTests {
    @Test func aCentreExchangesAboutAsMuchInATenTimesLargerNetwork() async throws {
        let small = try await CentreCost.measure(provinces: 1, centresPerProvince: 20, entriesPerCentre: 3)
        let large = try await CentreCost.measure(provinces: 10, centresPerProvince: 20, entriesPerCentre: 3)
        // The genesis, the centre's authority and its region: nothing else.
        #expect(small.heldAuthors == small.wantedAuthors && large.heldAuthors == large.wantedAuthors)
        #expect(large.wantedAuthors == 22)
        let ratio = Double(large.bytes) / Double(small.bytes)
        print("federation centre cost: \(small.bytes) B in 20 authors, \(large.bytes) B in 200 (ratio \(String(format: "%.3f", ratio))); "
            + "reconnect \(small.reconnectBytes) B and \(large.reconnectBytes) B")
        // The roster is the only difference: nine more authority admits in the genesis log.
        #expect(ratio <= 1.2)
        #expect(Double(large.reconnectBytes) <= 1.2 * Double(small.reconnectBytes))
    }
}
