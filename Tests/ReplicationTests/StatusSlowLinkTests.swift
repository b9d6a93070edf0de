import Foundation
import NodeRuntime
import Replication
import Testing

/// `tcnode status` on a slow, cut-up link (issue 11): what is left to fetch
/// in entries and bytes, `reconnecting` between connections instead of a
/// `0 / 0` that says nothing is waiting, bytes since the daemon started with
/// the re-sent ones, photo progress, and a verdict that says how long the
/// rest takes at the rate the link really delivers. From constructed rows.
@Suite struct StatusSlowLinkTests {
    static let now: Int64 = 1_800_000_000_000
    static let hub = NodeKey().id

    /// A centre whose hub link dropped 4 s ago, half-way through a sync.
    static func cutUpSync() -> StatusReport {
        var r = StatusReport.unreadable(node: NodeKey().id.description, nowMs: now)
        r.role = "telecenter"
        r.name = "Telecenter Desa Sumberejo"
        r.network = hub.description
        r.daemonRunning = true
        r.uptimeSeconds = 1_800
        r.store = .empty
        r.store.entries = 7_657
        r.dataDir = "/var/lib/tcnode"
        r.diskFreeBytes = 80_000_000_000
        var p = PeerStatus(node: hub, direction: "outbound", address: "hub.example.id:7447")
        p.name = "hub"
        p.role = "genesis"
        p.state = .backingOff
        p.retryAtMs = now + 2_000
        p.connectAttempts = 1
        p.reconnecting = true
        p.lastConnectedMs = now - 34_000
        p.lastSeenMs = now - 4_000
        p.detail = "connection error: the connection ended"
        p.entriesReceived = 7_600
        p.entryBytesReceived = 7_600 * 357
        p.entriesResent = 30
        p.entriesBehind = 12_345
        p.bytesInTotal = 3_250_585
        p.bytesOutTotal = 123_290
        p.averageReceiveRate = 8_090
        p.photosFetching = 1
        p.photoBytesHeld = 221_184
        p.photoBytesTotal = 5_000_000
        p.photoRate = 2_150
        p.deriveFigures()
        r.peers = [p]
        r.hubs = [hub.description]
        r.state = r.verdict.word
        return r
    }

    /// Continuation lines joined back, to look for a sentence that wrapped.
    static func flowing(_ text: String) -> String {
        // The verdict wraps without indentation: its paragraph is one line.
        var paragraphs = text.components(separatedBy: "\n\n")
        paragraphs[0] = paragraphs[0].replacingOccurrences(of: "\n", with: " ")
        return paragraphs.joined(separator: "\n\n").replacingOccurrences(of: #"\n +"#, with: " ", options: .regularExpression)
    }

    static func render(_ report: StatusReport, _ arguments: [String]) async throws -> CommandResult {
        let dir = TemporaryDirectory("tcslow")
        try StatusReport.encoder.encode(report).write(to: URL(fileURLWithPath: dir.file("s.json")))
        let r = try await run(try Products.path("tcnode"), ["status", "--from", dir.file("s.json")] + arguments,
                              environment: ["TCNODE_CONTROL_SOCKET": "/nonexistent/tcnode.sock"])
        #expect(r.status == 0, "\(r.stderr)")
        return r
    }

    @Test func figuresAreDerivedFromTheRow() {
        let p = Self.cutUpSync().peers[0]
        #expect(p.averageEntryBytes == 357)
        #expect(p.bytesBehind == 12_345 * 357)
        #expect(p.bytesResent == 30 * 357)
        // 4,407,165 bytes at 8,090 B/s: 544.8 s, rounded up.
        #expect(p.secondsToFetch == 545)
        // Nothing behind: nothing to fetch and no time.
        var done = p
        done.entriesBehind = 0
        done.deriveFigures()
        #expect(done.bytesBehind == 0 && done.secondsToFetch == nil)
        // No rate known (nothing received for the whole window): no time either.
        var silent = p
        silent.averageReceiveRate = 0
        silent.deriveFigures()
        #expect(silent.secondsToFetch == nil)
    }

    @Test func verdictIsASlowLinkWithTimeLeftWhenThatIsTheTruth() {
        let report = Self.cutUpSync()
        #expect(report.verdict == .slowLink(peer: "hub", entries: 12_345, bytes: 12_345 * 357, seconds: 545, rate: 8_090,
                                            reconnecting: true, retryAtMs: Self.now + 2_000))
        #expect(report.verdict.word == "syncing", "scripts that accept syncing keep working")

        // Connected over the same link: still slow, not reconnecting.
        var connected = report
        connected.peers[0].state = .connected
        connected.peers[0].reconnecting = false
        connected.peers[0].retryAtMs = nil
        #expect(connected.verdict == .slowLink(peer: "hub", entries: 12_345, bytes: 12_345 * 357, seconds: 545, rate: 8_090,
                                               reconnecting: false, retryAtMs: nil))
        // A fast link is not slow: the plain syncing verdict.
        var fast = connected
        fast.peers[0].averageReceiveRate = 2_000_000
        fast.peers[0].deriveFigures()
        #expect(fast.verdict == .syncing(peer: "hub", entriesBehind: 12_345))
        // Between connections with no data for the whole window: not connected.
        var stalled = report
        stalled.peers[0].averageReceiveRate = 0
        stalled.peers[0].deriveFigures()
        if case .notConnected(let peer, _, let retry, _) = stalled.verdict {
            #expect(peer == "hub" && retry == Self.now + 2_000)
        } else {
            Issue.record("expected not connected, got \(stalled.verdict)")
        }
        // In sync: in sync, whatever the rate.
        var synced = connected
        synced.peers[0].inSync = true
        synced.peers[0].entriesBehind = 0
        synced.peers[0].deriveFigures()
        if case .inSync = synced.verdict {} else { Issue.record("expected in sync, got \(synced.verdict)") }
    }

    @Test func humanStatusShowsTheSlowLinkInEightyColumns() async throws {
        let r = try await Self.render(Self.cutUpSync(), ["--lang", "en"])
        for line in r.stdout.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(line.count <= 80, "\(line.count) columns: \(line)")
        }
        let text = Self.flowing(r.stdout)
        #expect(r.stdout.hasPrefix("Syncing with hub over a slow link"), "\(r.stdout)")
        #expect(text.contains("12,345 entries, 4.2 MB to go, about 9 min at the current rate (7.9 KB/s)"), "\(r.stdout)")
        #expect(text.contains("the link dropped, reconnecting in 2 s"), "\(r.stdout)")
        #expect(r.stdout.contains("reconnecting in 2 s, try 2") && r.stdout.contains("12,345 / 0"), "\(r.stdout)")
        #expect(!r.stdout.contains("0 / 0"), "a peer between connections is not shown as having nothing waiting: \(r.stdout)")
        #expect(text.contains("hub: 4.2 MB to fetch; in 3.1 MB, out 120.4 KB since start, 10.5 KB re-sent; 7.9 KB/s lately"),
                "\(r.stdout)")
        #expect(text.contains("hub: photos: 1 coming, 216.0 KB of 4.8 MB (4%), 2.1 KB/s"), "\(r.stdout)")
        #expect(text.contains("hub: the connection was cut"), "the reason stays: \(r.stdout)")

        let wide = try await Self.render(Self.cutUpSync(), ["--lang", "en", "--wide"])
        for column in ["TO FETCH", "TIME LEFT", "SINCE START IN/OUT", "RE-SENT", "RATE", "PHOTOS"] {
            #expect(wide.stdout.contains(column), "\(column) in \(wide.stdout)")
        }
        #expect(wide.stdout.contains("3.1 MB / 120.4 KB") && wide.stdout.contains("9 min") && wide.stdout.contains("1: 216.0 KB / 4.8 MB"),
                "\(wide.stdout)")
    }

    @Test func indonesianStatusSaysTheSameInItsOwnWordsAndNumbers() async throws {
        let r = try await Self.render(Self.cutUpSync(), ["--lang", "id"])
        for line in r.stdout.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(line.count <= 80, "\(line.count) columns: \(line)")
        }
        let text = Self.flowing(r.stdout)
        #expect(r.stdout.hasPrefix("Sinkron dengan hub lewat jaringan lambat"), "\(r.stdout)")
        #expect(text.contains("12.345 entri, 4,2 MB lagi, sekitar 9 menit dengan kecepatan sekarang (7,9 KB/s)"), "\(r.stdout)")
        #expect(text.contains("jaringan putus, menyambung ulang dalam 2 detik"), "\(r.stdout)")
        #expect(r.stdout.contains("sambung ulang 2 detik, ke-2") && r.stdout.contains("12.345 / 0"), "\(r.stdout)")
        #expect(text.contains("hub: 4,2 MB lagi; masuk 3,1 MB, keluar 120,4 KB sejak mulai, 10,5 KB dikirim ulang; 7,9 KB/s belakangan ini"),
                "\(r.stdout)")
        #expect(text.contains("hub: foto: 1 sedang datang, 216,0 KB dari 4,8 MB (4%), 2,1 KB/s"), "\(r.stdout)")
        for english in ["entries", "to go", "reconnecting", "since start", "re-sent", "photos", "lately", "connected"] {
            #expect(!r.stdout.contains(english), "'\(english)' in: \(r.stdout)")
        }
    }

    @Test func jsonCarriesTheSameFiguresAndOlderReportsStillRead() async throws {
        let report = Self.cutUpSync()
        let json = String(decoding: try StatusReport.encoder.encode(report), as: UTF8.self)
        for field in ["\"bytes_in_total\" : 3250585", "\"bytes_out_total\" : 123290", "\"bytes_resent\" : 10710",
                      "\"entries_resent\" : 30", "\"entries_behind\" : 12345", "\"bytes_behind\" : 4407165",
                      "\"average_receive_rate\" : 8090", "\"seconds_to_fetch\" : 545", "\"reconnecting\" : true",
                      "\"connect_attempts\" : 1", "\"photos_fetching\" : 1", "\"photo_bytes_held\" : 221184",
                      "\"photo_bytes_total\" : 5000000", "\"photo_rate\" : 2150", "\"entry_bytes_received\" : 2713200",
                      "\"state\" : \"syncing\""] {
            #expect(json.contains(field), "\(field) missing from \(json)")
        }
        let back = try StatusReport.decoder.decode(StatusReport.self, from: Data(json.utf8))
        #expect(back == report)

        // A status saved by an older tcnode, before these fields: still read.
        var old = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        var peers = try #require(old["peers"] as? [[String: Any]])
        for key in ["bytes_in_total", "bytes_out_total", "entries_resent", "bytes_behind", "receive_rate", "photos_fetching",
                    "photo_bytes_held", "photo_bytes_total", "entry_bytes_received", "photo_bytes_received", "bytes_resent",
                    "average_receive_rate", "photo_rate", "seconds_to_fetch", "connect_attempts", "reconnecting"] {
            peers[0][key] = nil
        }
        old["peers"] = peers
        let older = try StatusReport.decoder.decode(StatusReport.self, from: try JSONSerialization.data(withJSONObject: old))
        #expect(older.peers[0].entriesBehind == 12_345 && older.peers[0].bytesInTotal == 0 && !older.peers[0].reconnecting)
    }

    /// The rate counts the time the link was down, but not an idle stretch
    /// (keep-alives only) before the data began.
    @Test func recentRateCountsCutsButNotTheIdleTimeBefore() {
        var w = RateWindow()
        var total = 0
        // Nine idle minutes: a 35-byte keep-alive every 150 s.
        for t in stride(from: Int64(0), through: 540_000, by: 150_000) {
            total += 35
            w.add(total, at: t)
        }
        #expect(w.rate(now: 560_000) == 0, "keep-alives are not data")
        // Then 30 s up at 8,000 B/s, 10 s down, 30 s up: 60 s of data in 70 s.
        let start: Int64 = 600_000
        for s in 1...30 { total += 8_000; w.add(total, at: start + Int64(s) * 1_000) }
        for s in 41...70 { total += 8_000; w.add(total, at: start + Int64(s) * 1_000) }
        let rate = w.rate(now: start + 70_000)
        // 480,000 bytes over about 70 s (the first step's second included).
        #expect((6_700...7_000).contains(rate), "\(rate)")
        // The link stays down: the rate falls as time passes without data.
        #expect(w.rate(now: start + 140_000) < rate / 2 + 200)
        // Ten minutes without data: unknown.
        #expect(w.rate(now: start + 70_000 + RateWindow.span + 1) == 0)
    }
}
