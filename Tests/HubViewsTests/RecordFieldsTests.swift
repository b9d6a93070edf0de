import Foundation
import HubViews
import Replication
import Telecenter
import Testing
import TestSupport

/// Every field a form accepts reaches the hub: its views rows, the JSON API,
/// the CSV exports and the dashboard pages. Records of every kind with
/// every field filled in (three photos where photos go), through a hub's
/// views server.
@Suite struct RecordFieldsTests {
    /// What a centre and the hub wrote, by kind.
    struct Full {
        static let centreSeed = Array(repeating: UInt8(7), count: 32)
        static let photos = (0..<3).map { i in TinyPNG.make(width: 6 + i, height: 4) { x, y in (UInt8(x * 30), UInt8(y * 50), UInt8(i * 80)) } }

        static let hashes: [String] = {
            let dir = TemporaryDirectory("tcfields")
            let blobs = BlobStore(root: dir.file("blobs"))
            return photos.map { try! blobs.add($0).sha256.hex }
        }()
        static func sha(_ i: Int) -> String { hashes[i] }
        static func refs(_ indices: [Int]) -> [[String: Any]] {
            indices.map { ["sha256": sha($0), "size": photos[$0].count, "type": "image/png"] }
        }

        static var profile: [String: Any] { [
            "name": "Telecenter Sumber Rejeki", "type": "telecenter", "address": "Jl. Mawar 12",
            "region": ["provinsi": "Jawa Timur", "kabupaten": "Kab. Blitar", "kecamatan": "Wlingi", "desa": "Tegalasri"],
            "location": ["lat": -8.0954321, "lon": 112.1609876],
            "contact": ["phone": "0812-3456-7890", "email": "sumber@example.id"], "opening_hours": "Senin-Sabtu 08.00-16.00",
            "services": ["Kursus komputer", "Cetak; fotokopi"], "expertise": ["Desain grafis", "Pemasaran daring"],
        ] }
        static var product: [String: Any] { [
            "name": "Keripik Tempe Bu Sri", "category": "makanan", "description": "Keripik tempe renyah, digoreng dengan minyak kelapa.",
            "price_idr": 15_000, "unit": "bungkus 250 g", "producer": ["name": "UMKM Bu Sri", "contact": "0813-1111-2222"],
            "available": false, "online_links": ["https://shop.example/keripik", "https://market.example/p/1"], "photos": refs([0, 1, 2]),
        ] }
        static var sale: [String: Any] { [
            "product": "keripik-tempe-bu-sri", "date": "2026-11-02", "quantity": 3, "amount_idr": 45_000, "fee_idr": 4_500, "channel": "online",
        ] }
        static var training: [String: Any] { [
            "title": "Pemasaran lewat WhatsApp", "topic": "pemasaran-online", "start": "2026-10-05", "end": "2026-10-07",
            "place": "Balai Desa Tegalasri", "trainers": ["Pak Budi", "Bu Ani"], "participants": ["perempuan": 12, "laki_laki": 8],
            "target_groups": ["umkm", "perempuan"], "photos": refs([1, 2]),
        ] }
        static var activity: [String: Any] { [
            "type": "mentoring", "title": "Pendampingan toko daring", "date": "2026-10-20", "count": 4, "group": "umkm",
            "place": "Rumah produksi Bu Sri",
        ] }
        static func monitoring(subject: NodeID) -> [String: Any] {
            [
                "subject": subject.description, "date": "2026-11-10", "period": "2026-S2", "assessor": "Tim Monev Provinsi",
                "scores": ["open_staffed": 5, "equipment": 4, "internet": 3, "activities": 2, "management": 1, "benefit": 4],
                "classification": "berkembang", "notes": "Internet sering putus sore hari.", "location": ["lat": -8.0911, "lon": 112.1655],
                "photos": refs([2, 0]),
            ]
        }

        static func json(_ object: [String: Any]) -> String {
            String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }

        /// The hub admits the centre and surveys it; the centre writes its
        /// profile and one record of every other kind. Every body passes
        /// the forms' validation.
        static func populate(hub: NodeKey, store: Store, blobs: BlobStore) throws {
            for photo in photos { _ = try blobs.add(photo) }
            let centre = try NodeKey(seed: centreSeed)
            let records: [(String, String, [String: Any])] = [
                ("node", "profile", profile), ("product", "keripik-tempe-bu-sri", product), ("sale", "2026-11-02-keripik", sale),
                ("training", "2026-10-05-pemasaran", training), ("activity", "2026-10-20-pendampingan", activity),
            ]
            for (kind, key, body) in records + [("monitoring", "survey", monitoring(subject: centre.id))] {
                try RecordValidation.validate(kind: kind, key: key, body: Array(json(body).utf8), latestDate: "2026-11-30")
            }
            try store.append([
                .put(kind: "admit", key: centre.id.description, body: json([
                    "node": centre.id.description, "role": "telecenter", "name": "TC Sumber Rejeki", "region": "Jawa Timur / Kab. Blitar",
                ]), time: 1_780_000_000_000),
            ], signer: hub)
            var prev: Head?
            var signed: [VerifiedEntry] = []
            for (kind, key, body) in records {
                let draft = Entry.Draft.put(kind: kind, key: key, body: json(body), time: 1_780_000_000_000)
                let e = try Entry.sign(draft, seq: (prev?.seq ?? 0) + 1, prev: prev?.id.hash ?? .zero, with: centre)
                prev = Head(author: centre.id, seq: e.entry.seq, id: e.entry.id)
                signed.append(e)
            }
            _ = try store.ingest(signed, from: centre.id)
            try store.append([.put(kind: "monitoring", key: "\(centre.id)/2026-S2", body: json(monitoring(subject: centre.id)),
                                   time: 1_780_000_000_000)], signer: hub)
        }

        /// Every text a body holds (photo sizes and types aside), for finding in an answer.
        static func texts(_ value: Any) -> [String] {
            switch value {
            case let s as String: [s]
            case let d as [String: Any]: d.filter { !["size", "type"].contains($0.key) || d["sha256"] == nil }.values.flatMap(texts)
            case let a as [Any]: a.flatMap(texts)
            default: []
            }
        }
    }

    @Test func everyFieldReachesTheViewsTheAPITheCSVAndThePages() async throws {
        try await DashboardTests.withServer(populate: Full.populate) { s in
            let centre = try NodeKey(seed: Full.centreSeed).id
            // Views rows.
            let product = try #require(try await OffPool.run { try s.views.products(filter: ViewFilter()).items.first })
            #expect(product.description == Full.product["description"] as? String && product.producerContact == "0813-1111-2222")
            #expect(product.photos == [Full.sha(0), Full.sha(1), Full.sha(2)] && product.photo == Full.sha(0))
            let survey = try #require(try await OffPool.run { try s.views.monitoring(filter: ViewFilter()).items.first })
            #expect(survey.scores == ["open_staffed": 5, "equipment": 4, "internet": 3, "activities": 2, "management": 1, "benefit": 4])
            #expect(survey.lat == -8.0911 && survey.lon == 112.1655 && survey.photos == [Full.sha(2), Full.sha(0)])
            let training = try #require(try await OffPool.run { try s.views.trainings(filter: ViewFilter()).items.first })
            #expect(training.end == "2026-10-07" && training.photos == [Full.sha(1), Full.sha(2)])
            let activity = try #require(try await OffPool.run { try s.views.activities(filter: ViewFilter()).items.first })
            #expect(activity.place == "Rumah produksi Bu Sri")
            let node = try #require(try await OffPool.run {
                try s.views.nodes(filter: ViewFilter(), freshness: try Freshness.of(store: s.store)).items.first { $0.node == centre.description }
            })
            #expect(node.phone == "0812-3456-7890" && node.email == "sumber@example.id" && node.openingHours == "Senin-Sabtu 08.00-16.00")
            #expect(node.services == ["Kursus komputer", "Cetak; fotokopi"] && node.expertise == ["Desain grafis", "Pemasaran daring"])

            // The JSON API and the CSV exports hold every text of every record, and the numbers.
            let bodies: [(api: String, csv: String, body: [String: Any])] = [
                ("nodes", "nodes.csv", Full.profile), ("products", "products.csv", Full.product), ("sales", "sales.csv", Full.sale),
                ("trainings", "trainings.csv", Full.training), ("activities", "activities.csv", Full.activity),
                ("monitoring", "monitoring.csv", Full.monitoring(subject: centre)),
            ]
            for (api, csv, body) in bodies {
                let json = String(decoding: try await DashboardTests.get(s.port, "/api/v1/\(api)").body, as: UTF8.self)
                let sheet = String(decoding: try await DashboardTests.get(s.port, "/api/v1/\(csv)").body, as: UTF8.self)
                for text in Full.texts(body) {
                    #expect(json.contains(text.replacingOccurrences(of: "/", with: "\\/")) || json.contains(text), "\(api): \(text) missing")
                    #expect(sheet.contains(text), "\(csv): \(text) missing")
                }
            }
            let json = String(decoding: try await DashboardTests.get(s.port, "/api/v1/monitoring").body, as: UTF8.self)
            for fragment in ["\"lat\":-8.0911", "\"lon\":112.1655", "\"open_staffed\":5", "\"management\":1", "\"benefit\":4"] {
                #expect(json.contains(fragment), "monitoring API: \(fragment)")
            }
            let monitoringCSV = try CSVImport.read(String(decoding: try await DashboardTests.get(s.port, "/api/v1/monitoring.csv").body, as: UTF8.self))
            let row = try #require(monitoringCSV.rows.first?.fields)
            #expect(Vocabulary.scoreCriteria.map { row["score_\($0)"] ?? "" } == ["5", "4", "3", "2", "1", "4"])
            #expect(row["lat"] == "-8.0911" && row["lon"] == "112.1655" && row["photos_sha256"] == "\(Full.sha(2)) \(Full.sha(0))")
            let centresCSV = try CSVImport.read(String(decoding: try await DashboardTests.get(s.port, "/api/v1/nodes.csv").body, as: UTF8.self))
            let located = try #require(centresCSV.rows.first { $0.fields["node"] == centre.description }?.fields)
            #expect(located["lat"] == "-8.0954321" && located["lon"] == "112.1609876", "coordinates whole, not rounded to 2 decimals")

            // The pages, in both languages.
            for lang in ["", "?lang=en"] {
                func page(_ path: String) async throws -> String {
                    String(decoding: try await DashboardTests.get(s.port, path + lang).body, as: UTF8.self)
                }
                let products = try await page("/products")
                for text in ["Keripik tempe renyah", "UMKM Bu Sri · 0813-1111-2222"] + (0..<3).map({ "/photos/\(Full.sha($0))" }) {
                    #expect(products.contains(text), "products page: \(text)")
                }
                let monitoring = try await page("/monitoring")
                let labels = Vocabulary.scoreCriteria.map { Vocabulary.label($0, lang.isEmpty ? "id" : "en") }
                for text in labels + ["-8.0911, 112.1655", "/photos/\(Full.sha(2))", "/photos/\(Full.sha(0))"] {
                    #expect(monitoring.contains(HTML.escape(text)), "monitoring page: \(text)")
                }
                let trainings = try await page("/trainings")
                for text in ["7 Okt 2026", "/photos/\(Full.sha(1))", "/photos/\(Full.sha(2))"] {
                    #expect(trainings.contains(lang.isEmpty ? text : text.replacingOccurrences(of: "Okt", with: "Oct")), "trainings page: \(text)")
                }
                #expect(try await page("/activities").contains("Rumah produksi Bu Sri"))
                let centres = try await page("/centres")
                for text in ["0812-3456-7890", "sumber@example.id", "Senin-Sabtu 08.00-16.00", "Cetak; fotokopi", "Desain grafis", "-8.0954321, 112.1609876"] {
                    #expect(centres.contains(text), "centres page: \(text)")
                }
            }
        }
    }
}
