import Foundation
import Replication
import Simulation
import Testing

/// Issue 14's national topology in virtual time: 1 national hub, 5
/// provincial hubs, 200 centres, every link up 30 % of the time.
@Suite struct FederationNationalTests {
    /// Provinces of different sizes, so that what a centre exchanges can be
    /// seen to follow its province, not the nation.
    static let provinceSizes = [10, 25, 40, 55, 70]

    @Test func nationalTopologyDeliversByInterestOverIntermittentLinks() async throws {
        let clock = ContinuousClock.now
        let sim = Simulation(seed: SimulationTests.seed(1414))
        let n = try NationalNetwork(sim: sim, centres: Self.provinceSizes, upFraction: 0.3)
        #expect(sim.nodes.count == 206)
        // Work during the first ten minutes: two entries per centre, one per
        // provincial hub, two from the national hub.
        n.scheduleWork(untilMs: 600_000)
        let ok = try await n.runUntilConverged(afterMs: 600_000, deadlineMs: 6 * 3_600_000)
        let snapshot = try await n.snapshot()
        let problems = n.problems(in: snapshot)
        #expect(ok && problems.isEmpty, "\(problems); \(sim.failureReport)")
        #expect(sim.violations.isEmpty, "\(sim.failureReport)")

        // Every delivery close to once: resends after cuts are the excess.
        let transmissions = n.transmissionsPerWantingNode(in: snapshot)
        #expect(transmissions <= 1.2, "transmissions per entry per wanting node \(transmissions)")

        // What a node exchanges follows what it wants: bytes per wanted
        // entry are alike for a centre of a province of 10, one of 70 and
        // the national hub (each connection's HELLO, HEADS and pings make
        // the smallest interests dearer per entry). A provincial hub also
        // serves its region to each of its centres, so it is printed only.
        var perWanted: [String: Double] = [:]
        for province in n.provinces {
            let bytes = province.centres.map { n.bytes($0) }.reduce(0, +) / province.centres.count
            let wanted = n.wantedEntries(province.centres[0], in: snapshot)
            perWanted["\(province.region) centre"] = Double(bytes) / Double(wanted)
            print("federation national: \(province.region) (\(province.centres.count) centres): centre mean \(bytes) B for \(wanted) wanted entries, "
                + "hub \(n.bytes(province.hub)) B for \(n.wantedEntries(province.hub, in: snapshot))")
        }
        perWanted["national"] = Double(n.bytes(n.national)) / Double(n.wantedEntries(n.national, in: snapshot))
        print("federation national: national hub \(n.bytes(n.national)) B for \(n.wantedEntries(n.national, in: snapshot)) wanted entries; "
            + "transmissions per entry per wanting node " + String(format: "%.3f", transmissions)
            + "; converged at \(sim.now / 1000) s virtual, \(sim.stats.connections) connections, "
            + "\((ContinuousClock.now - clock).components.seconds) s; seed \(sim.seed)")
        #expect(perWanted.values.max()! <= 2 * perWanted.values.min()!, "bytes per wanted entry: \(perWanted)")
        for node in sim.nodes {
            #expect(node.closes.allSatisfy { "\($0)".contains("not-a-member") }, "\(node.name): \(node.closes)")
        }
    }
}
