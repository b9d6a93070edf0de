import ArgumentParser
import Foundation
import Replication
import Telecenter

struct ProductImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: tr("Add products from a spreadsheet saved as CSV.", "Menambah produk dari lembar kerja yang disimpan sebagai CSV."),
        discussion: tr("""
            Columns (header row, any order): name, category, price_idr, unit, producer, description, available, online_links,
            photo, key. Every row is checked first; if any row is wrong, each problem is reported with its line and nothing is
            stored. Photo paths are relative to the CSV file.
            """, """
            Kolom (baris judul, urutan bebas): name, category, price_idr, unit, producer, description, available, online_links,
            photo, key. Setiap baris diperiksa dulu; bila ada baris yang salah, setiap masalah dilaporkan dengan nomor barisnya dan
            tidak ada yang disimpan. Jalur foto relatif terhadap berkas CSV.
            """),
        aliases: ["impor"])

    @OptionGroup var options: RecordOptions
    @Argument(help: ArgumentHelp(tr("The CSV file (UTF-8, comma-separated).", "Berkas CSV (UTF-8, dipisah koma)."))) var file: String

    func run() async throws {
        let p = options.publisher
        let en = p.language == "en"
        let text = try FileInput.text(file)
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
        say(en ? "imported \(n) products from \(file)" : "\(n) produk diimpor dari \(file)")
    }
}
