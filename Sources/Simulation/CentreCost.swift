import Foundation
import Replication

/// What one centre exchanges with a national hub that holds the whole
/// network (issue 14, "flat cost in network size"): the hub is the genesis;
/// it admits `provinces` provincial authorities, each admitting
/// `centresPerProvince` centres that wrote `entriesPerCentre` entries. The
/// measured centre is one of province 0's centres and wants its region
/// (PROTOCOL.md §7.16). Only it and the hub are simulated nodes; the other
/// authors' entries are signed here and stored on the hub.
///
/// Bytes are every frame the centre sent and received, as encoded on the
/// wire, over two connections: the initial sync, then a reconnect after
/// every centre of the network wrote one more entry.
public struct CentreCost: Sendable {
    public var initialBytes = 0
    public var reconnectBytes = 0
    /// Authors whose logs the centre holds at the end.
    public var heldAuthors = 0
    /// Authors the centre wants: the genesis, its authority, its region.
    public var wantedAuthors = 0
    public var bytes: Int { initialBytes + reconnectBytes }

    public static func measure(provinces: Int, centresPerProvince: Int, entriesPerCentre: Int, bodyBytes: Int = 400,
                               seed: UInt64 = 14) async throws -> CentreCost {
        precondition(provinces >= 1 && centresPerProvince >= 1)
        let sim = Simulation(seed: seed)
        let hub = try sim.addNode(name: "national")
        let centre = try sim.addNode(name: "centre", network: sim.nodes[hub].key.id, pinned: [hub])
        let region = { (p: Int) in "Provinsi \(p)" }
        sim.nodes[centre].interest = Interest(regions: [region(0)])

        var rng = SplitMix64(seed: seed ^ 0xC0)
        func key() throws -> NodeKey { try NodeKey(seed: rng.seed32()) }
        let authorities = try (0..<provinces).map { _ in try key() }
        // Province 0's last centre is the simulated one.
        let centres = try (0..<provinces).map { p in try (0..<(p == 0 ? centresPerProvince - 1 : centresPerProvince)).map { _ in try key() } }
        for (p, authority) in authorities.enumerated() {
            try sim.author(hub, kind: "admit", key: authority.id.description,
                           body: #"{"node":"\#(authority.id)","role":"authority","name":"\#(region(p))","region":"\#(region(p))"}"#)
        }
        var logs = Logs()
        for (p, authority) in authorities.enumerated() {
            let members = centres[p].map(\.id) + (p == 0 ? [sim.nodes[centre].key.id] : [])
            let admits = try members.map { id in
                try logs.sign(.put(kind: "admit", key: id.description,
                                   body: #"{"node":"\#(id)","role":"telecenter","name":"TC \#(id.short)","region":"\#(region(p))"}"#,
                                   time: 1_763_798_400_000), by: authority)
            }
            try await sim.ingest(admits, at: hub)
        }
        for list in centres {
            var batch: [VerifiedEntry] = []
            for author in list {
                for _ in 0..<entriesPerCentre { batch.append(try logs.sign(Self.record(logs.count(author), bodyBytes: bodyBytes), by: author)) }
                if batch.count >= 2000 { try await sim.ingest(batch, at: hub); batch = [] }
            }
            if !batch.isEmpty { try await sim.ingest(batch, at: hub) }
        }
        for _ in 0..<entriesPerCentre { try sim.author(centre) }

        var cost = CentreCost()
        cost.wantedAuthors = 2 + centresPerProvince
        let link = sim.link(centre, hub)
        try await sim.runUntilSynced(centre: centre, hub: hub)
        cost.initialBytes = sim.nodes[centre].bytesSent + sim.nodes[centre].bytesReceived

        // A reconnect after every centre of the network wrote one more entry.
        sim.setLink(link, up: false)
        for list in centres {
            var batch: [VerifiedEntry] = []
            for author in list { batch.append(try logs.sign(Self.record(logs.count(author), bodyBytes: bodyBytes), by: author)) }
            try await sim.ingest(batch, at: hub)
        }
        try sim.author(centre)
        sim.setLink(link, up: true)
        try await sim.runUntilSynced(centre: centre, hub: hub)
        cost.reconnectBytes = sim.nodes[centre].bytesSent + sim.nodes[centre].bytesReceived - cost.initialBytes
        cost.heldAuthors = try await sim.nodes[centre].store!.heads(movedAfter: 0).heads.count
        return cost
    }

    /// A product record of about `bodyBytes` bytes.
    static func record(_ i: Int, bodyBytes: Int) -> Entry.Draft {
        let head = #"{"name":"Produk UMKM \#(i)","category":"kerajinan","price_idr":\#(10_000 + i),"unit":"buah","description":""#
        let tail = #""}"#
        let filler = String(repeating: "anyaman bambu ", count: max(0, bodyBytes - head.utf8.count - tail.utf8.count) / 14 + 1)
        return .put(kind: "product", key: "produk-\(i)", body: head + filler.prefix(max(0, bodyBytes - head.utf8.count - tail.utf8.count)) + tail,
                    time: 1_763_798_400_000 + Int64(i))
    }

    /// Each signer's log so far (seq and previous hash).
    struct Logs {
        private var tips: [NodeID: (seq: UInt64, prev: Bytes32)] = [:]

        func count(_ key: NodeKey) -> Int { Int(tips[key.id]?.seq ?? 0) }

        mutating func sign(_ draft: Entry.Draft, by key: NodeKey) throws -> VerifiedEntry {
            let tip = tips[key.id] ?? (0, .zero)
            let entry = try Entry.sign(draft, seq: tip.seq + 1, prev: tip.prev, with: key)
            tips[key.id] = (tip.seq + 1, entry.entry.id.hash)
            return entry
        }
    }
}

extension Simulation {
    /// Runs until `centre` holds every head `hub` has of the authors the
    /// centre wants (judged with the hub's roster, which knows every
    /// region's admits), and `hub` holds the centre's log.
    func runUntilSynced(centre: Int, hub: Int) async throws {
        let deadline = now + 3_600_000
        let synced = try await run(until: deadline, checkEveryMs: 1_000) {
            let c = nodes[centre], h = nodes[hub]
            guard let mine = c.store, let theirs = h.store else { return false }
            let held = Dictionary(try mine.heads(movedAfter: 0).heads.map { ($0.author, $0.seq) }) { max($0, $1) }
            guard try theirs.head(of: c.key.id)?.seq == held[c.key.id] else { return false }
            for head in try theirs.heads(movedAfter: 0).heads
            where c.interest?.wants(head.author, receiver: c.key.id, roster: theirs.roster) ?? true {
                if (held[head.author] ?? 0) < head.seq { return false }
            }
            return true
        }
        guard synced else { throw SimError.timedOut("\(nodes[centre].name) did not sync with \(nodes[hub].name) within an hour; \(failureReport)") }
    }
}
