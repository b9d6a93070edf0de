import Foundation
import Replication
import Telecenter
import Testing

/// Bad input to `tcnode` is refused with where it is and what to do, and
/// nothing is stored: CSV quoting, control characters, non-UTF-8 arguments.
@Suite(.long) struct CLIInputTests {
    // MARK: CSV reading

    @Test func anUnterminatedQuoteIsRefusedAtTheLineItStarts() throws {
        let text = "name,category,description\nKeripik,makanan,enak\n\"Batik,fashion,tulis\nKopi,pertanian,robusta\nTeh,pertanian,hijau\n"
        #expect(throws: CSVImport.Failure(.unterminatedQuote(line: 3))) { try CSVImport.read(text) }
        let message = CSVImport.Failure(.unterminatedQuote(line: 3)).message(language: "en")
        #expect(message.hasPrefix("line 3: a quoted field starts here and its closing quote") && message.contains("import again"))
        #expect(CSVImport.Failure(.unterminatedQuote(line: 3)).message(language: "id").hasPrefix("baris 3:"))
        // Line breaks inside an earlier quoted field (CRLF, LF, CR) count as lines.
        let later = "name,description\r\nA,\"one\r\ntwo\"\r\nB,\"x\ny\"\nC,\"never closed\r\nD,d\r\n"
        #expect(throws: CSVImport.Failure(.unterminatedQuote(line: 6))) { try CSVImport.read(later) }
    }

    @Test func aQuoteThatIsNotDoubledIsRefused() throws {
        let text = "name,category\n\"Keripik \"Bu Sri\" asli\",makanan\n"
        #expect(throws: CSVImport.Failure(.strayQuote(line: 2))) { try CSVImport.read(text) }
        // Doubled quotes, spaces around quoted fields and quotes inside unquoted fields are fine.
        let good = try CSVImport.read("name,category\n \"Keripik \"\"Bu Sri\"\"\" , makanan\nKaos 5\" kecil,fashion\n")
        #expect(good.rows.map { $0.fields["name"] } == ["Keripik \"Bu Sri\"", "Kaos 5\" kecil"])
        #expect(good.rows.map(\.line) == [2, 3])
    }

    @Test func controlCharactersInCellsAreRefusedWithLineAndColumn() throws {
        let text = "name,category,description\nKeripik,makanan,\"two\nlines\tand a tab\"\nBa\u{0}tik,fashion,x\n"
        #expect(throws: CSVImport.Failure(.controlCharacter(line: 4, column: "name", scalar: 0))) { try CSVImport.read(text) }
        #expect(CSVImport.Failure(.controlCharacter(line: 4, column: "name", scalar: 0)).message(language: "en")
            .hasPrefix("line 4: column 'name' contains a control character (U+0000)"))
        #expect(throws: CSVImport.Failure(.controlCharacter(line: 2, column: "category", scalar: 0x1B))) {
            try CSVImport.read("name,category\nKopi,\u{1B}[31mmakanan\n")
        }
        #expect(throws: CSVImport.Failure(.controlCharacter(line: 2, column: "name", scalar: 0x85))) {
            try CSVImport.read("name,category\nKopi\u{85},makanan\n")
        }
    }

    // MARK: the CLI

    static func localNode(_ dir: TemporaryDirectory) async throws -> String {
        let node = DaemonProcess(name: "n", dir: dir)
        try await node.initialise(["--genesis"])
        return node.dataDir
    }

    @Test func productImportRefusesAnUnterminatedQuoteAndStoresNothing() async throws {
        let dir = TemporaryDirectory("tcinput")
        let data = try await Self.localNode(dir)
        let csv = "name,category,price_idr\nKeripik Tempe,makanan,15000\n\"Batik Tulis,fashion,350000\nKopi,pertanian,35000\n"
        try csv.write(toFile: dir.file("p.csv"), atomically: true, encoding: .utf8)
        let r = try await run(try Products.path("tcnode"), ["product", "import", dir.file("p.csv"), "--data-dir", data, "--lang", "en"])
        #expect(r.status == 1, "\(r.stdout)")
        #expect(r.stderr.contains("p.csv: line 3: a quoted field starts here and its closing quote (\") is missing"), "\(r.stderr)")
        #expect(r.stderr.contains("nothing was stored"))
        let list = try await run(try Products.path("tcnode"), ["product", "list", "--data-dir", data])
        #expect(list.status == 0 && list.stderr.contains("0 products"), "\(list.stdout) \(list.stderr)")
    }

    @Test func aNulInATextFieldIsRefusedWithTheFieldName() async throws {
        let dir = TemporaryDirectory("tcinput")
        let data = try await Self.localNode(dir)
        try "name,category\nBa\u{0}tik,kerajinan\n".write(toFile: dir.file("nul.csv"), atomically: true, encoding: .utf8)
        let csv = try await run(try Products.path("tcnode"), ["product", "import", dir.file("nul.csv"), "--data-dir", data, "--lang", "en"])
        #expect(csv.status == 1 && csv.stderr.contains("line 2: column 'name' contains a control character (U+0000)"), "\(csv.stderr)")

        let put = try await run(try Products.path("tcnode"), ["put", "product", "batik", "--data-dir", data,
                                                                "--json", #"{"name":"Ba\u0000tik","category":"kerajinan"}"#])
        #expect(put.status == 1 && put.stderr.contains("product: field 'name' contains a control character (U+0000)"), "\(put.stderr)")
        #expect(put.stderr.contains("nothing was stored"))
        let nested = try await run(try Products.path("tcnode"), ["put", "note", "n1", "--data-dir", data,
                                                                   "--json", #"{"lines":["ok","bell\u0007"]}"#])
        #expect(nested.status == 1 && nested.stderr.contains("field 'lines[1]' contains a control character (U+0007)"), "\(nested.stderr)")
        // A line break is fine in a description, not in a name.
        let name = try await run(try Products.path("tcnode"), ["product", "add", "--name", "Batik\nTulis", "--category", "kerajinan",
                                                                 "--data-dir", data, "--lang", "en"])
        #expect(name.status == 1 && name.stderr.contains("field 'name' contains a line break"), "\(name.stderr)")
        let description = try await run(try Products.path("tcnode"), ["product", "add", "--name", "Batik Tulis", "--category", "kerajinan",
                                                                        "--description", "Motif parang.\nPewarna alami.", "--data-dir", data, "--lang", "en"])
        #expect(description.status == 0, "\(description.stderr)")
        let log = try await run(try Products.path("tcnode"), ["log", "--data-dir", data, "--json"])
        #expect(!log.stdout.contains("\"batik\"") && log.stdout.contains("batik-tulis"), "only the valid product was stored")
    }

    @Test func aNonUTF8ArgumentIsAUsageError() async throws {
        let dir = TemporaryDirectory("tcinput")
        let data = try await Self.localNode(dir)
        // Process passes Swift strings; the shell's printf makes the raw byte 0xE9 (é in Latin-1).
        let script = #"exec "$0" product add --name "$(printf 'Kerupuk Udang Caf\351')" --category makanan --data-dir "$1""#
        let r = try await run("/bin/sh", ["-c", script, try Products.path("tcnode"), data])
        #expect(r.status == 64, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("is not UTF-8 text (byte 0xE9 after \"Kerupuk Udang Caf\")"), "\(r.stderr)")
        #expect(r.stderr.contains("iconv") && !r.stderr.contains("\u{FFFD}"))
        let list = try await run(try Products.path("tcnode"), ["product", "list", "--data-dir", data])
        #expect(!list.stdout.contains("Kerupuk"))
    }
}
