import ArgumentParser
import Foundation
import Logging
import NodeRuntime
import Replication
import ServiceLifecycle

struct SyncBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Initial sync, incremental wire cost, reconnect cost and live latency over real TLS on loopback.")

    @Option(help: "Entries of the initial sync.") var entries = 200_000
    @Option(help: "Authors of the initial sync.") var authors = 200
    @Option(help: "Approximate JSON body size in bytes.") var bodyBytes = 400
    @Option(help: "Appends timed for live_ms.") var liveSamples = 50

    func run() async throws {
        let scratch = Scratch("sync")
        defer { scratch.remove() }

        say("signing \(entries) entries from \(authors) authors...")
        let workload = try Workload.make(authors: authors, entries: entries, bodyBytes: bodyBytes)
        let sample = workload.logs.flatMap { $0 }.prefix(30_000).map(\.entry.bytes)
        let (_, verifySeconds) = measure { for b in sample { _ = try! Entry(decoding: b).verified() } }
        let verifyRate = rate(sample.count, verifySeconds)
        say("verify (decode + Ed25519, one core): \(verifyRate)/s")

        // The hub holds everything; it is the workload's genesis authority.
        let hub = try await BenchNode(name: "hub", key: workload.genesis, network: workload.genesis.id, in: scratch)
        _ = try await hub.node.ingest(workload.admits, from: nil)
        for log in workload.logs {
            for chunk in log.chunked(2000) { _ = try await hub.node.store.ingest(Array(chunk), from: workload.authors[0].id) }
        }
        let fresh = try await BenchNode(name: "fresh", key: NodeKey(), network: workload.genesis.id, pinned: [hub.node.id], in: scratch)
        try await hub.admit(fresh)

        let line: [String] = try await BenchNode.run([hub, fresh]) {
            let hubEndpoint = try await hub.endpoint()

            // 1. Initial sync: everything from the hub to a fresh node, verified and stored.
            let total = workload.entryCount + workload.admits.count + 1
            let (_, initialSeconds) = try await measure {
                fresh.dialers.setPeers([hubEndpoint])
                try await fresh.node.wait(for: .seconds(1800)) {
                    (try await fresh.node.store.position()) >= Int64(total)
                }
            }
            let initialRate = rate(workload.entryCount, initialSeconds)
            say("initial sync: \(total) entries in \(String(format: "%.1f", initialSeconds)) s = \(initialRate) entries/s")
            try await fresh.waitInSync(with: hub)

            // 2. Incremental: 100 new entries from 10 authors reach the hub; wire bytes to the connected fresh node.
            let before = fresh.wireBytes(with: hub)
            var raw = 0
            var newest: [(NodeID, UInt64)] = []
            for (a, key) in workload.authors.prefix(10).enumerated() {
                let log = workload.logs[a]
                var prev = log.last!.entry.id.hash
                var seq = log.last!.entry.seq
                var batch: [VerifiedEntry] = []
                for i in 0..<10 {
                    seq += 1
                    let e = try Entry.sign(Workload.draft(1_000_000 + a * 10 + i, bodyBytes: bodyBytes), seq: seq, prev: prev, with: key)
                    prev = e.entry.id.hash
                    raw += e.entry.bytes.count
                    batch.append(e)
                }
                newest.append((key.id, seq))
                try await hub.node.ingest(batch, from: key.id)
            }
            let written = newest
            try await fresh.node.wait(for: .seconds(60)) {
                for (author, seq) in written where try await fresh.node.store.head(of: author)?.seq != seq { return false }
                return true
            }
            try await fresh.waitInSync(with: hub)
            let after = fresh.wireBytes(with: hub)
            let ratio = Double(after - before) / Double(raw)
            say("incremental: \(after - before) bytes on the wire for \(raw) bytes of entries (ratio \(String(format: "%.3f", ratio)))")

            // 4. Live latency: append on the hub, stored on the fresh node.
            var latencies: [Double] = []
            for i in 0..<liveSamples {
                let start = ContinuousClock.now
                let e = try await hub.node.append([.put(kind: "product", key: "live-\(i)", body: #"{"i":\#(i)}"#, time: 0)])[0]
                try await fresh.node.wait(for: .seconds(30)) { try await fresh.node.store.head(of: e.author)?.seq ?? 0 >= e.seq }
                latencies.append((ContinuousClock.now - start).seconds * 1000)
            }
            latencies.sort()
            let liveMs = latencies[latencies.count / 2]
            say("live: median \(String(format: "%.2f", liveMs)) ms from append to stored on the peer (\(liveSamples) samples)")
            return [
                "initial_per_s=\(initialRate)",
                "initial_vs_verify=\(String(format: "%.2f", Double(initialRate) / Double(verifyRate)))",
                "incremental_wire_ratio=\(String(format: "%.3f", ratio))",
                "live_ms=\(String(format: "%.2f", liveMs))",
            ]
        }

        // 3. Reconnect cost at 2,000 and 20,000 authors.
        var reconnect: [String] = []
        for n in [2000, 20_000] {
            let bytes = try await reconnectBytes(authors: n, scratch: scratch)
            say("reconnect with \(n) authors: \(bytes) bytes on the wire, TLS handshake included")
            reconnect.append("reconnect_bytes_\(n)=\(bytes)")
        }
        print((line.prefix(3) + reconnect + line.suffix(1)).joined(separator: " ") + " verify_per_s=\(verifyRate)")
    }

    /// Two nodes that hold `authors` authors (one entry each plus the
    /// genesis's admits) sync, part, and meet again: the bytes of the second
    /// meeting, from TCP connect until both sides know they are in sync.
    func reconnectBytes(authors: Int, scratch: Scratch) async throws -> Int {
        let workload = try Workload.make(authors: authors, entries: authors, bodyBytes: 200)
        let hub = try await BenchNode(name: "hub\(authors)", key: workload.genesis, network: workload.genesis.id, in: scratch)
        _ = try await hub.node.ingest(workload.admits, from: nil)
        _ = try await hub.node.store.ingest(workload.logs.flatMap { $0 }, from: workload.authors[0].id)
        let other = try await BenchNode(name: "other\(authors)", key: NodeKey(), network: workload.genesis.id, pinned: [hub.node.id], in: scratch)
        try await hub.admit(other)
        return try await BenchNode.run([hub, other]) {
            let endpoint = try await hub.endpoint()
            other.dialers.setPeers([endpoint])
            let total = Int64(workload.entryCount + workload.admits.count + 1)
            try await other.node.wait(for: .seconds(600)) { (try await other.node.store.position()) >= total }
            try await other.waitInSync(with: hub)
            other.dialers.setPeers([])
            try await other.node.wait(for: .seconds(30)) { other.node.peers.status(of: hub.node.id)?.state != .connected }
            try await hub.node.wait(for: .seconds(30)) { hub.node.peers.status(of: other.node.id)?.state != .connected }
            other.dialers.setPeers([endpoint])
            try await other.waitInSync(with: hub)
            return other.wireBytes(with: hub)
        }
    }
}

/// A node without photos, built as tcnoded builds it, for benchmarks.
struct BenchNode: Sendable {
    let assembly: NodeAssembly
    var node: Node { assembly.node }
    var dialers: PeerDialers { assembly.dialers }

    init(name: String, key: NodeKey, network: NodeID, pinned: [NodeID] = [], in scratch: Scratch) async throws {
        var logger = Logger(label: name)
        logger.logLevel = .warning
        var timing = SyncTiming()
        timing.tick = .milliseconds(100)
        assembly = try await benchNode(name, key: key, network: network, pinned: pinned, photos: false, timing: timing, logger: logger,
                                       in: scratch)
    }

    /// Admits `other` as a telecenter (this node must be the genesis).
    func admit(_ other: BenchNode) async throws {
        let body = #"{"node":"\#(other.node.id)","role":"telecenter","name":"bench","region":"\#(Workload.region)"}"#
        try await node.append([.put(kind: "admit", key: other.node.id.description, body: body, time: 0)])
    }

    func endpoint() async throws -> PeerEndpoint {
        PeerEndpoint(node: node.id, host: "127.0.0.1", port: try await assembly.ready().peers.port!)
    }

    /// Bytes on the wire, both directions, of the current connection with `peer`.
    func wireBytes(with peer: BenchNode) -> Int {
        let s = node.peers.status(of: peer.node.id)
        return (s?.bytesIn ?? 0) + (s?.bytesOut ?? 0)
    }

    /// Until both ends of the connection have stored everything offered.
    func waitInSync(with peer: BenchNode) async throws {
        try await node.wait(for: .seconds(120)) { node.peers.status(of: peer.node.id)?.inSync == true }
        try await peer.node.wait(for: .seconds(120)) { peer.node.peers.status(of: node.id)?.inSync == true }
    }

    static func run<T: Sendable>(_ nodes: [BenchNode], _ body: @Sendable () async throws -> T) async throws -> T {
        try await withBenchNodes(nodes.map(\.assembly), body)
    }
}
