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
    struct National {
        let sim: Simulation
        let national: Int
        var provinces: [(hub: Int, region: String, centres: [Int])] = []
    }

    /// One national hub, `provinces` provincial hubs each admitting
    /// `centres` centres of its region; centres link to their provincial
    /// hub, provincial hubs to the national hub.
    static func build(seed: UInt64, provinces: Int, centres: Int, upFraction: Double? = nil) throws -> National {
        let sim = Simulation(seed: SimulationTests.seed(seed))
        let national = try sim.addNode(name: "national")
        let network = sim.nodes[national].key.id
        var n = National(sim: sim, national: national)
        for p in 0..<provinces {
            let region = "Provinsi \(p)"
            let hub = try sim.addNode(name: "prov\(p)", network: network, pinned: [national])
            try sim.admit(national, hub, role: .authority, region: region)
            sim.nodes[hub].interest = Interest(regions: [region])
            sim.link(hub, national, upFraction: upFraction)
            var list: [Int] = []
            for c in 0..<centres {
                let centre = try sim.addNode(name: "p\(p)c\(c)", network: network, pinned: [hub])
                try sim.admit(hub, centre, region: region)
                sim.nodes[centre].interest = Interest(regions: [region])
                sim.link(centre, hub, upFraction: upFraction)
                list.append(centre)
            }
            n.provinces.append((hub, region, list))
        }
        return n
    }

    /// Every node holds every entry it wants and nothing else.
    static func check(_ n: National) throws -> [String] {
        let sim = n.sim
        let roster = sim.nodes[n.national].store!.roster
        let authored = try sim.nodes.indices.compactMap { i in try sim.nodes[i].store!.head(of: sim.nodes[i].key.id) }
        var problems: [String] = []
        for node in sim.nodes {
            let store = node.store!
            for head in authored {
                let wants = node.interest?.wants(head.author, receiver: node.key.id, roster: roster) ?? true
                let held = try store.head(of: head.author)
                if wants && held != head {
                    problems.append("\(node.name) lacks \(sim.nodes.first { $0.key.id == head.author }!.name)'s entries")
                } else if !wants && held != nil {
                    problems.append("\(node.name) holds \(sim.nodes.first { $0.key.id == head.author }!.name)'s entries it does not want")
                }
            }
        }
        return problems
    }

    @Test func centresGetTheirRegionAndTheNationalHubGetsEverything() async throws {
        let n = try Self.build(seed: 5, provinces: 3, centres: 3)
        let sim = n.sim
        for (_, _, centres) in n.provinces { for c in centres { try sim.author(c); try sim.author(c) } }
        try sim.author(n.national)
        let ok = try await sim.run(until: 600_000) { (try? Self.check(n).isEmpty) ?? false }
        let problems = try Self.check(n)
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
        for (_, _, centres) in n.provinces {
            for c in centres {
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
        for (_, _, centres) in n.provinces { for c in centres { try sim.author(c) } }
        #expect(try await sim.run(until: 600_000) { (try? Self.check(n).isEmpty) ?? false }, "\(sim.failureReport)")
        // Province 0's hub starts wanting province 1 as well: its
        // checkpoint of the national hub was made under a narrower
        // interest, so the next connection is offered every head again.
        let hub = n.provinces[0].hub
        sim.nodes[hub].interest = Interest(regions: [n.provinces[0].region, n.provinces[1].region])
        try sim.crash(hub)
        try sim.restart(hub)
        let other = sim.nodes[n.provinces[1].centres[1]].key.id
        #expect(try await sim.run(until: sim.now + 600_000) { try sim.nodes[hub].store!.head(of: other)?.seq == 1 }, "\(sim.failureReport)")
        let problems = try Self.check(n)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }
}
