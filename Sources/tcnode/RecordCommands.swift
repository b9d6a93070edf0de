import ArgumentParser
import Foundation
import NodeRuntime
import Replication
import Telecenter

enum ProductKind: RecordKind {
    static let kind = "product", title = "products"
    static let headers = ["NAME", "CATEGORY", "PRICE (IDR)", "ONLINE"]
    static func columns(_ e: Entry, _ b: JSONValue?) -> [String] {
        [b?["name"]?.text ?? "", b?["category"]?.text ?? "", b?["price_idr"]?.text ?? "",
         (b?["online_links"]?.array?.isEmpty == false) ? "yes" : ""]
    }
}

enum SaleKind: RecordKind {
    static let kind = "sale", title = "sales"
    static let headers = ["PRODUCT", "DATE", "QTY", "AMOUNT (IDR)", "FEE (IDR)"]
    static func columns(_ e: Entry, _ b: JSONValue?) -> [String] {
        ["product", "date", "quantity", "amount_idr", "fee_idr"].map { b?[$0]?.text ?? "" }
    }
}

enum TrainingKind: RecordKind {
    static let kind = "training", title = "trainings"
    static let headers = ["TITLE", "TOPIC", "START", "PARTICIPANTS"]
    static func columns(_ e: Entry, _ b: JSONValue?) -> [String] {
        let p = b?["participants"]
        let total = (p?["perempuan"]?.int ?? 0) + (p?["laki_laki"]?.int ?? 0)
        return [b?["title"]?.text ?? "", b?["topic"]?.text ?? "", b?["start"]?.text ?? "", String(total)]
    }
}

enum MonitoringKind: RecordKind {
    static let kind = "monitoring", title = "surveys"
    static let headers = ["SUBJECT", "DATE", "PERIOD", "CLASSIFICATION"]
    static func columns(_ e: Entry, _ b: JSONValue?) -> [String] {
        [String((b?["subject"]?.text ?? "").prefix(8)), b?["date"]?.text ?? "", b?["period"]?.text ?? "", b?["classification"]?.text ?? ""]
    }
}

enum ActivityKind: RecordKind {
    static let kind = "activity", title = "activities"
    static let headers = ["TYPE", "TITLE", "DATE", "COUNT"]
    static func columns(_ e: Entry, _ b: JSONValue?) -> [String] { ["type", "title", "date", "count"].map { b?[$0]?.text ?? "" } }
}

// MARK: product

struct ProductCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "product", abstract: "UMKM products the centre markets (produk).",
        subcommands: [ProductAdd.self, ListRecords<ProductKind>.self, ShowRecord<ProductKind>.self, RemoveRecord<ProductKind>.self,
                      ProductImport.self])
}

struct ProductAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add or update a product.",
        discussion: "Categories: \(Vocabulary.productCategories.joined(separator: ", ")). Example: tcnode product add --name \"Keripik Tempe\" --category makanan --price 15000 --photo keripik.jpg")

    @OptionGroup var options: RecordOptions
    @Option(help: "Record key (default: from the name).") var key: String?
    @Option(help: "Product name.") var name: String
    @Option(help: "Category.") var category: String
    @Option(help: "Price in rupiah.") var price: Int?
    @Option(help: "Unit, e.g. \"bungkus 250 g\".") var unit: String?
    @Option(help: "Producer (the UMKM's name).") var producer: String?
    @Option(help: "Producer's contact.") var producerContact: String?
    @Option(help: "Description.") var description: String?
    @Option(name: .customLong("photo"), help: "A JPEG or PNG photo (repeatable).") var photos: [String] = []
    @Option(name: .customLong("link"), help: "An online listing (repeatable).") var links: [String] = []
    @Flag(help: "Mark as not available now.") var unavailable = false

    func run() async throws {
        let p = options.publisher
        var body: [String: Any] = ["name": name, "category": category, "available": !unavailable]
        if let price { body["price_idr"] = price }
        if let unit { body["unit"] = unit }
        if let producer {
            body["producer"] = producerContact.map { ["name": producer, "contact": $0] } ?? producer
        }
        if let description { body["description"] = description }
        if !links.isEmpty { body["online_links"] = links }
        let key = self.key ?? slug(name)
        _ = try p.check(kind: "product", key: key, body: body)
        if !photos.isEmpty {
            var refs: [[String: Any]] = []
            for path in photos { refs.append(try await p.photo(path)) }
            body["photos"] = refs
        }
        try await p.publish(kind: "product", key: key, body: body)
    }
}

struct ProductImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Add products from a spreadsheet saved as CSV.",
        discussion: """
            Columns (header row, any order): name, category, price_idr, unit, producer, description, available, online_links,
            photo, key. Every row is checked first; if any row is wrong, each problem is reported with its line and nothing is
            stored. Photo paths are relative to the CSV file.
            """)

    @OptionGroup var options: RecordOptions
    @Argument(help: "The CSV file (UTF-8, comma-separated).") var file: String

    func run() async throws {
        let p = options.publisher
        let en = p.language == "en"
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw Failure(message: en ? "cannot read \(file) as UTF-8 text" : "\(file) tidak bisa dibaca sebagai teks UTF-8")
        }
        let sheet: CSVImport.Sheet
        do {
            sheet = try CSVImport.read(text)
        } catch {
            throw Failure(message: "\(file): " + error.message(language: p.language) + (en ? "; nothing was stored" : "; tidak ada yang disimpan"))
        }
        guard sheet.header.contains("name") && sheet.header.contains("category") else {
            throw Failure(message: en ? "\(file): the header row must have at least the columns name and category"
                : "\(file): baris judul harus memuat minimal kolom name dan category")
        }
        var problems: [String] = []
        var records: [(line: Int, key: String, body: [String: Any], photo: String?)] = []
        var keys = Set<String>()
        for (line, row) in sheet.rows {
            let at = en ? "line \(line): " : "baris \(line): "
            var body: [String: Any] = ["name": row["name"] ?? "", "category": row["category"] ?? ""]
            if let price = row["price_idr"], !price.isEmpty {
                guard let n = CSVImport.rupiah(price) else {
                    let error = RecordError(kind: "product", field: "price_idr", problem: .badFormat(CSVImport.rupiahFormat), value: price)
                    problems.append(at + error.message(language: p.language))
                    continue
                }
                body["price_idr"] = n
            }
            for field in ["unit", "producer", "description"] { if let v = row[field], !v.isEmpty { body[field] = v } }
            if let a = row["available"], !a.isEmpty { body["available"] = !["no", "false", "0", "tidak"].contains(a.lowercased()) }
            if let l = row["online_links"], !l.isEmpty { body["online_links"] = l.split(separator: " ").map(String.init) }
            let key = (row["key"].flatMap { $0.isEmpty ? nil : $0 }) ?? slug(row["name"] ?? "")
            do {
                _ = try p.check(kind: "product", key: key.isEmpty ? "-" : key, body: body)
            } catch let failure as Failure {
                problems.append(at + failure.message.replacingOccurrences(of: en ? "; nothing was stored" : "; tidak ada yang disimpan", with: ""))
                continue
            }
            if !keys.insert(key).inserted {
                problems.append(at + (en ? "key '\(key)' appears twice in the file" : "kunci '\(key)' muncul dua kali"))
            }
            let photo = row["photo"].flatMap { $0.isEmpty ? nil : $0 }.map { path in
                path.hasPrefix("/") ? path : ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path)
            }
            if let photo, FileManager.default.contents(atPath: photo).flatMap({ BlobStore.isImage([UInt8]($0)) }) == nil {
                problems.append(at + (en ? "photo \(photo) is missing or not a JPEG/PNG" : "foto \(photo) tidak ada atau bukan JPEG/PNG"))
            }
            records.append((line, key, body, photo))
        }
        guard problems.isEmpty else {
            for problem in problems { note(problem) }
            throw Failure(message: en ? "\(problems.count) problem(s) in \(file); nothing was stored. Fix the lines above and import again."
                : "\(problems.count) masalah di \(file); tidak ada yang disimpan. Perbaiki baris di atas lalu impor lagi.")
        }
        var prepared: [(kind: String, key: String, body: String, line: Int)] = []
        for var r in records {
            if let photo = r.photo { r.body["photos"] = [try await p.photo(photo)] }
            prepared.append(("product", r.key, try p.check(kind: "product", key: r.key, body: r.body), r.line))
        }
        let n = try await p.publishAll(prepared)
        print(en ? "imported \(n) products from \(file)" : "\(n) produk diimpor dari \(file)")
    }
}

// MARK: sale

struct SaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sale", abstract: "Sales of products, with the fee the centre keeps (penjualan).",
        subcommands: [SaleAdd.self, ListRecords<SaleKind>.self, ShowRecord<SaleKind>.self, RemoveRecord<SaleKind>.self])
}

struct SaleAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Record a sale.")
    @OptionGroup var options: RecordOptions
    @Option(help: "The product's key.") var product: String
    @Option(help: "Date, YYYY-MM-DD.") var date: String
    @Option(help: "Quantity.") var quantity: Int = 1
    @Option(help: "Amount in rupiah.") var amount: Int
    @Option(help: "Fee kept by the centre, in rupiah.") var fee: Int = 0
    @Option(help: "online or offline.") var channel = "online"
    @Option(help: "Record key (default: a new one from date, product and time; give one to replace that sale).") var key: String?

    func run() async throws {
        let body: [String: Any] = ["product": product, "date": date, "quantity": quantity, "amount_idr": amount, "fee_idr": fee,
                                   "channel": channel]
        let key = self.key ?? RecordKeys.sale(date: date, product: slug(product), nowMs: TimeText.nowMs())
        try await options.publisher.publish(kind: "sale", key: key, body: body)
    }
}

// MARK: training

struct TrainingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "training", abstract: "Trainings the centre held (pelatihan); participants are counted, not named.",
        subcommands: [TrainingAdd.self, ListRecords<TrainingKind>.self, ShowRecord<TrainingKind>.self, RemoveRecord<TrainingKind>.self])
}

struct TrainingAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Record a training.",
        discussion: "Topics: \(Vocabulary.trainingTopics.joined(separator: ", ")). Target groups: \(Vocabulary.targetGroups.joined(separator: ", ")).")
    @OptionGroup var options: RecordOptions
    @Option(help: "Title.") var title: String
    @Option(help: "Topic.") var topic: String
    @Option(help: "First day, YYYY-MM-DD.") var start: String
    @Option(help: "Last day, YYYY-MM-DD.") var end: String?
    @Option(help: "Place.") var place: String?
    @Option(name: .customLong("trainer"), help: "A trainer's name (repeatable).") var trainers: [String] = []
    @Option(help: "Women participants.") var women: Int = 0
    @Option(help: "Men participants.") var men: Int = 0
    @Option(name: .customLong("group"), help: "A target group served (repeatable).") var groups: [String] = []
    @Option(name: .customLong("photo"), help: "A JPEG or PNG photo (repeatable).") var photos: [String] = []
    @Option(help: "Record key (default: from start and title).") var key: String?

    func run() async throws {
        let p = options.publisher
        var body: [String: Any] = ["title": title, "topic": topic, "start": start, "participants": ["perempuan": women, "laki_laki": men],
                                   "target_groups": groups]
        if let end { body["end"] = end }
        if let place { body["place"] = place }
        if !trainers.isEmpty { body["trainers"] = trainers }
        let key = self.key ?? "\(start)-\(slug(title))"
        _ = try p.check(kind: "training", key: key, body: body)
        if !photos.isEmpty {
            var refs: [[String: Any]] = []
            for path in photos { refs.append(try await p.photo(path)) }
            body["photos"] = refs
        }
        try await p.publish(kind: "training", key: key, body: body)
    }
}

// MARK: monitoring

struct MonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor", abstract: "Monitoring surveys of centres, by a monitor or the hub (monitoring dan evaluasi).",
        subcommands: [MonitorAdd.self, ListRecords<MonitoringKind>.self, ShowRecord<MonitoringKind>.self, RemoveRecord<MonitoringKind>.self])
}

struct MonitorAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Record a survey of a centre (at least one photo).",
        discussion: """
            Classifications: \(Vocabulary.classifications.joined(separator: ", ")). Scores 1-5 for each of: \(Vocabulary.scoreCriteria.joined(separator: ", ")),
            e.g. --score internet=4. Example: tcnode monitor add --subject NODEID --classification optimal --period 2026-S2 --photo visit.jpg --score open_staffed=5 ...
            """)
    @OptionGroup var options: RecordOptions
    @Option(help: "The surveyed centre's node id.") var subject: String
    @Option(help: "Classification.") var classification: String
    @Option(help: "Date of the visit, YYYY-MM-DD (default: today).") var date: String?
    @Option(help: "Period, e.g. 2026-S2.") var period: String
    @Option(help: "Who assessed.") var assessor: String = "Tim Monev"
    @Option(name: .customLong("score"), help: "criterion=1..5 (repeatable, all six needed).") var scores: [String] = []
    @Option(help: "Notes.") var notes: String?
    @Option(help: "Latitude of the visit.") var lat: Double?
    @Option(help: "Longitude of the visit.") var lon: Double?
    @Option(name: .customLong("photo"), help: "A JPEG or PNG photo (at least one; repeatable).") var photos: [String] = []

    func validate() throws { _ = try parsedScores() }

    func parsedScores() throws -> [String: Int] {
        var map: [String: Int] = [:]
        for s in scores {
            let parts = s.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let n = Int(parts[1]) else { throw ValidationError("--score must be criterion=N, got '\(s)'") }
            map[String(parts[0])] = n
        }
        return map
    }

    func run() async throws {
        let p = options.publisher
        let access = try await NodeAccess.open(options.data)
        switch try await access.roster().standing(of: access.node) {
        case .genesis, .member(role: .monitor), .member(role: .hub), .member(role: .authority): break
        default:
            throw Failure(message: p.language == "en"
                ? "only a monitor, a hub or an authority records surveys; this node is not one (see `tcnode members`)"
                : "hanya monitor, hub atau otoritas yang mencatat survei; node ini bukan salah satunya (lihat `tcnode members`)")
        }
        let scoreMap = try parsedScores()
        let day = date ?? String(TimeText.iso(TimeText.nowMs()).prefix(10))
        var body: [String: Any] = ["subject": subject, "date": day, "period": period, "assessor": assessor, "scores": scoreMap,
                                   "classification": classification]
        if let notes { body["notes"] = notes }
        if let lat, let lon { body["location"] = ["lat": lat, "lon": lon] }
        let key = "\(subject)/\(period)"
        body["photos"] = [["sha256": String(repeating: "0", count: 64), "size": 1, "type": "image/jpeg"]]
        _ = try p.check(kind: "monitoring", key: key, body: body)
        guard !photos.isEmpty else {
            throw Failure(message: p.language == "en" ? "monitoring: field 'photos' must be at least one photo (--photo FILE)"
                : "monitoring: kolom 'photos' harus minimal satu foto (--photo FILE)")
        }
        var refs: [[String: Any]] = []
        for path in photos { refs.append(try await p.photo(path)) }
        body["photos"] = refs
        try await p.publish(kind: "monitoring", key: key, body: body)
    }
}

// MARK: activity

struct ActivityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activity", abstract: "Mentoring, content published, ICT deployments, promotion (kegiatan).",
        subcommands: [ActivityAdd.self, ListRecords<ActivityKind>.self, ShowRecord<ActivityKind>.self, RemoveRecord<ActivityKind>.self])
}

struct ActivityAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Record an activity.", discussion: "Types: \(Vocabulary.activityTypes.joined(separator: ", ")).")
    @OptionGroup var options: RecordOptions
    @Option(help: "Type.") var type: String
    @Option(help: "Title.") var title: String
    @Option(help: "Date, YYYY-MM-DD.") var date: String
    @Option(help: "How many (sessions, articles, computers...).") var count: Int = 1
    @Option(help: "Group served.") var group: String?
    @Option(help: "Place.") var place: String?
    @Option(help: "Record key (default: from date and title).") var key: String?

    func run() async throws {
        var body: [String: Any] = ["type": type, "title": title, "date": date, "count": count]
        if let group { body["group"] = group }
        if let place { body["place"] = place }
        try await options.publisher.publish(kind: "activity", key: key ?? "\(date)-\(slug(title))", body: body)
    }
}

// MARK: profile

struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile", abstract: "The centre's own profile (kind node): name, region, contact, services.",
        subcommands: [ProfileSet.self])
}

struct ProfileSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Publish this centre's profile.", discussion: "Types: \(Vocabulary.centreTypes.joined(separator: ", ")).")
    @OptionGroup var options: RecordOptions
    @Option(help: "Centre name.") var name: String
    @Option(help: "Type.") var type: String = "telecenter"
    @Option(help: "Province.") var provinsi: String
    @Option(help: "Regency or city (Kab./Kota).") var kabupaten: String
    @Option(help: "District.") var kecamatan: String?
    @Option(help: "Village.") var desa: String?
    @Option(help: "Address.") var address: String?
    @Option(help: "Latitude.") var lat: Double?
    @Option(help: "Longitude.") var lon: Double?
    @Option(help: "Phone.") var phone: String?
    @Option(help: "E-mail.") var email: String?
    @Option(help: "Opening hours.") var hours: String?
    @Option(name: .customLong("service"), help: "A service offered (repeatable).") var services: [String] = []
    @Option(name: .customLong("expertise"), help: "Staff expertise (repeatable).") var expertise: [String] = []

    func run() async throws {
        var region: [String: Any] = ["provinsi": provinsi, "kabupaten": kabupaten]
        if let kecamatan { region["kecamatan"] = kecamatan }
        if let desa { region["desa"] = desa }
        var body: [String: Any] = ["name": name, "type": type, "region": region, "services": services, "expertise": expertise]
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
