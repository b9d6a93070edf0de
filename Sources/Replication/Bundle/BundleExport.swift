import Foundation
import GRDB

/// What a bundle should carry. Logs have no holes (PROTOCOL.md §2.6), so
/// every filter chooses, per author, one run of consecutive seqs: from the
/// first seq the destination lacks (and, with `sinceMs`, written since)
/// to the head (or, with `kinds`, the last entry of those kinds).
public struct BundleSelection: Sendable {
    /// The node the bundle is for (`--for`), named in the header.
    public var destination: NodeID?
    /// The highest seq of each author the destination is known to hold
    /// (from what it acknowledged, or a heads file); nothing below is carried.
    public var known: [NodeID: UInt64] = [:]
    /// The bundle id of the heads file `known` came from (`--against`).
    public var against: String?
    public var sinceMs: Int64?
    public var authors: Set<NodeID>?
    public var kinds: Set<String>?
    public var photos = true
    /// A heads file (or an ack): HEADS only, no entries or photos.
    public var headsOnly = false
    /// For an ack: the bundle whose import it follows.
    public var acknowledges: String?

    public init() {}
}

/// What an export wrote.
public struct BundleExportSummary: Sendable, Codable, Equatable {
    public var path: String
    public var bundle: String
    public var headsOnly: Bool
    public var entries: Int
    public var entryBytes: Int64
    public var authors: Int
    public var photos: Int
    public var photoBytes: Int64
    /// Photos the entries refer to that this node does not hold (not carried).
    public var missingPhotos: Int
    public var heads: Int
    public var bytes: Int64
    public var destination: String?

    public init(path: String, bundle: String, headsOnly: Bool, entries: Int, entryBytes: Int64, authors: Int, photos: Int,
                photoBytes: Int64, missingPhotos: Int, heads: Int, bytes: Int64, destination: String?) {
        self.path = path
        self.bundle = bundle
        self.headsOnly = headsOnly
        self.entries = entries
        self.entryBytes = entryBytes
        self.authors = authors
        self.photos = photos
        self.photoBytes = photoBytes
        self.missingPhotos = missingPhotos
        self.heads = heads
        self.bytes = bytes
        self.destination = destination
    }
}

/// Progress of a long export or import, for the operator (stderr).
public struct BundleProgress: Sendable, Equatable {
    public enum Phase: String, Sendable { case entries, photos }
    public var phase: Phase
    public var done: Int
    public var total: Int
}

/// Writes bundles from a store: everything selected as ENTRIES frames in the
/// order this node stored them (an admit before the entries it allows),
/// then the photos they refer to, then the signed manifest.
public struct BundleExporter: Sendable {
    public let store: Store
    public let key: NodeKey
    public let blobs: BlobStore?
    public var name: String?
    public var agent = "tcnode"
    public var clock: @Sendable () -> Int64 = Store.defaultClock
    /// Fixed for test vectors; random otherwise.
    public var bundleID: [UInt8]?

    public init(store: Store, key: NodeKey, blobs: BlobStore?, name: String? = nil) {
        precondition(key.id == store.node, "a bundle is signed by the store's own node")
        self.store = store
        self.key = key
        self.blobs = blobs
        self.name = name
    }

    struct Plan {
        var position: Int64 = 0
        var heads: [Head] = []
        var ranges: [BundleManifest.Range] = []
        var positions: [Int64] = []
    }

    /// Writes the bundle to `path` (through a temporary file, see
    /// `BundleFileWriter`). Synchronous: run it with `OffPool.run`.
    @available(*, noasync, message: "blocks a thread; run it with OffPool.run")
    public func write(to path: String, selection: BundleSelection,
                      progress: (@Sendable (BundleProgress) -> Void)? = nil) throws -> BundleExportSummary {
        let id = bundleID ?? (0..<16).map { _ in UInt8.random(in: 0 ... .max) }
        let created = clock()
        let writer = try BundleFileWriter(path: path)
        defer { writer.abandon() }
        var covers = BundleHeader.Covers(
            for: selection.destination?.description, against: selection.against, since_ms: selection.sinceMs,
            authors: selection.authors.map { $0.map(\.description).sorted() }, kinds: selection.kinds.map { $0.sorted() },
            photos: selection.photos && !selection.headsOnly)
        if selection.headsOnly { covers = BundleHeader.Covers(photos: false) }
        let header = BundleHeader(
            format: BundleFormat.version, bundle: Hex.encode(id), network: store.network.description, exporter: key.id.description,
            name: name, agent: agent, created_ms: created,
            contents: selection.headsOnly ? BundleHeader.contentsHeads : BundleHeader.contentsBundle, covers: covers,
            acknowledges: selection.acknowledges)
        try writer.writeMagic()
        try writer.writeFrame(type: BundleFormat.FrameType.header.rawValue, payload: Array(try BundleFormat.jsonEncoder.encode(header)))

        var entryCount = 0
        var entryBytes: Int64 = 0
        var photoOrder: [Bytes32] = []
        var photoSeen: Set<Bytes32> = []
        let plan = try store.read { db -> Plan in
            let plan = try Self.plan(db, selection: selection)
            // HEADS: everything this node holds, what the importer records
            // as this node's acknowledgement.
            var start = 0
            repeat {
                let slice = plan.heads[start..<min(plan.heads.count, start + Frame.maximumHeadsPerFrame)]
                try writer.writeFrame(type: Frame.Kind.heads.rawValue,
                                      payload: BundleSections.headsPayload(position: UInt64(plan.position), slice), records: slice.count)
                start += Frame.maximumHeadsPerFrame
            } while start < plan.heads.count

            var payload = EntriesPayload()
            func emit() throws {
                guard payload.count > 0 else { return }
                try writer.writeFrame(type: Frame.Kind.entries.rawValue, payload: payload.finish(), records: payload.count)
                payload = EntriesPayload()
                progress?(BundleProgress(phase: .entries, done: entryCount, total: plan.positions.count))
            }
            let marker = Array(#""photos""#.utf8)
            var at = 0
            while at < plan.positions.count {
                let chunk = plan.positions[at..<min(plan.positions.count, at + 500)]
                at += chunk.count
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT e.bytes, e.op = 1 AND r.seq = e.seq FROM entry e
                        LEFT JOIN record r ON r.author = e.author AND r.kind = e.kind AND r.key = e.key
                        WHERE e.position IN (\(placeholders)) ORDER BY e.position
                        """, arguments: StatementArguments(Array(chunk)))
                while let row = try rows.next() {
                    let bytes = [UInt8](row[0] as Data)
                    if !payload.fits(bytes.count) { try emit() }
                    payload.add(bytes)
                    entryCount += 1
                    entryBytes += Int64(bytes.count)
                    // Photos of current records only: a replaced photo is not carried.
                    if covers.photos, (row[1] as Bool?) == true, PhotoReferences.contains(bytes[...], marker),
                        let entry = try? Entry(decoding: bytes)
                    {
                        for ref in PhotoReferences.of(entry) where photoSeen.insert(ref.sha256).inserted { photoOrder.append(ref.sha256) }
                    }
                }
            }
            try emit()
            return plan
        }

        var photoList: [BundleManifest.Photo] = []
        var photoBytes: Int64 = 0
        var missing = 0
        for (i, sha) in photoOrder.enumerated() {
            guard let blobs, let bytes = blobs.contents(sha) else {
                missing += 1
                continue
            }
            var offset = 0
            repeat {
                let chunk = Array(bytes[offset..<min(bytes.count, offset + Frame.maximumBlobChunk)])
                try writer.writeFrame(type: Frame.Kind.blobData.rawValue,
                                      payload: BundleSections.blobPayload(sha256: sha, total: UInt64(bytes.count), offset: UInt64(offset), bytes: chunk),
                                      records: chunk.count)
                offset += chunk.count
            } while offset < bytes.count
            photoList.append(.init(sha256: sha.hex, size: Int64(bytes.count)))
            photoBytes += Int64(bytes.count)
            progress?(BundleProgress(phase: .photos, done: i + 1, total: photoOrder.count))
        }

        let manifest = BundleManifest(
            format: BundleFormat.version, bundle: header.bundle, network: header.network, exporter: header.exporter,
            created_ms: created, header_sha256: writer.headerSHA256, sections: writer.sections, entries: entryCount,
            entry_bytes: entryBytes, heads: plan.heads.count, photos: photoList.count, photo_bytes: photoBytes,
            missing_photos: missing, ranges: plan.ranges, photo_list: photoList)
        let json = Array(try BundleFormat.jsonEncoder.encode(manifest))
        try writer.finish(manifestPayload: key.sign(BundleFormat.signatureContext + json) + json)
        return BundleExportSummary(
            path: path, bundle: header.bundle, headsOnly: selection.headsOnly, entries: entryCount, entryBytes: entryBytes,
            authors: plan.ranges.count, photos: photoList.count, photoBytes: photoBytes, missingPhotos: missing,
            heads: plan.heads.count, bytes: Int64(writer.offset), destination: selection.destination?.description)
    }

    /// The heads to report and, unless only heads are asked for, the runs of
    /// each author's log to carry and the feed positions of their entries.
    static func plan(_ db: Database, selection: BundleSelection) throws -> Plan {
        var plan = Plan()
        plan.position = try Store.position(db)
        var authors: [(ref: Int64, head: Head)] = []
        for r in try Row.fetchAll(db, sql: "SELECT ref, key, seq, head_id FROM author WHERE seq > 0 ORDER BY head_position") {
            guard let author = NodeID(keyBytes: [UInt8](r[1] as Data)), let id = Bytes32(r[3] as Data) else { continue }
            let head = Head(author: author, seq: UInt64(r[2] as Int64), id: EntryID(hash: id))
            plan.heads.append(head)
            authors.append((r[0], head))
        }
        guard !selection.headsOnly else { return plan }
        let kinds = selection.kinds.map { Array($0) }
        for (ref, head) in authors {
            if let only = selection.authors, !only.contains(head.author) { continue }
            var from = (selection.known[head.author] ?? 0) + 1
            guard from <= head.seq else { continue }
            var to = head.seq
            var toID = head.id.hash
            if let since = selection.sinceMs {
                guard let first = try Int64.fetchOne(
                    db, sql: "SELECT min(seq) FROM entry WHERE author = ? AND seq >= ? AND time >= ?",
                    arguments: [ref, Int64(clamping: from), since]) else { continue }
                from = UInt64(first)
            }
            if let kinds {
                let placeholders = Array(repeating: "?", count: kinds.count).joined(separator: ",")
                guard let last = try Row.fetchOne(
                    db, sql: "SELECT seq, id FROM entry WHERE author = ? AND seq >= ? AND kind IN (\(placeholders)) ORDER BY seq DESC LIMIT 1",
                    arguments: StatementArguments([ref, Int64(clamping: from)] as [any DatabaseValueConvertible] + kinds)),
                    let id = Bytes32(last[1] as Data)
                else { continue }
                to = UInt64(last[0] as Int64)
                toID = id
            }
            plan.ranges.append(.init(author: head.author.description, from: from, to: to, to_id: toID.hex))
            plan.positions += try Int64.fetchAll(
                db, sql: "SELECT position FROM entry WHERE author = ? AND seq BETWEEN ? AND ?",
                arguments: [ref, Int64(clamping: from), Int64(clamping: to)])
        }
        plan.positions.sort()
        return plan
    }
}

/// One ENTRIES payload being filled, at most 4 MiB as senders keep them.
struct EntriesPayload {
    private var bytes: [UInt8] = [0, 0, 0, 0]
    private(set) var count = 0

    func fits(_ length: Int) -> Bool { count == 0 || bytes.count + 4 + length <= Frame.maximumEntriesPayload }

    mutating func add(_ entry: [UInt8]) {
        if count == 0 { bytes.reserveCapacity(Frame.maximumEntriesPayload) }
        bytes.appendBigEndian(UInt32(entry.count))
        bytes.append(contentsOf: entry)
        count += 1
    }

    mutating func finish() -> [UInt8] {
        let n = UInt32(count)
        bytes[0] = UInt8(n >> 24)
        bytes[1] = UInt8(truncatingIfNeeded: n >> 16)
        bytes[2] = UInt8(truncatingIfNeeded: n >> 8)
        bytes[3] = UInt8(truncatingIfNeeded: n)
        return bytes
    }
}
