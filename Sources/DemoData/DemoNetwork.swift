import Foundation
import Replication
import Telecenter

/// A realistic network for demos and benchmarks: East Java's telecenters
/// with their products, sales, trainings, activities and the province's
/// monitoring surveys with photos, written as real signed entries of real
/// (generated) centre keys, as if they had replicated to the hub.
public struct DemoNetwork {
    public struct Options: Sendable {
        public var centres = 40
        public var year = 2026
        /// Roughly how many entries each centre writes (products, sales,
        /// trainings, activities), for benchmark-sized networks.
        public var entriesPerCentre = 40
        /// Share of centres that sell online and keep a fee.
        public var sellingShare = 0.4
        public var photos = true
        public init() {}
    }

    public struct Centre: Sendable {
        public let key: NodeKey
        public let name: String
        public let kabupaten: String
    }

    static let regencies = [
        "Kab. Bangkalan", "Kab. Banyuwangi", "Kab. Blitar", "Kab. Bojonegoro", "Kab. Bondowoso", "Kab. Gresik", "Kab. Jember",
        "Kab. Jombang", "Kab. Kediri", "Kab. Lamongan", "Kab. Lumajang", "Kab. Madiun", "Kab. Magetan", "Kab. Malang",
        "Kab. Mojokerto", "Kab. Nganjuk", "Kab. Ngawi", "Kab. Pacitan", "Kab. Pamekasan", "Kab. Pasuruan", "Kab. Ponorogo",
        "Kab. Probolinggo", "Kab. Sampang", "Kab. Sidoarjo", "Kab. Situbondo", "Kab. Sumenep", "Kab. Trenggalek", "Kab. Tuban",
        "Kab. Tulungagung", "Kota Batu", "Kota Blitar", "Kota Kediri", "Kota Madiun", "Kota Malang", "Kota Mojokerto",
        "Kota Pasuruan", "Kota Probolinggo", "Kota Surabaya",
    ]
    static let villages = ["Sumberrejo", "Karangsari", "Tegalrejo", "Sukorejo", "Wonosari", "Kedungrejo", "Sidomulyo", "Ngadirejo"]
    static let products: [(String, String, Int, String)] = [
        ("Keripik Tempe", "makanan", 15_000, "bungkus 250 g"), ("Keripik Singkong Balado", "makanan", 12_000, "bungkus 200 g"),
        ("Sambal Pecel", "makanan", 20_000, "toples 250 g"), ("Kopi Robusta Bubuk", "pertanian", 35_000, "bungkus 250 g"),
        ("Beras Organik", "pertanian", 16_000, "kg"), ("Madu Hutan", "peternakan", 85_000, "botol 500 ml"),
        ("Telur Asin", "peternakan", 4_000, "butir"), ("Ikan Asap", "perikanan", 45_000, "kg"), ("Terasi Udang", "perikanan", 25_000, "batang"),
        ("Batik Tulis", "kerajinan", 350_000, "lembar"), ("Tas Anyaman Bambu", "kerajinan", 85_000, "buah"),
        ("Gerabah Hias", "kerajinan", 60_000, "buah"), ("Jasa Desain Logo UMKM", "ti", 150_000, "paket"),
        ("Servis Komputer", "jasa", 75_000, "unit"), ("Pelatihan Kasir Digital", "jasa", 50_000, "orang"),
        ("Jamu Kunyit Asam", "makanan", 10_000, "botol"), ("Kerupuk Ikan", "perikanan", 18_000, "bungkus"),
    ]
    static let trainers = ["Budi Santoso", "Siti Aminah", "Agus Prasetyo", "Dewi Lestari", "Rina Wulandari", "Hendra Wijaya",
                           "Sri Rahayu", "Joko Susilo", "Nur Hidayati", "Eko Purnomo"]
    static let trainingTitles: [(String, String)] = [
        ("Pemasaran online untuk UMKM", "pemasaran-online"), ("Literasi digital untuk petani", "literasi-digital"),
        ("Kursus komputer dasar (ToT)", "tot-kursus-komputer"), ("Jurnalistik warga", "jurnalistik"),
        ("Manajemen telecenter", "manajerial"), ("Kewirausahaan kelompok perempuan", "kewirausahaan"),
        ("Informasi harga pasar untuk nelayan", "infomobilisasi"),
    ]

    /// Writes the network into the hub's store (and photos into `blobs`):
    /// admits, profiles, products, sales, trainings, activities, surveys.
    @discardableResult
    public static func populate(hub: NodeKey, store: Store, blobs: BlobStore?, options: Options = Options(),
                                seed: UInt64 = 2026) throws -> [Centre] {
        var rng = SplitMix64(seed: seed)
        let year = options.year
        var centres: [Centre] = []
        var admits: [Entry.Draft] = []
        for i in 0..<options.centres {
            let key = try NodeKey(seed: rng.bytes(32))
            let kabupaten = regencies[i % regencies.count]
            let suffix = i >= regencies.count ? " \(i / regencies.count + 1)" : ""
            let name = "Telecenter \(kabupaten.replacingOccurrences(of: "Kab. ", with: ""))\(suffix)"
            centres.append(Centre(key: key, name: name, kabupaten: kabupaten))
            admits.append(.put(kind: "admit", key: key.id.description,
                               body: json(["node": key.id.description, "role": "telecenter", "name": name,
                                           "region": "Jawa Timur / \(kabupaten)"]), time: ms(year, 1, 5)))
        }
        try store.append(admits, signer: hub)
        try store.append([.put(kind: "node", key: "profile", body: json([
            "name": "Hub Diskominfo Jawa Timur", "type": "hub",
            "region": ["provinsi": "Jawa Timur", "kabupaten": "Kota Surabaya"], "address": "Jl. A. Yani 242-244, Surabaya",
            "services": ["koordinasi", "monitoring", "pelatihan"],
        ]), time: ms(year, 1, 2))], signer: hub)

        var surveys: [Entry.Draft] = []
        for (i, centre) in centres.enumerated() {
            var drafts: [Entry.Draft] = []
            let lat = -7.0 - rng.unit() * 1.5, lon = 111.2 + rng.unit() * 3.2
            let village = villages[rng.below(villages.count)]
            drafts.append(.put(kind: "node", key: "profile", body: json([
                "name": centre.name, "type": i % 9 == 4 ? "posyantek" : i % 11 == 6 ? "kpmi" : "telecenter",
                "region": ["provinsi": "Jawa Timur", "kabupaten": centre.kabupaten, "kecamatan": "Kec. \(village)", "desa": "Desa \(village)"],
                "address": "Balai Desa \(village)", "location": ["lat": lat, "lon": lon],
                "contact": ["phone": "08\(rng.below(900_000_000) + 100_000_000)"], "opening_hours": "Senin-Sabtu 08.00-16.00",
                "services": ["internet", "pelatihan", "pemasaran produk"], "expertise": ["desain grafis", "media sosial"],
            ]), time: ms(year, 1, 10)))
            let budget = options.entriesPerCentre
            let sells = rng.unit() < options.sellingShare
            let productCount = max(2, budget * 3 / 10 + rng.below(3))
            var productKeys: [String] = []
            for p in 0..<productCount {
                let (base, category, price, unit) = products[rng.below(products.count)]
                let key = "\(base.lowercased().replacingOccurrences(of: " ", with: "-"))-\(p)"
                productKeys.append(key)
                var body: [String: Any] = [
                    "name": "\(base) \(village)", "category": category, "price_idr": price + rng.below(5) * 1000, "unit": unit,
                    "producer": "UMKM \(village) \(p + 1)", "available": rng.unit() > 0.1,
                    "description": "Produk unggulan Desa \(village), dibuat oleh kelompok UMKM binaan \(centre.name).",
                ]
                if sells && p % 2 == 0 { body["online_links"] = ["https://shopee.co.id/umkm-\(village.lowercased())-\(p)"] }
                if options.photos && p < 2, let blobs { body["photos"] = [try photo(blobs, &rng, tint: (200, 120, 40))] }
                drafts.append(.put(kind: "product", key: key, body: json(body), time: ms(year, 1 + rng.below(10), 1 + rng.below(27))))
            }
            if sells {
                for s in 0..<max(1, budget * 3 / 10 + rng.below(4)) {
                    let month = 1 + rng.below(11), day = 1 + rng.below(27)
                    let quantity = 1 + rng.below(20)
                    let amount = quantity * (10_000 + rng.below(40) * 1000)
                    drafts.append(.put(kind: "sale", key: "\(year)-\(month)-\(day)-\(s)", body: json([
                        "product": productKeys[rng.below(productKeys.count)], "date": date(year, month, day), "quantity": quantity,
                        "amount_idr": amount, "fee_idr": amount / 20, "channel": rng.unit() < 0.7 ? "online" : "offline",
                    ]), time: ms(year, month, day)))
                }
            }
            // Each centre has a small team of trainers; its lead trainer
            // runs most trainings (which is what the yearly award ranks).
            let team = (0..<3).map { trainers[(i * 3 + $0) % trainers.count] }
            for t in 0..<max(1, budget * 2 / 10 + rng.below(3)) {
                let (title, topic) = trainingTitles[rng.below(trainingTitles.count)]
                let month = 1 + rng.below(11), day = 1 + rng.below(26)
                let women = rng.below(20), men = 1 + rng.below(15)
                let groups = Array(Set((0..<(1 + rng.below(2))).map { _ in Vocabulary.targetGroups[rng.below(Vocabulary.targetGroups.count)] })).sorted()
                var body: [String: Any] = [
                    "title": title, "topic": topic, "start": date(year, month, day), "end": date(year, month, day + 1),
                    "place": "Telecenter \(village)", "trainers": [rng.unit() < 0.6 ? team[0] : team[1 + rng.below(2)]],
                    "participants": ["perempuan": women, "laki_laki": men], "target_groups": groups,
                ]
                if options.photos && t == 0, let blobs { body["photos"] = [try photo(blobs, &rng, tint: (40, 120, 200))] }
                drafts.append(.put(kind: "training", key: "\(year)-\(month)-\(topic)-\(t)", body: json(body), time: ms(year, month, day)))
            }
            // A centre that does not sell reports more activities instead, so
            // that every centre writes about `entriesPerCentre` entries.
            for a in 0..<max(1, budget * (sells ? 2 : 5) / 10 + rng.below(3)) {
                let type = Vocabulary.activityTypes[rng.below(Vocabulary.activityTypes.count)]
                let month = 1 + rng.below(11)
                let titles = ["mentoring": "Pendampingan kelompok tani", "content": "Berita warga desa",
                              "ict-deployment": "Pemasangan komputer di sekolah", "promotion": "Pameran produk UMKM"]
                drafts.append(.put(kind: "activity", key: "\(year)-\(month)-\(type)-\(a)", body: json([
                    "type": type, "title": titles[type]!, "date": date(year, month, 1 + rng.below(27)), "count": 1 + rng.below(4),
                    "group": Vocabulary.targetGroups[rng.below(Vocabulary.targetGroups.count)],
                ]), time: ms(year, month, 15)))
            }
            try ingest(drafts, of: centre.key, into: store)

            // The province surveys most centres once or twice a year.
            if rng.unit() < 0.85 {
                let weights = [("optimal", 0.4), ("kreatif", 0.15), ("berkembang", 0.25), ("kurang-aktif", 0.12), ("tidak-aktif", 0.08)]
                for half in 1...(1 + rng.below(2)) {
                    var pick = rng.unit(), classification = "optimal"
                    for (c, w) in weights {
                        if pick < w { classification = c; break }
                        pick -= w
                    }
                    let base = ["optimal": 5, "kreatif": 4, "berkembang": 3, "kurang-aktif": 2, "tidak-aktif": 1][classification]!
                    var scores: [String: Int] = [:]
                    for criterion in Vocabulary.scoreCriteria { scores[criterion] = min(5, max(1, base + rng.below(3) - 1)) }
                    var body: [String: Any] = [
                        "subject": centre.key.id.description, "date": date(year, half == 1 ? 5 : 10, 10 + rng.below(15)),
                        "period": "\(year)-S\(half)", "assessor": "Tim Monev Diskominfo Jatim", "scores": scores,
                        "classification": classification, "notes": "Kunjungan lapangan; \(centre.name) \(classification).",
                        "location": ["lat": lat, "lon": lon],
                    ]
                    if let blobs { body["photos"] = [try photo(blobs, &rng, tint: (60, 160, 80))] } else {
                        body["photos"] = [["sha256": String(repeating: "0", count: 64), "size": 1, "type": "image/png"]]
                    }
                    surveys.append(.put(kind: "monitoring", key: "\(centre.key.id)/\(year)-S\(half)", body: json(body),
                                        time: ms(year, half == 1 ? 5 : 10, 25)))
                }
            }
        }
        for chunk in stride(from: 0, to: surveys.count, by: 500) {
            try store.append(Array(surveys[chunk..<min(chunk + 500, surveys.count)]), signer: hub)
        }
        return centres
    }

    /// Signs a centre's drafts in order and stores them as received entries.
    static func ingest(_ drafts: [Entry.Draft], of key: NodeKey, into store: Store) throws {
        var prev = try store.head(of: key.id)
        var batch: [VerifiedEntry] = []
        for draft in drafts {
            let e = try Entry.sign(draft, seq: (prev?.seq ?? 0) + 1, prev: prev?.id.hash ?? .zero, with: key)
            prev = Head(author: key.id, seq: e.entry.seq, id: e.entry.id)
            batch.append(e)
            if batch.count == 2000 {
                _ = try store.ingest(batch, from: key.id)
                batch = []
            }
        }
        if !batch.isEmpty { _ = try store.ingest(batch, from: key.id) }
    }

    static func photo(_ blobs: BlobStore, _ rng: inout SplitMix64, tint: (Int, Int, Int)) throws -> [String: Any] {
        let seed = rng.below(1000)
        let png = TinyPNG.make(width: 96, height: 64) { x, y in
            let stripe = ((x + seed) / 12 + y / 12) % 2 == 0
            let shade = stripe ? 40 : 0
            return (UInt8(min(255, tint.0 + shade)), UInt8(min(255, tint.1 + shade + y)), UInt8(min(255, tint.2 + shade + x / 2)))
        }
        let (sha, type) = try blobs.add(png)
        return ["sha256": sha.hex, "size": png.count, "type": type, "pieces": BlobPieces.root(of: png).hex]
    }

    static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    static func date(_ y: Int, _ m: Int, _ d: Int) -> String {
        String(format: "%04d-%02d-%02d", y, m, min(d, 28))
    }

    static func ms(_ y: Int, _ m: Int, _ d: Int) -> Int64 {
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour) = (y, m, min(d, 28), 9)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Jakarta")!
        return Int64((calendar.date(from: c)?.timeIntervalSince1970 ?? 0) * 1000)
    }
}

/// Draws the generator needs; seeded, so a demo network is the same every time for a seed.
extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: next()) } }
}
