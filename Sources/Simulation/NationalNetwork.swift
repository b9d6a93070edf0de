import Foundation
import Replication

/// The national shape of issue 14 in a simulation (PROTOCOL.md §3.2
/// regional authorities, §7.16 interest): a national hub (the genesis),
/// provincial hubs it admits as authorities for their region, and centres
/// each provincial hub admits. Centres link to their provincial hub,
/// provincial hubs to the national hub; a centre and a provincial hub want
/// their region, the national hub everything.
public struct NationalNetwork {
    public struct Province {
        public let hub: Int
        public let region: String
        public let centres: [Int]
    }

    public let sim: Simulation
    public let national: Int
    public private(set) var provinces: [Province] = []

    /// `centres[p]` centres in province p. Links are up `upFraction` of the
    /// time (nil: always), up for `meanUpMs` on average.
    public init(sim: Simulation, centres: [Int], upFraction: Double? = nil, meanUpMs: Double = 30_000) throws {
        self.sim = sim
        national = try sim.addNode(name: "national")
        let network = sim.nodes[national].key.id
        for (p, count) in centres.enumerated() {
            let region = "Provinsi \(p)"
            let hub = try sim.addNode(name: "prov\(p)", network: network, pinned: [national])
            try sim.admit(national, hub, role: .authority, region: region)
            sim.nodes[hub].interest = Interest(regions: [region])
            sim.link(hub, national, upFraction: upFraction, meanUpMs: meanUpMs)
            var list: [Int] = []
            for c in 0..<count {
                let centre = try sim.addNode(name: "p\(p)c\(c)", network: network, pinned: [hub])
                try sim.admit(hub, centre, region: region)
                sim.nodes[centre].interest = Interest(regions: [region])
                sim.link(centre, hub, upFraction: upFraction, meanUpMs: meanUpMs)
                list.append(centre)
            }
            provinces.append(Province(hub: hub, region: region, centres: list))
        }
    }

    /// Work spread over the first `untilMs` of virtual time: `perCentre`
    /// entries by each centre, one by each provincial hub, two by the
    /// national hub.
    public func scheduleWork(untilMs: Int64, perCentre: Int = 2) {
        var rng = SplitMix64(seed: sim.seed ^ 0x14)
        func someTime() -> Int64 { Int64.random(in: 1...untilMs, using: &rng) }
        for province in provinces {
            for c in province.centres { for _ in 0..<perCentre { sim.scheduleAuthoring(c, at: someTime()) } }
            sim.scheduleAuthoring(province.hub, at: someTime())
        }
        sim.scheduleAuthoring(national, at: someTime())
        sim.scheduleAuthoring(national, at: someTime())
    }

    /// Runs until, after `afterMs`, every node holds what it wants and
    /// nothing else, or until `deadlineMs`; returns whether it converged.
    public func runUntilConverged(afterMs: Int64, deadlineMs: Int64) async throws -> Bool {
        try await sim.run(until: deadlineMs, checkEveryMs: 20_000) {
            guard sim.now > afterMs else { return false }
            return try problems(limit: 1).isEmpty
        }
    }

    /// Every node's heads at one moment (nil for a node that is down).
    public struct Snapshot {
        public let held: [[NodeID: Head]?]
        /// Every node's own log as it holds it.
        public let authored: [Head]
    }

    @available(*, noasync)
    public func snapshot() throws -> Snapshot {
        try Snapshot(sim.nodes.map { try $0.store?.heads(movedAfter: 0).heads }, ids: sim.nodes.map(\.key.id))
    }

    public func snapshot() async throws -> Snapshot {
        var heads: [[Head]?] = []
        for node in sim.nodes { heads.append(try await node.store?.heads(movedAfter: 0).heads) }
        return Snapshot(heads, ids: sim.nodes.map(\.key.id))
    }

    /// Whether `node` wants `author`'s log (the national hub's roster judges).
    public func wants(_ node: Int, _ author: NodeID) -> Bool {
        let n = sim.nodes[node]
        guard let roster = sim.nodes[national].store?.roster else { return true }
        return n.interest?.wants(author, receiver: n.key.id, roster: roster) ?? true
    }

    /// What is wrong now: a node lacking entries it wants, or holding
    /// entries it does not want. Empty once the network has converged.
    @available(*, noasync)
    public func problems(limit: Int = 10) throws -> [String] { problems(in: try snapshot(), limit: limit) }

    public func problems(limit: Int = 10) async throws -> [String] { problems(in: try await snapshot(), limit: limit) }

    public func problems(in snapshot: Snapshot, limit: Int = 10) -> [String] {
        let names = Dictionary(uniqueKeysWithValues: sim.nodes.map { ($0.key.id, $0.name) })
        var problems: [String] = []
        for (node, held) in snapshot.held.enumerated() {
            guard let held else { continue }
            for head in snapshot.authored {
                let wanted = wants(node, head.author)
                if wanted && held[head.author] != head {
                    problems.append("\(sim.nodes[node].name) lacks \(names[head.author] ?? "?")'s entries")
                } else if !wanted && held[head.author] != nil {
                    problems.append("\(sim.nodes[node].name) holds \(names[head.author] ?? "?")'s entries it does not want")
                }
                if problems.count >= limit { return problems }
            }
        }
        return problems
    }

    /// Entries put on links, over the deliveries needed: each entry once
    /// to every node that wants it, other than its author. 1.0 is a perfect
    /// tree; resends after cuts and duplicates from two peers raise it.
    public func transmissionsPerWantingNode(in snapshot: Snapshot) -> Double {
        var needed = 0
        for head in snapshot.authored {
            let wanting = sim.nodes.indices.filter { sim.nodes[$0].key.id != head.author && wants($0, head.author) }.count
            needed += Int(head.seq) * wanting
        }
        let sent = sim.nodes.reduce(0) { $0 + $1.entriesSent }
        return needed == 0 ? 0 : Double(sent) / Double(needed)
    }

    /// Entries `node` wants, its own included.
    public func wantedEntries(_ node: Int, in snapshot: Snapshot) -> Int {
        snapshot.authored.filter { wants(node, $0.author) }.reduce(0) { $0 + Int($1.seq) }
    }

    /// Bytes a node sent and received, as encoded on the wire.
    public func bytes(_ node: Int) -> Int { sim.nodes[node].bytesSent + sim.nodes[node].bytesReceived }
}

extension NationalNetwork.Snapshot {
    init(_ heads: [[Head]?], ids: [NodeID]) {
        held = heads.map { list in list.map { Dictionary($0.map { ($0.author, $0) }) { a, b in a.seq >= b.seq ? a : b } } }
        authored = zip(held, ids).compactMap { held, id in held?[id] }
    }
}
