import Foundation
import NIOPosix
import NodeRuntime
import Replication
import Telecenter
import Testing

/// tcnoded as real processes on free loopback ports, driven with the real
/// tcnode CLI.
@Suite(.serialized, .long) struct DaemonProcessTests {
    /// A hub (genesis) and centres that dial it, all initialised and admitted.
    static func network(_ names: [String], in dir: TemporaryDirectory) async throws -> (DaemonProcess, [DaemonProcess]) {
        let hub = DaemonProcess(name: "hub", dir: dir)
        try await hub.initialise(["--genesis"])
        try hub.writeConfig(peers: [])
        var centres: [DaemonProcess] = []
        for name in names {
            let c = DaemonProcess(name: name, dir: dir)
            try await c.initialise(["--network", hub.id.description])
            let r = try await hub.cli(["admit", c.id.description, "--role", "telecenter", "--name", name, "--region", "Jawa Timur"])
            #expect(r.status == 0, "\(r.stderr)")
            centres.append(c)
        }
        return (hub, centres)
    }

    @Test func hubAndTwoCentresReplicateReportStatusAndStopCleanly() async throws {
        let dir = TemporaryDirectory("tcproc")
        let (hub, centres) = try await Self.network(["tc1", "tc2"], in: dir)
        try hub.start()
        _ = try await hub.waitUntilUp()
        let hubEndpoint = try await hub.endpoint()
        for c in centres {
            try c.writeConfig(peers: [hubEndpoint])
            try c.start()
            _ = try await c.waitUntilUp()
        }
        let (tc1, tc2) = (centres[0], centres[1])

        // Status: connected to the hub and in sync.
        let inSync = try await eventually("tc1 is in sync with the hub") { () -> StatusReport? in
            let s = try? await tc1.status()
            return s.flatMap { r in r.peers.contains { $0.node == hub.id.description && $0.state == .connected && $0.inSync } ? r : nil }
        }
        #expect(inSync.verdict == .inSync(peer: "hub", lastExchangeMs: inSync.peers.first?.lastSeenMs) || {
            if case .inSync = inSync.verdict { return true } else { return false }
        }())
        let json = try await tc1.cli(["status", "--json"])
        #expect(json.status == 0)
        let decoded = try StatusReport.decoder.decode(StatusReport.self, from: Data(json.stdout.utf8))
        #expect(decoded.state == "in-sync" && json.stdout.contains("\"daemon_running\" : true"))
        #expect(decoded.peers.first?.state == .connected && decoded.daemonRunning)
        let human = try await tc1.cli(["status"])
        #expect(human.stdout.hasPrefix("In sync with"), "\(human.stdout)")
        let indonesian = try await tc1.cli(["status", "--lang", "id"])
        #expect(indonesian.stdout.hasPrefix("Sinkron dengan"), "\(indonesian.stdout)")

        // A put on one centre appears on the other, through the hub.
        let put = try await tc1.cli(["put", "product", "keripik-tempe", "--json", #"{"name":"Keripik Tempe","category":"makanan","price_idr":15000}"#])
        let invalid = try await tc1.cli(["put", "product", "x", "--json", #"{"name":"X","category":"food"}"#])
        #expect(invalid.status == 1 && invalid.stderr.contains("category") && invalid.stderr.contains("nothing was stored"))
        #expect(put.status == 0, "\(put.stderr)")
        #expect(put.stdout.contains("seq 1") && !put.stdout.contains("not running"), "the put went through the daemon: \(put.stdout)")
        let got = try await eventually("tc2 holds tc1's product") { () -> CommandResult? in
            let r = try await tc2.cli(["get", "product", "keripik-tempe", "--author", tc1.id.description, "--json"])
            return r.status == 0 ? r : nil
        }
        #expect(got.stdout.contains("Keripik Tempe"))

        // SIGTERM: exit 0 well within 10 s, database closed cleanly.
        for d in [tc2, tc1, hub] {
            let (status, took) = try await d.stop()
            #expect(status == 0, "\(d.name) exited \(status): \(d.log.suffix(2000))")
            #expect(took < .seconds(10), "\(d.name) took \(took) to stop")
            #expect(d.log.contains("database closed cleanly"))
        }
        // Not running: status says so, shows the store, exits 3.
        let down = try await tc1.cli(["status"])
        #expect(down.status == 3)
        #expect(down.stdout.contains("tcnoded is not running") && down.stdout.contains("sudo systemctl start tcnoded"))
        #expect(down.stdout.contains("entries from"))
    }

    /// A hub whose views are on a PostgreSQL server that is not there: it
    /// starts, goes on storing, and its status says the views are behind
    /// and why, in both languages (issue 15: the server down at start).
    @Test func aHubWhosePostgresIsAwayRunsAndSaysSoInStatus() async throws {
        let dir = TemporaryDirectory("tcproc")
        let hub = DaemonProcess(name: "hub", dir: dir)
        try await hub.initialise(["--genesis"])
        // A loopback port nothing listens on: taken, then let go.
        let socket = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = socket.localAddress!.port!
        try await socket.close()
        let passwordFile = dir.file("views-password")
        try "not-used\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passwordFile)
        try hub.writeConfig(peers: [], extra: """
            views_store = "postgresql://tcviews@127.0.0.1:\(port)/tcviews"
            views_password_file = "\(passwordFile)"
            """)
        try hub.start()
        _ = try await hub.waitUntilUp()
        let tc1 = NodeKey()
        let admitted = try await hub.cli(["admit", tc1.id.description, "--role", "telecenter", "--name", "tc1", "--region", "Jawa Timur"])
        #expect(admitted.status == 0, "the node goes on storing: \(admitted.stderr)")
        let views = try await eventually("the hub's status says its views are behind") {
            let views = try? await hub.status().views
            return views.flatMap { !$0.available && $0.behind >= 1 && ($0.error ?? "").contains("views_store") ? $0 : nil }
        }
        #expect(views.backend == "postgresql")
        #expect(!views.appliedKnown, "away since the start, the views' position is unknown")
        let english = try await hub.cli(["status"])
        #expect(english.stdout.contains("their PostgreSQL database has not answered since tcnoded started"), "\(english.stdout)")
        #expect(!english.stdout.contains("not-used"), "the password never shows")
        let indonesian = try await hub.cli(["status", "--lang", "id"])
        #expect(indonesian.stdout.contains("basis data PostgreSQL-nya belum menjawab sejak tcnoded mulai"), "\(indonesian.stdout)")
        let (status, _) = try await hub.stop()
        #expect(status == 0)
    }

    @Test func centreKilledMidSyncResumesWithNothingLost() async throws {
        let dir = TemporaryDirectory("tcproc")
        let (hub, centres) = try await Self.network(["tc1"], in: dir)
        let tc1 = centres[0]
        // Preload the hub with 40 admitted authors x 500 entries (about 12 MB).
        let total = try Self.preload(hub: hub, authors: 40, entriesEach: 500)
        try hub.start()
        _ = try await hub.waitUntilUp()
        try tc1.writeConfig(peers: [try await hub.endpoint()])
        try tc1.start()
        _ = try await tc1.waitUntilUp()
        let partial = try await eventually("tc1 stored part of the log", interval: .milliseconds(5)) { () -> Int? in
            let n = (try? await tc1.status().store.entries) ?? 0
            return n > 100 ? n : nil
        }
        try await tc1.kill()
        let tc1Path = DataDirectory(tc1.dataDir).databasePath
        let held = try await OffPool.run { try Store.open(at: tc1Path) }.stats().entries
        #expect(held >= partial && held < total, "killed with \(held) of \(total) stored")

        try tc1.start()
        _ = try await tc1.waitUntilUp()
        _ = try await eventually("tc1 holds everything after the restart", timeout: .seconds(120)) { () -> Bool? in
            (try? await tc1.status().store.entries) == total ? true : nil
        }
        _ = try await tc1.stop()
        _ = try await hub.stop()
        let store = try await OffPool.run { try Store.open(at: tc1Path, checkIntegrity: true) }
        #expect(try await store.integrityCheck() == ["ok"])
        let hubPath = DataDirectory(hub.dataDir).databasePath
        let hubStore = try await OffPool.run { try Store.open(at: hubPath) }
        let mine = try await store.heads(movedAfter: 0).heads.sorted { $0.author < $1.author }
        let hubs = try await hubStore.heads(movedAfter: 0).heads.sorted { $0.author < $1.author }
        #expect(mine == hubs)
    }

    @Test func badConfigStopsTheDaemonWithTheFileAndOption() async throws {
        let dir = TemporaryDirectory("tcproc")
        let node = DaemonProcess(name: "n", dir: dir)
        try await node.initialise(["--genesis"])
        let cases: [(String, String)] = [
            ("colour = \"blue\"", "option 'colour': unknown option"),
            ("listen = 7447", "option 'listen': must be a string"),
            ("peers = [\"not-a-peer\"]", "option 'peers[0]'"),
            ("log_level = \"loud\"", "option 'log_level'"),
            ("listen = \"0.0.0.0:7447\"\n[broken", "line 2"),
        ]
        for (text, expected) in cases {
            try text.write(toFile: node.configPath, atomically: true, encoding: .utf8)
            let r = try await run(try Products.path("tcnoded"), ["--config", node.configPath], timeout: .seconds(20))
            #expect(r.status == 78, "\(text): exit \(r.status)")
            #expect(r.stderr.contains(node.configPath) && r.stderr.contains(expected), "\(text): \(r.stderr)")
        }
        let missing = try await run(try Products.path("tcnoded"), ["--config", dir.file("nope.toml")])
        #expect(missing.status == 78 && missing.stderr.contains("file not found"))
    }

    @Test func twoProcessesAppendingAtOnceNeverShareASeq() async throws {
        let dir = TemporaryDirectory("tcproc")
        let node = DaemonProcess(name: "n", dir: dir)
        try await node.initialise(["--genesis"])
        let tcnode = try Products.path("tcnode")
        let dataDir = node.dataDir
        // Two writers, each a series of separate tcnode processes, at the same time.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<2 {
                group.addTask {
                    for i in 0..<20 {
                        let r = try await run(tcnode, ["put", "note", "w\(writer)-\(i)", "--json", #"{"i":\#(i)}"#, "--data-dir", dataDir])
                        #expect(r.status == 0, "\(r.stderr)")
                    }
                }
            }
            try await group.waitForAll()
        }
        let nodePath = DataDirectory(node.dataDir).databasePath
        let store = try await OffPool.run { try Store.open(at: nodePath) }
        let log = try await store.log(author: node.id, limit: .max, newestFirst: false)
        #expect(log.map(\.seq) == Array(1...40))
        for (a, b) in zip(log, log.dropFirst()) { try b.checkLink(after: a) }
        #expect(Set(log.map(\.key)).count == 40)
    }

    @Test func sighupReloadsThePeerList() async throws {
        let dir = TemporaryDirectory("tcproc")
        let (hub, centres) = try await Self.network(["tc1"], in: dir)
        try hub.start()
        _ = try await hub.waitUntilUp()
        let tc1 = centres[0]
        try tc1.writeConfig(peers: [])
        try tc1.start()
        let before = try await tc1.waitUntilUp()
        #expect(before.peers.isEmpty && before.verdict == .noPeers)
        try tc1.writeConfig(peers: [try await hub.endpoint()])
        kill(tc1.process!.processIdentifier, SIGHUP)
        _ = try await eventually("tc1 dials the hub after SIGHUP") { () -> Bool? in
            (try? await tc1.status())?.peers.contains { $0.node == hub.id.description && $0.state == .connected } == true ? true : nil
        }
        // The log arrives through a pipe: wait for the line rather than race it.
        _ = try await eventually("tc1 logs the reload", timeout: .seconds(10)) { () -> Bool? in
            tc1.log.contains("configuration reloaded: 1 peer(s)") ? true : nil
        }
        _ = try await tc1.stop()
        _ = try await hub.stop()
    }

    @Test func productImportReportsBadRowsByLineAndStoresNothing() async throws {
        let dir = TemporaryDirectory("tcproc")
        let node = DaemonProcess(name: "n", dir: dir)
        try await node.initialise(["--genesis"])
        let bad = """
            name,category,price_idr,unit
            Keripik Tempe,makanan,15000,bungkus
            Batik Tulis,fashion,350000,lembar
            "Kopi, Robusta",pertanian,mahal,kg
            """
        try bad.write(toFile: dir.file("bad.csv"), atomically: true, encoding: .utf8)
        let r = try await run(try Products.path("tcnode"), ["product", "import", dir.file("bad.csv"), "--data-dir", node.dataDir, "--lang", "en"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("line 3: product: field 'category' must be one of"), "\(r.stderr)")
        #expect(r.stderr.contains("line 4: product: field 'price_idr' must be a whole number"), "\(r.stderr)")
        #expect(r.stderr.contains("nothing was stored"))
        let nodePath = DataDirectory(node.dataDir).databasePath
        let store = try await OffPool.run { try Store.open(at: nodePath) }
        #expect(try await store.records(kind: "product").isEmpty)

        let good = "name,category,price_idr\nKeripik Tempe,makanan,15000\n\"Kopi, Robusta\",pertanian,35000\n"
        try good.write(toFile: dir.file("good.csv"), atomically: true, encoding: .utf8)
        let ok = try await run(try Products.path("tcnode"), ["product", "import", dir.file("good.csv"), "--data-dir", node.dataDir, "--lang", "en"])
        #expect(ok.status == 0 && ok.stdout.contains("imported 2 products"), "\(ok.stderr)")
        #expect(try await store.records(kind: "product").map(\.key).sorted() == ["keripik-tempe", "kopi-robusta"])
    }

    @Test func aPhotoOverTheLimitIsRefusedWithItsSizeWhileTheDaemonRuns() async throws {
        let dir = TemporaryDirectory("tcproc")
        let node = DaemonProcess(name: "n", dir: dir)
        try await node.initialise(["--genesis"])
        try node.writeConfig(peers: [], extra: "blob_max_bytes = 2000")
        try node.start()
        let before = try await node.waitUntilUp().store.entries
        let png = TinyPNG.make(width: 120, height: 120) { x, y in (UInt8(truncatingIfNeeded: x * 7 ^ y * 13), UInt8(truncatingIfNeeded: x * y), 9) }
        #expect(png.count > 2000)
        try Data(png).write(to: URL(fileURLWithPath: dir.file("big.png")))
        let r = try await run(try Products.path("tcnode"), ["product", "add", "--name", "Batik Tulis", "--category", "kerajinan",
                                                              "--price", "350000", "--photo", dir.file("big.png"),
                                                              "--config", node.configPath, "--lang", "en"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("big.png: \(png.count) bytes; the most a photo may be is 2000 bytes (blob_max_bytes)"), "\(r.stderr)")
        #expect(try await node.status().store.entries == before, "nothing was stored")
        _ = try await node.stop()
    }

    /// While tcnoded runs it is the only writer of its data directory: a
    /// command given that directory writes nothing and says what to do
    /// instead, in English or Bahasa Indonesia; it reads still; a second
    /// tcnoded on the directory does not start. Stopped, the same write works.
    @Test func anOfflineWriteIntoARunningDaemonsDirectoryIsRefusedInWords() async throws {
        let dir = TemporaryDirectory("tcproc")
        let node = DaemonProcess(name: "n", dir: dir)
        try await node.initialise(["--genesis"])
        try node.writeConfig(peers: [])
        try node.start()
        let before = try await node.waitUntilUp().store.entries
        let tcnode = try Products.path("tcnode")
        let offline = ["--data-dir", node.dataDir]
        let writes: [[String]] = [
            ["put", "note", "n1", "--json", #"{"i":1}"#],
            ["product", "add", "--name", "Keripik Tempe", "--category", "makanan"],
            ["admit", NodeKey().id.checked, "--role", "telecenter", "--name", "TC", "--region", "Jawa Timur"],
        ]
        for write in writes {
            let r = try await run(tcnode, write + offline + ["--lang", "en"])
            #expect(r.status == 1, "\(write): \(r.stdout)")
            #expect(r.stderr.contains("tcnoded is running on \(node.dataDir): while it runs it is the only writer of its data directory. "
                + "Drop --data-dir to write through it, or stop it first (sudo systemctl stop tcnoded); nothing was stored"), "\(write): \(r.stderr)")
        }
        let id = try await run(tcnode, writes[0] + offline + ["--lang", "id"])
        #expect(id.status == 1 && id.stderr.contains("selama berjalan hanya ia yang menulis direktori datanya. Hapus --data-dir"), "\(id.stderr)")
        let demo = try await run(tcnode, ["reset-sync"] + offline + ["--lang", "en"])
        #expect(demo.status == 1 && demo.stderr.contains("stop it first (sudo systemctl stop tcnoded), then run reset-sync"), "\(demo.stderr)")
        #expect(try await node.status().store.entries == before, "nothing was written")
        // Reads of the files still work beside the daemon.
        let log = try await run(tcnode, ["log", "--json"] + offline)
        #expect(log.status == 0, "\(log.stderr)")
        // Through the daemon (no --data-dir) the same write is stored.
        let through = try await node.cli(writes[0])
        #expect(through.status == 0 && !through.stdout.contains("not running"), "\(through.stderr)")

        // A second tcnoded on the same directory, with its own socket, does not start.
        let config = try String(contentsOfFile: node.configPath, encoding: .utf8)
            .replacingOccurrences(of: node.socketPath, with: dir.file("second.sock"))
        try config.write(toFile: dir.file("second.toml"), atomically: true, encoding: .utf8)
        let refused = try await run(try Products.path("tcnoded"), ["--config", dir.file("second.toml")], timeout: .seconds(30))
        #expect(refused.status == 78, "\(refused.stderr)")
        #expect(refused.stderr.contains("another tcnoded is already running on data directory \(node.dataDir)"), "\(refused.stderr)")

        _ = try await node.stop()
        let stopped = try await run(tcnode, writes[0] + offline + ["--lang", "en"])
        #expect(stopped.status == 0 && stopped.stdout.contains("tcnoded is not running"), "\(stopped.stderr)")
    }

    /// Signs `authors` x `entriesEach` entries, admits the authors and stores
    /// it all in the hub's database before it starts. Returns the hub's entry count.
    static func preload(hub: DaemonProcess, authors: Int, entriesEach: Int) throws -> Int {
        let directory = DataDirectory(hub.dataDir)
        let key = try directory.openKey()
        let store = try directory.openStore()
        defer { try? store.close() }
        let filler = String(repeating: "kerajinan anyaman bambu ", count: 20)
        for a in 0..<authors {
            let author = NodeKey()
            let body = #"{"node":"\#(author.id)","role":"telecenter","name":"Centre \#(a)","region":"Jawa Timur"}"#
            try store.append([.put(kind: "admit", key: author.id.description, body: body, time: 1)], signer: key)
            var prev = Bytes32.zero
            var batch: [VerifiedEntry] = []
            for i in 1...entriesEach {
                let e = try Entry.sign(.put(kind: "product", key: "p\(i)", body: #"{"name":"Produk \#(i)","d":"\#(filler)"}"#,
                                            time: Int64(i)), seq: UInt64(i), prev: prev, with: author)
                prev = e.entry.id.hash
                batch.append(e)
            }
            _ = try store.ingest(batch, from: author.id)
        }
        return try store.stats().entries
    }
}
