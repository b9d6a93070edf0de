import Crypto
import Foundation
import Synchronization

/// Imports a bundle into a store: every entry is decoded and its signature
/// verified, then stored by the same rules as a peer's entries (chain,
/// membership and revocation, forks: `Store.ingestBundle`); photos are
/// checked by SHA-256 and content and kept only when an entry this node
/// keeps refers to them. A damaged or cut-short bundle loses only what is
/// damaged: every entry that verifies is kept, and the report says what was
/// not and why. Importing the same bundle again stores nothing.
///
/// The file is read and the entries are verified on threads of their own
/// (`OffPool`), several batches at once, while the store writes the ones
/// before them: verification (one core each) and SQLite overlap.
public struct BundleImporter: Sendable {
    public let store: Store
    public let blobs: BlobStore?
    /// Entries per verification batch and write transaction.
    public var batchSize = 2_000
    public var progress: (@Sendable (BundleProgress) -> Void)?
    /// After each stored batch (the daemon wakes its connections).
    public var afterIngest: (@Sendable (IngestResult, NodeID?) -> Void)?
    /// After a photo was stored (the daemon marks it held in its views).
    public var photoStored: (@Sendable (Bytes32) async -> Void)?

    public init(store: Store, blobs: BlobStore?) {
        self.store = store
        self.blobs = blobs
    }

    public func run(path: String) async throws -> BundleImportReport {
        let opened = try await OffPool.run { try OpenedBundle(path: path) }
        // Another network's bundle is refused before anything is stored.
        guard opened.network == store.network.description else {
            throw BundleFileError(.otherNetwork, "\(path) is a bundle of network \(opened.network.prefix(8)) (made by node \(opened.exporter.prefix(8))); this node is in network \(store.network.short). Nothing was imported: it is meant for another network's nodes.")
        }
        guard let exporter = NodeID(opened.exporter) else {
            throw BundleFileError(.damagedHeader, "\(path): the exporter named in the bundle is not a node id; nothing was imported. Ask for the bundle again.")
        }
        var report = BundleImportReport(
            file: path, bundle: opened.bundleID, network: opened.network, exporter: opened.exporter, exporterName: opened.header?.name,
            createdMs: opened.createdMs, contents: opened.isHeadsOnly ? BundleHeader.contentsHeads : BundleHeader.contentsBundle,
            manifest: opened.manifestState, complete: false, problems: opened.problems)
        let roster = store.roster
        let known = exporter != store.node && roster.standing(of: exporter) != .notMember
        let origin = known ? exporter : nil
        var state = ImportState(store: store, origin: origin, afterIngest: afterIngest)

        let cursor = ImportCursor(opened, maxPhoto: blobs?.maxBytes ?? 10 * 1024 * 1024, batchSize: batchSize)
        let total = opened.manifest?.entries ?? 0
        var inflight: [Task<CheckedBatch, Never>] = []
        func settle(keeping n: Int) async throws {
            while inflight.count > n {
                let batch = await inflight.removeFirst().value
                try await state.ingest(batch, report: &report)
                progress?(BundleProgress(phase: .entries, done: report.entriesRead, total: max(total, report.entriesRead)))
            }
        }
        // The next section is read while earlier batches are verified
        // (several at once) and stored.
        while let items = await OffPool.run({ cursor.next() }) {
            for item in items {
                switch item {
                case .entries(let raw):
                    report.entriesRead += raw.count
                    inflight.append(Task { await OffPool.run { CheckedBatch(raw) } })
                    try await settle(keeping: 2)
                case .heads(let heads, let whole):
                    state.heads += heads
                    state.headsWhole = state.headsWhole && whole
                case .photo(let sha, let bytes):
                    try await settle(keeping: 0)
                    try await state.keepPhoto(sha, bytes, blobs: blobs, photoStored: photoStored, report: &report)
                    progress?(BundleProgress(phase: .photos, done: report.photosNew + report.photosHeld + report.photosRejected,
                                             total: opened.manifest?.photos ?? 0))
                case .photoRejected(let sha, let reason, let message):
                    report.reject(reason, author: nil, seq: nil, photo: sha, message)
                case .problem(let p):
                    report.problems.append(p)
                }
            }
        }
        try await settle(keeping: 0)

        if let m = opened.manifest {
            if report.entriesRead != m.entries {
                report.problems.append(.init(.countMismatch, "the manifest lists \(m.entries) entries but \(report.entriesRead) could be read"))
            }
        }
        report.authorsNew = state.grown.count
        report.complete = opened.manifestState == .verified && report.problems.isEmpty
        let verified = known && opened.manifestState == .verified
        let receipt = BundleReceipt(
            bundle: Hex.decode(opened.bundleID) ?? [], exporter: exporter, name: opened.header?.name, madeMs: opened.createdMs,
            verified: verified, heads: verified && state.headsWhole ? state.heads : nil, newEntries: state.grown)
        if receipt.bundle.count == 16 {
            let recorded = try await store.recordBundle(receipt)
            report.headsRecorded = recorded.headsRecorded
            report.headsStale = recorded.headsStale
            report.sourceRecorded = recorded.sourceRecorded
        }
        return report
    }

    enum Item: Sendable {
        case entries([[UInt8]])
        case heads([Head], whole: Bool)
        case photo(Bytes32, [UInt8])
        case photoRejected(Bytes32, reason: String, message: String)
        case problem(BundleProblem)
    }
}

/// Reads a bundle one section at a time, for the import to pull from
/// (synchronous file I/O: called through `OffPool.run`), putting photos
/// together from their chunks and checking them by hash and content.
final class ImportCursor: Sendable {
    typealias Item = BundleImporter.Item
    private let opened: OpenedBundle
    private let sections: [SectionRef]
    private let maxPhoto: Int
    private let batchSize: Int
    private let state: Mutex<State>

    private struct State {
        var next = 0
        var finished = false
        var pending: [Item] = []
        var photo: (sha: Bytes32, total: UInt64, bytes: [UInt8])?
        var skipping: Bytes32?
    }

    init(_ opened: OpenedBundle, maxPhoto: Int, batchSize: Int) {
        self.opened = opened
        let (sections, problems) = opened.sectionPlan()
        self.sections = sections
        self.maxPhoto = maxPhoto
        self.batchSize = batchSize
        state = Mutex(State(pending: problems.map { .problem($0) }))
    }

    /// The records of the next section (several batches of entries at
    /// most); nil once everything was read.
    func next() -> [Item]? {
        state.withLock { s -> [Item]? in
            var out = s.pending
            s.pending = []
            guard s.next < sections.count else {
                if s.finished { return out.isEmpty ? nil : out }
                s.finished = true
                if let p = Self.dropIncomplete(&s) { out.append(p) }
                return out
            }
            let (section, problem) = opened.read(sections[s.next])
            s.next += 1
            if let problem { out.append(.problem(problem)) }
            out += items(section, &s)
            return out
        }
    }

    private func items(_ section: SectionRead, _ s: inout State) -> [Item] {
        switch section.type {
        case Frame.Kind.entries.rawValue:
            let (raw, wellFormed) = BundleSections.entries(section.payload)
            var out: [Item] = []
            if !wellFormed && section.complete {
                out.append(.problem(.init(.sectionDamaged, section: section.index, offset: section.offset,
                                          "section \(section.index + 1) (ENTRIES at byte \(section.offset)) is damaged: \(raw.count) entries in it could be read, the rest of it could not")))
            }
            var at = 0
            while at < raw.count {
                out.append(.entries(Array(raw[at..<min(raw.count, at + batchSize)])))
                at += batchSize
            }
            return out
        case Frame.Kind.heads.rawValue:
            if let (_, heads) = BundleSections.heads(section.payload) {
                return [.heads(heads, whole: section.checksumMatches != false && section.complete)]
            }
            return [.problem(.init(.sectionDamaged, section: section.index, offset: section.offset,
                                   "section \(section.index + 1) (HEADS at byte \(section.offset)) cannot be read")),
                    .heads([], whole: false)]
        case Frame.Kind.blobData.rawValue:
            guard let chunk = BundleSections.blobChunk(section.payload) else {
                return [.problem(.init(.sectionDamaged, section: section.index, offset: section.offset,
                                       "section \(section.index + 1) (BLOB_DATA at byte \(section.offset)) cannot be read"))]
            }
            return photoChunk(chunk, &s)
        default:
            return [.problem(.init(.sectionDamaged, section: section.index, offset: section.offset,
                                   "section \(section.index + 1) at byte \(section.offset) is of an unknown type (0x\(String(section.type, radix: 16))); skipped"))]
        }
    }

    private func photoChunk(_ chunk: (sha256: Bytes32, total: UInt64, offset: UInt64, bytes: ArraySlice<UInt8>), _ s: inout State) -> [Item] {
        if chunk.sha256 == s.skipping { return [] }
        var out: [Item] = []
        if let p = s.photo, p.sha != chunk.sha256, let dropped = Self.dropIncomplete(&s) { out.append(dropped) }
        if s.photo == nil {
            guard chunk.offset == 0 else {
                s.skipping = chunk.sha256
                return out + [.photoRejected(chunk.sha256, reason: "photo-incomplete",
                                             message: "photo \(chunk.sha256.hex.prefix(12))...: its first bytes are missing from the bundle")]
            }
            guard chunk.total <= UInt64(maxPhoto) else {
                s.skipping = chunk.sha256
                return out + [.photoRejected(chunk.sha256, reason: "photo-too-large",
                                             message: "photo \(chunk.sha256.hex.prefix(12))... is \(chunk.total) bytes; this node keeps photos up to \(maxPhoto) bytes (blob_max_bytes)")]
            }
            s.photo = (chunk.sha256, chunk.total, [])
            s.photo!.bytes.reserveCapacity(Int(chunk.total))
        }
        guard UInt64(s.photo!.bytes.count) == chunk.offset, chunk.total == s.photo!.total else {
            s.skipping = chunk.sha256
            return out + (Self.dropIncomplete(&s).map { [$0] } ?? [])
        }
        s.photo!.bytes.append(contentsOf: chunk.bytes)
        guard UInt64(s.photo!.bytes.count) == s.photo!.total else { return out }
        let p = s.photo!
        s.photo = nil
        let digest = SHA256.hash(data: p.bytes).withUnsafeBytes { Bytes32(unchecked: $0, at: 0) }
        guard digest == p.sha else {
            s.skipping = p.sha
            return out + [.photoRejected(p.sha, reason: "photo-hash",
                                         message: "photo \(p.sha.hex.prefix(12))...: its bytes do not hash to its name (changed or damaged); not stored")]
        }
        guard BlobStore.isImage(p.bytes) != nil else {
            return out + [.photoRejected(p.sha, reason: "photo-not-image", message: "photo \(p.sha.hex.prefix(12))... is not a JPEG or PNG image; not stored")]
        }
        return out + [.photo(p.sha, p.bytes)]
    }

    private static func dropIncomplete(_ s: inout State) -> Item? {
        guard let p = s.photo else { return nil }
        s.photo = nil
        return .photoRejected(p.sha, reason: "photo-incomplete",
                              message: "photo \(p.sha.hex.prefix(12))...: only \(p.bytes.count) of its \(p.total) bytes are in the bundle")
    }
}

/// Decodes and verifies a batch, keeping going past bad entries.
struct CheckedBatch: Sendable {
    struct Bad: Sendable {
        let author: NodeID?
        let seq: UInt64?
        let error: EntryError
    }

    struct Reference: Sendable {
        let sha256: Bytes32
        let author: NodeID
        let seq: UInt64
        let id: EntryID
    }

    var good: [VerifiedEntry] = []
    var bad: [Bad] = []
    var references: [Reference] = []

    init(_ raw: [[UInt8]]) {
        good.reserveCapacity(raw.count)
        for bytes in raw {
            do {
                let entry = try Entry(decoding: bytes)
                do {
                    let verified = try entry.verified()
                    good.append(verified)
                    for ref in PhotoReferences.of(entry) {
                        references.append(Reference(sha256: ref.sha256, author: entry.author, seq: entry.seq, id: entry.id))
                    }
                } catch {
                    bad.append(Bad(author: entry.author, seq: entry.seq, error: error))
                }
            } catch {
                bad.append(Bad(author: nil, seq: nil, error: error))
            }
        }
    }
}

/// The storing side of an import: results folded into the report.
struct ImportState {
    let store: Store
    let origin: NodeID?
    let afterIngest: (@Sendable (IngestResult, NodeID?) -> Void)?
    var heads: [Head] = []
    var headsWhole = true
    /// Authors whose logs grew, and by how many entries.
    var grown: [NodeID: UInt64] = [:]
    /// Photos referred to by verified entries: by whom.
    var references: [Bytes32: [CheckedBatch.Reference]] = [:]

    init(store: Store, origin: NodeID?, afterIngest: (@Sendable (IngestResult, NodeID?) -> Void)?) {
        self.store = store
        self.origin = origin
        self.afterIngest = afterIngest
    }

    mutating func ingest(_ batch: CheckedBatch, report: inout BundleImportReport) async throws {
        for bad in batch.bad {
            report.reject(bad.error.reason, author: bad.author, seq: bad.seq, bad.error.description)
        }
        for ref in batch.references where (references[ref.sha256]?.count ?? 0) < 8 { references[ref.sha256, default: []].append(ref) }
        var pending = batch.good
        while !pending.isEmpty {
            let (result, grown) = try await store.ingestBundle(pending, from: origin)
            afterIngest?(result, origin)
            report.entriesNew += result.stored
            report.entriesHeld += result.duplicates
            for (author, n) in grown { self.grown[author, default: 0] += n }
            // What the store did not keep and did not list (it counts gaps
            // only): entries above the author's head after the batch.
            let roster = store.roster
            var listed = Set(result.refused.map { "\($0.author)/\($0.seq)" })
            for f in result.forks { listed.insert("\(f.author)/\(f.seq)") }
            for verified in pending.prefix(result.rejection?.index ?? pending.count) {
                let e = verified.entry
                guard e.seq > result.heads[e.author] ?? 0, !listed.contains("\(e.author)/\(e.seq)") else { continue }
                if let from = roster.revokedFrom(e.author), e.seq >= from {
                    report.reject("revoked", author: e.author, seq: e.seq, Self.revokedMessage(e.author, from: from))
                } else if roster.acceptedLimit(e.author) == 0 {
                    report.reject("not-a-member", author: e.author, seq: e.seq, Self.notMemberMessage(e.author))
                } else {
                    report.reject("gap", author: e.author, seq: e.seq,
                                  "author \(e.author.short): the entries before seq \(e.seq) are not held here (the bundle was made for a node holding more: export again without --since, or --for this node)")
                }
            }
            for r in result.refused {
                switch r.reason {
                case .revoked:
                    report.reject("revoked", author: r.author, seq: r.seq, Self.revokedMessage(r.author, from: roster.revokedFrom(r.author)))
                case .forkedAuthor:
                    report.reject("forked-author", author: r.author, seq: r.seq, "author \(r.author.short) signed two different entries for one seq (a fork); nothing more of it is taken until an operator acts")
                }
            }
            for f in result.forks {
                report.reject("fork", author: f.author, seq: f.seq, "author \(f.author.short) signed another entry for seq \(f.seq) than the one held: a fork, recorded as evidence; its log is frozen here")
            }
            guard let rejection = result.rejection else { break }
            // A non-member: skip its entries, go on with the others.
            let rest = pending[(rejection.index + 1)...]
            let skipped = rest.filter { $0.entry.author == rejection.author }.count
            report.reject("not-a-member", author: rejection.author, seq: rejection.seq, count: 1 + skipped, Self.notMemberMessage(rejection.author))
            pending = rest.filter { $0.entry.author != rejection.author }
        }
    }

    static func revokedMessage(_ author: NodeID, from: UInt64?) -> String {
        "author \(author.short) was revoked\(from.map { " from its entry \($0)" } ?? ""); its entries from then on are refused"
    }

    static func notMemberMessage(_ author: NodeID) -> String {
        "author \(author.short) is not a member of this network here; once it is admitted, import the bundle again"
    }

    /// Keeps a verified photo if an entry this node holds refers to it.
    mutating func keepPhoto(_ sha: Bytes32, _ bytes: [UInt8], blobs: BlobStore?, photoStored: (@Sendable (Bytes32) async -> Void)?,
                            report: inout BundleImportReport) async throws {
        var referenced = false
        for ref in references[sha] ?? [] where try await store.entry(author: ref.author, seq: ref.seq)?.id == ref.id {
            referenced = true
            break
        }
        guard referenced else {
            report.reject("photo-unreferenced", author: nil, seq: nil, photo: sha,
                          "photo \(sha.hex.prefix(12))...: no entry this node keeps refers to it; not stored")
            return
        }
        guard let blobs else {
            report.reject("photo-storage", author: nil, seq: nil, photo: sha, "this node keeps no photos")
            return
        }
        if await OffPool.run({ blobs.has(sha) }) {
            report.photosHeld += 1
            return
        }
        do {
            _ = try await OffPool.run { try blobs.add(bytes) }
        } catch {
            report.reject("photo-storage", author: nil, seq: nil, photo: sha, "photo \(sha.hex.prefix(12))... could not be stored: \(error)")
            return
        }
        report.photosNew += 1
        await photoStored?(sha)
    }
}

extension BundleImporter {
    /// Reads the heads a heads file (or any bundle) reports: for `export
    /// --against`. Refused unless its manifest verifies and it is of this
    /// network.
    public static func heads(of path: String, network: NodeID) throws -> (node: NodeID, heads: [Head], bundle: String) {
        let opened = try OpenedBundle(path: path)
        guard opened.network == network.description else {
            throw BundleFileError(.otherNetwork, "\(path) is of network \(opened.network.prefix(8)), not \(network.short)")
        }
        guard opened.manifestState == .verified, let node = NodeID(opened.exporter) else {
            throw BundleFileError(.unverified, "\(path): \(opened.problems.first?.message ?? "its manifest does not verify"); make the heads file again")
        }
        var heads: [Head] = []
        var whole = true
        opened.forEachSection({ section in
            guard section.type == Frame.Kind.heads.rawValue else { return true }
            guard section.checksumMatches == true, let (_, h) = BundleSections.heads(section.payload) else {
                whole = false
                return false
            }
            heads += h
            return true
        }, problem: { _ in })
        guard whole else { throw BundleFileError(.unverified, "\(path): its heads are damaged; make the heads file again") }
        return (node, heads, opened.bundleID)
    }
}
