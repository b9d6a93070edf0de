import Foundation
import HubViews
import Replication
import Telecenter
import Testing

/// The dashboard's product export, imported again with `tcnode product
/// import`, gives back every product as it was (descriptions, producer
/// contacts, all photos, text a spreadsheet would run as a formula); a
/// column the import cannot take is refused by name.
@Suite(.long) struct ImportRoundTripTests {
    static func tcnode(_ arguments: [String], _ data: String) async throws -> CommandResult {
        try await run(try Products.path("tcnode"), arguments + ["--data-dir", data, "--lang", "en"])
    }

    /// The node's products as the dashboard exports them (CSV).
    static func export(_ data: String, views path: String) async throws -> String {
        try await OffPool.run {
            let directory = DataDirectory(data)
            let store = try directory.openStore()
            defer { try? store.close() }
            let views = try Views(path: path, store: store, blobs: BlobStore(root: directory.blobsPath))
            defer { try? views.close() }
            try views.catchUp()
            return String(decoding: CSVExport.products(try views.products(filter: ViewFilter().unpaged).items), as: UTF8.self)
        }
    }

    /// Each product of the node: key -> body (parsed, so that key order does not matter).
    static func products(_ data: String) async throws -> [String: NSDictionary] {
        let list = try await tcnode(["product", "list", "--json"], data)
        let entries = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
        var out: [String: NSDictionary] = [:]
        for e in entries {
            guard let key = e["key"] as? String, let body = e["body"] as? NSDictionary else { continue }
            out[key] = body
        }
        return out
    }

    static func photo(_ dir: TemporaryDirectory, _ name: String, shade: UInt8) throws -> String {
        let png = TinyPNG.make(width: 5, height: 3) { x, y in (UInt8(x * 40), UInt8(y * 60), shade) }
        try Data(png).write(to: URL(fileURLWithPath: dir.file(name)))
        return dir.file(name)
    }

    @Test func exportedProductsImportAgainAsTheyWere() async throws {
        let dir = TemporaryDirectory("tcimport")
        let data = try await CLIInputTests.localNode(dir)
        let adds: [[String]] = [
            ["--name", "Keripik Tempe Bu Sri", "--category", "Makanan", "--price", "15.000", "--unit", "bungkus 250 g",
             "--producer", "UMKM Bu Sri", "--producer-contact", "0813-1111-2222", "--description", "Renyah, \"asli\";\nminyak kelapa.",
             "--photo", try Self.photo(dir, "a.png", shade: 10), "--photo", try Self.photo(dir, "b.png", shade: 200),
             "--link", "https://shop.example/keripik", "--link", "https://market.example/p/1", "--unavailable"],
            ["--name", "=SUM(1;2)", "--category", "jasa", "--key", "formula", "--description", "'=tetap teks", "--producer=-Pak Joko",
             "--unit", "@jam"],
            ["--name", "Kopi Bubuk", "--category", "pertanian"],
        ]
        for add in adds {
            let r = try await Self.tcnode(["product", "add"] + add, data)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let before = try await Self.products(data)
        #expect(before.count == 3)
        #expect(before["keripik-tempe-bu-sri"]?["category"] as? String == "makanan", "category Makanan folds to makanan")
        #expect(before["keripik-tempe-bu-sri"]?["price_idr"] as? Int == 15000, "--price 15.000 is fifteen thousand")

        let csv = try await Self.export(data, views: dir.file("views.sqlite"))
        #expect(csv.contains("'=SUM(1;2)") && csv.contains("''=tetap teks"), "formulas kept as text in the sheet")
        try csv.write(toFile: dir.file("products.csv"), atomically: true, encoding: .utf8)
        for key in before.keys {
            let r = try await Self.tcnode(["product", "remove", key], data)
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(try await Self.products(data).isEmpty)

        let imported = try await Self.tcnode(["product", "import", dir.file("products.csv")], data)
        #expect(imported.status == 0 && imported.stdout.contains("imported 3 products"), "\(imported.stdout) \(imported.stderr)")
        let after = try await Self.products(data)
        #expect(after == before, "lost in the round trip: \(Set(before.map { "\($0.key) \($0.value)" }).subtracting(after.map { "\($0.key) \($0.value)" }))")
        #expect((after["keripik-tempe-bu-sri"]?["photos"] as? [Any])?.count == 2)
    }

    @Test func columnsTheImportCannotTakeAreRefusedByName() async throws {
        let dir = TemporaryDirectory("tcimport")
        let data = try await CLIInputTests.localNode(dir)
        try "name,category,stock,notes\nKopi,pertanian,12,lembab\n".write(toFile: dir.file("extra.csv"), atomically: true, encoding: .utf8)
        let refused = try await Self.tcnode(["product", "import", dir.file("extra.csv")], data)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("'stock', 'notes' are not fields of a product, and importing would lose them"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--ignore stock --ignore notes") && refused.stderr.contains("nothing was stored"))
        let ignored = try await Self.tcnode(["product", "import", dir.file("extra.csv"), "--ignore", "stock", "--ignore", "notes"], data)
        #expect(ignored.status == 0 && ignored.stdout.contains("columns left out: stock, notes"), "\(ignored.stdout) \(ignored.stderr)")

        // Rows of another centre (an export of the whole network) are not this centre's to publish.
        let other = NodeKey().id
        let me = try DataDirectory(data).openKey().id
        try "author,centre,name,category\n\(other),TC Lain,Batik,kerajinan\n\(me),Saya,Gula Aren,makanan\n"
            .write(toFile: dir.file("network.csv"), atomically: true, encoding: .utf8)
        let others = try await Self.tcnode(["product", "import", dir.file("network.csv")], data)
        #expect(others.status == 1 && others.stderr.contains("1 row(s) are products of other centres (column author; lines 2)"), "\(others.stderr)")
        let mine = try await Self.tcnode(["product", "import", dir.file("network.csv"), "--only-mine"], data)
        #expect(mine.status == 0 && mine.stdout.contains("imported 1 products") && mine.stdout.contains("skipped 1 row(s)"), "\(mine.stdout) \(mine.stderr)")

        // A photo by hash this node does not hold.
        let missing = String(repeating: "ab", count: 32)
        try "name,category,photos_sha256\nKopi,pertanian,\(missing)\n".write(toFile: dir.file("photo.csv"), atomically: true, encoding: .utf8)
        let photo = try await Self.tcnode(["product", "import", dir.file("photo.csv")], data)
        #expect(photo.status == 1 && photo.stderr.contains("photos_sha256: photo abababababab… is not held by this node"), "\(photo.stderr)")
    }
}
