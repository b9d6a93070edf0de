import DemoData
import Foundation
import GRDB
import HubViews
import Replication
import Synchronization
import Telecenter
import TestSupport
import Testing

/// The batched, pipelined catch-up builds the same views however the log is
/// cut: in one go, in many small batches, one batch per call (the roster
/// settled after each), with two threads, or following the log as it grows.
@Suite struct ViewsCatchUpTests {
    /// A generated network with photos, then what a real log also holds:
    /// records replaced and deleted, a centre moving region, bodies the
    /// views cannot use, an unknown kind, a monitor admitted late with its surveys,
    /// a survey by a centre (not counted) and a revocation that cuts a log back.
    struct History {
        let dir: TemporaryDirectory
        let hub: NodeKey
        let store: Store
        let blobs: BlobStore
        let centres: [DemoNetwork.Centre]
        let monitor = NodeKey()

        init() throws {
            dir = TemporaryDirectory("tccatchup")
            hub = NodeKey()
            store = try Store.create(at: dir.file("hub.sqlite"), network: hub.id, node: hub.id)
            blobs = BlobStore(root: dir.file("blobs"))
            var options = DemoNetwork.Options()
            options.centres = 14
            options.entriesPerCentre = 30
            centres = try DemoNetwork.populate(hub: hub, store: store, blobs: blobs, options: options, seed: 11)
        }

        func write(_ drafts: [Entry.Draft], as key: NodeKey) throws {
            var head = try store.head(of: key.id)
            var signed: [VerifiedEntry] = []
            for draft in drafts {
                let e = try Entry.sign(draft, seq: (head?.seq ?? 0) + 1, prev: head?.id.hash ?? .zero, with: key)
                head = Head(author: key.id, seq: e.entry.seq, id: e.entry.id)
                signed.append(e)
            }
            #expect(try store.ingest(signed, from: key.id).stored == signed.count)
        }

        /// The edits, in stages (the views may follow between them).
        func edit(stage: Int) throws {
            let (a, b, c) = (centres[0], centres[1], centres[2])
            switch stage {
            case 0:
                let products = try store.records(kind: "product", author: a.key.id)
                let sales = try store.records(kind: "sale", author: a.key.id)
                let trainings = try store.records(kind: "training", author: a.key.id)
                try write([
                    .delete(kind: "product", key: products[0].key, time: 10),
                    .put(kind: "product", key: products[1].key, body: #"{"name":"Ganti","category":"jasa","online_links":["https://x.example/a"]}"#, time: 11),
                    .put(kind: "sale", key: sales.first?.key ?? "s", body: #"{"product":"p","date":"2025-03-04","amount_idr":1000.0,"fee_idr":7}"#, time: 12),
                    .put(kind: "training", key: trainings[0].key, body: #"{"title":"T","topic":"jurnalistik","start":"2026-02-02","trainers":["Ani","Ani","Budi"],"participants":{"perempuan":3,"laki_laki":2},"participants_by_group":{"petani":4,"nelayan":1}}"#, time: 13),
                    .put(kind: "product", key: "rusak", body: #"{"name":5,"category":"makanan","price_idr":"mahal"}"#, time: 14),
                    .put(kind: "product", key: "kosong", body: #"{"name":"Tanpa kategori"}"#, time: 15),
                    .put(kind: "catatan", key: "x", body: #"{"a":1}"#, time: 16),
                    .put(kind: "node", key: "profile", body: #"{"name":"Pindah","type":"telecenter","region":{"provinsi":"Jawa Timur","kabupaten":"Kab. Baru"}}"#, time: 17),
                ], as: a.key)
            case 1:
                try store.append([.put(kind: "admit", key: monitor.id.description,
                                       body: #"{"node":"\#(monitor.id)","role":"monitor","name":"Tim Monev"}"#, time: 20)], signer: hub)
                let scores = Vocabulary.scoreCriteria.map { "\"\($0)\":3.5" }.joined(separator: ",")
                let photo = String(repeating: "ab", count: 32)
                try write([
                    .put(kind: "monitoring", key: "\(b.key.id)/2026-S2", body: #"{"subject":"\#(b.key.id)","date":"2026-12-01","period":"2026-S2","assessor":"Tim","classification":"kreatif","scores":{\#(scores)},"photos":[{"sha256":"\#(photo)","size":9,"type":"image/png"}]}"#, time: 21),
                ], as: monitor)
                // A centre's own survey is kept out of the views.
                try write([.put(kind: "monitoring", key: "diri", body: #"{"subject":"\#(c.key.id)","date":"2026-12-02","classification":"optimal"}"#, time: 22)],
                          as: c.key)
                try write([.delete(kind: "node", key: "profile", time: 23)], as: b.key)
            default:
                // A centre's latest survey goes: the one before is its latest again.
                let surveys = try store.records(kind: "monitoring", author: hub.id).filter { $0.key.hasPrefix("\(a.key.id)/") }
                if let newest = surveys.max(by: { $0.key < $1.key }) {
                    try store.append([.delete(kind: "monitoring", key: newest.key, time: 29)], signer: hub)
                }
                // Revoked from seq 3: its later records leave the views.
                try store.append([.put(kind: "revoke", key: c.key.id.description,
                                       body: #"{"node":"\#(c.key.id)","from_seq":3,"reason":"kunci hilang"}"#, time: 30)], signer: hub)
            }
        }

        func views(_ name: String) throws -> Views { try ViewsUnderTest.open(path: dir.file(name), store: store, blobs: blobs) }
    }

    /// Every table of a views file, each row as text, in a fixed order.
    /// Every table of the views, each row as text, in a fixed order.
    static func tables(_ views: Views) async throws -> [String: [String]] {
        try await OffPool.run { try views.dumpTables() }
    }

    static func expectSame(_ a: [String: [String]], _ b: [String: [String]], _ what: String) {
        for (table, rows) in a.sorted(by: { $0.key < $1.key }) {
            let other = b[table] ?? []
            #expect(rows.count == other.count, "\(what): \(table) has \(other.count) rows, not \(rows.count)")
            let missing = Set(rows).subtracting(other).sorted().prefix(3)
            let extra = Set(other).subtracting(rows).sorted().prefix(3)
            #expect(missing.isEmpty && extra.isEmpty, "\(what): \(table) differs:\n\(missing.joined(separator: "\n"))\ninstead of\n\(extra.joined(separator: "\n"))")
        }
    }

    @Test func everyWayOfCatchingUpBuildsTheSameViews() async throws {
        let h = try History()
        // Following the log as it grows, as the daemon does (two threads).
        let following = try h.views("following.sqlite")
        try await following.catchUp(batch: 50)
        for stage in 0..<3 {
            try h.edit(stage: stage)
            try await following.catchUp(batch: 50)
        }
        let reference = try await Self.tables(following)
        // The surveys flagged latest are those no survey of their centre is newer than.
        let flags = try await OffPool.run {
            (try following.strings("SELECT author || key FROM monitoring WHERE latest >= 1 ORDER BY 1"),
             try following.strings("""
                SELECT author || key FROM monitoring m WHERE date = (SELECT max(date) FROM monitoring WHERE subject = m.subject) ORDER BY 1
                """),
             try following.strings("SELECT author || key FROM monitoring WHERE latest = 2 ORDER BY 1"),
             try following.strings("""
                SELECT author || key FROM monitoring m WHERE rowid = (SELECT rowid FROM monitoring WHERE subject = m.subject
                    ORDER BY date DESC, rowid LIMIT 1) ORDER BY 1
                """),
             Int(try following.strings("SELECT count(DISTINCT subject) FROM monitoring").first ?? "") ?? 0)
        }
        #expect(flags.0 == flags.1 && flags.2 == flags.3 && flags.2.count == flags.4 && flags.4 > 10)
        #expect((reference["product"]?.count ?? 0) > 50 && (reference["blob_ref"]?.count ?? 0) > 14)
        #expect(reference["agg"]?.contains { $0.contains("\"trained_group_region\"") && $0.contains("\"Kab. Baru\"") } == true)

        // The whole log at once, on the calling thread.
        let once = try h.views("once.sqlite")
        let applied = try await OffPool.run { try once.catchUp(batch: 100_000) }
        #expect(applied > 0)
        Self.expectSame(reference, try await Self.tables(once), "one go")

        // Many small batches, two threads.
        let small = try h.views("small.sqlite")
        try await small.catchUp(batch: 7)
        Self.expectSame(reference, try await Self.tables(small), "batches of 7")

        // One batch per call: the centres settle after every call that read an admit.
        let steps = try h.views("steps.sqlite")
        let calls = try await OffPool.run {
            var calls = 0
            while true {
                var asked = 0
                let applied = try steps.catchUp(batch: 13, until: { defer { asked += 1 }; return asked > 0 })
                if applied == 0 { break }
                calls += 1
            }
            return calls
        }
        #expect(calls > 20)
        Self.expectSame(reference, try await Self.tables(steps), "one batch of 13 per call")

        // The pages read the same too.
        let store = h.store
        let (a, b) = try await OffPool.run {
            let fresh = try Freshness.of(store: store, nowMs: 1_800_000_000_000)
            return (try following.summary(freshness: fresh), try once.summary(freshness: fresh))
        }
        #expect(a == b)
        for v in [following, once, small, steps] { try v.close() }
    }

    /// A stop asked between batches keeps what was applied; the next call
    /// goes on from there to the same views.
    @Test func aStoppedCatchUpGoesOnWhereItStopped() async throws {
        let h = try History()
        for stage in 0..<3 { try h.edit(stage: stage) }
        let whole = try h.views("whole.sqlite")
        try await whole.catchUp()
        let stopped = try h.views("stopped.sqlite")
        let batches = Counter()
        let first = try await stopped.catchUp(batch: 40, until: { batches.next() >= 3 })
        #expect(first == 120)
        #expect(try await stopped.readAppliedPosition() > 0)
        let rest = try await stopped.catchUp(batch: 40)
        #expect(rest > 0)
        Self.expectSame(try await Self.tables(whole), try await Self.tables(stopped), "stopped and resumed")
        try whole.close()
        try stopped.close()
    }
}

extension ViewsCatchUpTests {
    /// The views' own backend, its settle failing: PostgreSQL gone between
    /// the last batch and the settle.
    struct SettleLost: ViewsBackend {
        struct Lost: Error {}
        let views: Views
        func readAppliedPosition() async throws -> Int64 { try await views.readAppliedPosition() }
        func apply(_ batch: ViewBatch) async throws { try await views.apply(batch) }
        func pendingSettle() async throws -> SettleNeed { try await views.pendingSettle() }
        func settle(roster: Roster, purges: Bool) async throws { throw Lost() }
    }

    /// A settle lost after the last batch is done by the next catch-up,
    /// though that one reads no admit or revoke: the centres' standing and
    /// the revoked centre's purged rows are those of views never cut.
    @Test func aSettleLostAfterTheLastBatchIsDoneByTheNextCatchUp() async throws {
        let h = try History()
        for stage in 0..<3 { try h.edit(stage: stage) }
        let whole = try h.views("whole.sqlite")
        try await whole.catchUp()
        let cut = try h.views("cut.sqlite")
        await #expect(throws: SettleLost.Lost.self) {
            try await ViewsCatchUp(store: h.store, backend: SettleLost(views: cut), batchSize: 64).run()
        }
        #expect(try await cut.readAppliedPosition() == (try await whole.readAppliedPosition()))
        #expect(try await cut.pendingSettle() == .centresAndPurges)
        #expect(try await cut.catchUp() == 0)
        #expect(try await cut.pendingSettle() == SettleNeed.none)
        Self.expectSame(try await Self.tables(whole), try await Self.tables(cut), "settled by the next catch-up")
        try whole.close()
        try cut.close()
    }
}

extension ViewsCatchUpTests {
    /// Only the fields the views read are parsed: every kind's row, its
    /// counters and photos are those of a whole-body parse, also for bodies
    /// with fields of the wrong type, nulls and nested surprises.
    @Test func pickedFieldsReadAsTheWholeBody() throws {
        let h = try History()
        for stage in 0..<3 { try h.edit(stage: stage) }
        let photo = #"{"sha256":"\#(String(repeating: "cd", count: 32))","size":3,"type":"image/jpeg","pieces":"x"}"#
        let odd = [
            ("product", #"{"name":"A","category":"b","price_idr":1500.0,"available":null,"online_links":["x",1],"producer":{"name":"P","contact":"08"},"photos":[\#(photo),{"sha256":1}]}"#),
            ("product", #"{"name":1,"category":"b"}"#),
            ("product", #"{"name":"A","category":"b","price_idr":"15000","unit":["kg"],"description":{"a":[1,2.5,null,true]},"available":"ya"}"#),
            ("sale", #"{"product":"p","date":"2026-01-02","amount_idr":2.5e3,"quantity":-3,"fee_idr":null,"channel":5,"photos":[\#(photo)]}"#),
            ("training", #"{"title":"T","topic":"x","start":"2026-05-01","participants":{"perempuan":2.0,"laki_laki":"3"},"target_groups":["a",{"b":1}],"trainers":"Ani"}"#),
            ("training", #"{"title":"T","topic":"x","start":"2026-05-01","participants_by_group":{"a":1.5,"b":2},"end":null,"place":7}"#),
            ("monitoring", #"{"subject":"s","date":"2026-06-01","classification":"optimal","scores":{"a":4,"b":4.5,"c":"x"},"location":{"lat":"1","lon":2},"notes":null,"photos":[\#(photo)]}"#),
            ("activity", #"{"type":"content","title":"x","date":"2026","count":2.0,"group":null,"place":["a"],"photos":[\#(photo)]}"#),
            ("node", #"{"name":"N","region":{"kabupaten":"K"},"services":["a",2],"location":{"lat":1,"lon":"2"}}"#),
        ]
        let extra = try odd.enumerated().map { i, kb in
            try Entry.sign(.put(kind: kb.0, key: kb.0 == "node" ? "profile" : "k\(i)", body: kb.1, time: 1), seq: 1, prev: .zero, with: NodeKey()).entry
        }
        let log = try h.store.log(limit: 100_000, newestFirst: false) + extra
        #expect(log.count > 400)
        var compared = 0
        for entry in log {
            let picked = Self.describe(ViewChange(entry)), whole = Self.describe(ViewChange(entry, wholeBody: true))
            #expect(picked == whole, "\(entry.kind) \(entry.key): \(entry.bodyString)")
            if picked.hasPrefix("row") { compared += 1 }
        }
        #expect(compared > 300)
    }

    static func describe(_ change: ViewChange) -> String {
        switch change.action {
        case .none: return "none"
        case .profile(let fields): return "profile \(fields.map { "\($0.values)" } ?? "nil")"
        case .record(nil): return "no row"
        case .record(let r?):
            let photos = r.photos.map { "\($0.sha256) \($0.size) \($0.type) \($0.pieces ?? "-") \($0.subject ?? "-")" }
            let contributions = r.contributions.map { "\($0)" }.sorted()
            return "row \(r.row.sorted { $0.key < $1.key }) \(contributions) \(photos)"
        }
    }
}

/// Counts calls from any thread.
final class Counter: Sendable {
    private let value = Mutex(0)
    /// The count before this call.
    func next() -> Int { value.withLock { v in defer { v += 1 }; return v } }
}
