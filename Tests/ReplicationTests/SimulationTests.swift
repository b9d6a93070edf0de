import Foundation
import Replication
import Simulation
import Testing

/// Whole networks in virtual time (see `Simulation`). Each test prints its
/// seed when it fails; set TCNODE_SIM_SEED to replay one.
@Suite struct SimulationTests {
    static func seed(_ fallback: UInt64) -> UInt64 {
        ProcessInfo.processInfo.environment["TCNODE_SIM_SEED"].flatMap(UInt64.init) ?? fallback
    }

    /// A hub (genesis) with `count` telecenters that pin it and are admitted.
    static func star(_ sim: Simulation, centres count: Int) throws -> (hub: Int, centres: [Int]) {
        let hub = try sim.addNode(name: "hub")
        let network = sim.nodes[hub].key.id
        var centres: [Int] = []
        for i in 0..<count {
            let c = try sim.addNode(name: "tc\(i)", network: network, pinned: [hub])
            try sim.admit(hub, c)
            centres.append(c)
        }
        return (hub, centres)
    }

    @Test func smallNetworkConverges() async throws {
        let sim = Simulation(seed: Self.seed(1))
        let (hub, centres) = try Self.star(sim, centres: 2)
        for c in centres { sim.link(c, hub) }
        for c in centres { for _ in 0..<3 { try sim.author(c) } }
        try sim.author(hub)
        let ok = try await sim.run(until: 60_000) { try sim.converged() }
        #expect(ok, "\(sim.failureReport)")
        #expect(try sim.heads(0).count == 3)
        for c in centres { #expect(sim.nodes[c].closes.isEmpty, "\(sim.failureReport)") }
    }
}

extension SimulationTests {
    /// Checks that every node holds every authored entry, chained and
    /// verified: nothing lost, nothing invented.
    static func expectNothingLost(_ sim: Simulation) throws {
        let authoredHeads = try sim.nodes.indices.compactMap { i in try sim.nodes[i].store!.head(of: sim.nodes[i].key.id) }
        for node in sim.nodes {
            let store = node.store!
            for head in authoredHeads {
                #expect(try store.head(of: head.author) == head, "\(node.name) lacks entries of \(head.author.short); \(sim.failureReport)")
            }
        }
    }

    @Test(.long) func hundredNodesWithIntermittentLinksConverge() async throws {
        let sim = Simulation(seed: Self.seed(20261125), options: .init(latencyMs: 20...400))
        let (hub, centres) = try Self.star(sim, centres: 99)
        var rng = SplitMix64(seed: sim.seed ^ 0xABCD)
        var linked = Set<[Int]>()
        for c in centres {
            sim.link(c, hub, upFraction: 0.3)
            var neighbours = 0
            while neighbours < 3 {
                let other = centres.randomElement(using: &rng)!
                let pair = [min(c, other), max(c, other)]
                guard other != c, !linked.contains(pair) else { continue }
                linked.insert(pair)
                sim.link(pair[0], pair[1], upFraction: 0.3)
                neighbours += 1
            }
        }
        // Every node authors three entries at random times in the first 20 minutes.
        for node in sim.nodes.indices {
            for _ in 0..<3 { sim.scheduleAuthoring(node, at: Int64.random(in: 0..<1_200_000, using: &rng)) }
        }
        try await sim.run(until: 1_800_000)
        sim.healAllLinks()
        let converged = try await sim.run(until: 1_800_000 + 3_600_000, checkEveryMs: 1000) { try sim.converged() }
        #expect(converged, "\(sim.failureReport)")
        try Self.expectNothingLost(sim)

        let total = sim.nodes.reduce(0) { $0 + $1.authored }
        let perNode = sim.nodes.map { Double($0.entriesReceived) / Double(total - $0.authored) }
        let mean = perNode.reduce(0, +) / Double(perNode.count)
        let worst = perNode.max()!
        print("sim 100 nodes, 30% link uptime: \(total) entries; transmissions per entry per node mean \(String(format: "%.2f", mean)), max \(String(format: "%.2f", worst)); \(sim.stats.connections) connections; converged at \(sim.now / 1000) s virtual; seed \(sim.seed)")
        #expect(sim.nodes.allSatisfy { $0.forksSeen == 0 && $0.refused == 0 })
        // Each entry should cross into each node about once; duplicates come
        // only from two peers offering the same new entries at once.
        #expect(mean < 3.0, "\(sim.failureReport)")
    }

    @Test func storeAndForwardReachesTheHubThroughANeighbour() async throws {
        let sim = Simulation(seed: Self.seed(7))
        let hub = try sim.addNode(name: "hub")
        let network = sim.nodes[hub].key.id
        let near = try sim.addNode(name: "near", network: network, pinned: [hub])
        let far = try sim.addNode(name: "far", network: network, pinned: [near])
        try sim.admit(hub, near)
        try sim.admit(hub, far)
        sim.link(near, hub)
        sim.link(far, near)
        let entry = try sim.author(far, body: #"{"name":"Keripik dari desa terpencil"}"#)
        let ok = try await sim.run(until: 600_000) { try sim.nodes[hub].store!.head(of: sim.nodes[far].key.id)?.seq == 1 }
        #expect(ok, "\(sim.failureReport)")
        #expect(try await sim.nodes[hub].store!.entry(author: entry.author, seq: 1) == entry)
        // And the hub's data reaches the far centre the same way.
        let news = try sim.author(hub, body: #"{"name":"Pengumuman pelatihan"}"#)
        #expect(try await sim.run(until: 1_200_000) { try sim.nodes[far].store!.entry(author: news.author, seq: news.seq) != nil })
    }

    @Test func receiverCrashedMidStreamResumesFromItsCheckpoint() async throws {
        let sim = Simulation(seed: Self.seed(42))
        let hub = try sim.addNode(name: "hub")
        let network = sim.nodes[hub].key.id
        let source = try sim.addNode(name: "source", network: network, pinned: [hub])
        let fresh = try sim.addNode(name: "fresh", network: network, pinned: [hub])
        try sim.admit(hub, source)
        try sim.admit(hub, fresh)
        // The hub holds 3000 entries of one centre (about 6 MB): several ENTRIES frames.
        let big = String(repeating: "x", count: 2000)
        for i in 0..<3000 { try sim.author(source, key: "p\(i)", body: #"{"d":"\#(big)","i":\#(i)}"#) }
        let up = sim.link(source, hub)
        #expect(try await sim.run(until: 600_000) { try sim.nodes[hub].store!.head(of: sim.nodes[source].key.id)?.seq == 3000 })
        sim.setLink(up, up: false)

        let link = sim.link(fresh, hub)
        let sourceID = sim.nodes[source].key.id
        // Crash the receiver as soon as it has stored part of the log.
        let partial = try await sim.run(until: sim.now + 600_000) {
            (try sim.nodes[fresh].store!.head(of: sourceID)?.seq ?? 0) > 0
        }
        #expect(partial)
        let before = try await sim.nodes[fresh].store!.head(of: sourceID)!.seq
        #expect(before < 3000)
        try sim.crash(fresh)
        let receivedBeforeCrash = sim.nodes[fresh].entriesReceived
        try sim.restart(fresh)
        let done = try await sim.run(until: sim.now + 600_000) { try sim.nodes[fresh].store!.head(of: sourceID)?.seq == 3000 }
        #expect(done, "\(sim.failureReport)")
        _ = link
        // After the restart only what was missing crossed the link again
        // (plus at most what was in flight when it crashed: one frame's worth).
        let resent = sim.nodes[fresh].entriesReceived - receivedBeforeCrash
        #expect(resent <= 3000 - Int(before) + 4, "re-sent \(resent) with \(before) held")
        try Self.expectNothingLost(sim)
    }

    @Test(.long) func chaosWithLossDuplicationSkewAndCrashesStillConverges() async throws {
        let sim = Simulation(seed: Self.seed(99), options: .init(dropRate: 0.02, duplicateRate: 0.1, maxClockSkewMs: 3_600_000))
        let (hub, centres) = try Self.star(sim, centres: 12)
        var rng = SplitMix64(seed: sim.seed)
        for (i, c) in centres.enumerated() {
            sim.link(c, hub, upFraction: 0.5, meanUpMs: 20_000)
            sim.link(c, centres[(i + 1) % centres.count], upFraction: 0.5, meanUpMs: 20_000)
        }
        for node in sim.nodes.indices {
            for _ in 0..<10 { sim.scheduleAuthoring(node, at: Int64.random(in: 0..<600_000, using: &rng)) }
        }
        for step in 1...6 {
            try await sim.run(until: Int64(step) * 100_000)
            let victim = centres.randomElement(using: &rng)!
            try sim.crash(victim)
            try await sim.run(until: Int64(step) * 100_000 + 10_000)
            try sim.restart(victim)
        }
        try await sim.run(until: 700_000)
        sim.healAllLinks()
        let converged = try await sim.run(until: 700_000 + 3_600_000, checkEveryMs: 1000) { try sim.converged() }
        #expect(converged, "\(sim.failureReport)")
        try Self.expectNothingLost(sim)
    }
}

extension SimulationTests {
    /// A fresh centre is offered the heads of a whole network before the
    /// roster entries that admit those authors have arrived: every head is
    /// pending at first. More than 1,024 of them (the old per-peer bound,
    /// which forgot the rest behind a checkpoint that had moved on) must
    /// all be fetched on the same connection once the admits are stored.
    @Test func freshNodeTakesEveryAuthorWhoseAdmitArrivesAfterItsHead() async throws {
        let sim = Simulation(seed: Self.seed(11))
        let hub = try sim.addNode(name: "hub")
        let network = sim.nodes[hub].key.id
        let fresh = try sim.addNode(name: "fresh", network: network, pinned: [hub])
        try sim.admit(hub, fresh)
        let hubStore = sim.nodes[hub].store!
        var authors: [NodeID] = []
        for i in 0..<1_100 {
            let key = try NodeKey(seed: [UInt8](repeating: 7, count: 28) + withUnsafeBytes(of: UInt32(i).bigEndian, Array.init))
            let body = #"{"node":"\#(key.id)","role":"telecenter","name":"tc\#(i)","region":"Jawa Timur"}"#
            try sim.author(hub, kind: "admit", key: key.id.description, body: body)
            let entry = try Entry.sign(.put(kind: "product", key: "p\(i)", body: #"{"name":"item \#(i)"}"#, time: 1_763_798_400_000),
                                       seq: 1, prev: .zero, with: key)
            let stored = try await hubStore.ingest([entry], from: nil).stored
            #expect(stored == 1)
            authors.append(key.id)
        }
        sim.link(fresh, hub)
        let store = sim.nodes[fresh].store!
        let ok = try await sim.run(until: 600_000) { try authors.allSatisfy { try store.head(of: $0)?.seq == 1 } }
        let missing = try authors.filter { try store.head(of: $0) == nil }.count
        #expect(ok, "fresh node lacks \(missing) of \(authors.count) authors; \(sim.failureReport)")
        #expect(sim.nodes[fresh].closes.isEmpty, "\(sim.failureReport)")
    }
}
