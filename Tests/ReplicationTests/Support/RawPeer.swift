import Foundation
import GRDB
import NodeRuntime
import Replication

/// Helpers for tests that play a peer by hand against a real tcnoded.
enum RawPeer {
    static func hello(_ key: NodeKey, network: NodeID, agent: String = "hostile-test/1") -> Frame {
        var random = SystemRandomNumberGenerator()
        return .hello(Hello(network: network, node: key.id, agent: agent, feed: FeedID.random(using: &random), since: nil))
    }

    /// `count` entries of `key`'s own log, signed, seq 1...count.
    static func signedLog(_ key: NodeKey, count: Int, bodyBytes: Int = 120, kind: String = "product") throws -> [Entry] {
        var log: [Entry] = []
        var prev = Bytes32.zero
        let filler = String(repeating: "anyaman bambu ", count: bodyBytes / 14 + 1).prefix(bodyBytes)
        for i in 1...count {
            let body = #"{"name":"Produk \#(i)","category":"kerajinan","description":"\#(filler)"}"#
            let e = try Entry.sign(.put(kind: kind, key: "p\(i)", body: body, time: Int64(1_763_798_400_000 + i)),
                                   seq: UInt64(i), prev: prev, with: key).entry
            log.append(e)
            prev = e.id.hash
        }
        return log
    }

    /// (author, seq) of every entry in ENTRIES frames, in the order received.
    static func entries(in frames: [Frame]) -> [(author: NodeID, seq: UInt64, size: Int)] {
        frames.flatMap { frame -> [(author: NodeID, seq: UInt64, size: Int)] in
            guard case .entries(let list) = frame else { return [] }
            return list.compactMap { bytes in (try? Entry(decoding: bytes)).map { ($0.author, $0.seq, bytes.count) } }
        }
    }

    static func errors(in frames: [Frame]) -> [ProtocolError] {
        frames.compactMap { if case .error(let e) = $0 { e } else { nil } }
    }

    /// Runs `body` with at most `limit` of time; a peer that never answers
    /// fails the test instead of hanging it.
    static func within<T: Sendable>(_ limit: Duration, _ what: String,
                                    _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withDeadline(limit, timedOut: { ProcessTestError("\(what) did not happen within \(limit)") }, body)
    }
}

extension DaemonProcess {
    var pid: Int32 { process?.processIdentifier ?? 0 }

    /// The peer port the running daemon bound.
    func peerPort() async throws -> Int {
        let report = try await status()
        guard let listen = report.listen, let colon = listen.lastIndex(of: ":"),
              let port = Int(listen[listen.index(after: colon)...])
        else { throw ProcessTestError("\(name) reports no listen address") }
        return port
    }

    /// Like `writeConfig`, with the log level chosen (a storm at debug level
    /// mostly measures log writing) and the views on a free port, so that
    /// several hubs can run at once.
    func writeLoadConfig(peers: [String], logLevel: String = "info", views: Bool? = nil, extra: String = "") throws {
        let list = peers.map { "\"\($0)\"" }.joined(separator: ", ")
        var text = """
            data_dir = "\(dataDir)"
            listen = "127.0.0.1:0"
            peers = [\(list)]
            name = "\(name)"
            metrics = ""
            control_socket = "\(socketPath)"
            log_level = "\(logLevel)"
            views_listen = "127.0.0.1:0"

            """
        if let views { text += "views = \(views)\n" }
        text += extra
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Admits nodes by writing the admits (signed with this node's key) into
    /// its database directly: fast setup for many members. The daemon must
    /// not be running. Returns the store's entry count afterwards.
    @discardableResult
    func admitDirectly(_ nodes: [NodeID], role: Role = .telecenter) async throws -> Int {
        let path = dataDir
        return try await Seed.blocking { try Seed.admit(nodes, role: role, dataDir: path) }
    }

    /// Stores `entries` (already signed by admitted authors) in this node's
    /// database directly. The daemon must not be running.
    func ingestDirectly(_ entries: [Entry]) async throws {
        let path = dataDir
        try await Seed.blocking { try Seed.ingest(entries, dataDir: path) }
    }

    /// Runs one query of the stopped daemon's database, read-only.
    func count(_ sql: String) async throws -> Int {
        let path = DataDirectory(dataDir).databasePath
        return try await Seed.blocking { try Seed.readOnly(path) { db in try Int.fetchOne(db, sql: sql) ?? 0 } }
    }

    /// Rows of pending heads in the stopped daemon's database, whatever the
    /// schema calls their table (pending_head, later pending_offer).
    func pendingHeads() async throws -> Int {
        let path = DataDirectory(dataDir).databasePath
        return try await Seed.blocking {
            try Seed.readOnly(path) { db in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'pending%'")
                guard !tables.isEmpty else { throw ProcessTestError("no pending-heads table in \(path)") }
                return try tables.reduce(0) { sum, table in sum + (try Int.fetchOne(db, sql: "SELECT count(*) FROM \"\(table)\"") ?? 0) }
            }
        }
    }

    /// For an entry this running daemon holds: milliseconds from the
    /// entry's own time (set by `tcnode put` on the author's node) to when
    /// this node stored it, as both processes' clocks tell. Measured by the
    /// daemons, so a busy test process does not add to it. Only for the
    /// author's newest entry (the author row keeps the last store time).
    func storedAfterMs(author: NodeID, seq: UInt64) async throws -> Int64? {
        try await Seed.storedAfterMs(dataDir: dataDir, author: author, seq: seq)
    }

    /// `PRAGMA integrity_check` of the stopped daemon's database.
    func integrity() async throws -> [String] {
        let path = DataDirectory(dataDir).databasePath
        return try await Seed.blocking { try Seed.readOnly(path) { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } }
    }

    /// SIGTERM; returns the exit status and how long the stop took. The
    /// exit instant is taken by Foundation's termination handler (its own
    /// thread), so a busy test process does not lengthen it.
    func stopTimed(timeout: Duration = .seconds(30)) async throws -> (Int32, Duration) {
        guard let p = process else { throw ProcessTestError("\(name) is not running") }
        let exited = Locked<ContinuousClock.Instant?>(nil)
        p.terminationHandler = { _ in exited.withLock { $0 = ContinuousClock.now } }
        let start = ContinuousClock.now
        p.terminate()
        let end = try await eventually("\(name) exits after SIGTERM", timeout: timeout, interval: .milliseconds(10)) {
            exited.withLock { $0 }
        }
        while p.isRunning { try await Task.sleep(for: .milliseconds(5)) }
        process = nil
        return (p.terminationStatus, end - start)
    }
}

/// Setting up databases directly, before a daemon starts: synchronous store
/// work, run on a thread of its own so that it does not hold one of the
/// cooperative pool's threads (two on this machine) that other tests need.
enum Seed {
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    static func admit(_ nodes: [NodeID], role: Role, dataDir: String) throws -> Int {
        let directory = DataDirectory(dataDir)
        let key = try directory.openKey()
        let store = try directory.openStore()
        defer { try? store.close() }
        for start in stride(from: 0, to: nodes.count, by: 500) {
            let drafts: [Entry.Draft] = nodes[start..<min(start + 500, nodes.count)].enumerated().map { i, node in
                let body = #"{"node":"\#(node)","role":"\#(role.rawValue)","name":"Centre \#(start + i)","region":"Jawa Timur"}"#
                return .put(kind: "admit", key: node.description, body: body, time: 1_763_798_400_000)
            }
            _ = try store.append(drafts, signer: key)
        }
        return try store.stats().entries
    }

    static func ingest(_ entries: [Entry], dataDir: String) throws {
        let store = try DataDirectory(dataDir).openStore()
        defer { try? store.close() }
        for start in stride(from: 0, to: entries.count, by: 2000) {
            let verified = try entries[start..<min(start + 2000, entries.count)].map { try $0.verified() }
            _ = try store.ingest(verified, from: nil)
        }
    }

    static func storedAfterMs(dataDir: String, author: NodeID, seq: UInt64) async throws -> Int64? {
        let path = DataDirectory(dataDir).databasePath
        let key = author.key.data
        return try await blocking {
            try readOnly(path) { db in
                try Int64.fetchOne(db, sql: """
                    SELECT a.stored_ms - e.time FROM author a JOIN entry e ON e.author = a.ref
                    WHERE a.key = ? AND e.seq = ? AND a.seq = e.seq
                    """, arguments: [key, Int64(seq)])
            }
        }
    }

    /// Runs `tcnode status` and times it inside the child shell, so that a
    /// busy test process does not add to the time. Returns its exit status,
    /// milliseconds and stderr.
    static func timedStatus(config: String) async throws -> (status: Int32, ms: Int, stderr: String) {
        let script = #"a=$(date +%s%N); "$0" status --json --config "$1" >/dev/null 2>"$2"; s=$?; b=$(date +%s%N); echo "$s $(( (b - a) / 1000000 ))""#
        let errors = NSTemporaryDirectory() + "tcstatus-\(UUID().uuidString.prefix(8)).err"
        defer { try? FileManager.default.removeItem(atPath: errors) }
        let r = try await run("/bin/sh", ["-c", script, try Products.path("tcnode"), config, errors], timeout: .seconds(30))
        let parts = r.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard r.status == 0, parts.count == 2 else { throw ProcessTestError("timing tcnode status failed: \(r.stdout) \(r.stderr)") }
        return (Int32(parts[0]), parts[1], (try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")
    }

    static func readOnly<T>(_ path: String, _ body: (Database) throws -> T) throws -> T {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: config)
        defer { try? queue.close() }
        return try queue.read(body)
    }
}
