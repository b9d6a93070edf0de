import ArgumentParser
import Foundation
import Replication
import Telecenter

struct ProductImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: tr("Add products from a spreadsheet saved as CSV.", "Menambah produk dari lembar kerja yang disimpan sebagai CSV."),
        discussion: tr("""
            Columns (header row, any order): name, category, key, price_idr, unit, producer, producer_contact, description,
            available, online_links, photo (a JPEG or PNG file, relative to the CSV file), photos_sha256 or photo_sha256 (photos
            this node holds, as the dashboard's export names them). The other columns of the dashboard's export (author, centre,
            region, online) are understood: a row of another centre is refused (--only-mine skips it). Any other column is refused
            by name, as importing would lose it (--ignore COLUMN imports without it). Every row is checked first; if any row is
            wrong, each problem is reported with its line and nothing is stored.
            """, """
            Kolom (baris judul, urutan bebas): name, category, key, price_idr, unit, producer, producer_contact, description,
            available, online_links, photo (berkas JPEG atau PNG, relatif terhadap berkas CSV), photos_sha256 atau photo_sha256
            (foto yang ada di node ini, seperti dinamai ekspor dasbor). Kolom lain dari ekspor dasbor (author, centre, region,
            online) dikenali: baris milik pusat lain ditolak (--only-mine melewatinya). Kolom lain apa pun ditolak dengan namanya,
            karena impor akan menghilangkannya (--ignore KOLOM mengimpor tanpa kolom itu). Setiap baris diperiksa dulu; bila ada
            baris yang salah, setiap masalah dilaporkan dengan nomor barisnya dan tidak ada yang disimpan.
            """),
        aliases: ["impor"])

    @OptionGroup var options: RecordOptions
    @Argument(help: ArgumentHelp(tr("The CSV file (UTF-8, comma-separated).", "Berkas CSV (UTF-8, dipisah koma)."))) var file: String
    @Option(name: .customLong("ignore"), help: ArgumentHelp(tr("A column to leave out (repeatable).", "Kolom yang dilewati (boleh berulang).")))
    var ignored: [String] = []
    @Flag(help: ArgumentHelp(tr("Skip the rows of other centres (column author) instead of refusing the file.",
                                "Lewati baris milik pusat lain (kolom author), bukan menolak berkasnya.")))
    var onlyMine = false

    /// The columns that become fields of a product.
    static let fields = ["name", "category", "key", "price_idr", "unit", "producer", "producer_contact", "description", "available",
                         "online_links", "photo", "photos_sha256", "photo_sha256"]
    /// Columns of the dashboard's export that say where a product is, not
    /// what it is: the author is checked, the rest follows from it (online
    /// from online_links).
    static let context = ["author", "centre", "region", "online"]

    func run() async throws {
        let p = options.publisher
        let en = p.language == "en"
        let nothing = en ? "; nothing was stored" : "; tidak ada yang disimpan"
        let text = try FileInput.text(file)
        let sheet: CSVImport.Sheet
        do {
            sheet = try CSVImport.read(text)
        } catch {
            throw Failure(message: "\(file): " + error.message(language: p.language) + nothing)
        }
        guard sheet.header.contains("name") && sheet.header.contains("category") else {
            throw Failure(message: en ? "\(file): the header row must have at least the columns name and category"
                : "\(file): baris judul harus memuat minimal kolom name dan category")
        }
        try checkColumns(sheet, en: en, nothing: nothing)
        let access = sheet.header.contains("author") ? try await NodeAccess.open(options.data) : nil
        let blobs = BlobStore(root: try options.data.directory().blobsPath)
        var problems: [String] = []
        var othersLines: [Int] = []
        var records: [(line: Int, key: String, body: [String: Any], held: [Bytes32], photo: String?)] = []
        var keys = Set<String>()
        for (line, row) in sheet.rows {
            let at = en ? "line \(line): " : "baris \(line): "
            func value(_ column: String) -> String? { row[column].flatMap { $0.isEmpty ? nil : $0 } }
            if let author = value("author"), let access {
                let id = (try? NodeID(typed: author)) ?? NodeID(author)
                if id != access.node {
                    othersLines.append(line)
                    continue
                }
            }
            var body: [String: Any] = ["name": row["name"] ?? "", "category": row["category"] ?? ""]
            if let category = value("category") {
                body["category"] = (try? CommandWords.closed(category, option: "category", allowed: Vocabulary.productCategories)) ?? category
            }
            if let price = value("price_idr") {
                guard let n = CSVImport.rupiah(price) else {
                    let error = RecordError(kind: "product", field: "price_idr", problem: .badFormat(CSVImport.rupiahFormat), value: price)
                    problems.append(at + error.message(language: p.language))
                    continue
                }
                body["price_idr"] = n
            }
            for field in ["unit", "description"] { if let v = value(field) { body[field] = v } }
            switch (value("producer"), value("producer_contact")) {
            case (let name?, let contact?): body["producer"] = ["name": name, "contact": contact]
            case (let name?, nil): body["producer"] = name
            case (nil, _?):
                problems.append(at + (en ? "producer_contact is given without producer: give the producer's name too"
                    : "producer_contact diisi tanpa producer: isi juga nama produsennya"))
                continue
            case (nil, nil): break
            }
            if let a = value("available") {
                switch a.lowercased() {
                case "yes", "true", "1", "ya", "y": body["available"] = true
                case "no", "false", "0", "tidak", "n": body["available"] = false
                default:
                    problems.append(at + (en ? "available must be true or false (or yes/no, ya/tidak), not '\(a)'"
                        : "available harus true atau false (atau yes/no, ya/tidak), bukan '\(a)'"))
                    continue
                }
            }
            if let l = value("online_links") { body["online_links"] = l.split(whereSeparator: \.isWhitespace).map(String.init) }
            let key = value("key") ?? slug(row["name"] ?? "")
            do {
                _ = try p.check(kind: "product", key: key.isEmpty ? "-" : key, body: body)
            } catch let failure as Failure {
                problems.append(at + failure.message.replacingOccurrences(of: nothing, with: ""))
                continue
            }
            if !keys.insert(key).inserted {
                problems.append(at + (en ? "key '\(key)' appears twice in the file" : "kunci '\(key)' muncul dua kali"))
            }
            // Photos by hash, as the export writes them: all of them, else the first.
            let column = value("photos_sha256") != nil ? "photos_sha256" : "photo_sha256"
            var held: [Bytes32] = []
            for text in (value(column) ?? "").split(whereSeparator: \.isWhitespace).map(String.init) {
                guard let sha = Bytes32(hex: text.lowercased()) else {
                    problems.append(at + (en ? "\(column): '\(text)' is not a photo's SHA-256 (64 hex characters)"
                        : "\(column): '\(text)' bukan SHA-256 foto (64 karakter heksadesimal)"))
                    continue
                }
                guard blobs.has(sha) else {
                    problems.append(at + (en
                        ? "\(column): photo \(sha.hex.prefix(12))… is not held by this node; import on the node that holds it (the product's centre, or the hub), or put the photo's file in a column photo"
                        : "\(column): foto \(sha.hex.prefix(12))… tidak ada di node ini; impor di node yang menyimpannya (pusat pemilik produk, atau hub), atau isi kolom photo dengan berkas fotonya"))
                    continue
                }
                held.append(sha)
            }
            let photo = value("photo").map { path in
                path.hasPrefix("/") ? path : ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path)
            }
            if let photo, FileManager.default.contents(atPath: photo).flatMap({ BlobStore.isImage([UInt8]($0)) }) == nil {
                problems.append(at + (en ? "photo \(photo) is missing or not a JPEG/PNG" : "foto \(photo) tidak ada atau bukan JPEG/PNG"))
            }
            records.append((line, key, body, held, photo))
        }
        if !othersLines.isEmpty && !onlyMine {
            let lines = othersLines.prefix(10).map(String.init).joined(separator: ", ") + (othersLines.count > 10 ? ", …" : "")
            problems.append(en
                ? "\(othersLines.count) row(s) are products of other centres (column author; lines \(lines)): a centre imports only its own products. Delete those rows, or give --only-mine to skip them"
                : "\(othersLines.count) baris adalah produk pusat lain (kolom author; baris \(lines)): pusat hanya mengimpor produknya sendiri. Hapus baris itu, atau berikan --only-mine untuk melewatinya")
        }
        guard problems.isEmpty else {
            for problem in problems { note(problem) }
            throw Failure(message: en ? "\(problems.count) problem(s) in \(file); nothing was stored. Fix the lines above and import again."
                : "\(problems.count) masalah di \(file); tidak ada yang disimpan. Perbaiki baris di atas lalu impor lagi.")
        }
        var prepared: [(kind: String, key: String, body: String, line: Int)] = []
        for var r in records {
            var photos: [[String: Any]] = []
            for sha in r.held {
                guard let bytes = blobs.contents(sha) else {
                    throw Failure(message: (en ? "photo \(sha.hex) could not be read from this node's photos" : "foto \(sha.hex) tidak bisa dibaca dari foto node ini") + nothing)
                }
                photos.append(try await p.photo(bytes: bytes, path: "\(file) line \(r.line): photo \(sha.hex.prefix(12))…"))
            }
            if let photo = r.photo { photos.append(try await p.photo(photo)) }
            if !photos.isEmpty { r.body["photos"] = photos }
            prepared.append(("product", r.key, try p.check(kind: "product", key: r.key, body: r.body), r.line))
        }
        let n = try await p.publishAll(prepared)
        var done = en ? "imported \(n) products from \(file)" : "\(n) produk diimpor dari \(file)"
        if !othersLines.isEmpty { done += en ? "; skipped \(othersLines.count) row(s) of other centres" : "; \(othersLines.count) baris milik pusat lain dilewati" }
        if !ignored.isEmpty { done += en ? "; columns left out: \(ignored.joined(separator: ", "))" : "; kolom yang dilewati: \(ignored.joined(separator: ", "))" }
        say(done)
    }

    /// Refuses a column the import would drop: a product field it does not
    /// know would be lost without a word.
    func checkColumns(_ sheet: CSVImport.Sheet, en: Bool, nothing: String) throws {
        let skip = Set(ignored.map { $0.lowercased() })
        let unknown = sheet.header.filter { !$0.isEmpty && !Self.fields.contains($0) && !Self.context.contains($0) && !skip.contains($0) }
        // A spreadsheet may save empty columns with no name; one with values needs a name.
        let unnamed = sheet.header.contains("") && sheet.rows.contains { !($0.fields[""] ?? "").isEmpty }
        guard !unknown.isEmpty || unnamed else { return }
        let list = unknown.map { "'\($0)'" }.joined(separator: ", ")
        let ignore = unknown.map { "--ignore \($0)" }.joined(separator: " ")
        let taken = Self.fields.joined(separator: ", ")
        if !unknown.isEmpty {
            throw Failure(message: en
                ? "\(file): column(s) \(list) are not fields of a product, and importing would lose them. Remove or rename them (columns taken: \(taken)), or give \(ignore) to import without them\(nothing)"
                : "\(file): kolom \(list) bukan kolom produk, dan impor akan menghilangkannya. Hapus atau ganti namanya (kolom yang diterima: \(taken)), atau berikan \(ignore) untuk mengimpor tanpa kolom itu\(nothing)", code: 2)
        }
        throw Failure(message: en
            ? "\(file): a column with no name in the header row holds values; name it (columns taken: \(taken)) or delete it\(nothing)"
            : "\(file): kolom tanpa nama di baris judul berisi nilai; beri nama (kolom yang diterima: \(taken)) atau hapus kolom itu\(nothing)", code: 2)
    }
}
