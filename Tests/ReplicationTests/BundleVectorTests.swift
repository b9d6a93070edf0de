import Foundation
import Replication
import Telecenter
import Testing

/// `Fixtures/bundle-v1.tcb`, the example bundle of PROTOCOL.md §13.9: the
/// entries of the entry vectors (genesis G's admit of T, T's four entries)
/// and one more of T's with a photo, exported by T for G. Ed25519 signing
/// is deterministic, so the file is reproduced byte for byte. Set
/// TCNODE_WRITE_VECTORS=1 to write it again after a deliberate change.
@Suite struct BundleVectorTests {
    static let bundleID: [UInt8] = Array(0..<16)
    static let createdMs: Int64 = 1_764_000_000_000
    static let photo = TinyPNG.make(width: 4, height: 4) { x, y in (UInt8(x * 60), UInt8(y * 60), 200) }

    static var fixtureSource: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/bundle-v1.tcb").path
    }

    static func keys() throws -> (g: NodeKey, t: NodeKey) {
        let v = Vectors.shared.valid
        return (try NodeKey(seed: bytes(hex: v[0].seed_hex)), try NodeKey(seed: bytes(hex: v[1].seed_hex)))
    }

    /// T's store as the vectors leave it, plus the product with a photo; the bundle written to `path`.
    static func make(in dir: TemporaryDirectory, to path: String) throws -> BundleExportSummary {
        let (g, t) = try keys()
        let store = try Store.create(at: dir.file("t.sqlite"), network: g.id, node: t.id, clock: { createdMs })
        let entries = try Vectors.shared.valid.map { try Entry(decoding: bytes(hex: $0.entry_hex)).verified() }
        _ = try store.ingest(entries, from: g.id)
        let blobs = BlobStore(root: dir.file("blobs"))
        let (sha, type) = try blobs.add(photo)
        let body = #"{"name":"Anyaman Bambu","category":"kerajinan","price_idr":45000,"photos":[{"sha256":"\#(sha.hex)","size":\#(photo.count),"type":"\#(type)"}]}"#
        try store.append([.put(kind: "product", key: "anyaman-bambu", body: body, time: createdMs - 60_000)], signer: t)
        var exporter = BundleExporter(store: store, key: t, blobs: blobs, name: "Telecenter Kab. Blitar")
        exporter.agent = "tcnode/0.1.0"
        exporter.clock = { createdMs }
        exporter.bundleID = bundleID
        var selection = BundleSelection()
        selection.destination = g.id
        return try exporter.write(to: path, selection: selection)
    }

    @Test func theExampleBundleIsReproducedByteForByte() throws {
        let dir = TemporaryDirectory("tcvector")
        let path = dir.file("bundle-v1.tcb")
        let summary = try Self.make(in: dir, to: path)
        #expect(summary.entries == 6 && summary.photos == 1 && summary.heads == 2)
        let made = try Data(contentsOf: URL(fileURLWithPath: path))
        if ProcessInfo.processInfo.environment["TCNODE_WRITE_VECTORS"] == "1" {
            try made.write(to: URL(fileURLWithPath: Self.fixtureSource))
        }
        let url = try #require(Bundle.module.url(forResource: "bundle-v1", withExtension: "tcb", subdirectory: "Fixtures"))
        #expect(try Data(contentsOf: url) == made, "the exporter no longer writes the §13.9 vector byte for byte")
    }

    @Test func theExampleBundleReadsAsSpecified() async throws {
        let url = try #require(Bundle.module.url(forResource: "bundle-v1", withExtension: "tcb", subdirectory: "Fixtures"))
        let data = [UInt8](try Data(contentsOf: url))
        let (g, t) = try Self.keys()
        // Magic, then the header frame (type 0x40) with its JSON.
        #expect(Array(data[0..<8]) == [0x89, 0x54, 0x43, 0x42, 0x0D, 0x0A, 0x1A, 0x0A])
        let headerLength = Int(data[8]) << 24 | Int(data[9]) << 16 | Int(data[10]) << 8 | Int(data[11])
        #expect(data[12] == 0x40)
        let header = try JSONDecoder().decode(BundleHeader.self, from: Data(data[13..<(12 + headerLength)]))
        #expect(header.network == g.id.description && header.exporter == t.id.description && header.bundle == "000102030405060708090a0b0c0d0e0f")
        #expect(header.covers.for == g.id.description && header.contents == "bundle" && header.created_ms == Self.createdMs)
        // The end frame: 00 00 00 09 42 and the manifest's offset.
        let end = Array(data.suffix(13))
        #expect(Array(end[0..<5]) == [0, 0, 0, 9, 0x42])

        let path = url.path
        let inspection = try await OffPool.run { try BundleInspection.inspect(path: path) }
        #expect(inspection.isWhole && inspection.entries == 6 && inspection.heads == 2)
        let m = try #require(inspection.manifest)
        #expect(m.sections.map(\.type) == [2, 4, 9] && m.entries == 6 && m.photos == 1 && m.missing_photos == 0)
        #expect(m.ranges.map(\.author) == [g.id.description, t.id.description])

        // G imports it: T's five entries are new, the photo is kept.
        let dir = TemporaryDirectory("tcvector")
        let store = try Store.create(at: dir.file("g.sqlite"), network: g.id, node: g.id)
        _ = try await store.ingest([try Entry(decoding: bytes(hex: Vectors.shared.valid[0].entry_hex)).verified()], from: nil)
        let blobs = BlobStore(root: dir.file("blobs"))
        let report = try await BundleImporter(store: store, blobs: blobs).run(path: path)
        #expect(report.complete && report.entriesNew == 5 && report.entriesHeld == 1 && report.photosNew == 1 && report.headsRecorded)
        #expect(report.exporterName == "Telecenter Kab. Blitar")
    }
}
