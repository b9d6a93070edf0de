import ArgumentParser
import Foundation
import NodeAPI
import Replication
import Telecenter

enum ProductKind: RecordKind {
    static let kind = "product"
    static func title(_ l: Language) -> String { l.t("products", "produk") }
    static func headers(_ l: Language) -> [String] {
        [l.t("NAME", "NAMA"), l.t("CATEGORY", "KATEGORI"), l.t("PRICE (IDR)", "HARGA (RP)"), "ONLINE"]
    }
    static func columns(_ e: Entry, _ b: JSONValue?, _ l: Language) -> [String] {
        [b?["name"]?.text ?? "", b?["category"]?.text ?? "", b?["price_idr"]?.int.map { l.count(Int($0)) } ?? "",
         (b?["online_links"]?.array?.isEmpty == false) ? l.t("yes", "ya") : ""]
    }
}

enum SaleKind: RecordKind {
    static let kind = "sale"
    static func title(_ l: Language) -> String { l.t("sales", "penjualan") }
    static func headers(_ l: Language) -> [String] {
        [l.t("PRODUCT", "PRODUK"), l.t("DATE", "TANGGAL"), l.t("QTY", "JUMLAH"), l.t("AMOUNT (IDR)", "NILAI (RP)"), l.t("FEE (IDR)", "JASA (RP)")]
    }
    static func columns(_ e: Entry, _ b: JSONValue?, _ l: Language) -> [String] {
        [b?["product"]?.text ?? "", b?["date"]?.text ?? "", b?["quantity"]?.text ?? "",
         b?["amount_idr"]?.int.map { l.count(Int($0)) } ?? "", b?["fee_idr"]?.int.map { l.count(Int($0)) } ?? ""]
    }
}

enum TrainingKind: RecordKind {
    static let kind = "training"
    static func title(_ l: Language) -> String { l.t("trainings", "pelatihan") }
    static func headers(_ l: Language) -> [String] {
        [l.t("TITLE", "JUDUL"), l.t("TOPIC", "TOPIK"), l.t("START", "MULAI"), l.t("PARTICIPANTS", "PESERTA")]
    }
    static func columns(_ e: Entry, _ b: JSONValue?, _ l: Language) -> [String] {
        let p = b?["participants"]
        let total = (p?["perempuan"]?.int ?? 0) + (p?["laki_laki"]?.int ?? 0)
        return [b?["title"]?.text ?? "", b?["topic"]?.text ?? "", b?["start"]?.text ?? "", l.count(Int(total))]
    }
}

enum MonitoringKind: RecordKind {
    static let kind = "monitoring"
    static let command = "monitor"
    static func title(_ l: Language) -> String { l.t("surveys", "survei") }
    static func headers(_ l: Language) -> [String] {
        [l.t("SUBJECT", "PUSAT"), l.t("DATE", "TANGGAL"), l.t("PERIOD", "PERIODE"), l.t("CLASSIFICATION", "KLASIFIKASI")]
    }
    static func columns(_ e: Entry, _ b: JSONValue?, _ l: Language) -> [String] {
        [String((b?["subject"]?.text ?? "").prefix(8)), b?["date"]?.text ?? "", b?["period"]?.text ?? "", b?["classification"]?.text ?? ""]
    }
}

enum ActivityKind: RecordKind {
    static let kind = "activity"
    static func title(_ l: Language) -> String { l.t("activities", "kegiatan") }
    static func headers(_ l: Language) -> [String] {
        [l.t("TYPE", "JENIS"), l.t("TITLE", "JUDUL"), l.t("DATE", "TANGGAL"), l.t("COUNT", "JUMLAH")]
    }
    static func columns(_ e: Entry, _ b: JSONValue?, _ l: Language) -> [String] { ["type", "title", "date", "count"].map { b?[$0]?.text ?? "" } }
}

/// Help of a closed-list option: what it is, then the values.
private func listed(_ en: String, _ id: String, _ values: [String]) -> ArgumentHelp {
    ArgumentHelp(tr(en, id) + " " + tr("One of: ", "Salah satu dari: ") + values.joined(separator: ", ") + ".")
}

/// A rupiah amount typed after `option`: 15000 or 15.000.
func rupiah(_ text: String, option: String) throws -> Int {
    guard let value = CSVImport.rupiah(text) else {
        throw ValidationError(tr("\(option): '\(text)' is not an amount in rupiah: give a whole number of 0 or more, like 15000 or 15.000",
                                 "\(option): '\(text)' bukan jumlah rupiah: berikan bilangan bulat 0 atau lebih, seperti 15000 atau 15.000"))
    }
    return value
}

/// A location is a latitude and a longitude: one alone would be dropped.
private func bothOrNeither(_ lat: Double?, _ lon: Double?) throws {
    guard (lat == nil) == (lon == nil) else {
        throw ValidationError(tr("give --lat and --lon together (e.g. --lat -8.0954 --lon 112.1609)",
                                 "berikan --lat dan --lon bersama (mis. --lat -8.0954 --lon 112.1609)"))
    }
}

// MARK: product

struct ProductCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "product", abstract: tr("UMKM products the centre markets (produk).", "Produk UMKM yang dipasarkan pusat."),
        subcommands: [ProductAdd.self, ListRecords<ProductKind>.self, ShowRecord<ProductKind>.self, RemoveRecord<ProductKind>.self,
                      ProductImport.self],
        aliases: ["produk"])
}

struct ProductAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: tr("Add or update a product.", "Menambah atau memperbarui produk."),
        discussion: tr("Example: tcnode product add --name \"Keripik Tempe\" --category makanan --price 15.000 --photo keripik.jpg",
                       "Contoh: tcnode product add --name \"Keripik Tempe\" --category makanan --price 15.000 --photo keripik.jpg"),
        aliases: ["tambah"])

    @OptionGroup var options: RecordOptions
    @Option(help: ArgumentHelp(tr("Record key (default: from the name).", "Kunci rekaman (bawaan: dari nama)."))) var key: String?
    @Option(help: ArgumentHelp(tr("Product name.", "Nama produk."))) var name: String
    @Option(help: listed("Category.", "Kategori.", Vocabulary.productCategories)) var category: String
    @Option(parsing: .unconditional, help: ArgumentHelp(tr("Price in rupiah, e.g. 15000 or 15.000.", "Harga dalam rupiah, mis. 15000 atau 15.000.")))
    var price: String?
    @Option(help: ArgumentHelp(tr("Unit, e.g. \"bungkus 250 g\".", "Satuan, mis. \"bungkus 250 g\"."))) var unit: String?
    @Option(help: ArgumentHelp(tr("Producer (the UMKM's name).", "Produsen (nama UMKM-nya)."))) var producer: String?
    @Option(help: ArgumentHelp(tr("Producer's contact.", "Kontak produsen."))) var producerContact: String?
    @Option(help: ArgumentHelp(tr("Description.", "Deskripsi."))) var description: String?
    @Option(name: .customLong("photo"), help: ArgumentHelp(tr("A JPEG or PNG photo (repeatable).", "Foto JPEG atau PNG (boleh berulang).")))
    var photos: [String] = []
    @Option(name: .customLong("link"), help: ArgumentHelp(tr("An online listing (repeatable).", "Tautan toko daring (boleh berulang).")))
    var links: [String] = []
    @Flag(help: ArgumentHelp(tr("Mark as not available now.", "Tandai sedang tidak tersedia."))) var unavailable = false

    func validate() throws {
        _ = try CommandWords.closed(category, option: "--category", allowed: Vocabulary.productCategories)
        if let price { _ = try rupiah(price, option: "--price") }
    }

    func run() async throws {
        let p = options.publisher
        var body: [String: Any] = ["name": name, "category": try CommandWords.closed(category, option: "--category", allowed: Vocabulary.productCategories),
                                   "available": !unavailable]
        if let price { body["price_idr"] = try rupiah(price, option: "--price") }
        if let unit { body["unit"] = unit }
        if let producer {
            body["producer"] = producerContact.map { ["name": producer, "contact": $0] } ?? producer
        }
        if let description { body["description"] = description }
        if !links.isEmpty { body["online_links"] = links }
        let key = self.key ?? slug(name)
        _ = try p.check(kind: "product", key: key, body: body)
        if !photos.isEmpty { body["photos"] = try await p.photos(photos) }
        try await p.publish(kind: "product", key: key, body: body)
    }
}

// MARK: sale

struct SaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sale", abstract: tr("Sales of products, with the fee the centre keeps (penjualan).", "Penjualan produk, dengan jasa yang diambil pusat."),
        subcommands: [SaleAdd.self, ListRecords<SaleKind>.self, ShowRecord<SaleKind>.self, RemoveRecord<SaleKind>.self],
        aliases: ["penjualan"])
}

struct SaleAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: tr("Record a sale.", "Mencatat penjualan."), aliases: ["tambah"])
    @OptionGroup var options: RecordOptions
    @Option(help: ArgumentHelp(tr("The product's key.", "Kunci produknya."))) var product: String
    @Option(help: ArgumentHelp(tr("Date, YYYY-MM-DD.", "Tanggal, TTTT-BB-HH."))) var date: String
    @Option(parsing: .unconditional, help: ArgumentHelp(tr("Quantity.", "Jumlah barang."))) var quantity: Int = 1
    @Option(parsing: .unconditional, help: ArgumentHelp(tr("Amount in rupiah, e.g. 45000 or 45.000.", "Nilai dalam rupiah, mis. 45000 atau 45.000.")))
    var amount: String
    @Option(parsing: .unconditional, help: ArgumentHelp(tr("Fee kept by the centre, in rupiah.", "Jasa yang diambil pusat, dalam rupiah.")))
    var fee: String = "0"
    @Option(help: listed("Channel.", "Saluran.", Vocabulary.saleChannels)) var channel = "online"
    @Option(help: ArgumentHelp(tr("Record key (default: a new one from date, product and time; give one to replace that sale).",
                                  "Kunci rekaman (bawaan: baru dari tanggal, produk dan waktu; berikan kunci untuk mengganti penjualan itu).")))
    var key: String?

    func validate() throws {
        _ = try rupiah(amount, option: "--amount")
        _ = try rupiah(fee, option: "--fee")
        _ = try CommandWords.closed(channel, option: "--channel", allowed: Vocabulary.saleChannels)
    }

    func run() async throws {
        let p = options.publisher
        var body: [String: Any] = ["product": product, "date": date, "quantity": quantity, "amount_idr": try rupiah(amount, option: "--amount"),
                                   "fee_idr": try rupiah(fee, option: "--fee"),
                                   "channel": try CommandWords.closed(channel, option: "--channel", allowed: Vocabulary.saleChannels)]
        // The form's own checks first (date, amounts): they need no database.
        _ = try p.check(kind: "sale", key: self.key ?? "-", body: body)
        let productKey = try await Self.product(product, access: try await NodeAccess.open(options.data))
        body["product"] = productKey
        let key = self.key ?? RecordKeys.sale(date: date, product: slug(productKey), nowMs: TimeText.nowMs())
        try await p.publish(kind: "sale", key: key, body: body)
    }

    /// Keys near `text`: a near miss of the whole key, or of its beginning
    /// ("kripik-tempe" for keripik-tempe-bu-sri).
    static func nearest(_ text: String, among keys: [String]) -> [String] {
        let near = CommandWords.nearest(text, among: keys)
        guard near.isEmpty, text.count >= 4 else { return near }
        let typed = slug(text)
        return keys.filter { key in
            (typed.count - 1...typed.count + 1).contains { n in n > 0 && CommandWords.editDistance(typed, String(key.prefix(n))) <= 2 }
        }
    }

    /// The key of the centre's product that `text` names: its key, or else
    /// the one product whose key is `text` made a key ("Keripik Tempe" for
    /// keripik-tempe) or whose name it is. A sale of a product the centre
    /// does not list is refused: it would count on the dashboard as a
    /// product nobody can find.
    static func product(_ text: String, access: NodeAccess) async throws -> String {
        let products = try await access.records(kind: "product", author: access.node, deleted: false).filter { $0.op == .put }
        if products.contains(where: { $0.key == text }) { return text }
        let wanted = text.trimmingCharacters(in: .whitespaces)
        let named = products.filter { entry in
            entry.key == slug(wanted) || (JSONValue.parse(entry.body)?["name"]?.string).map {
                $0.trimmingCharacters(in: .whitespaces).lowercased() == wanted.lowercased()
            } == true
        }
        if named.count == 1 { return named[0].key }
        let l = Language.current
        let near = Self.nearest(text, among: products.map(\.key))
        let hint = near.isEmpty ? "" : l.t(" Did you mean \(near.prefix(3).map { "'\($0)'" }.joined(separator: " or "))?",
                                           " Maksud Anda \(near.prefix(3).map { "'\($0)'" }.joined(separator: " atau "))?")
        if named.count > 1 {
            throw Failure(message: l.t("--product: '\(text)' is the name of \(named.count) products (\(named.map(\.key).joined(separator: ", "))); give the key of the one sold; nothing was stored",
                                       "--product: '\(text)' adalah nama \(named.count) produk (\(named.map(\.key).joined(separator: ", "))); berikan kunci produk yang terjual; tidak ada yang disimpan"))
        }
        throw Failure(message: l.t("--product: this centre has no product '\(text)'.\(hint) Give the key of one of its products (see `tcnode product list --mine`), or add the product first (`tcnode product add`); nothing was stored",
                                   "--product: pusat ini tidak punya produk '\(text)'.\(hint) Berikan kunci salah satu produknya (lihat `tcnode product list --mine`), atau tambahkan produknya dulu (`tcnode product add`); tidak ada yang disimpan"))
    }
}

// MARK: training

struct TrainingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "training",
        abstract: tr("Trainings the centre held (pelatihan); participants are counted, not named.",
                     "Pelatihan yang diadakan pusat; peserta dihitung, tidak dicatat namanya."),
        subcommands: [TrainingAdd.self, ListRecords<TrainingKind>.self, ShowRecord<TrainingKind>.self, RemoveRecord<TrainingKind>.self],
        aliases: ["pelatihan"])
}

struct TrainingAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: tr("Record a training.", "Mencatat pelatihan."), aliases: ["tambah"])
    @OptionGroup var options: RecordOptions
    @Option(help: ArgumentHelp(tr("Title.", "Judul."))) var title: String
    @Option(help: listed("Topic.", "Topik.", Vocabulary.trainingTopics)) var topic: String
    @Option(help: ArgumentHelp(tr("First day, YYYY-MM-DD.", "Hari pertama, TTTT-BB-HH."))) var start: String
    @Option(help: ArgumentHelp(tr("Last day, YYYY-MM-DD.", "Hari terakhir, TTTT-BB-HH."))) var end: String?
    @Option(help: ArgumentHelp(tr("Place.", "Tempat."))) var place: String?
    @Option(name: .customLong("trainer"), help: ArgumentHelp(tr("A trainer's name (repeatable).", "Nama pelatih (boleh berulang).")))
    var trainers: [String] = []
    @Option(parsing: .unconditional, help: ArgumentHelp(tr("Women participants.", "Peserta perempuan."))) var women: Int = 0
    @Option(parsing: .unconditional, help: ArgumentHelp(tr("Men participants.", "Peserta laki-laki."))) var men: Int = 0
    @Option(name: .customLong("group"), help: listed("A target group served (repeatable).", "Kelompok sasaran (boleh berulang).", Vocabulary.targetGroups))
    var groups: [String] = []
    @Option(name: .customLong("photo"), help: ArgumentHelp(tr("A JPEG or PNG photo (repeatable).", "Foto JPEG atau PNG (boleh berulang).")))
    var photos: [String] = []
    @Option(help: ArgumentHelp(tr("Record key (default: from start and title).", "Kunci rekaman (bawaan: dari tanggal mulai dan judul)."))) var key: String?

    func validate() throws {
        _ = try CommandWords.closed(topic, option: "--topic", allowed: Vocabulary.trainingTopics)
        for g in groups { _ = try CommandWords.closed(g, option: "--group", allowed: Vocabulary.targetGroups) }
    }

    func run() async throws {
        let p = options.publisher
        var body: [String: Any] = ["title": title, "topic": try CommandWords.closed(topic, option: "--topic", allowed: Vocabulary.trainingTopics),
                                   "start": start, "participants": ["perempuan": women, "laki_laki": men],
                                   "target_groups": try groups.map { try CommandWords.closed($0, option: "--group", allowed: Vocabulary.targetGroups) }]
        if let end { body["end"] = end }
        if let place { body["place"] = place }
        if !trainers.isEmpty { body["trainers"] = trainers }
        let key = self.key ?? "\(start)-\(slug(title))"
        _ = try p.check(kind: "training", key: key, body: body)
        if !photos.isEmpty { body["photos"] = try await p.photos(photos) }
        try await p.publish(kind: "training", key: key, body: body)
    }
}

// MARK: monitoring

struct MonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: tr("Monitoring surveys of centres, by a monitor or the hub (monitoring dan evaluasi).",
                     "Survei monitoring dan evaluasi pusat, oleh pemantau atau hub."),
        subcommands: [MonitorAdd.self, ListRecords<MonitoringKind>.self, ShowRecord<MonitoringKind>.self, RemoveRecord<MonitoringKind>.self],
        aliases: ["monev"])
}

struct MonitorAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: tr("Record a survey of a centre (at least one photo).", "Mencatat survei sebuah pusat (minimal satu foto)."),
        discussion: tr("""
            Scores 1-5 for each of: \(Vocabulary.scoreCriteria.joined(separator: ", ")), e.g. --score internet=4.
            Example: tcnode monitor add --subject NODEID --classification optimal --period 2026-S2 --photo visit.jpg --lat -8.0954 --lon 112.1609 --score open_staffed=5 ...
            """, """
            Nilai 1-5 untuk setiap: \(Vocabulary.scoreCriteria.joined(separator: ", ")), mis. --score internet=4.
            Contoh: tcnode monitor add --subject NODEID --classification optimal --period 2026-S2 --photo kunjungan.jpg --lat -8.0954 --lon 112.1609 --score open_staffed=5 ...
            """),
        aliases: ["tambah"])
    @OptionGroup var options: RecordOptions
    @Option(help: ArgumentHelp(tr("The surveyed centre's node id (or its beginning, as `tcnode members` shows it).",
                                  "Id node pusat yang disurvei (atau awalnya, seperti ditampilkan `tcnode members`).")))
    var subject: String
    @Option(help: listed("Classification.", "Klasifikasi.", Vocabulary.classifications)) var classification: String
    @Option(help: ArgumentHelp(tr("Date of the visit, YYYY-MM-DD (default: today).", "Tanggal kunjungan, TTTT-BB-HH (bawaan: hari ini)."))) var date: String?
    @Option(help: ArgumentHelp(tr("Period, e.g. 2026-S2.", "Periode, mis. 2026-S2."))) var period: String
    @Option(help: ArgumentHelp(tr("Who assessed.", "Penilai."))) var assessor: String = "Tim Monev"
    @Option(name: .customLong("score"), help: ArgumentHelp(tr("criterion=1..5 (repeatable, all six needed).", "kriteria=1..5 (boleh berulang, keenamnya wajib).")))
    var scores: [String] = []
    @Option(help: ArgumentHelp(tr("Notes.", "Catatan."))) var notes: String?
    @Option(parsing: .unconditional, help: ArgumentHelp(tr("Latitude of the visit, e.g. -8.0954.", "Lintang lokasi kunjungan, mis. -8.0954."))) var lat: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp(tr("Longitude of the visit, e.g. 112.1609.", "Bujur lokasi kunjungan, mis. 112.1609."))) var lon: Double?
    @Option(name: .customLong("photo"), help: ArgumentHelp(tr("A JPEG or PNG photo (at least one; repeatable).", "Foto JPEG atau PNG (minimal satu; boleh berulang).")))
    var photos: [String] = []

    func validate() throws {
        try bothOrNeither(lat, lon)
        _ = try parsedScores()
        _ = try CommandWords.closed(classification, option: "--classification", allowed: Vocabulary.classifications)
    }

    func parsedScores() throws -> [String: Int] {
        var map: [String: Int] = [:]
        for s in scores {
            let parts = s.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let n = Int(parts[1].trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError(tr("--score must be criterion=N, got '\(s)'", "--score harus kriteria=N, bukan '\(s)'"))
            }
            map[try CommandWords.closed(String(parts[0]), option: "--score", allowed: Vocabulary.scoreCriteria)] = n
        }
        return map
    }

    func run() async throws {
        let p = options.publisher
        let access = try await NodeAccess.open(options.data)
        let members = try await access.members()
        let me = members.member(access.node)
        let surveys = [Role.monitor, .hub, .authority].map(\.rawValue)
        guard me?.status == "genesis" || (me?.status == "member" && surveys.contains(me?.role ?? "")) else {
            throw Failure(message: p.language == "en"
                ? "only a monitor, a hub or an authority records surveys; this node is not one (see `tcnode members`)"
                : "hanya monitor, hub atau otoritas yang mencatat survei; node ini bukan salah satunya (lihat `tcnode members`)")
        }
        // A survey is of a centre of this network: a typo'd id is refused here.
        let centre = try NodeIDInput.resolve(subject, option: "--subject", known: members.nodes, unknownAllowed: false) {
            members.member($0)?.name
        }
        let scoreMap = try parsedScores()
        let day = date ?? String(TimeText.iso(TimeText.nowMs()).prefix(10))
        var body: [String: Any] = ["subject": centre.description, "date": day, "period": period, "assessor": assessor, "scores": scoreMap,
                                   "classification": try CommandWords.closed(classification, option: "--classification", allowed: Vocabulary.classifications)]
        if let notes { body["notes"] = notes }
        if let lat, let lon { body["location"] = ["lat": lat, "lon": lon] }
        let key = "\(centre.description)/\(period)"
        body["photos"] = [["sha256": String(repeating: "0", count: 64), "size": 1, "type": "image/jpeg"]]
        _ = try p.check(kind: "monitoring", key: key, body: body)
        guard !photos.isEmpty else {
            throw Failure(message: p.language == "en" ? "monitoring: field 'photos' must be at least one photo (--photo FILE)"
                : "monitoring: kolom 'photos' harus minimal satu foto (--photo FILE)")
        }
        body["photos"] = try await p.photos(photos)
        try await p.publish(kind: "monitoring", key: key, body: body)
    }
}

// MARK: activity

struct ActivityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activity",
        abstract: tr("Mentoring, content published, ICT deployments, promotion (kegiatan).", "Pendampingan, konten terbit, penerapan TIK, promosi."),
        subcommands: [ActivityAdd.self, ListRecords<ActivityKind>.self, ShowRecord<ActivityKind>.self, RemoveRecord<ActivityKind>.self],
        aliases: ["kegiatan"])
}

struct ActivityAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: tr("Record an activity.", "Mencatat kegiatan."), aliases: ["tambah"])
    @OptionGroup var options: RecordOptions
    @Option(help: listed("Type.", "Jenis.", Vocabulary.activityTypes)) var type: String
    @Option(help: ArgumentHelp(tr("Title.", "Judul."))) var title: String
    @Option(help: ArgumentHelp(tr("Date, YYYY-MM-DD.", "Tanggal, TTTT-BB-HH."))) var date: String
    @Option(parsing: .unconditional, help: ArgumentHelp(tr("How many (sessions, articles, computers...).", "Berapa banyak (sesi, artikel, komputer...).")))
    var count: Int = 1
    @Option(help: ArgumentHelp(tr("Group served.", "Kelompok yang dilayani."))) var group: String?
    @Option(help: ArgumentHelp(tr("Place.", "Tempat."))) var place: String?
    @Option(help: ArgumentHelp(tr("Record key (default: from date and title).", "Kunci rekaman (bawaan: dari tanggal dan judul)."))) var key: String?

    func validate() throws { _ = try CommandWords.closed(type, option: "--type", allowed: Vocabulary.activityTypes) }

    func run() async throws {
        var body: [String: Any] = ["type": try CommandWords.closed(type, option: "--type", allowed: Vocabulary.activityTypes), "title": title,
                                   "date": date, "count": count]
        if let group { body["group"] = group }
        if let place { body["place"] = place }
        try await options.publisher.publish(kind: "activity", key: key ?? "\(date)-\(slug(title))", body: body)
    }
}

// MARK: profile

struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: tr("The centre's own profile (kind node): name, region, contact, services.", "Profil pusat ini (jenis node): nama, wilayah, kontak, layanan."),
        subcommands: [ProfileSet.self],
        aliases: ["profil"])
}

struct ProfileSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set", abstract: tr("Publish this centre's profile.", "Menerbitkan profil pusat ini."),
                                                    aliases: ["atur"])
    @OptionGroup var options: RecordOptions
    @Option(help: ArgumentHelp(tr("Centre name.", "Nama pusat."))) var name: String
    @Option(help: listed("Type.", "Jenis.", Vocabulary.centreTypes)) var type: String = "telecenter"
    @Option(help: ArgumentHelp(tr("Province.", "Provinsi."))) var provinsi: String
    @Option(help: ArgumentHelp(tr("Regency or city (Kab./Kota).", "Kabupaten atau kota (Kab./Kota)."))) var kabupaten: String
    @Option(help: ArgumentHelp(tr("District.", "Kecamatan."))) var kecamatan: String?
    @Option(help: ArgumentHelp(tr("Village.", "Desa."))) var desa: String?
    @Option(help: ArgumentHelp(tr("Address.", "Alamat."))) var address: String?
    @Option(parsing: .unconditional, help: ArgumentHelp(tr("Latitude, e.g. -8.0954.", "Lintang, mis. -8.0954."))) var lat: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp(tr("Longitude, e.g. 112.1609.", "Bujur, mis. 112.1609."))) var lon: Double?
    @Option(help: ArgumentHelp(tr("Phone.", "Telepon."))) var phone: String?
    @Option(help: ArgumentHelp(tr("E-mail.", "Surel."))) var email: String?
    @Option(help: ArgumentHelp(tr("Opening hours.", "Jam buka."))) var hours: String?
    @Option(name: .customLong("service"), help: ArgumentHelp(tr("A service offered (repeatable).", "Layanan yang ditawarkan (boleh berulang).")))
    var services: [String] = []
    @Option(name: .customLong("expertise"), help: ArgumentHelp(tr("Staff expertise (repeatable).", "Keahlian staf (boleh berulang).")))
    var expertise: [String] = []

    func validate() throws {
        try bothOrNeither(lat, lon)
        _ = try CommandWords.closed(type, option: "--type", allowed: Vocabulary.centreTypes)
    }

    func run() async throws {
        var region: [String: Any] = ["provinsi": provinsi, "kabupaten": kabupaten]
        if let kecamatan { region["kecamatan"] = kecamatan }
        if let desa { region["desa"] = desa }
        var body: [String: Any] = ["name": name, "type": try CommandWords.closed(type, option: "--type", allowed: Vocabulary.centreTypes),
                                   "region": region, "services": services, "expertise": expertise]
        if let address { body["address"] = address }
        if let lat, let lon { body["location"] = ["lat": lat, "lon": lon] }
        var contact: [String: Any] = [:]
        if let phone { contact["phone"] = phone }
        if let email { contact["email"] = email }
        if !contact.isEmpty { body["contact"] = contact }
        if let hours { body["opening_hours"] = hours }
        try await options.publisher.publish(kind: "node", key: "profile", body: body)
    }
}
