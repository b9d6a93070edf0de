import DemoData
import Foundation
import HubViews
import Replication
import Synchronization
import Telecenter
import Testing
import TestSupport

/// The hub's views on a generated East Java network: every figure is checked
/// against a recount from the records the store holds.
@Suite struct ViewsTests {
    struct Network {
        let dir: TemporaryDirectory
        let hub: NodeKey
        let store: Store
        let blobs: BlobStore
        let views: Views
        let centres: [DemoNetwork.Centre]
    }

    static func network(centres: Int = 40) throws -> Network {
        let dir = TemporaryDirectory("tcviews")
        let hub = NodeKey()
        let store = try Store.create(at: dir.file("hub.sqlite"), network: hub.id, node: hub.id)
        let blobs = BlobStore(root: dir.file("blobs"))
        var options = DemoNetwork.Options()
        options.centres = centres
        let generated = try DemoNetwork.populate(hub: hub, store: store, blobs: blobs, options: options, seed: 7)
        let views = try ViewsUnderTest.open(path: dir.file("views.sqlite"), store: store, blobs: blobs)
        try views.catchUp()
        return Network(dir: dir, hub: hub, store: store, blobs: blobs, views: views, centres: generated)
    }

    static func bodies(_ store: Store, _ kind: String) throws -> [(Entry, JSONValue)] {
        try store.records(kind: kind).map { ($0, JSONValue.parse($0.body)!) }
    }

    @Test func summaryMatchesARecountOfTheRecords() throws {
        let n = try Self.network()
        let fresh = try Freshness.of(store: n.store)
        let s = try n.views.summary(freshness: fresh)

        #expect(s.centres.total == 41)  // 40 centres and the hub itself
        let products = try Self.bodies(n.store, "product")
        #expect(s.products.total == products.count)
        var byCategory: [String: Double] = [:]
        for (_, b) in products { byCategory[b["category"]!.string!, default: 0] += 1 }
        #expect(Dictionary(uniqueKeysWithValues: s.products.byCategory.map { ($0.name, $0.value) }) == byCategory)
        #expect(s.products.online == products.filter { $0.1["online_links"]?.array?.isEmpty == false }.count)

        let sales = try Self.bodies(n.store, "sale")
        #expect(s.sales.count == sales.count)
        #expect(s.sales.amountIdr == sales.reduce(0) { $0 + $1.1["amount_idr"]!.int! })
        #expect(s.sales.feeIdr == sales.reduce(0) { $0 + ($1.1["fee_idr"]?.int ?? 0) })

        let trainings = try Self.bodies(n.store, "training")
        #expect(s.trainings.count == trainings.count)
        let people = trainings.reduce(Int64(0)) { $0 + ($1.1["participants"]?["perempuan"]?.int ?? 0) + ($1.1["participants"]?["laki_laki"]?.int ?? 0) }
        #expect(Int64(s.trainings.participants) == people)
        #expect(s.trainings.byMonth.reduce(0) { $0 + $1.trainings } == trainings.count)

        // Monitoring: the classification of each centre's latest survey.
        var latest: [String: (String, String)] = [:]
        for (_, b) in try Self.bodies(n.store, "monitoring") {
            let subject = b["subject"]!.string!, date = b["date"]!.string!
            if latest[subject].map({ $0.0 < date }) ?? true { latest[subject] = (date, b["classification"]!.string!) }
        }
        var distribution: [String: Double] = [:]
        for (_, c) in latest.values { distribution[c, default: 0] += 1 }
        #expect(s.monitoring.surveyed == latest.count)
        #expect(Dictionary(uniqueKeysWithValues: s.monitoring.distribution.map { ($0.name, $0.value) }) == distribution)
    }

    @Test func aCentreConnectedButQuietIsStillHeardFrom() throws {
        let n = try Self.network(centres: 3)
        let later = Int64(Date().timeIntervalSince1970 * 1000) + 60 * 86_400_000
        let quiet = try n.views.summary(freshness: try Freshness.of(store: n.store, nowMs: later))
        let connected = n.centres[0].key.id
        let heard = try n.views.summary(freshness: try Freshness.of(store: n.store, contacts: [connected: later - 60_000], nowMs: later))
        #expect(heard.centres.heardLast7Days == quiet.centres.heardLast7Days + 1)
        #expect(heard.centres.silentOver30Days == quiet.centres.silentOver30Days - 1)
        let row = try n.views.nodes(freshness: try Freshness.of(store: n.store, contacts: [connected: later - 60_000], nowMs: later))
            .items.first { $0.node == connected.description }
        #expect(row?.lastHeardMs == later - 60_000)
    }

    @Test func aMonitorAdmittedByAnotherProcessHasItsSurveyCounted() throws {
        let n = try Self.network(centres: 2)
        let before = try n.views.monitoring(filter: ViewFilter()).total
        // Another process (the CLI with --data-dir) admits a monitor and
        // stores its survey; the daemon's store has not written since, so
        // its own roster does not know the monitor yet.
        let other = try Store.open(at: n.dir.file("hub.sqlite"))
        let monitor = NodeKey()
        let admit = #"{"node":"\#(monitor.id)","role":"monitor","name":"Tim Monev","region":"Jawa Timur"}"#
        try other.append([.put(kind: "admit", key: monitor.id.description, body: admit, time: 1)], signer: n.hub)
        let subject = n.centres[0].key.id
        let scores = Vocabulary.scoreCriteria.map { "\"\($0)\":4" }.joined(separator: ",")
        let zeros = String(repeating: "0", count: 64)
        let body = #"{"subject":"\#(subject)","date":"2026-11-20","period":"2026-S2","assessor":"Tim Monev","scores":{\#(scores)},"classification":"optimal","photos":[{"sha256":"\#(zeros)","size":1,"type":"image/png"}]}"#
        let survey = try Entry.sign(.put(kind: "monitoring", key: "\(subject)/2026-S2", body: body, time: 2), seq: 1, prev: .zero, with: monitor)
        #expect(try other.ingest([survey], from: monitor.id).stored == 1)
        try other.close()
        #expect(!n.store.roster.acceptsPeer(monitor.id), "the daemon's roster is stale, as in the real case")

        try n.views.catchUp()
        #expect(try n.views.monitoring(filter: ViewFilter()).total == before + 1)
    }

    @Test func countersFollowUpdatesDeletesAndRegionMoves() throws {
        let n = try Self.network(centres: 6)
        let centre = n.centres[0]
        let fresh = { try Freshness.of(store: n.store) }
        let before = try n.views.summary(freshness: fresh())
        // The centre deletes one product and re-categorises another.
        let mine = try n.store.records(kind: "product", author: centre.key.id)
        let (gone, changed) = (mine[0], mine[1])
        var next = try n.store.head(of: centre.key.id)!
        func write(_ draft: Entry.Draft) throws {
            let e = try Entry.sign(draft, seq: next.seq + 1, prev: next.id.hash, with: centre.key)
            _ = try n.store.ingest([e], from: centre.key.id)
            next = Head(author: centre.key.id, seq: e.entry.seq, id: e.entry.id)
        }
        try write(.delete(kind: "product", key: gone.key, time: 1))
        var body = JSONValue.parse(changed.body)!.object!
        let oldCategory = body["category"]!.string!
        let newCategory = oldCategory == "jasa" ? "ti" : "jasa"
        body["category"] = .string(newCategory)
        try write(.put(kind: "product", key: changed.key, body: #"{"name":"Ganti","category":"\#(newCategory)"}"#, time: 2))
        try n.views.catchUp()
        let after = try n.views.summary(freshness: fresh())
        #expect(after.products.total == before.products.total - 1)
        let count = { (s: Summary, c: String) in s.products.byCategory.first { $0.name == c }?.value ?? 0 }
        let deltaOld = count(after, oldCategory) - count(before, oldCategory)
        let deltaNew = count(after, newCategory) - count(before, newCategory)
        let goneCategory = JSONValue.parse(gone.body)!["category"]!.string!
        #expect(deltaNew == 1 + (goneCategory == newCategory ? -1 : 0))
        #expect(deltaOld == -1 - (goneCategory == oldCategory ? 1 : 0))

        // The centre moves to another regency: its products move with it.
        let regionBefore = try n.views.summary(filter: ViewFilter(region: centre.kabupaten), freshness: fresh()).products.total
        #expect(regionBefore > 0)
        try write(.put(kind: "node", key: "profile", body: #"{"name":"Pindah","type":"telecenter","region":{"provinsi":"Jawa Timur","kabupaten":"Kab. Baru"}}"#, time: 3))
        try n.views.catchUp()
        #expect(try n.views.summary(filter: ViewFilter(region: "Kab. Baru"), freshness: fresh()).products.total == regionBefore)
        #expect(try n.views.summary(filter: ViewFilter(region: centre.kabupaten), freshness: fresh()).products.total == 0)
    }

    @Test func revokedEntriesLeaveTheViews() throws {
        let n = try Self.network(centres: 4)
        let centre = n.centres[1]
        let before = try n.views.summary(freshness: try Freshness.of(store: n.store))
        let theirs = try n.store.records(kind: "product", author: centre.key.id).count
        #expect(theirs > 0)
        // Revoked from seq 2: everything but its profile (seq 1) goes.
        let body = #"{"node":"\#(centre.key.id)","from_seq":2,"reason":"kunci dicuri"}"#
        try n.store.append([.put(kind: "revoke", key: centre.key.id.description, body: body, time: 1)], signer: n.hub)
        try n.views.catchUp()
        let fresh = try Freshness.of(store: n.store)
        let after = try n.views.summary(freshness: fresh)
        #expect(after.products.total == before.products.total - theirs)
        #expect(try n.views.products().items.allSatisfy { $0.author != centre.key.id.description })
        // It is no longer a centre, though its profile stays.
        #expect(after.centres.total == before.centres.total - 1)
        #expect(after.centres.byRegion.reduce(0) { $0 + $1.total } == after.centres.total)
        #expect(try n.views.nodes(freshness: fresh).items.allSatisfy { $0.node != centre.key.id.description })
        #expect(try n.views.summary(filter: ViewFilter(region: centre.kabupaten), freshness: fresh).centres.total == 0)

        // A monitor that publishes a profile is not a centre either.
        let monitor = NodeKey()
        try n.store.append([.put(kind: "admit", key: monitor.id.description,
                                 body: #"{"node":"\#(monitor.id)","role":"monitor","name":"Tim Monev"}"#, time: 2)], signer: n.hub)
        let profile = try Entry.sign(.put(kind: "node", key: "profile", body: #"{"name":"Tim Monev Jatim","type":"lainnya","region":{"provinsi":"Jawa Timur","kabupaten":"Kota Surabaya"}}"#, time: 3),
                                     seq: 1, prev: .zero, with: monitor)
        _ = try n.store.ingest([profile], from: monitor.id)
        try n.views.catchUp()
        #expect(try n.views.summary(freshness: fresh).centres.total == after.centres.total)
        #expect(try n.views.nodes(freshness: fresh).items.allSatisfy { $0.node != monitor.id.description })
    }

    /// Members admitted while the views catch up: a monitor's surveys count
    /// and a new centre is listed, whenever its admission lands.
    @Test func membersAdmittedDuringACatchUpAreSeen() async throws {
        let n = try Self.network(centres: 2)
        let (store, views, hub) = (n.store, n.views, n.hub)
        let subject = n.centres[0].key.id.description
        let monitors = (0..<40).map { _ in NodeKey() }
        let centres = (0..<40).map { _ in NodeKey() }
        let done = StopSignal()
        let follower = Task {
            try await OffPool.run { while !done.isSet { try views.catchUp(batch: 3) } }
        }
        // The hub admits a monitor and a centre; the monitor's survey arrives.
        func admitAndSurvey(_ i: Int) throws {
            let (monitor, centre) = (monitors[i], centres[i])
            try store.append([
                .put(kind: "admit", key: monitor.id.description,
                     body: #"{"node":"\#(monitor.id)","role":"monitor","name":"Tim Monev \#(i)"}"#, time: 1),
                .put(kind: "admit", key: centre.id.description,
                     body: #"{"node":"\#(centre.id)","role":"telecenter","name":"Telecenter Baru \#(i)","region":"Jawa Timur / Kab. Baru"}"#, time: 1),
            ], signer: hub)
            let survey = #"{"subject":"\#(subject)","date":"2026-12-01","period":"2026-S2","assessor":"Tim \#(i)","classification":"optimal","scores":{}}"#
            let e = try Entry.sign(.put(kind: "monitoring", key: "\(subject)/tim-\(i)", body: survey, time: 2), seq: 1, prev: .zero, with: monitor)
            _ = try store.ingest([e], from: monitor.id)
        }
        do {
            for i in monitors.indices { try admitAndSurvey(i) }
        } catch {
            done.set()  // else the follower would catch up forever
            throw error
        }
        done.set()
        try await follower.value
        let (surveys, nodes) = try await OffPool.run {
            try views.catchUp()
            return (try views.monitoring(filter: ViewFilter().unpaged), try views.nodes(filter: ViewFilter().unpaged, freshness: Freshness.of(store: store)))
        }
        let surveyors = Set(surveys.items.map(\.author))
        #expect(monitors.allSatisfy { surveyors.contains($0.id.description) }, "every monitor's survey counts")
        let listed = Set(nodes.items.map(\.node))
        #expect(centres.allSatisfy { listed.contains($0.id.description) }, "every admitted centre is listed")
        #expect(monitors.allSatisfy { !listed.contains($0.id.description) }, "a monitor is not a centre")
    }

    @Test func listsFilterAndPage() throws {
        let n = try Self.network(centres: 12)
        let all = try n.views.products(filter: ViewFilter(perPage: 1000))
        #expect(all.total == all.items.count && all.total > 20)
        let page2 = try n.views.products(filter: ViewFilter(page: 2, perPage: 10))
        #expect(page2.items == Array(all.items[10..<20]) && page2.total == all.total)
        let food = try n.views.products(filter: ViewFilter(category: "makanan", perPage: 1000))
        #expect(food.items.allSatisfy { $0.category == "makanan" } && food.total == all.items.filter { $0.category == "makanan" }.count)
        let blitar = try n.views.nodes(filter: ViewFilter(region: "Kab. Blitar"), freshness: try Freshness.of(store: n.store))
        #expect(blitar.items.map(\.name) == ["Telecenter Blitar"])
        let awards = try n.views.awards(year: "2026")
        #expect(!awards.trainers.isEmpty && !awards.trainings.isEmpty)
        #expect(awards.trainings.map(\.value) == awards.trainings.map(\.value).sorted(by: >))
    }

    @Test func pagesBeyondTheEndAreEmptyAndUnpagedListsHoldEveryRow() throws {
        let n = try Self.network(centres: 3)
        let products = try n.store.records(kind: "product").count
        // The largest page number a query string can carry: an empty page, not a trap.
        let far = try n.views.products(filter: ViewFilter(page: .max, perPage: 1000))
        #expect(far.items.isEmpty && far.total == products && far.page == ViewFilter.maxPage)
        #expect(try n.views.sales(filter: ViewFilter(page: 2, perPage: .max)).items.isEmpty)
        let fresh = try Freshness.of(store: n.store)
        #expect(try n.views.nodes(filter: ViewFilter(page: .max, perPage: .max), freshness: fresh).items.isEmpty)
        // Unpaged (CSV exports, the overview): every row, whatever the page size.
        let all = try n.views.products(filter: ViewFilter(page: 7, perPage: 1).unpaged)
        #expect(all.items.count == products && all.total == products && all.page == 1)
    }

    @Test func csvRoundTripsWithExcelFriendlyEncoding() throws {
        let n = try Self.network(centres: 8)
        let products = try n.views.products(filter: ViewFilter(perPage: 1000)).items
        let csv = CSVExport.products(products)
        #expect(Array(csv.prefix(3)) == [0xEF, 0xBB, 0xBF], "UTF-8 byte order mark for Excel")
        let text = String(decoding: csv, as: UTF8.self)
        #expect(text.contains("\r\n"))
        let sheet = try CSVImport.read(text)
        #expect(sheet.rows.count == products.count)
        for (row, product) in zip(sheet.rows, products) {
            #expect(row.fields["name"] == product.name && row.fields["category"] == product.category)
            #expect(row.fields["price_idr"] == product.priceIdr.map(String.init) ?? "")
            #expect(row.fields["centre"] == product.centre)
        }
        // Text that a spreadsheet would run as a formula is kept as text (a
        // leading '), which reading drops again; numbers, negative ones too,
        // stay numbers.
        try n.store.append([.put(kind: "product", key: "tautan", body: #"{"name":"=HYPERLINK(\"http://x.example/\",\"Klik\")","category":"jasa","unit":"@satu","producer":"-Bu Sri"}"#, time: 9)],
                           signer: n.hub)
        try n.views.catchUp()
        let exportedText = String(decoding: CSVExport.products(try n.views.products(filter: ViewFilter().unpaged).items), as: UTF8.self)
        #expect(exportedText.contains("\"'=HYPERLINK(") && exportedText.contains(",'@satu,") && exportedText.contains(",'-Bu Sri,"))
        let exported = try CSVImport.read(exportedText)
        let link = exported.rows.first { $0.fields["key"] == "tautan" }?.fields
        #expect(link?["name"] == "=HYPERLINK(\"http://x.example/\",\"Klik\")")
        #expect(link?["unit"] == "@satu" && link?["producer"] == "-Bu Sri")
        let centres = try n.views.nodes(filter: ViewFilter().unpaged, freshness: try Freshness.of(store: n.store)).items
        let located = try CSVImport.read(String(decoding: CSVExport.centres(centres), as: UTF8.self)).rows.compactMap { $0.fields["lat"] }
        #expect(located.contains { $0.hasPrefix("-") } && located.allSatisfy { !$0.hasPrefix("'") })
        let document = String(decoding: CSVExport.document(header: ["a"], rows: [["-12500"], ["-3.75"], ["+62"], ["\tx"], ["-"], ["'=x"], ["'x"]]),
                              as: UTF8.self)
        #expect(document.contains("\r\n'+62\r\n") && document.contains("\r\n''=x\r\n") && document.contains("\r\n'x\r\n"))
        let cells = try CSVImport.read(document).rows.map { $0.fields["a"] }
        #expect(cells == ["-12500", "-3.75", "+62", "\tx", "-", "'=x", "'x"])

        // Quotes, commas and newlines survive.
        let tricky = CSVExport.document(header: ["a", "b"], rows: [["Keripik \"Bu Sri\", pedas", "baris\nkedua"]])
        let back = try CSVImport.read(String(decoding: tricky, as: UTF8.self))
        #expect(back.rows.first?.fields["a"] == "Keripik \"Bu Sri\", pedas" && back.rows.first?.fields["b"] == "baris\nkedua")
    }

    /// Import errors name the line of the file a row starts on, also after
    /// fields that span lines and blank lines.
    @Test func importRowsKnowTheLineTheyStartOn() throws {
        let text = "name,description,category\r\nKeripik,\"renyah\r\ngurih\",makanan\r\n\r\nBatik,\"tulis\nhalus\nasli\",kerajinan\r\nKopi,,pertanian\r\n"
        let sheet = try CSVImport.read(text)
        #expect(sheet.rows.map { $0.line } == [2, 5, 8])
        #expect(sheet.rows.map { $0.fields["name"] } == ["Keripik", "Batik", "Kopi"])
        #expect(sheet.rows.first?.fields["description"] == "renyah\r\ngurih")
        let tallHeader = try CSVImport.read("name,\"cate\ngory\"\nKeripik,makanan\n")
        #expect(tallHeader.rows.map { $0.line } == [3])
    }

    @Test func viewsRebuildWhenTheFileIsDamaged() throws {
        let n = try Self.network(centres: 3)
        let before = try n.views.summary(freshness: try Freshness.of(store: n.store))
        try n.views.close()
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: n.dir.file("views.sqlite")))
        let rebuilt = try ViewsUnderTest.open(path: n.dir.file("views.sqlite"), store: n.store, blobs: n.blobs)
        try rebuilt.catchUp()
        var after = try rebuilt.summary(freshness: try Freshness.of(store: n.store))
        after.generatedMs = before.generatedMs
        #expect(after == before)
    }
}

/// A stop signal between tasks.
final class StopSignal: Sendable {
    private let value = Atomic(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
