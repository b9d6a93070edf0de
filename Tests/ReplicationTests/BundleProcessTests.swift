import Foundation
import NodeRuntime
import Replication
import Telecenter
import Testing

/// `tcnode bundle` as operators run it: real tcnoded processes on loopback
/// and an offline centre that only ever exchanges sticks.
@Suite(.serialized, .long) struct BundleProcessTests {
    static func tcnode(_ arguments: [String]) async throws -> CommandResult {
        try await run(try Products.path("tcnode"), arguments)
    }

    static func json(_ r: CommandResult) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
    }

    @Test func importThroughTheRunningDaemonReachesAConnectedPeerAndTheAckGoesBack() async throws {
        let dir = TemporaryDirectory("tcbundleproc")
        let (hub, centres) = try await DaemonProcessTests.network(["tc1", "tc2"], in: dir)
        let (tc1, tc2) = (centres[0], centres[1])
        try hub.start()
        _ = try await hub.waitUntilUp()
        try tc1.writeConfig(peers: [try await hub.endpoint()])
        try tc1.start()
        _ = try await tc1.waitUntilUp()
        _ = try await eventually("tc1 is in sync with the hub") { () -> Bool? in
            try? await tc1.status().peers.contains { $0.state == .connected && $0.inSync } == true ? true : nil
        }

        // tc2 has no link: it writes on its own files and exports to a stick.
        let offline = ["--data-dir", tc2.dataDir, "--socket", dir.file("none.sock")]
        let photo = dir.file("batik.png")
        try Data(BundleTests.photo(5, size: 60)).write(to: URL(fileURLWithPath: photo))
        var r = try await Self.tcnode(["product", "add", "--name", "Batik Tulis", "--category", "kerajinan", "--photo", photo] + offline)
        #expect(r.status == 0, "\(r.stderr)")
        for name in ["Keripik Tempe", "Gula Aren"] {
            r = try await Self.tcnode(["product", "add", "--name", name, "--category", "makanan"] + offline)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let stick = dir.file("stick")
        try FileManager.default.createDirectory(atPath: stick, withIntermediateDirectories: true)
        let bundle = stick + "/tc2.tcb"
        r = try await Self.tcnode(["bundle", "export", bundle, "--for", hub.id.description] + offline)
        #expect(r.status == 0 && r.stdout.contains("3 entries from 1 authors, 1 photos"), "\(r.stdout) \(r.stderr)")

        // At the hub, tcnoded runs: the import goes through it.
        r = try await hub.cli(["bundle", "import", bundle, "--json"])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        let report = try Self.json(r)
        #expect(report["entries_new"] as? Int == 3 && report["photos_new"] as? Int == 1 && report["rejected_total"] as? Int == 0)
        #expect(report["exporter"] as? String == tc2.id.description && report["complete"] as? Bool == true)
        // The daemon's log reaches the test through a pipe: wait for the line, don't race it.
        _ = try await eventually("the import went through tcnoded (its log says so)", timeout: .seconds(10)) { () -> Bool? in
            hub.log.contains("bundle imported: 3 new entries") ? true : nil
        }
        let ack = try #require(report["ack"] as? String)
        #expect(ack == stick + "/tc2.ack.tcb" && FileManager.default.fileExists(atPath: ack))

        // tc1, connected to the hub, gets the records at once.
        let got = try await eventually("tc1 holds tc2's product") { () -> CommandResult? in
            let g = try await tc1.cli(["get", "product", "batik-tulis", "--author", tc2.id.description, "--json"])
            return g.status == 0 ? g : nil
        }
        #expect(got.stdout.contains("Batik Tulis"))
        // The hub keeps the photo, and says when tc2 was heard from by bundle.
        let status = try await hub.status()
        #expect(status.bundles?.first?.node == tc2.id.description && status.bundles?.first?.entriesStored == 3)
        let human = try await hub.cli(["status", "--lang", "id"])
        #expect(human.stdout.contains("Bundel    tc2 (\(tc2.id.short)): lewat bundel"), "\(human.stdout)")
        let (sha, _) = try BlobStore(root: dir.file("scratch-blobs")).add(BundleTests.photo(5, size: 60))
        #expect(BlobStore(root: DataDirectory(hub.dataDir).blobsPath).has(sha))

        // Back at tc2: the ack, then nothing is left to carry.
        r = try await Self.tcnode(["bundle", "import", ack] + offline)
        #expect(r.status == 0 && r.stdout.contains("Recorded what"), "\(r.stdout) \(r.stderr)")
        r = try await Self.tcnode(["bundle", "export", stick + "/tc2-next.tcb", "--for", hub.id.description, "--json"] + offline)
        #expect(try Self.json(r)["entries"] as? Int == 0, "\(r.stdout)")

        // The hub's bundle for tc2, made through tcnoded, carries the
        // network's entries (tc1's admit included) to the offline centre.
        r = try await hub.cli(["bundle", "export", stick + "/hub.tcb", "--for", tc2.id.description, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let carried = try Self.json(r)["entries"] as? Int ?? 0
        #expect(carried >= 2)
        r = try await Self.tcnode(["bundle", "import", stick + "/hub.tcb", "--lang", "id"] + offline)
        #expect(r.status == 0 && r.stdout.hasPrefix("\(carried) entri baru dari"), "\(r.stdout) \(r.stderr)")

        for d in [tc1, hub] { _ = try await d.stop() }
    }

    @Test func badArgumentsAndRefusedFilesSayWhatToDo() async throws {
        let dir = TemporaryDirectory("tcbundlecli")
        let none = ["--socket", dir.file("none.sock")]
        func initialise(_ name: String) async throws -> (NodeID, [String]) {
            let r = try await Self.tcnode(["init", "--data-dir", dir.file(name)])
            let id = try #require(NodeID(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\n")[0]))
            return (id, ["--data-dir", dir.file(name)] + none)
        }
        let (_, a) = try await initialise("a")
        let (_, b) = try await initialise("b")
        _ = try await Self.tcnode(["put", "product", "p1", "--json", #"{"name":"P","category":"makanan"}"#] + a)

        var r = try await Self.tcnode(["bundle", "export", dir.file("x.tcb"), "--for", "nope"] + a)
        #expect(r.status == 2 && r.stderr.contains("--for: 'nope' is not a node id"), "\(r.stderr)")
        r = try await Self.tcnode(["bundle", "export", dir.file("x.tcb"), "--since", "last week"] + a)
        #expect(r.status == 2 && r.stderr.contains("YYYY-MM-DD"), "\(r.stderr)")
        r = try await Self.tcnode(["bundle", "export", dir.file("x.tcb"), "--kinds", "Product"] + a)
        #expect(r.status == 2 && r.stderr.contains("'Product' is not a kind"), "\(r.stderr)")
        r = try await Self.tcnode(["bundle", "export", dir.file("no/such/x.tcb")] + a)
        #expect(r.status == 2 && r.stderr.contains("is the stick mounted"), "\(r.stderr)")
        r = try await Self.tcnode(["bundle", "import", dir.file("missing.tcb")] + a)
        #expect(r.status == 2 && r.stderr.contains("cannot find"), "\(r.stderr)")
        try "not a bundle".write(toFile: dir.file("note.txt"), atomically: true, encoding: .utf8)
        r = try await Self.tcnode(["bundle", "import", dir.file("note.txt")] + a)
        #expect(r.status == 1 && r.stderr.contains("is not a tcnode bundle"), "\(r.stderr)")

        // Another network's bundle: refused, nothing stored.
        r = try await Self.tcnode(["bundle", "export", dir.file("b.tcb")] + b)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await Self.tcnode(["bundle", "import", dir.file("b.tcb")] + a)
        #expect(r.status == 1 && r.stderr.contains("bundle of network") && r.stderr.contains("Nothing was imported"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("b.ack.tcb")))
        r = try await Self.tcnode(["bundle", "import", dir.file("b.tcb"), "--lang", "id"] + a)
        #expect(r.status == 1 && r.stderr.contains("jaringan lain"), "\(r.stderr)")

        // A cut-short bundle: show says so, import keeps what verifies and exits 1.
        r = try await Self.tcnode(["bundle", "export", dir.file("a.tcb"), "--json"] + a)
        #expect(r.status == 0)
        r = try await Self.tcnode(["bundle", "show", dir.file("a.tcb")])
        #expect(r.status == 0 && r.stdout.contains("Whole"), "\(r.stdout)")
        let whole = try Data(contentsOf: URL(fileURLWithPath: dir.file("a.tcb")))
        try whole.prefix(whole.count - 40).write(to: URL(fileURLWithPath: dir.file("cut.tcb")))
        r = try await Self.tcnode(["bundle", "show", dir.file("cut.tcb")])
        #expect(r.status == 1 && r.stdout.contains("NOT whole") && r.stdout.contains("cut short"), "\(r.stdout)")
        r = try await Self.tcnode(["bundle", "import", dir.file("cut.tcb"), "--no-ack"] + b)
        #expect(r.status == 1 && r.stderr.contains("bundle of network"), "a cut bundle still names its network: \(r.stderr)")
    }
}
