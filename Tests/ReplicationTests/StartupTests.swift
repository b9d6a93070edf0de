import Foundation
import GRDB
import HubViews
import Logging
import NIOCore
import NodeRuntime
import Replication
import ServiceLifecycle
import Synchronization
import Telecenter
import Testing

/// Starting and stopping tcnoded (issue 9, items 4 and 10): a config it
/// cannot run with exits 78 with the option named (systemd does not restart
/// it), a damaged database is refused unchanged by the daemon and the CLI,
/// and a normal stop exits 0 without ERROR lines.
@Suite(.serialized, .long) struct StartupTests {
    // MARK: - listen, metrics, views_listen hosts

    static func parse(listen: String) throws -> NodeConfig {
        try NodeConfig.parse("listen = \"\(listen)\"\n", path: "t.toml")
    }

    @Test func keepAliveSettingsAreCheckedAndNamed() throws {
        let config = try NodeConfig.parse("keepalive_seconds = 60\npeer_timeout_seconds = 200\n", path: "t.toml")
        #expect(config.keepaliveSeconds == 60 && config.peerTimeoutSeconds == 200)
        #expect(try NodeConfig.parse("", path: "t.toml").keepaliveSeconds == 150)
        for (text, option) in [("keepalive_seconds = 5\n", "keepalive_seconds"), ("keepalive_seconds = \"60\"\n", "keepalive_seconds"),
                               ("peer_timeout_seconds = 100000\n", "peer_timeout_seconds"),
                               ("keepalive_seconds = 300\npeer_timeout_seconds = 400\n", "peer_timeout_seconds")] {
            #expect("\(text)") { _ = try NodeConfig.parse(text, path: "t.toml") } throws: { error in
                (error as? NodeConfig.Error)?.option == option && "\(error)".contains("t.toml")
            }
        }
    }

    @Test func mistypedHostsAreConfigErrorsNamingTheOption() throws {
        for bad in ["999.1.1.1:7447", "10.0.0.256:7447", "bad host:7447", "-x:7447", "a..b:7447", "hub!:7447"] {
            #expect {
                _ = try Self.parse(listen: bad)
            } throws: { error in
                guard let e = error as? NodeConfig.Error else { return false }
                return e.option == "listen" && "\(e)".contains("t.toml") && "\(e)".contains("0.0.0.0:7447")
            }
        }
        #expect {
            _ = try NodeConfig.parse("metrics = \"1.2.3:9447\"\n", path: "t.toml")
        } throws: { error in (error as? NodeConfig.Error)?.option == "metrics" }
        for good in ["0.0.0.0:7447", "[::]:7447", "127.0.0.1:0", "localhost:7447", "hub-1.example.org:7447", "my_host:7447",
                     "[fe80::1%eth0]:7447"] {
            #expect(throws: Never.self, "\(good)") { _ = try Self.parse(listen: good) }
        }
    }

    @Test func bindAddressesThatResolveAreAccepted() async throws {
        var config = try Self.parse(listen: "localhost:0")
        config.metricsHost = "127.0.0.1"
        try await config.checkBindAddresses(path: "t.toml")
    }

    @Test func tcnodedExits78NamingListenWhenItsHostCannotBeUsed() async throws {
        let dir = TemporaryDirectory("tcstart")
        let node = DaemonProcess(name: "n", dir: dir)
        try await node.initialise(["--genesis"])
        var hosts = ["999.1.1.1"]  // caught without asking DNS
        // A well-formed name that does not exist needs the resolver's answer;
        // checked only where this machine's resolver gives one (a machine
        // without DNS answers "try again", which is left to the bind).
        let answer = await OffPool.run { () -> Int? in
            do {
                _ = try SocketAddress.makeAddressResolvingHost("nosuch.invalid", port: 7447)
                return nil
            } catch let unknown as SocketAddressError.UnknownHost {
                return unknown.errorCode
            } catch {
                return nil
            }
        }
        if answer == Int(EAI_NONAME) { hosts.append("nosuch.invalid") }
        for host in hosts {
            try node.writeConfig(peers: [])
            let config = try String(contentsOfFile: node.configPath, encoding: .utf8)
                .replacingOccurrences(of: "listen = \"127.0.0.1:0\"", with: "listen = \"\(host):7447\"")
            try config.write(toFile: node.configPath, atomically: true, encoding: .utf8)
            let r = try await run(try Products.path("tcnoded"), ["--config", node.configPath], timeout: .seconds(30))
            #expect(r.status == 78, "\(host): \(r.stderr)")
            #expect(r.stderr.contains("option 'listen'") && r.stderr.contains(host) && r.stderr.contains(node.configPath),
                    "\(r.stderr)")
        }
    }

    @Test func tcnodedExits78WhenDataDirIsAFile() async throws {
        let dir = TemporaryDirectory("tcstart")
        let node = DaemonProcess(name: "n", dir: dir)
        try node.writeConfig(peers: [])
        let file = dir.file("datafile")
        try "not a directory".write(toFile: file, atomically: true, encoding: .utf8)
        try String(contentsOfFile: node.configPath, encoding: .utf8)
            .replacingOccurrences(of: "data_dir = \"\(node.dataDir)\"", with: "data_dir = \"\(file)\"")
            .write(toFile: node.configPath, atomically: true, encoding: .utf8)
        let r = try await run(try Products.path("tcnoded"), ["--config", node.configPath], timeout: .seconds(30))
        #expect(r.status == 78, "\(r.stderr)")
        #expect(r.stderr.contains("data_dir \(file) is a file, not a directory"), "\(r.stderr)")
    }

    // MARK: - stopping

    @Test func sigtermStopsWithExit0AndNoErrorLines() async throws {
        let dir = TemporaryDirectory("tcstop")
        let hub = DaemonProcess(name: "hub", dir: dir)
        try await hub.initialise(["--genesis"])
        let centre = DaemonProcess(name: "tc1", dir: dir)
        try await centre.initialise(["--network", hub.id.description])
        // Every server tcnoded runs: peers, control socket, metrics, views.
        try hub.writeConfig(peers: [], extra: "views = true")
        try String(contentsOfFile: hub.configPath, encoding: .utf8)
            .replacingOccurrences(of: "metrics = \"\"", with: "metrics = \"127.0.0.1:0\"")
            .write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        let admitted = try await hub.cli(["admit", centre.id.description, "--role", "telecenter", "--name", "tc1",
                                          "--region", "Jawa Timur"])
        #expect(admitted.status == 0, "\(admitted.stderr)")
        try hub.start()
        _ = try await hub.waitUntilUp()
        try centre.writeConfig(peers: [try await hub.endpoint()])
        try centre.start()
        _ = try await centre.waitUntilUp()
        let put = try await centre.cli(["put", "product", "p1", "--json", jsonBody(1)])
        #expect(put.status == 0, "\(put.stderr)")
        _ = try await eventually("the hub holds the centre's record") {
            let r = try await hub.cli(["get", "product", "p1", "--author", centre.id.description])
            return r.status == 0 ? r : nil
        }
        // The centre stops while connected, then the hub.
        for daemon in [centre, hub] {
            let (status, took) = try await daemon.stop()
            #expect(status == 0, "\(daemon.name): exit \(status)\n\(daemon.log)")
            #expect(took < .seconds(5), "\(daemon.name) took \(took) to stop")
            let errors = daemon.log.split(separator: "\n").filter { $0.contains(" ERROR ") || $0.contains(" CRITICAL ") }
            #expect(errors.isEmpty, "\(daemon.name) logged: \(errors.joined(separator: "\n"))")
            #expect(daemon.log.contains("database closed cleanly"))
        }
    }

    /// Reproduces what an overlong stop does to Hummingbird: ServiceGroup
    /// cancels the HTTP server still running, which logs its cancelled
    /// accept loop and its already closed channel as errors. The journal
    /// writes those as warnings (see `JournalLogHandler.level(of:)`).
    @Test func httpServerCancelledByAnOverlongStopIsNotAnError() async throws {
        let dir = TemporaryDirectory("tccancel")
        let key = NodeKey()
        let store = try Store.create(at: dir.file("n.sqlite"), network: key.id, node: key.id)
        let blobs = BlobStore(root: dir.file("blobs"))
        let views = try Views(path: dir.file("views.sqlite"), store: store, blobs: blobs)
        let captured = CapturedLog()
        let logger = Logger(label: "t", factory: { _ in CapturingHandler(sink: captured) })
        let node = try Node(key: key, store: store, logger: logger, photos: Photos(blobs: blobs, policy: views.photoPolicy(fetchAll: .fixed(false))))
        let socket = dir.file("c.sock")
        let (running, runningInput) = AsyncStream<Void>.makeStream()
        let app = ControlAPI.application(node: node, socketPath: socket, name: nil, region: nil, listener: nil, logger: logger,
                                         running: { runningInput.yield() })
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: app), .init(service: SlowToStop())], gracefulShutdownSignals: [], logger: logger)
        configuration.maximumGracefulShutdownDuration = .milliseconds(200)
        let group = ServiceGroup(configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                try? await group.run()
                runningInput.finish()
            }
            // The server says when it is running (or the stream ends): no polling.
            for await _ in running { break }
            _ = try await ControlClient(socketPath: socket).status()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        try views.close()
        try store.close()
        let fromHummingbird = captured.events.withLock { $0 }.filter { $0.source == "HummingbirdCore" && $0.level >= .warning }
        #expect(fromHummingbird.contains { "\($0.message)" == "Waiting on child channel: CancellationError()" },
                "the overlong stop cancelled the server: \(fromHummingbird.map { "\($0.level) \($0.message)" })")
        for event in fromHummingbird {
            #expect(JournalLogHandler.level(of: event) == .warning, "\(event.level) \(event.message)")
        }
        // Anything else keeps its level.
        let other = LogEvent(level: .error, message: "Waiting on child channel: boom", metadata: nil, source: "HummingbirdCore",
                             file: #fileID, function: #function, line: #line)
        #expect(JournalLogHandler.level(of: other) == .error)
    }

    // MARK: - a damaged database through the real executables

    @Test func damagedDatabaseIsRefusedByDaemonAndCLIAndLeftUnchanged() async throws {
        let dir = TemporaryDirectory("tcdamaged")
        let node = DaemonProcess(name: "n", dir: dir)
        try await node.initialise(["--genesis"])
        let directory = DataDirectory(node.dataDir)
        let key = try directory.openKey()
        try await OffPool.run {
            let store = try directory.openStore()
            for i in 0..<200 { _ = try store.append([.put(kind: "product", key: "p\(i)", body: jsonBody(i), time: 0)], signer: key) }
            try store.close()
        }
        try node.writeConfig(peers: [])
        let path = DataDirectory(node.dataDir).databasePath
        let (page, pageSize) = try Self.firstEntryLeaf(path)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: UInt64((page - 1) * pageSize))
        try handle.write(contentsOf: Data(repeating: 0xA5, count: pageSize))
        try handle.close()
        let before = DamagedStoreTests.snapshot(path)

        let daemon = try await run(try Products.path("tcnoded"), ["--config", node.configPath], timeout: .seconds(30))
        #expect(daemon.status == 78, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("is damaged") && daemon.stderr.contains("Nothing was changed"), "\(daemon.stderr)")
        for command in [["status"], ["list", "product"], ["log"], ["check"]] {
            let r = try await run(try Products.path("tcnode"), command + ["--data-dir", node.dataDir])
            #expect(r.status != 0, "\(command) accepted a damaged database")
            #expect((r.stdout + r.stderr).contains("damaged"), "\(command): \(r.stdout) \(r.stderr)")
        }
        #expect(DamagedStoreTests.snapshot(path) == before, "the database, its -wal or its -shm changed")
    }

    /// The page of the oldest `entry` rows: never rewritten by later appends.
    static func firstEntryLeaf(_ path: String) throws -> (page: Int, pageSize: Int) {
        try DatabaseQueue(path: path).read { db in
            let page = try Int.fetchOne(db, sql: "SELECT min(pageno) FROM dbstat WHERE name = 'entry' AND pagetype = 'leaf'")
            return (try #require(page), try #require(try Int.fetchOne(db, sql: "PRAGMA page_size")))
        }
    }
}

/// A service that stops only when cancelled.
struct SlowToStop: Service {
    func run() async throws {
        try? await gracefulShutdown()
        try? await Task.sleep(for: .seconds(30))
    }
}

final class CapturedLog: Sendable {
    let events = Mutex<[LogEvent]>([])
}

struct CapturingHandler: LogHandler {
    let sink: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) { sink.events.withLock { $0.append(event) } }
}
