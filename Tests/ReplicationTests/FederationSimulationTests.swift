import Foundation
import Replication
import Simulation
import Testing

/// A national network in virtual time (PROTOCOL.md §3.2 regional
/// authorities, §7.16 interest): a national hub (the genesis), provincial
/// hubs that are authorities for their region, and centres that want only
/// their region. Production connection code (`ConnectionDriver`) runs every
/// link.
@Suite struct FederationSimulationTests {
    /// One national hub and provincial hubs of `centres` centres each.
    static func build(seed: UInt64, provinces: Int, centres: Int) throws -> NationalNetwork {
        try NationalNetwork(sim: Simulation(seed: SimulationTests.seed(seed)), centres: Array(repeating: centres, count: provinces))
    }

    @Test func centresGetTheirRegionAndTheNationalHubGetsEverything() async throws {
        let n = try Self.build(seed: 5, provinces: 3, centres: 3)
        let sim = n.sim
        for province in n.provinces { for c in province.centres { try sim.author(c); try sim.author(c) } }
        try sim.author(n.national)
        let ok = try await sim.run(until: 600_000) { (try? n.problems(limit: 1).isEmpty) ?? false }
        let problems = try await n.problems()
        #expect(ok, "\(problems.prefix(5)); \(sim.failureReport)")
        // A centre of province 0 holds the national hub's log, its own
        // province's authority and centres, and nothing of the others.
        let centre = sim.nodes[n.provinces[0].centres[0]].store!
        let otherCentre = try await centre.head(of: sim.nodes[n.provinces[1].centres[0]].key.id)
        let otherHub = try await centre.head(of: sim.nodes[n.provinces[1].hub].key.id)
        let neighbour = try await centre.head(of: sim.nodes[n.provinces[0].centres[2]].key.id)
        let nationalLog = try await centre.head(of: sim.nodes[n.national].key.id)
        #expect(otherCentre == nil && otherHub == nil)
        #expect(neighbour?.seq == 2 && nationalLog != nil)
        // The national hub holds every centre's entries, relayed by the provincial hubs.
        for province in n.provinces {
            for c in province.centres {
                let held = try await sim.nodes[n.national].store!.head(of: sim.nodes[c].key.id)
                #expect(held?.seq == 2)
            }
        }
        // The only endings: a provincial hub refusing its centres until the
        // national hub's log tells it that it is their authority.
        for node in sim.nodes {
            #expect(node.closes.allSatisfy { "\($0)".contains("not-a-member") }, "\(node.name): \(node.closes)")
        }
    }

    @Test func aWidenedInterestFetchesWhatIsNewlyWanted() async throws {
        let n = try Self.build(seed: 6, provinces: 2, centres: 2)
        let sim = n.sim
        for province in n.provinces { for c in province.centres { try sim.author(c) } }
        #expect(try await sim.run(until: 600_000) { (try? n.problems(limit: 1).isEmpty) ?? false }, "\(sim.failureReport)")
        // Province 0's hub starts wanting province 1 as well: its
        // checkpoint of the national hub was made under a narrower
        // interest, so the next connection is offered every head again.
        let hub = n.provinces[0].hub
        sim.nodes[hub].interest = Interest(regions: [n.provinces[0].region, n.provinces[1].region])
        try sim.crash(hub)
        try sim.restart(hub)
        let other = sim.nodes[n.provinces[1].centres[1]].key.id
        #expect(try await sim.run(until: sim.now + 600_000) { try sim.nodes[hub].store!.head(of: other)?.seq == 1 }, "\(sim.failureReport)")
        let problems = try await n.problems()
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }
}
