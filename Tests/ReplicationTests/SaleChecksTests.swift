import Foundation
import Replication
import Telecenter
import Testing

/// What a centre records has to make sense: a sale is of a product the
/// centre lists and its fee is part of its amount, and nothing is dated in
/// the future (a day's margin for a clock or time zone off).
@Suite struct SaleChecksTests {
    /// The UTC date `offset` days from now, YYYY-MM-DD.
    static func day(_ offset: Int) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date().addingTimeInterval(Double(offset) * 86_400))
    }

    @Test func latestDateIsTomorrowInUTC() {
        #expect(RecordValidation.latestDate(nowMs: 1_798_675_200_000) == "2027-01-01", "2026-12-31T00:00Z")
        #expect(RecordValidation.latestDate(nowMs: 1_798_761_599_999) == "2027-01-01", "2026-12-31T23:59Z")
        #expect(RecordValidation.latestDate(nowMs: 1_772_236_800_000) == "2026-03-01", "2026-02-28: no 29th in 2026")
    }

    @Test func futureDatesAndFeesOverTheAmountAreRefusedInBothLanguages() {
        func problem(_ kind: String, _ body: String) -> RecordError? {
            do {
                try RecordValidation.validate(kind: kind, key: "k", body: Array(body.utf8), latestDate: "2026-11-30")
                return nil
            } catch {
                return error
            }
        }
        let sale = #"{"product":"keripik","date":"2026-12-01","amount_idr":10000,"fee_idr":1000}"#
        let future = problem("sale", sale)
        #expect(future?.field == "date" && future?.problem == .inFuture(latest: "2026-11-30"))
        #expect(future?.message(language: "en") == "sale: field 'date' (2026-12-01) is a date in the future: record what has happened, dated today or earlier (dates up to 2026-11-30 are taken, for a clock a day off). If this PC's date is wrong, set its clock")
        #expect(future?.message(language: "en").contains("dates up to 2026-11-30 are taken, for a clock a day off") == true)
        #expect(future?.message(language: "id").contains("berisi tanggal yang belum tiba") == true)
        #expect(problem("sale", sale.replacingOccurrences(of: "2026-12-01", with: "2026-11-30")) == nil)
        let fee = problem("sale", #"{"product":"keripik","date":"2026-11-01","amount_idr":10000,"fee_idr":12000}"#)
        #expect(fee?.field == "fee_idr" && fee?.message(language: "en").contains("larger than the sale's amount (10000)") == true)
        #expect(fee?.message(language: "id").contains("lebih besar dari nilai penjualan (10000)") == true)
        #expect(problem("sale", #"{"product":"keripik","date":"2026-11-01","amount_idr":10000,"fee_idr":10000}"#) == nil)
        #expect(problem("training", #"{"title":"T","topic":"lainnya","start":"2027-01-01","participants":{"perempuan":1},"target_groups":["umum"]}"#)?.field == "start")
        #expect(problem("activity", #"{"type":"mentoring","title":"M","date":"2027-01-01"}"#)?.field == "date")
        // Records other centres wrote are not judged by this node's clock.
        #expect((try? RecordValidation.validate(kind: "sale", key: "k", body: Array(sale.utf8))) != nil)
    }

    @Test(.long) func theCLIChecksSalesAgainstTheProductListAndTheCalendar() async throws {
        let dir = TemporaryDirectory("tcsale")
        let data = try await CLIInputTests.localNode(dir)
        func tcnode(_ arguments: [String], lang: String = "en") async throws -> CommandResult {
            try await run(try Products.path("tcnode"), arguments + ["--data-dir", data, "--lang", lang])
        }
        // Indonesian words: the command, a category as people write it, rupiah with a thousands dot.
        let added = try await tcnode(["produk", "tambah", "--name", "Keripik Tempe", "--category", "Makanan", "--price", "15.000"], lang: "id")
        #expect(added.status == 0 && added.stdout.contains("produk keripik-tempe tersimpan"), "\(added.stdout) \(added.stderr)")

        let unknown = try await tcnode(["sale", "add", "--product", "kripik-tempe", "--date", Self.day(0), "--amount", "45.000"])
        #expect(unknown.status == 1, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("--product: this centre has no product 'kripik-tempe'. Did you mean 'keripik-tempe'?"), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("see `tcnode product list --mine`") && unknown.stderr.contains("nothing was stored"))
        let prefix = try await tcnode(["sale", "add", "--product", "kripik", "--date", Self.day(0), "--amount", "45.000"])
        #expect(prefix.status == 1 && prefix.stderr.contains("Did you mean 'keripik-tempe'?"), "a near miss of the key's beginning: \(prefix.stderr)")
        let unknownID = try await tcnode(["penjualan", "tambah", "--product", "kopi", "--date", Self.day(0), "--amount", "45.000"], lang: "id")
        #expect(unknownID.status == 1 && unknownID.stderr.contains("pusat ini tidak punya produk 'kopi'"), "\(unknownID.stderr)")

        let fee = try await tcnode(["sale", "add", "--product", "keripik-tempe", "--date", Self.day(0), "--amount", "10.000", "--fee", "12.000"])
        #expect(fee.status == 1 && fee.stderr.contains("field 'fee_idr' (12000) is larger than the sale's amount (10000)"), "\(fee.stderr)")

        let future = try await tcnode(["sale", "add", "--product", "keripik-tempe", "--date", Self.day(3), "--amount", "45.000"])
        #expect(future.status == 1 && future.stderr.contains("field 'date' (\(Self.day(3))) is a date in the future"), "\(future.stderr)")
        #expect(future.stderr.contains("dates up to \(Self.day(1)) are taken"))
        let training = try await tcnode(["training", "add", "--title", "Pemasaran", "--topic", "pemasaran-online", "--start", Self.day(5),
                                         "--women", "3", "--group", "umkm"])
        #expect(training.status == 1 && training.stderr.contains("field 'start' (\(Self.day(5))) is a date in the future"), "\(training.stderr)")
        let put = try await tcnode(["put", "activity", "a1", "--json", #"{"type":"mentoring","title":"M","date":"\#(Self.day(9))"}"#])
        #expect(put.status == 1 && put.stderr.contains("field 'date' (\(Self.day(9))) is a date in the future"), "\(put.stderr)")

        // By its name, dated today and tomorrow (the clock margin): stored under the product's key.
        for date in [Self.day(0), Self.day(1)] {
            let sale = try await tcnode(["sale", "add", "--product", "Keripik Tempe", "--date", date, "--amount", "45.000", "--fee", "4.500"])
            #expect(sale.status == 0, "\(sale.stderr)")
        }
        let list = try await tcnode(["sale", "list", "--json"])
        let sales = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(sales.count == 2 && sales.allSatisfy { ($0["body"] as? [String: Any])?["product"] as? String == "keripik-tempe" }, "\(list.stdout)")
    }
}
