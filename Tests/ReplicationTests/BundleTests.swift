import Foundation
import HubViews
import Replication
import Telecenter
import Testing

/// Offline bundles between stores with no network between them
/// (PROTOCOL.md §13): round trips with photos, damage of every kind,
/// membership and revocation, and exports made against what the
/// destination holds.
@Suite struct BundleTests {
    /// A genesis hub, an admitted centre holding the hub's log, and blob
    /// stores for both.
    struct Pair {
        let dir = TemporaryDirectory("tcbundle")
        let hub: TestNode
        let centre: TestNode
        let hubBlobs: BlobStore
        let centreBlobs: BlobStore

        init() throws {
            hub = try makeNode(in: dir, name: "hub")
            centre = try makeNode(in: dir, name: "centre", network: hub.id)
            hubBlobs = BlobStore(root: dir.file("hub-blobs"))
            centreBlobs = BlobStore(root: dir.file("centre-blobs"))
            try hub.admit(centre.id, name: "Telecenter Blitar")
            _ = try centre.store.ingest(try entries(of: hub), from: hub.id)
        }

        func file(_ name: String) -> String { dir.file(name) }
    }

    static func photo(_ seed: Int, size: Int = 40) -> [UInt8] {
        TinyPNG.make(width: size, height: size) { x, y in (UInt8((x * seed) % 256), UInt8((y + seed) % 256), UInt8((x ^ y) % 256)) }
    }

    /// A product with a photo, stored in `blobs`.
    @discardableResult
    static func product(_ node: TestNode, _ blobs: BlobStore, _ n: Int, photoSeed: Int) throws -> Bytes32 {
        let bytes = photo(photoSeed, size: 30 + photoSeed % 40)
        let (sha, type) = try blobs.add(bytes)
        let body = #"{"name":"Produk \#(n)","category":"kerajinan","photos":[{"sha256":"\#(sha.hex)","size":\#(bytes.count),"type":"\#(type)"}]}"#
        try node.put("product", "produk-\(n)", body)
        return sha
    }

    static func export(_ node: TestNode, blobs: BlobStore?, to path: String, _ selection: BundleSelection = BundleSelection(),
                       name: String? = nil) async throws -> BundleExportSummary {
        let exporter = BundleExporter(store: node.store, key: node.key, blobs: blobs, name: name)
        return try await OffPool.run { try exporter.write(to: path, selection: selection) }
    }

    static func `import`(_ path: String, into node: TestNode, blobs: BlobStore?) async throws -> BundleImportReport {
        try await BundleImporter(store: node.store, blobs: blobs).run(path: path)
    }

    static func flip(_ path: String, at offset: UInt64) throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[Int(offset)] ^= 0x20
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Where the sections of a bundle are, by its manifest.
    static func sections(_ path: String) throws -> [BundleManifest.Section] {
        try Self.manifest(path)?.sections ?? []
    }

    static func manifest(_ path: String) throws -> BundleManifest? { try BundleInspection.inspect(path: path).manifest }

    @Test func roundTripWithPhotosThenReimportChangesNothing() async throws {
        let p = try Pair()
        var photos: [Bytes32] = []
        for i in 1...5 { photos.append(try Self.product(p.centre, p.centreBlobs, i, photoSeed: i)) }
        try p.centre.put("sale", "s1", #"{"product":"produk-1","date":"2026-03-01","amount_idr":15000}"#)
        let path = p.file("centre.tcb")
        let summary = try await Self.export(p.centre, blobs: p.centreBlobs, to: path, name: "Telecenter Blitar")
        // The centre's 6 entries and the hub's admit it holds.
        #expect(summary.entries == 7 && summary.photos == 5 && summary.missingPhotos == 0)
        #expect(try !FileManager.default.contentsOfDirectory(atPath: p.dir.path).contains { $0.hasSuffix(".part") })

        let before = try await p.hub.store.position()
        let report = try await Self.import(path, into: p.hub, blobs: p.hubBlobs)
        #expect(report.manifest == .verified && report.complete && report.problems.isEmpty, "\(report.problems)")
        #expect(report.entriesNew == 6 && report.entriesHeld == 1 && report.authorsNew == 1 && report.rejectedTotal == 0)
        #expect(report.photosNew == 5 && report.headsRecorded && report.sourceRecorded && report.exporterName == "Telecenter Blitar")
        for sha in photos { #expect(p.hubBlobs.contents(sha) == p.centreBlobs.contents(sha)) }
        #expect(try await p.hub.store.heads(movedAfter: 0).heads.sorted { $0.author < $1.author }
            == p.centre.store.heads(movedAfter: 0).heads.sorted { $0.author < $1.author })
        // Heard by bundle, not by network: stored_ms stays unset.
        #expect(try await p.hub.store.offPool { try $0.bundleHeard() }[p.centre.id] != nil)
        #expect(try await p.hub.store.offPool { try $0.authorSummaries() }.first { $0.author == p.centre.id }?.storedMs == nil)
        #expect(try await p.hub.store.offPool { try $0.bundleSources() }.first?.node == p.centre.id)
        #expect(try await p.hub.store.acknowledgedHeads(of: p.centre.id)[p.centre.id] == 6)

        // Again: nothing new, nothing rejected, nothing changed.
        let position = try await p.hub.store.position()
        #expect(position == before + 6)
        let sources = try await p.hub.store.offPool { try $0.bundleSources() }
        let again = try await Self.import(path, into: p.hub, blobs: p.hubBlobs)
        #expect(again.entriesNew == 0 && again.entriesHeld == 7 && again.photosNew == 0 && again.photosHeld == 5 && again.rejectedTotal == 0)
        #expect(try await p.hub.store.position() == position)
        #expect(try await p.hub.store.offPool { try $0.bundleSources() } == sources)
    }

    @Test func aFlippedByteInAnEntryLosesOnlyThatEntryAndWhatDependsOnIt() async throws {
        let p = try Pair()
        for i in 1...6 { try p.centre.put("product", "p\(i)", jsonBody(i)) }
        let path = p.file("c.tcb")
        _ = try await Self.export(p.centre, blobs: nil, to: path)
        // The 4th of the centre's entries: inside the ENTRIES section, in its body.
        let entriesSection = try #require(try Self.sections(path).first { $0.type == 4 })
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let fourth = try #require(data.range(of: Data(#""name":"Produk 4""#.utf8)))
        #expect(UInt64(fourth.lowerBound) > entriesSection.offset)
        try Self.flip(path, at: UInt64(fourth.lowerBound + 3))

        let report = try await Self.import(path, into: p.hub, blobs: nil)
        #expect(!report.complete && report.problems.contains { $0.code == .sectionChecksum && $0.section == 1 })
        #expect(report.entriesNew == 3)
        let signature = try #require(report.rejected.first { $0.reason == "signature" })
        #expect(signature.count == 1 && signature.author == p.centre.id.description && signature.seq == 4)
        // Entries 5 and 6 verify but cannot be stored without 4.
        #expect(report.rejected.first { $0.reason == "gap" }?.count == 2)
        #expect(try await p.hub.store.head(of: p.centre.id)?.seq == 3)
    }

    @Test func aFlippedByteInAPhotoRejectsThePhotoOnly() async throws {
        let p = try Pair()
        let good = try Self.product(p.centre, p.centreBlobs, 1, photoSeed: 7)
        let bad = try Self.product(p.centre, p.centreBlobs, 2, photoSeed: 9)
        let path = p.file("c.tcb")
        _ = try await Self.export(p.centre, blobs: p.centreBlobs, to: path)
        let blobSections = try Self.sections(path).filter { $0.type == 9 }
        #expect(blobSections.count == 2)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let target = try #require(blobSections.first { Data(data[Int($0.offset + 5)..<Int($0.offset + 37)]) == bad.data })
        try Self.flip(path, at: target.offset + target.length - 20)

        let report = try await Self.import(path, into: p.hub, blobs: p.hubBlobs)
        #expect(report.entriesNew == 2 && report.entriesRejected == 0)
        #expect(report.photosNew == 1 && report.photosRejected == 1)
        #expect(report.rejected.first?.reason == "photo-hash" && report.rejected.first?.photo == bad.hex)
        #expect(report.problems.contains { $0.code == .sectionChecksum })
        #expect(p.hubBlobs.has(good) && !p.hubBlobs.has(bad))
    }

    @Test func aFlippedByteInTheManifestKeepsEveryEntryButRecordsNothingOfTheExporter() async throws {
        let p = try Pair()
        for i in 1...3 { try p.centre.put("product", "p\(i)", jsonBody(i)) }
        let path = p.file("c.tcb")
        _ = try await Self.export(p.centre, blobs: nil, to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let at = try #require(data.range(of: Data(#""entry_bytes""#.utf8)))
        try Self.flip(path, at: UInt64(at.lowerBound + 2))

        let report = try await Self.import(path, into: p.hub, blobs: nil)
        #expect(report.manifest == .invalid && report.problems.first?.code == .manifestSignature)
        #expect(report.entriesNew == 3 && report.rejectedTotal == 0)
        #expect(!report.headsRecorded && !report.sourceRecorded)
        #expect(try await p.hub.store.offPool { try $0.bundleSources() }.isEmpty)
    }

    @Test func aTruncatedBundleKeepsTheEntriesBeforeTheCut() async throws {
        let p = try Pair()
        for i in 1...40 { try p.centre.put("product", "p\(i)", jsonBody(i)) }
        let path = p.file("c.tcb")
        _ = try await Self.export(p.centre, blobs: nil, to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = try #require(data.range(of: Data(#""name":"Produk 31""#.utf8)))
        try data.prefix(cut.lowerBound).write(to: URL(fileURLWithPath: path))

        let report = try await Self.import(path, into: p.hub, blobs: nil)
        #expect(report.manifest == .missing && !report.complete)
        #expect(report.problems.contains { $0.code == .truncated })
        #expect(report.entriesNew == 30 && report.rejectedTotal == 0)
        #expect(try await p.hub.store.head(of: p.centre.id)?.seq == 30)
        #expect(!report.headsRecorded)
    }

    @Test func anotherNetworksBundleIsRefusedBeforeAnythingIsStored() async throws {
        let p = try Pair()
        let other = try makeNode(in: p.dir, name: "other")
        for i in 1...3 { try other.put("product", "p\(i)", jsonBody(i)) }
        let path = p.file("other.tcb")
        _ = try await Self.export(other, blobs: nil, to: path)
        let before = try await p.hub.store.position()
        await #expect(throws: BundleFileError.self) { try await Self.import(path, into: p.hub, blobs: nil) }
        do {
            _ = try await Self.import(path, into: p.hub, blobs: nil)
        } catch let error as BundleFileError {
            #expect(error.code == .otherNetwork && error.message.contains("Nothing was imported"))
        }
        #expect(try await p.hub.store.position() == before)
        #expect(try await p.hub.store.offPool { try $0.bundleSources() }.isEmpty)
    }

    @Test func aRevokedAuthorsEntriesPastFromSeqAreRefusedAndReported() async throws {
        let p = try Pair()
        for i in 1...5 { try p.centre.put("product", "p\(i)", jsonBody(i)) }
        // A second centre relays the first one's log; it never saw the revoke.
        let relay = try makeNode(in: p.dir, name: "relay", network: p.hub.id)
        try p.hub.admit(relay.id)
        _ = try await relay.store.ingest(try entries(of: p.hub), from: p.hub.id)
        _ = try await relay.store.ingest(try entries(of: p.centre), from: p.centre.id)
        #expect(try await relay.store.head(of: p.centre.id)?.seq == 5)
        try p.hub.revoke(p.centre.id, fromSeq: 3)

        let path = p.file("relay.tcb")
        _ = try await Self.export(relay, blobs: nil, to: path)
        let report = try await Self.import(path, into: p.hub, blobs: nil)
        #expect(report.entriesNew == 2)
        let revoked = try #require(report.rejected.first { $0.reason == "revoked" })
        #expect(revoked.count == 3 && revoked.seq == 3 && revoked.author == p.centre.id.description)
        #expect(revoked.message.contains("from its entry 3"))
        #expect(try await p.hub.store.head(of: p.centre.id)?.seq == 2)
    }

    @Test func aNonMembersEntriesAreRefusedAndTheRestKept() async throws {
        let p = try Pair()
        // A delegated authority admits a stranger; the centre holds all of
        // it, the hub only the authority's own admit.
        let authority = try makeNode(in: p.dir, name: "authority", network: p.hub.id)
        try p.hub.admit(authority.id, role: .authority)
        _ = try await authority.store.ingest(try entries(of: p.hub), from: p.hub.id)
        _ = try await p.centre.store.ingest(try entries(of: p.hub, from: 2), from: p.hub.id)
        let stranger = try makeNode(in: p.dir, name: "stranger", network: p.hub.id)
        try authority.admit(stranger.id)
        for i in 1...3 { try stranger.put("product", "p\(i)", jsonBody(i)) }
        _ = try await p.centre.store.ingest(try entries(of: authority), from: authority.id)
        _ = try await p.centre.store.ingest(try entries(of: stranger), from: stranger.id)
        #expect(try await p.centre.store.head(of: stranger.id)?.seq == 3)
        try p.centre.put("product", "mine", jsonBody(1))

        var s = BundleSelection()
        s.authors = [stranger.id, p.centre.id]
        let path = p.file("c.tcb")
        _ = try await Self.export(p.centre, blobs: nil, to: path, s)
        let report = try await Self.import(path, into: p.hub, blobs: nil)
        #expect(report.entriesNew == 1)
        let refused = try #require(report.rejected.first { $0.reason == "not-a-member" })
        #expect(refused.count == 3 && refused.author == stranger.id.description && report.entriesRejected == 3)
        #expect(try await p.hub.store.head(of: stranger.id) == nil)
    }

    @Test func againstCarriesExactlyTheMissingEntries() async throws {
        let p = try Pair()
        for i in 1...10 { try p.centre.put("product", "p\(i)", jsonBody(i)) }
        // The hub got the first 4 some other way.
        _ = try await p.hub.store.ingest(Array(try entries(of: p.centre).prefix(4)), from: p.centre.id)
        let heads = p.file("hub-heads.tcb")
        let written = try await Self.export(p.hub, blobs: nil, to: heads, { var s = BundleSelection(); s.headsOnly = true; return s }())
        #expect(written.headsOnly && written.entries == 0 && written.heads == 2)

        let (node, held, id) = try BundleImporter.heads(of: heads, network: p.hub.id)
        #expect(node == p.hub.id && id == written.bundle)
        var selection = BundleSelection()
        selection.known = Dictionary(held.map { ($0.author, $0.seq) }, uniquingKeysWith: max)
        selection.against = id
        let path = p.file("c.tcb")
        let summary = try await Self.export(p.centre, blobs: nil, to: path, selection)
        #expect(summary.entries == 6 && summary.authors == 1)
        let manifest = try #require(try Self.manifest(path))
        let head = try #require(try await p.centre.store.head(of: p.centre.id))
        #expect(manifest.ranges.map { [$0.author, "\($0.from)", "\($0.to)", $0.to_id] }
            == [[p.centre.id.description, "5", "10", head.id.description]])
        let report = try await Self.import(path, into: p.hub, blobs: nil)
        #expect(report.entriesNew == 6 && report.entriesHeld == 0 && report.rejectedTotal == 0)
        #expect(try await p.hub.store.head(of: p.centre.id)?.seq == 10)

        // A heads file of another network is refused.
        let other = try makeNode(in: p.dir, name: "other")
        let foreign = p.file("foreign.tcb")
        _ = try await Self.export(other, blobs: nil, to: foreign, { var s = BundleSelection(); s.headsOnly = true; return s }())
        #expect(throws: BundleFileError.self) { try BundleImporter.heads(of: foreign, network: p.hub.id) }
    }

    @Test func anAckTravelsBackAndTheNextExportForThatNodeCarriesOnlyWhatIsMissing() async throws {
        let p = try Pair()
        for i in 1...5 { try p.centre.put("product", "p\(i)", jsonBody(i)) }
        let trip1 = p.file("trip1.tcb")
        var forHub = BundleSelection()
        forHub.destination = p.hub.id
        forHub.known = try await p.centre.store.acknowledgedHeads(of: p.hub.id)
        #expect(forHub.known.isEmpty)
        #expect(try await Self.export(p.centre, blobs: nil, to: trip1, forHub).entries == 6)
        let imported = try await Self.import(trip1, into: p.hub, blobs: nil)

        // The hub's ack goes back on the stick.
        let ack = p.file("trip1.ack.tcb")
        var ackSelection = BundleSelection()
        ackSelection.headsOnly = true
        ackSelection.acknowledges = imported.bundle
        _ = try await Self.export(p.hub, blobs: nil, to: ack, ackSelection)
        let recorded = try await Self.import(ack, into: p.centre, blobs: nil)
        #expect(recorded.contents == "heads" && recorded.headsRecorded && recorded.entriesRead == 0)
        #expect(try await p.centre.store.acknowledgedHeads(of: p.hub.id)[p.centre.id] == 5)

        // Next trip: only the two new entries.
        try p.centre.put("product", "p6", jsonBody(6))
        try p.centre.put("product", "p7", jsonBody(7))
        forHub.known = try await p.centre.store.acknowledgedHeads(of: p.hub.id)
        let trip2 = p.file("trip2.tcb")
        let summary = try await Self.export(p.centre, blobs: nil, to: trip2, forHub)
        #expect(summary.entries == 2 && summary.destination == p.hub.id.description)
        let second = try await Self.import(trip2, into: p.hub, blobs: nil)
        #expect(second.entriesNew == 2 && second.entriesHeld == 0)
        // An older ack no longer replaces the newer heads.
        let stale = try await Self.import(ack, into: p.centre, blobs: nil)
        #expect(!stale.headsRecorded)
    }

    @Test func sinceAuthorsAndKindsChooseRunsOfEachLog() async throws {
        let p = try Pair()
        try p.centre.put("product", "old", jsonBody(1), time: 1_000)
        try p.centre.put("sale", "s1", "{}", time: 2_000)
        try p.centre.put("product", "new", jsonBody(2), time: 3_000)
        try p.centre.put("training", "t1", "{}", time: 4_000)
        var s = BundleSelection()
        s.sinceMs = 2_000
        s.authors = [p.centre.id]
        s.kinds = ["product"]
        let path = p.file("c.tcb")
        let summary = try await Self.export(p.centre, blobs: nil, to: path, s)
        // seq 2 (first since 2000) through seq 3 (last product).
        #expect(summary.entries == 2)
        let manifest = try #require(try Self.manifest(path))
        #expect(manifest.ranges.map { [$0.from, $0.to] } == [[2, 3]])
        let report = try await Self.import(path, into: p.hub, blobs: nil)
        #expect(report.entriesNew == 0 && report.rejected.first?.reason == "gap" && report.rejected.first?.count == 2)
    }

    @Test func aCentreHeardOnlyByBundleShowsSoInTheHubsFreshnessTable() async throws {
        let p = try Pair()
        try p.centre.put("node", "profile", #"{"name":"Telecenter Blitar","type":"telecenter","region":{"provinsi":"Jawa Timur","kabupaten":"Kab. Blitar"}}"#)
        let path = p.file("c.tcb")
        _ = try await Self.export(p.centre, blobs: nil, to: path)
        _ = try await Self.import(path, into: p.hub, blobs: nil)
        let views = try Views(path: p.file("views.sqlite"), store: p.hub.store)
        let (hub, centre) = (p.hub, p.centre)
        let (row, page) = try await OffPool.run { () throws -> (CentreRow?, String) in
            try views.catchUp()
            let fresh = try Freshness.of(store: hub.store)
            let rows = try views.nodes(freshness: fresh).items
            let page = DashboardPages.overview(summary: try views.summary(freshness: fresh), stale: rows, sellers: [], latestSurveys: [],
                                               awards: try views.awards(year: "2026", limit: 5), language: "en", nowMs: fresh.nowMs, query: "")
            return (rows.first { $0.node == centre.id.description }, page)
        }
        let r = try #require(row)
        #expect(r.lastHeardNetworkMs == nil && r.lastBundleMs != nil && r.lastHeardMs == r.lastBundleMs)
        #expect(page.contains("Heard by network") && page.contains("By bundle (stick)"))
        _ = hub
    }
}
