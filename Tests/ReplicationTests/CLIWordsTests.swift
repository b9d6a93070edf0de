import Foundation
import NodeRuntime
import Replication
import Telecenter
import Testing

/// What `tcnode` says and accepts (issue 13): one language at a time,
/// "did you mean", negative numbers, keys and node ids typed back, status in
/// 80 columns, `--version`, and a reader that goes away.
@Suite(.long) struct CLIWordsTests {
    static func tcnode(_ arguments: [String]) async throws -> CommandResult {
        try await run(try Products.path("tcnode"), arguments, environment: ["TCNODE_CONTROL_SOCKET": "/nonexistent/tcnode.sock"])
    }

    /// A genesis node in `dir` (no daemon), and the arguments that name it.
    static func genesis(_ dir: TemporaryDirectory, _ name: String = "g") async throws -> (NodeID, [String]) {
        let r = try await tcnode(["init", "--genesis", "--data-dir", dir.file(name)])
        let id = try #require(NodeID(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(r.stderr)")
        return (id, ["--data-dir", dir.file(name)])
    }

    static func entries(_ data: [String]) async throws -> Int {
        let r = try await tcnode(["log", "--json", "--limit", "100000"] + data)
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [Any]).count
    }

    // MARK: version and output

    @Test func versionIsTheOneTheDaemonReports() async throws {
        let cli = try await Self.tcnode(["--version"])
        #expect(cli.status == 0 && cli.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == TCNodeVersion.current, "\(cli.stdout)")
        let daemon = try await run(try Products.path("tcnoded"), ["--version"])
        #expect(daemon.status == 0 && daemon.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == TCNodeVersion.current)
    }

    /// `tcnode log --json | head -c 100`: the reader leaves after 100 bytes.
    static func readerLeaves(_ arguments: [String]) async throws -> (Process.TerminationReason, Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Products.path("tcnode"))
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // More than a pipe holds is written, so the writer is still writing
        // (or blocked) when the reader closes: EPIPE, whatever the timing.
        _ = try out.fileHandleForReading.read(upToCount: 100)
        try out.fileHandleForReading.close()
        let stderr = await Task.detached { err.fileHandleForReading.readDataToEndOfFile() }.value
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw ProcessTestError("tcnode did not end after its reader left")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return (process.terminationReason, process.terminationStatus, String(decoding: stderr, as: UTF8.self))
    }

    @Test func aReaderThatGoesAwayEndsTheCommandAsSIGPIPEWithoutAWord() async throws {
        let dir = TemporaryDirectory("tcwords")
        let (_, data) = try await Self.genesis(dir)
        let demo = try await Self.tcnode(["generate-demo", "--centres", "30"] + data)
        #expect(demo.status == 0, "\(demo.stderr)")
        for command in [["log", "--json", "--limit", "100000"], ["log", "--limit", "100000"], ["product", "list", "--json"]] {
            let (reason, status, stderr) = try await Self.readerLeaves(command + data)
            #expect(reason == .uncaughtSignal && status == SIGPIPE, "\(command): \(reason) \(status)")
            #expect(stderr.isEmpty, "\(command): \(stderr.prefix(500))")
        }
    }

    // MARK: node ids

    @Test func aMistypedNodeIDIsRefusedBeforeAnythingIsSigned() async throws {
        let dir = TemporaryDirectory("tcwords")
        let (me, data) = try await Self.genesis(dir)
        let centre = NodeKey().id
        let ok = try await Self.tcnode(["admit", centre.checked, "--role", "telecenter", "--name", "TC Blitar", "--region", "Jawa Timur"] + data)
        #expect(ok.status == 0 && ok.stdout.contains(centre.checked), "\(ok.stderr)")
        let before = try await Self.entries(data)

        // One character of the checked form changed (not the first 8, as the issue's typo).
        var checked = Array(centre.checked)
        checked[20] = checked[20] == "a" ? "b" : "a"
        var r = try await Self.tcnode(["admit", String(checked), "--role", "telecenter", "--name", "X", "--region", "Y"] + data)
        #expect(r.status == 2 && r.stderr.contains("has a typo") && r.stderr.contains("blocks 3-4"), "\(r.stderr)")
        // One character missing.
        r = try await Self.tcnode(["admit", String(centre.checked.dropLast()), "--role", "telecenter", "--name", "X", "--region", "Y"] + data)
        #expect(r.status == 2 && r.stderr.contains("one character is missing"), "\(r.stderr)")
        // The plain form with one character changed: a typo of a member's id.
        var plain = Array(centre.description)
        plain[30] = plain[30] == "a" ? "b" : "a"
        r = try await Self.tcnode(["admit", String(plain), "--role", "telecenter", "--name", "X", "--region", "Y"] + data)
        #expect(r.status == 2 && r.stderr.contains("has a typo") && r.stderr.contains("TC Blitar"), "\(r.stderr)")
        r = try await Self.tcnode(["admit", "0" + String(centre.checked.dropFirst()), "--role", "telecenter", "--name", "X", "--region", "Y",
                                   "--lang", "id"] + data)
        #expect(r.status == 2 && r.stderr.contains("salah ketik") && r.stderr.contains("huruf o"), "\(r.stderr)")
        #expect(try await Self.entries(data) == before, "nothing was signed or stored")

        // A survey of a centre that is not in the network is refused too.
        let png = TinyPNG.make(width: 4, height: 4) { _, _ in (1, 2, 3) }
        try Data(png).write(to: URL(fileURLWithPath: dir.file("visit.png")))
        let survey = ["monitor", "add", "--classification", "optimal", "--period", "2026-S2", "--photo", dir.file("visit.png")]
            + Vocabulary.scoreCriteria.flatMap { ["--score", "\($0)=4"] }
        r = try await Self.tcnode(survey + ["--subject", NodeKey().id.checked] + data)
        #expect(r.status == 2 && r.stderr.contains("is known here"), "\(r.stderr)")
        #expect(try await Self.entries(data) == before)
        // The beginning of a member's id, as tables show it, is enough where the node must be known.
        r = try await Self.tcnode(survey + ["--subject", centre.short, "--lat", "-8.0954", "--lon", "112.1609"] + data)
        #expect(r.status == 0, "\(r.stderr)")

        // Members shows the checked form, to be copied.
        let members = try await Self.tcnode(["members"] + data)
        #expect(members.stdout.contains(centre.checked) && members.stdout.contains("TC Blitar"))
        let id = try await Self.tcnode(["id"] + data)
        #expect(id.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == me.checked)
    }

    @Test func initWithAPeerButNoNetworkAsksWhichNetwork() async throws {
        let dir = TemporaryDirectory("tcwords")
        let hub = NodeKey().id
        var r = try await Self.tcnode(["init", "--data-dir", dir.file("c"), "--peer", "\(hub.checked)@192.168.1.10:7447"])
        #expect(r.status == 2 && r.stderr.contains("--network") && r.stderr.contains("--genesis"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("c")), "nothing was made")
        var typo = Array(hub.checked)
        typo[3] = typo[3] == "z" ? "y" : "z"
        r = try await Self.tcnode(["init", "--data-dir", dir.file("c"), "--network", String(typo)])
        #expect(r.status == 2 && r.stderr.contains("--network") && r.stderr.contains("has a typo"), "\(r.stderr)")
        r = try await Self.tcnode(["init", "--data-dir", dir.file("c"), "--network", hub.checked, "--peer", "\(hub.checked)@192.168.1.10:7447"])
        #expect(r.status == 0 && r.stderr.contains("tcnode admit"), "\(r.stderr)")
        let me = try #require(NodeID(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(r.stderr.contains(me.checked))
    }

    // MARK: numbers, keys, values

    @Test func negativeNumbersAndRupiahWithDotsAreValues() async throws {
        let dir = TemporaryDirectory("tcwords")
        let (_, data) = try await Self.genesis(dir)
        var r = try await Self.tcnode(["profile", "set", "--name", "TC Blitar", "--provinsi", "Jawa Timur", "--kabupaten", "Blitar",
                                       "--lat", "-8.0954", "--lon", "112.1609"] + data)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await Self.tcnode(["get", "node", "profile", "--json"] + data)
        #expect(r.stdout.contains("-8.0954"), "\(r.stdout)")
        r = try await Self.tcnode(["product", "add", "--name", "Keripik Tempe", "--category", "Makanan", "--price", "15.000"] + data)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await Self.tcnode(["product", "show", "keripik-tempe", "--json"] + data)
        #expect(r.stdout.contains("\"price_idr\" : 15000") && r.stdout.contains("\"category\" : \"makanan\""), "\(r.stdout)")
        r = try await Self.tcnode(["sale", "add", "--product", "keripik-tempe", "--date", "2026-01-05", "--amount", "-5"] + data)
        #expect(r.status == 2 && r.stderr.contains("--amount: '-5' is not an amount in rupiah"), "\(r.stderr)")
        r = try await Self.tcnode(["sale", "add", "--product", "keripik-tempe", "--date", "2026-01-05", "--amount", "45.000", "--quantity", "-2"] + data)
        #expect(r.status == 1 && r.stderr.contains("quantity") && !r.stderr.contains("Missing value"), "\(r.stderr)")
        r = try await Self.tcnode(["log", "--limit", "-1"] + data)
        #expect(r.status == 2 && r.stderr.contains("--limit must be 1 or more"), "\(r.stderr)")
    }

    @Test func fullKeysAreShownAndAUniqueBeginningIsEnough() async throws {
        let dir = TemporaryDirectory("tcwords")
        let (_, data) = try await Self.genesis(dir)
        let product = try await Self.tcnode(["product", "add", "--name", "Keripik Pisang Agung", "--category", "makanan"] + data)
        #expect(product.status == 0, "\(product.stderr)")
        for _ in 0..<2 {
            let r = try await Self.tcnode(["sale", "add", "--product", "keripik-pisang-agung", "--date", "2026-11-27", "--amount", "30000"] + data)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let list = try await Self.tcnode(["sale", "list", "--mine", "--json"] + data)
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]).compactMap { $0["key"] as? String }
        #expect(keys.count == 2)
        let table = try await Self.tcnode(["sale", "list", "--mine"] + data)
        for key in keys { #expect(table.stdout.contains(key), "whole keys in the table: \(table.stdout)") }

        // A beginning two keys share is refused with both listed.
        var r = try await Self.tcnode(["sale", "remove", "2026-11-27-keripik-pisang-agu…"] + data)
        #expect(r.status == 2 && keys.allSatisfy { r.stderr.contains($0) }, "\(r.stderr)")
        // A cut key as a table used to show it removes the one record it names.
        let cut = String(keys[0].prefix(keys[0].count - 3)) + "…"
        r = try await Self.tcnode(["sale", "remove", cut] + data)
        #expect(r.status == 0 && r.stdout.contains(keys[0]), "\(r.stdout) \(r.stderr)")
        r = try await Self.tcnode(["sale", "show", String(keys[1].prefix(40))] + data)
        #expect(r.status == 0 && r.stdout.contains(keys[1]), "\(r.stderr)")
    }

    // MARK: words

    @Test func nearMissesGetDidYouMean() async throws {
        let dir = TemporaryDirectory("tcwords")
        let (_, data) = try await Self.genesis(dir)
        var r = try await Self.tcnode(["prodcut", "list"] + data)
        #expect(r.status == 2 && r.stderr.contains("Did you mean 'product'?"), "\(r.stderr)")
        r = try await Self.tcnode(["product", "lst"] + data)
        #expect(r.status == 2 && r.stderr.contains("Did you mean 'list'?"), "\(r.stderr)")
        r = try await Self.tcnode(["produk", "daftar", "--lang", "id"] + data)
        #expect(r.status == 0 && r.stderr.contains("0 produk"), "Indonesian names of commands work: \(r.stderr)")
        r = try await Self.tcnode(["product", "add", "--name", "Kopi", "--category", "makana"] + data)
        #expect(r.status == 2 && r.stderr.contains("Did you mean 'makanan'?"), "\(r.stderr)")
        r = try await Self.tcnode(["product", "add", "--name", "Kopi", "--category", "minuman", "--lang", "id"] + data)
        #expect(r.status == 2 && r.stderr.contains("bukan salah satu dari: pertanian"), "\(r.stderr)")
        r = try await Self.tcnode(["product", "add", "--name", "Kopi", "--category", "food"] + data)
        #expect(r.status == 0, "the English word of a category is taken: \(r.stderr)")
    }

    @Test func underLangIDEverythingIsIndonesian() async throws {
        let dir = TemporaryDirectory("tcwords")
        let (_, data) = try await Self.genesis(dir)
        let id = data + ["--lang", "id"]
        var r = try await Self.tcnode(["product", "add", "--help"] + id)
        #expect(r.stdout.contains("OPSI:") && r.stdout.contains("Nama produk.") && !r.stdout.contains("Product name"), "\(r.stdout)")
        r = try await Self.tcnode(["product", "add", "--category", "makanan"] + id)
        #expect(r.status == 2 && r.stderr.contains("Argumen wajib belum diberikan") && !r.stderr.contains("Missing"), "\(r.stderr)")
        _ = try await Self.tcnode(["product", "add", "--name", "Keripik", "--category", "makanan", "--price", "1.500.000"] + id)
        r = try await Self.tcnode(["product", "list"] + id)
        #expect(r.stdout.contains("NAMA") && r.stdout.contains("KATEGORI") && r.stdout.contains("1.500.000") && r.stderr.contains("1 produk"),
                "\(r.stdout) \(r.stderr)")
        r = try await Self.tcnode(["members"] + id)
        #expect(r.stdout.hasPrefix("Jaringan ") && r.stdout.contains("PERAN") && r.stdout.contains("otoritas"), "\(r.stdout)")
        r = try await Self.tcnode(["log"] + id)
        #expect(r.stdout.contains("PENULIS") && r.stdout.contains("JENIS"), "\(r.stdout)")
        r = try await Self.tcnode(["product", "import", dir.file("nope.csv")] + id)
        #expect(r.status == 1 && r.stderr.contains("berkas tidak ditemukan") && !r.stderr.contains("UTF-8"), "\(r.stderr)")
        r = try await Self.tcnode(["product", "import", dir.file("nope.csv")] + data)
        #expect(r.status == 1 && r.stderr.contains("file not found") && !r.stderr.contains("UTF-8"), "\(r.stderr)")
        r = try await Self.tcnode(["status"] + id)
        #expect(r.status == 3 && r.stdout.contains("tcnoded tidak berjalan") && r.stdout.contains("entri dari"), "\(r.stdout)")
    }

    // MARK: status

    /// A status with long names, every kind, a BoringSSL failure and big numbers.
    static func busyReport() throws -> StatusReport {
        var r = StatusReport.unreadable(node: NodeKey().id.description, nowMs: 1_800_000_000_000)
        r.role = "not-a-member"
        r.name = "Telecenter Desa Sumberejo Kecamatan Wonotirto Kabupaten Blitar"
        r.region = "Jawa Timur / Kabupaten Blitar / Kecamatan Wonotirto / Desa Sumberejo"
        r.network = NodeKey().id.description
        r.daemonRunning = true
        r.uptimeSeconds = 7_500
        r.listen = "[2001:db8:1234:5678:9abc:def0:1234:5678]:7447"
        r.store = .empty
        r.store.entries = 1873
        r.store.authors = 42
        r.store.recordsByKind = ["activity": 671, "admit": 40, "monitoring": 35, "node": 41, "product": 604, "sale": 300, "training": 182]
        r.store.databaseBytes = 1_363_149
        r.dataDir = "/var/lib/tcnode/with/a/rather/long/path/to/the/data/directory/of/this/centre"
        r.diskFreeBytes = 80_000_000_000
        var hub = PeerStatus(node: NodeKey().id, direction: "outbound", address: "hub.diskominfo.jatimprov.go.id:7447")
        hub.name = "Hub Dinas Komunikasi dan Informatika Provinsi Jawa Timur"
        hub.state = .backingOff
        hub.retryAtMs = r.nowMs + 125_000
        hub.lastSeenMs = r.nowMs - 2 * 86_400_000
        hub.detail = "TLS handshake failed: handshakeFailed(NIOSSL.BoringSSLError.sslError([Error: 268435703 error:100000f7:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER at /work/main/.build/checkouts/swift-nio-ssl/Sources/CNIOBoringSSL/ssl/tls_record.cc:127]))"
        var other = PeerStatus(node: NodeKey().id, direction: "outbound", address: "10.0.0.2:7447")
        other.state = .refused
        other.detail = "the peer closed the connection (not-a-member): node abcdefgh is not a member of network ijklmnop"
        other.entriesBehind = 123_456
        other.entriesPeerBehind = 7_890
        var third = PeerStatus(node: NodeKey().id, direction: "inbound", address: nil)
        third.state = .connected
        third.inSync = false
        third.lastSeenMs = r.nowMs - 3_000
        r.peers = [hub, other, third]
        r.hubs = [hub.node]
        r.state = r.verdict.word
        return r
    }

    @Test func statusFitsEightyColumnsInBothLanguagesWithoutErrorDumps() async throws {
        let dir = TemporaryDirectory("tcwords")
        try StatusReport.encoder.encode(try Self.busyReport()).write(to: URL(fileURLWithPath: dir.file("status.json")))
        for lang in ["en", "id"] {
            let r = try await Self.tcnode(["status", "--from", dir.file("status.json"), "--lang", lang])
            #expect(r.status == 0, "\(r.stderr)")
            for line in r.stdout.split(separator: "\n", omittingEmptySubsequences: false) {
                #expect(line.count <= 80, "\(lang): \(line.count) columns: \(line)")
            }
            for dump in ["BoringSSL", "error:1000", "/work/", ".cc:", "NIOSSL", "handshakeFailed("] {
                #expect(!r.stdout.contains(dump), "\(lang): \(dump) in \(r.stdout)")
            }
            #expect(r.stdout.contains("7447 by default") || r.stdout.contains("bawaan 7447"), "the cause and what to do: \(r.stdout)")
            let wide = try await Self.tcnode(["status", "--from", dir.file("status.json"), "--lang", lang, "--wide"])
            #expect(wide.stdout.split(separator: "\n").contains { $0.count > 80 } && wide.stdout.contains("10.0.0.2:7447"))
        }
        let id = try await Self.tcnode(["status", "--from", dir.file("status.json"), "--lang", "id"])
        #expect(id.stdout.contains("1.873 entri") && id.stdout.contains("1,3 MB") && id.stdout.contains("123.456"), "\(id.stdout)")
        #expect(id.stdout.contains("bukan anggota") && id.stdout.contains("kegiatan 671") && !id.stdout.contains("not-a-member"), "\(id.stdout)")
        let flowing = id.stdout.replacingOccurrences(of: #"\n +"#, with: " ", options: .regularExpression)
        #expect(flowing.contains("peer menutup koneksi: node itu bukan anggota jaringan"), "the reason in Indonesian: \(id.stdout)")
        for english in ["Store", "entries", "Records", "connected", "the peer closed"] {
            #expect(!id.stdout.contains(english), "'\(english)' in: \(id.stdout)")
        }
        let en = try await Self.tcnode(["status", "--from", dir.file("status.json"), "--lang", "en"])
        #expect(en.stdout.contains("1,873 entries") && en.stdout.contains("1.3 MB"), "\(en.stdout)")
    }
}
