import DemoData
import Foundation
import HubViews
import LinkEmulator
import Logging
import NIOCore
import NodeRuntime
import Replication
import ServiceLifecycle
import Telecenter
import TestSupport
import Testing

/// The views on PostgreSQL when PostgreSQL is not there: down when the
/// views open, lost while the node runs (the node goes on storing; the
/// views say they are behind and catch up when it is back), and a wrong
/// password (an error naming the setting). Runs when the test script gives
/// a server (TCNODE_TEST_POSTGRES); a LinkEmulator between the views and the
/// server stands for the server going away, so the shared server stays up
/// for the other tests.
@Suite(.enabled(if: ViewsUnderTest.postgres != nil, "needs TCNODE_TEST_POSTGRES (scripts/postgres-test-server)"))
struct PostgresFaultTests {
    static func network(_ dir: TemporaryDirectory, centres: Int = 6) throws -> (hub: NodeKey, store: Store) {
        let hub = NodeKey()
        let store = try Store.create(at: dir.file("hub.sqlite"), network: hub.id, node: hub.id)
        var options = DemoNetwork.Options()
        options.centres = centres
        options.entriesPerCentre = 20
        options.photos = false
        try DemoNetwork.populate(hub: hub, store: store, blobs: nil, options: options, seed: 5)
        return (hub, store)
    }

    /// The test server's location reached through `link`, in a schema of its own.
    static func location(through link: LinkEmulator, dir: TemporaryDirectory) -> PostgresViewsLocation {
        var location = ViewsUnderTest.schema(for: dir.file("views"), in: ViewsUnderTest.postgres!)
        location.host = "127.0.0.1"
        location.port = link.port
        return location
    }

    static func upstream() throws -> SocketAddress {
        let location = ViewsUnderTest.postgres!
        return try SocketAddress(ipAddress: location.host == "localhost" ? "127.0.0.1" : location.host, port: location.port)
    }

    /// Polls `condition` (cheap, in memory) until it holds; fails after `timeout`.
    static func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw Failure("not within \(timeout): \(what)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test func downAtStartThenLostWhileRunningTheViewsCatchUpWhenItIsBack() async throws {
        let dir = TemporaryDirectory("tcpgfault")
        let (hub, store) = try Self.network(dir)
        let link = try await LinkEmulator.start(upstream: try Self.upstream())
        try await link.cut()
        // Down at start: the views open (nothing to fix in the config) and say they are unavailable.
        let views = try await OffPool.run { [location = Self.location(through: link, dir: dir)] in
            try Views(postgres: location, store: store, logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        }
        #expect(views.health.snapshot.available == false)
        var logger = Logger(label: "pgfault")
        logger.logLevel = .critical
        let node = try Node(key: hub, store: store, logger: logger)
        let service = ViewsService(node: node, views: views, logger: logger, retryDelay: .milliseconds(50), maxRetryDelay: .milliseconds(200))
        let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [],
                                                      logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Self.eventually("the views say they are behind") {
                let s = views.health.snapshot
                return !s.available && s.behind > 100 && s.error?.contains("views_store") == true
            }
            // Back: the views are set up and catch up with the whole log, by retrying alone.
            try await link.restore()
            let total = try await store.position()
            try await Self.eventually("the views catch up once PostgreSQL is back") {
                let s = views.health.snapshot
                return s.available && s.appliedPosition == total && s.behind == 0
            }

            // Lost while running: the node goes on storing entries.
            try await link.cut()
            for i in 0..<5 {
                _ = try await node.append([.put(kind: "activity", key: "pg-\(i)",
                                                body: #"{"type":"content","title":"Video \#(i)","date":"2026-05-0\#(i + 1)","count":2}"#,
                                                time: 100 + Int64(i))])
            }
            let grown = try await store.position()
            #expect(grown > total)
            try await Self.eventually("the views say they are behind while PostgreSQL is lost") {
                let s = views.health.snapshot
                return !s.available && s.storePosition == grown && s.behind >= 5
            }
            try await link.restore()
            try await Self.eventually("the views catch up again") {
                let s = views.health.snapshot
                return s.available && s.appliedPosition == grown && s.behind == 0
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        // The same views as SQLite builds from the same log.
        let reference = try Views(path: dir.file("reference.sqlite"), store: store)
        let (a, b, titles) = try await OffPool.run {
            _ = try reference.catchUp()
            let fresh = try Freshness.of(store: store, nowMs: 1_800_000_000_000)
            return (try views.summary(freshness: fresh), try reference.summary(freshness: fresh),
                    try views.strings("SELECT title FROM activity WHERE key LIKE 'pg-%' ORDER BY title"))
        }
        #expect(a == b)
        #expect(titles == (0..<5).map { "Video \($0)" })
        try views.close()
        try reference.close()
        try await link.stop()
    }

    /// PostgreSQL's tables hold what SQLite's hold, row for row, for a log
    /// with replaced, deleted and revoked records, a region move and late
    /// members (ViewsCatchUpTests' history), caught up in small batches.
    @Test func postgresBuildsTheSameTablesAsSQLite() async throws {
        let h = try ViewsCatchUpTests.History()
        for stage in 0..<3 { try h.edit(stage: stage) }
        let sqlite = try Views(path: h.dir.file("reference.sqlite"), store: h.store, blobs: h.blobs)
        let postgres = try await OffPool.run { [store = h.store, blobs = h.blobs, path = h.dir.file("pg")] in
            try Views(postgres: ViewsUnderTest.schema(for: path, in: ViewsUnderTest.postgres!), store: store, blobs: blobs)
        }
        try await sqlite.catchUp(batch: 64)
        try await postgres.catchUp(batch: 64)
        ViewsCatchUpTests.expectSame(try await ViewsCatchUpTests.tables(sqlite), try await ViewsCatchUpTests.tables(postgres), "PostgreSQL")
        try sqlite.close()
        try postgres.close()
    }

    @Test func aWrongPasswordIsAnErrorNamingTheSetting() async throws {
        let dir = TemporaryDirectory("tcpgcreds")
        let (_, store) = try Self.network(dir, centres: 2)
        let wrong = dir.file("wrong-password")
        try "not-the-password\n".write(toFile: wrong, atomically: true, encoding: .utf8)
        var config = NodeConfig()
        config.viewsStore = ViewsUnderTest.environment["TCNODE_TEST_POSTGRES"]
        config.viewsPasswordFile = wrong
        let blobs = BlobStore(root: dir.file("blobs"))
        let message: String = await OffPool.run { [config] in
            do {
                _ = try HubViewsOpener().open(config: config, path: dir.file("views.sqlite"), store: store, blobs: blobs,
                                              logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
                return "opened"
            } catch {
                return "\(error)"
            }
        }
        #expect(message.contains("refused user 'tcviews'"), "\(message)")
        #expect(message.contains("views_password_file \(wrong)"), "\(message)")
        #expect(!message.contains("not-the-password"))

        // A password in views_store itself is refused before anything is tried.
        let toml = dir.file("tcnode.toml")
        try #"views_store = "postgresql://tcviews:secret@127.0.0.1:5432/tcviews""#.write(toFile: toml, atomically: true, encoding: .utf8)
        #expect(throws: NodeConfig.Error.self) { _ = try NodeConfig.load(path: toml) }
    }
}
