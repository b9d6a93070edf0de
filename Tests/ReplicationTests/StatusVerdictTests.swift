import Foundation
import NodeRuntime
import Replication
import Testing

/// `tcnode status` names the problem there is: this node's full disk is not
/// a membership refusal, a config error is reported as tcnoded reports it.
@Suite(.long) struct StatusVerdictTests {
    static let hub = NodeKey().id

    /// A running centre's report whose only peer (the hub) ended as `ending`.
    static func report(_ ending: ConnectionEnding, freeBytes: Int64? = 10_000_000_000) -> StatusReport {
        var report = StatusReport.unreadable(node: NodeKey().id.description, nowMs: 1_000_000)
        report.role = "telecenter"
        report.daemonRunning = true
        report.dataDir = "/var/lib/tcnode"
        report.diskFreeBytes = freeBytes
        var peer = PeerStatus(node: hub, direction: "outbound", address: "127.0.0.1:7447")
        peer.name = "hub"
        peer.state = ending.isRefusal ? .refused : .disconnected
        peer.detail = ending.description
        peer.lastSeenMs = 900_000
        report.peers = [peer]
        report.hubs = [hub.description]
        return report
    }

    /// The views' line counts from the store's position when asked, not
    /// from the last catch-up's, and knows when it cannot count at all.
    @Test func theViewsAreBehindAsOfTheStoreNow() {
        let caughtUp = ViewsStatus(backend: "sqlite", appliedPosition: 500, storePosition: 500, available: true, error: nil)
        #expect(caughtUp.behind == 0)
        let later = caughtUp.at(storePosition: 12_500)
        #expect(later.behind == 12_000 && later.storePosition == 12_500 && later.available)
        // A position older than the snapshot's does not take it back.
        #expect(caughtUp.at(storePosition: 400).behind == 0)
        let away = ViewsStatus(backend: "postgresql", appliedPosition: 0, storePosition: 0, available: false, error: "down", appliedKnown: false)
        #expect(!away.at(storePosition: 300).appliedKnown)
    }

    @Test func aFullDiskHereIsNotAMembershipRefusal() {
        // What PeerConnection records when storing received entries fails on SQLITE_FULL.
        let full = ConnectionEnding.refusedByUs(ProtocolError(
            .internal, "local database error: cannot use /var/lib/tcnode/node.sqlite: database or disk is full"))
        let verdict = Self.report(full).verdict
        #expect(verdict == .localStorage(diskFull: true, directory: "/var/lib/tcnode", freeBytes: 10_000_000_000,
                                         reason: "local database error: cannot use /var/lib/tcnode/node.sqlite: database or disk is full"))
        #expect(verdict.word == "disk-full")

        // Another storage error, with almost no space left, is a full disk too.
        let io = ConnectionEnding.refusedByUs(ProtocolError(.internal, "local database error: disk I/O error"))
        #expect(Self.report(io, freeBytes: 4096).verdict.word == "disk-full")
        // With room left it is a storage error, not a full disk.
        if case .localStorage(let diskFull, _, _, _) = Self.report(io).verdict { #expect(!diskFull) } else { Issue.record("no storage verdict") }
        #expect(Self.report(io).verdict.word == "storage-error")
    }

    @Test func thePeersOwnFailureAndOurRefusalAreNotMembershipProblems() {
        // The hub's disk is full: it says `internal` and closes.
        let hubFailed = ConnectionEnding.refusedByPeer(ProtocolError(.internal, "local storage error"))
        #expect(Self.report(hubFailed).verdict == .peerFailed(peer: "hub", reason: "local storage error"))
        // This node refused the peer's data.
        let ours = ConnectionEnding.refusedByUs(ProtocolError(.badEntry, "entry signature does not verify"))
        #expect(Self.report(ours).verdict.word == "refused-peer")
        // The hub refuses this node: that is the membership verdict.
        let notMember = ConnectionEnding.refusedByPeer(ProtocolError(.notAMember, "not a member of this network"))
        if case .refused(let peer, _) = Self.report(notMember).verdict { #expect(peer == "hub") } else { Issue.record("not refused") }
        // In sync again after the disk had filled: the old failure is history.
        var recovered = Self.report(.refusedByUs(ProtocolError(.internal, "local database error: database or disk is full")))
        var other = PeerStatus(node: NodeKey().id, direction: "outbound", address: nil)
        other.state = .connected
        other.inSync = true
        recovered.peers.append(other)
        recovered.hubs.append(other.node)
        #expect(recovered.verdict.word == "in-sync")
    }

    @Test func statusFiguresAreReadAgainOnceTheStoreMoves() async throws {
        let dir = TemporaryDirectory()
        let key = NodeKey()
        let store = try Store.create(at: dir.file("n.sqlite"), network: key.id, node: key.id)
        let figures = StatusFigures(store: store, reuseFor: .seconds(3600))
        #expect(try await figures.current().stats.entries == 0)
        try await store.append([.put(kind: "note", key: "a", body: "{}", time: 1)], signer: key)
        #expect(try await figures.current().stats.entries == 1, "a new entry moves the position: read again")
        // Concurrent requests get the same figures.
        async let a = figures.current()
        async let b = figures.current()
        let (x, y) = try await (a, b)
        #expect(x.stats == y.stats && x.stats.entries == 1)
        #expect(try await figures.current().diskFreeBytes ?? 0 > 0)
    }

    // MARK: the CLI

    @Test func statusReportsABadConfigAsTcnodedDoes() async throws {
        let dir = TemporaryDirectory("tcstatus")
        try "data_dir = \"relative/path\"\n".write(toFile: dir.file("bad.toml"), atomically: true, encoding: .utf8)
        let r = try await run(try Products.path("tcnode"), ["status", "--config", dir.file("bad.toml")])
        #expect(r.status == 78, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("bad.toml: option 'data_dir': must be an absolute path"), "\(r.stderr)")
        #expect(!r.stdout.contains("/var/lib/tcnode") && !r.stderr.contains("/var/lib/tcnode"))

        let missing = try await run(try Products.path("tcnode"), ["status", "--config", dir.file("nowhere.toml")])
        #expect(missing.status == 78 && missing.stderr.contains("nowhere.toml: file not found"), "\(missing.stderr)")
    }

    @Test func aDataDirThatIsAFileIsNamedAsSuch() async throws {
        let dir = TemporaryDirectory("tcstatus")
        try "not a directory".write(toFile: dir.file("datafile"), atomically: true, encoding: .utf8)
        let config = """
            data_dir = "\(dir.file("datafile"))"
            control_socket = "\(dir.file("none.sock"))"
            """
        try config.write(toFile: dir.file("n.toml"), atomically: true, encoding: .utf8)
        let r = try await run(try Products.path("tcnode"), ["status", "--config", dir.file("n.toml")])
        #expect(r.status == 78, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("\(dir.file("datafile")) (data_dir in \(dir.file("n.toml"))) is a file, not a directory; set data_dir to a directory"),
                "\(r.stderr)")
        #expect(!r.stderr.contains("permission denied"))

        let list = try await run(try Products.path("tcnode"), ["list", "product", "--data-dir", dir.file("datafile")])
        #expect(list.status == 78 && list.stderr.contains("(--data-dir) is a file, not a directory"), "\(list.stderr)")
    }

    @Test func statusWithoutDaemonOrDatabasePrintsPlainWords() async throws {
        let dir = TemporaryDirectory("tcstatus")
        let config = """
            data_dir = "\(dir.file("empty"))"
            control_socket = "\(dir.file("none.sock"))"
            """
        try FileManager.default.createDirectory(atPath: dir.file("empty"), withIntermediateDirectories: true)
        try config.write(toFile: dir.file("n.toml"), atomically: true, encoding: .utf8)
        let r = try await run(try Products.path("tcnode"), ["status", "--config", dir.file("n.toml"), "--lang", "en"])
        #expect(r.status == 3)
        #expect(r.stdout.contains("tcnoded is not running"))
        #expect(r.stderr.contains("no database at \(dir.file("empty"))/node.sqlite: run `tcnode init` first"), "\(r.stderr)")
        #expect(!r.stderr.contains("Failure(") && !r.stderr.contains("message:"), "\(r.stderr)")
    }
}
