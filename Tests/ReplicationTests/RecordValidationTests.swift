import Foundation
import Replication
import Telecenter
import Testing

@Suite struct RecordValidationTests {
    func problem(_ kind: String, _ body: String, key: String = "k") -> RecordError? {
        do {
            try RecordValidation.validate(kind: kind, key: key, body: Array(body.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func validRecordsPass() {
        #expect(problem("product", #"{"name":"Keripik","category":"makanan","price_idr":15000,"online_links":["https://shopee.co.id/x"]}"#) == nil)
        #expect(problem("training", #"{"title":"T","topic":"kewirausahaan","start":"2026-11-20","end":"2026-11-21","participants":{"perempuan":14,"laki_laki":6},"target_groups":["umkm","pengrajin"]}"#) == nil)
        #expect(problem("sale", #"{"product":"keripik","date":"2026-11-20","amount_idr":150000,"fee_idr":15000}"#) == nil)
        #expect(problem("activity", #"{"type":"content","title":"Berita","date":"2026-11-01"}"#) == nil)
        let photo = #"[{"sha256":"\#(String(repeating: "a", count: 64))","size":10,"type":"image/png"}]"#
        let scores = #"{"open_staffed":5,"equipment":4,"internet":3,"activities":4,"management":5,"benefit":4}"#
        let subject = NodeKey().id
        #expect(problem("monitoring", #"{"subject":"\#(subject)","date":"2026-11-20","period":"2026-S2","assessor":"Tim","scores":\#(scores),"classification":"optimal","photos":\#(photo)}"#) == nil)
        // Unknown kinds are not checked: they replicate untouched.
        #expect(problem("pengumuman", #"{"anything":[1,2,3]}"#) == nil)
    }

    /// A photo reference's `pieces` (PROTOCOL.md §11.1) is optional, but
    /// when written it must be 64 lowercase hex characters.
    @Test func aPhotosPiecesMustBeAHash() {
        let sha = String(repeating: "a", count: 64)
        func product(pieces: String) -> String {
            #"{"name":"Keripik","category":"makanan","photos":[{"sha256":"\#(sha)","size":10,"type":"image/png","pieces":\#(pieces)}]}"#
        }
        #expect(problem("product", product(pieces: "\"\(String(repeating: "b", count: 64))\"")) == nil)
        #expect(problem("product", product(pieces: "null")) == nil)
        #expect(problem("product", product(pieces: "\"\(String(repeating: "B", count: 64))\""))?.field == "photos[0].pieces")
        #expect(problem("product", product(pieces: "\"abc\""))?.field == "photos[0].pieces")
        #expect(problem("product", product(pieces: "7"))?.field == "photos[0].pieces")
    }

    @Test func errorsNameTheFieldAndWhatIsAllowed() {
        let wrongCategory = problem("product", #"{"name":"Keripik","category":"food"}"#)
        #expect(wrongCategory?.field == "category")
        #expect(wrongCategory?.message(language: "en").contains("pertanian, perikanan") == true)
        #expect(wrongCategory?.message(language: "id").contains("harus salah satu dari") == true)
        #expect(problem("product", #"{"category":"makanan"}"#)?.field == "name")
        #expect(problem("product", #"{"name":"x","category":"makanan","price_idr":"mahal"}"#)?.problem == .wrongType(expected: "a whole number"))
        #expect(problem("product", #"{"name":"x","category":"makanan","price_idr":-5}"#)?.field == "price_idr")
        #expect(problem("training", #"{"title":"T","topic":"x","start":"2026-11-20","participants":{"perempuan":1},"target_groups":["umkm"]}"#)?.field == "topic")
        #expect(problem("training", #"{"title":"T","topic":"jurnalistik","start":"20-11-2026","participants":{"perempuan":1},"target_groups":["umkm"]}"#)?.field == "start")
        #expect(problem("training", #"{"title":"T","topic":"jurnalistik","start":"2026-11-20","participants":{"perempuan":0},"target_groups":["umkm"]}"#)?.field == "participants")
        #expect(problem("training", #"{"title":"T","topic":"jurnalistik","start":"2026-11-20","participants":{"perempuan":3},"target_groups":["pilot"]}"#)?.field == "target_groups[0]")
        let scores = #"{"open_staffed":5,"equipment":4,"internet":3,"activities":4,"management":5,"benefit":9}"#
        let noPhoto = problem("monitoring", #"{"subject":"\#(NodeKey().id)","date":"2026-11-20","period":"2026-S2","assessor":"Tim","scores":\#(scores),"classification":"optimal"}"#)
        #expect(noPhoto?.field == "scores.benefit")
        #expect(problem("monitoring", #"{"subject":"not-a-node","date":"2026-11-20"}"#)?.field == "subject")
        #expect(problem("node", #"{"name":"Tc","type":"telecenter","region":{"provinsi":"Jawa Timur"}}"#)?.field == "region.kabupaten")
        #expect(problem("product", "[1]")?.problem == .notJSONObject)
    }

    /// Ranges read in the message's language.
    @Test func rangesAreWordedInBothLanguages() {
        let tooMany = problem("sale", #"{"product":"keripik","date":"2026-11-20","amount_idr":1000,"quantity":2000000000}"#)
        #expect(tooMany?.field == "quantity")
        #expect(tooMany?.message(language: "en") == #"sale: field 'quantity' must be 0 to 1000000000 (got "2000000000")"#)
        #expect(tooMany?.message(language: "id") == #"sale: kolom 'quantity' harus 0 sampai 1000000000 (isinya "2000000000")"#)
        let score = problem("monitoring", #"{"subject":"\#(NodeKey().id)","date":"2026-11-20","period":"2026-S2","assessor":"Tim","scores":{"open_staffed":9}}"#)
        #expect(score?.message(language: "id").contains("harus 1 sampai 5") == true)
        let latitude = problem("node", #"{"name":"Tc","type":"telecenter","region":{"provinsi":"Jawa Timur","kabupaten":"Kab. Blitar"},"location":{"lat":95,"lon":112}}"#)
        #expect(latitude?.message(language: "id").contains("harus -90 sampai 90") == true)
    }
}

@Suite struct SpreadsheetPriceTests {
    /// Digits, or dots between groups of three as Indonesians write
    /// thousands; a decimal point is refused, not read as a thousands dot.
    @Test func pricesAreDigitsOrThousandsGroups() {
        #expect(CSVImport.rupiah("15000") == 15000)
        #expect(CSVImport.rupiah("15.000") == 15000)
        #expect(CSVImport.rupiah("1.250.000") == 1_250_000)
        for wrong in ["15.5", "15.50", "1.5000", "1234.567", ".500", "15.", "15,000", "Rp 15.000", "15rb", "-5", "", "99999999999999999999"] {
            #expect(CSVImport.rupiah(wrong) == nil, "\(wrong)")
        }
        let error = RecordError(kind: "product", field: "price_idr", problem: .badFormat(CSVImport.rupiahFormat), value: "15.5")
        #expect(error.message(language: "en").hasPrefix("product: field 'price_idr' must be a whole number"))
        #expect(error.message(language: "id") == "product: kolom 'price_idr' harus bilangan bulat, seperti 15000 atau 15.000 (isinya \"15.5\")")
    }
}

@Suite struct RecordKeyTests {
    /// A sale's default key never repeats, not even within one millisecond.
    @Test func newSaleKeysNeverRepeat() {
        let keys = (0..<10_000).map { _ in RecordKeys.sale(date: "2026-11-22", product: "keripik-tempe", nowMs: 1_795_000_000_000) }
        #expect(Set(keys).count == keys.count)
        #expect(keys.allSatisfy { $0.hasPrefix("2026-11-22-keripik-tempe-1795000000000-") && $0.count <= 60 })
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        #expect(keys.allSatisfy { key in key.allSatisfy { allowed.contains($0) } })
    }
}

@Suite struct BlobStoreTests {
    static func png(_ n: Int) -> [UInt8] { TinyPNG.make(width: n, height: n) { x, y in (UInt8(x % 256), UInt8(y % 256), 7) } }

    @Test func photosAreCheckedByContentAndSize() throws {
        let dir = TemporaryDirectory("tcblob")
        let blobs = BlobStore(root: dir.file("blobs"), maxBytes: 100_000)
        let (sha, type) = try blobs.add(Self.png(40))
        #expect(type == "image/png" && blobs.has(sha))
        #expect(throws: BlobStore.Failure.notAnImage) { try blobs.add(Array("GIF89a not really".utf8)) }
        #expect(throws: BlobStore.Failure.self) { try blobs.add(Self.png(400)) }
        #expect(BlobStore.isImage([0xFF, 0xD8, 0xFF, 0xE0]) == "image/jpeg")
    }

    /// A transfer cut off midway resumes from the bytes held and is
    /// verified by hash before the photo counts as held.
    @Test func interruptedTransferResumesAndVerifies() throws {
        let dir = TemporaryDirectory("tcblob")
        let source = BlobStore(root: dir.file("a"))
        let photo = Self.png(300)
        let (sha, _) = try source.add(photo)
        let target = BlobStore(root: dir.file("b"))
        let total = UInt64(photo.count)
        let chunk = Frame.maximumBlobChunk
        // First connection: one chunk arrives, then the link drops.
        #expect(try target.append(sha, total: total, offset: 0, bytes: source.read(sha, offset: 0, length: chunk)!) == false)
        #expect(target.heldBytes(sha) == UInt64(chunk) && !target.has(sha))
        // A chunk at the wrong offset is refused and changes nothing.
        #expect(throws: BlobStore.Failure.offsetMismatch(held: UInt64(chunk), offered: 0)) {
            try target.append(sha, total: total, offset: 0, bytes: [1, 2, 3])
        }
        // Second connection asks from the held offset and completes.
        var offset = target.heldBytes(sha)
        var done = false
        while !done {
            let bytes = source.read(sha, offset: offset, length: chunk)!
            done = try target.append(sha, total: total, offset: offset, bytes: bytes)
            offset += UInt64(bytes.count)
        }
        #expect(target.has(sha) && target.contents(sha) == photo)

        // Bytes that do not hash to the name are discarded, not kept.
        let (other, _) = try source.add(Self.png(50))
        var forged = source.contents(other)!
        forged[forged.count - 20] ^= 0xFF
        #expect(throws: BlobStore.Failure.hashMismatch(expected: other.hex)) {
            try target.append(other, total: UInt64(forged.count), offset: 0, bytes: forged)
        }
        #expect(!target.has(other) && target.heldBytes(other) == 0)
    }
}
