import Foundation
import GRDB

public struct StoreStats: Sendable, Equatable, Codable {
    public var entries: Int
    public var authors: Int
    public var position: Int64
    /// Current (not deleted) records per kind.
    public var recordsByKind: [String: Int]
    public var forks: Int
    public var databaseBytes: Int64

    public static let empty = StoreStats(entries: 0, authors: 0, position: 0, recordsByKind: [:], forks: 0, databaseBytes: 0)
}

public struct ForkRecord: Sendable, Equatable {
    public let author: NodeID
    public let seq: UInt64
    public let heldID: EntryID?
    public let otherID: EntryID
    public let peer: NodeID?
    public let detectedMs: Int64
}

extension Store {
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try writer.read(body) } catch { throw Store.mapError(error, path: path) }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await writer.read(body) } catch { throw Store.mapError(error, path: path) }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        defer { wrote() }
        do { return try writer.write(body) } catch { throw Store.mapError(error, path: path) }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        defer { wrote() }
        do { return try await writer.write(body) } catch { throw Store.mapError(error, path: path) }
    }

    /// After every write transaction, whatever its outcome: the caches of
    /// what was read before it are stale.
    func wrote() {
        writes.add(1, ordering: .releasing)
    }

    // MARK: Heads

    static func position(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT position FROM meta WHERE id = 1") ?? 0
    }

    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func position() throws -> Int64 { try read(Store.position) }

    static func heads(_ db: Database, movedAfter requested: Int64, excludingOrigin peer: NodeID?) throws -> HeadsSnapshot {
        let now = try Store.position(db)
        // A position beyond ours comes from a peer that knew an older copy of
        // this feed (a restored backup): it gets every head.
        let position = requested > now ? 0 : requested
        let originRef = try peer.flatMap { try Int64.fetchOne(db, sql: "SELECT ref FROM author WHERE key = ?", arguments: [$0.key.data]) }
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT key, seq, head_id, head_position FROM author
                WHERE seq > 0 AND head_position > ? AND (head_origin IS NULL OR head_origin IS NOT ?)
                ORDER BY head_position
                """, arguments: [position, originRef])
        var heads: [Head] = []
        var positions: [Int64] = []
        while let r = try rows.next() {
            heads.append(Head(author: NodeID(keyBytes: [UInt8](r[0] as Data))!, seq: UInt64(r[1] as Int64),
                              id: EntryID(hash: Bytes32(r[2] as Data)!)))
            positions.append(r[3])
        }
        return HeadsSnapshot(position: now, heads: heads, positions: positions)
    }

    /// Heads whose position is after `position` (all heads for 0), leaving
    /// out those that last moved because of entries `peer` sent us.
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func heads(movedAfter position: Int64, excludingOrigin peer: NodeID? = nil) throws -> HeadsSnapshot {
        try read { db in try Store.heads(db, movedAfter: position, excludingOrigin: peer) }
    }

    public func heads(movedAfter position: Int64, excludingOrigin peer: NodeID? = nil) async throws -> HeadsSnapshot {
        try await read { db in try Store.heads(db, movedAfter: position, excludingOrigin: peer) }
    }

    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func head(of author: NodeID) throws -> Head? {
        try read { db in
            guard let r = try Row.fetchOne(db, sql: "SELECT seq, head_id FROM author WHERE key = ? AND seq > 0",
                                           arguments: [author.key.data]) else { return nil }
            return Head(author: author, seq: UInt64(r[0] as Int64), id: EntryID(hash: Bytes32(r[1] as Data)!))
        }
    }

    static func compare(_ db: Database, _ heads: [Head], roster: Roster) throws -> [HeadComparison] {
        let authorStatement = try db.cachedStatement(sql: "SELECT ref, seq, head_id, forked FROM author WHERE key = ?")
        let idStatement = try db.cachedStatement(sql: "SELECT id FROM entry WHERE author = ? AND seq = ?")
        return try heads.map { head in
            var localSeq: UInt64 = 0
            var localID: EntryID?
            var forked = false
            if let r = try Row.fetchOne(authorStatement, arguments: [head.author.key.data]) {
                let ref: Int64 = r[0]
                localSeq = UInt64(r[1] as Int64)
                forked = (r[3] as Int64) != 0
                if localSeq == head.seq {
                    localID = (r[2] as Data?).flatMap { Bytes32($0) }.map(EntryID.init)
                } else if localSeq > head.seq {
                    localID = try Data.fetchOne(idStatement, arguments: [ref, Int64(clamping: head.seq)])
                        .flatMap { Bytes32($0) }.map(EntryID.init)
                }
            }
            return HeadComparison(
                offered: head, localSeq: localSeq, localIDAtOfferedSeq: localID, forked: forked,
                acceptedLimit: roster.acceptedLimit(head.author), isAuthority: roster.isAuthority(head.author))
        }
    }

    /// Looks up each offered head against the log and the roster.
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func compare(_ heads: [Head]) throws -> [HeadComparison] {
        let roster = self.roster
        return try read { db in try Store.compare(db, heads, roster: roster) }
    }

    public func compare(_ heads: [Head]) async throws -> [HeadComparison] {
        let roster = self.roster
        return try await read { db in try Store.compare(db, heads, roster: roster) }
    }

    // MARK: Entries

    static func entryBytes(_ db: Database, author: NodeID, from: UInt64, to: UInt64, maxBytes: Int) throws -> [[UInt8]] {
        guard let ref = try Int64.fetchOne(db, sql: "SELECT ref FROM author WHERE key = ?", arguments: [author.key.data]) else {
            return []
        }
        let rows = try Data.fetchCursor(
            db, sql: "SELECT bytes FROM entry WHERE author = ? AND seq BETWEEN ? AND ? ORDER BY seq",
            arguments: [ref, Int64(clamping: from), Int64(clamping: to)])
        var out: [[UInt8]] = []
        var total = 0
        while let bytes = try rows.next() {
            if !out.isEmpty && total + bytes.count > maxBytes { break }
            total += bytes.count
            out.append([UInt8](bytes))
        }
        return out
    }

    /// Entry bytes of `author` from seq `from` through `to`, in order,
    /// stopping before `maxBytes` would be exceeded (at least one entry).
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func entryBytes(of author: NodeID, from: UInt64, to: UInt64, maxBytes: Int = .max) throws -> [[UInt8]] {
        try read { db in try Store.entryBytes(db, author: author, from: from, to: to, maxBytes: maxBytes) }
    }

    public func entryBytes(of author: NodeID, from: UInt64, to: UInt64, maxBytes: Int = .max) async throws -> [[UInt8]] {
        try await read { db in try Store.entryBytes(db, author: author, from: from, to: to, maxBytes: maxBytes) }
    }

    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func entry(author: NodeID, seq: UInt64) throws -> Entry? {
        try entryBytes(of: author, from: seq, to: seq).first.map { try Entry(decoding: $0) }
    }

    // MARK: Records

    /// The current entry of a record (a put or a tombstone), if any.
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func record(author: NodeID, kind: String, key: String) throws -> Entry? {
        try read { db in
            guard let bytes = try Data.fetchOne(
                db,
                sql: """
                    SELECT e.bytes FROM record r JOIN author a ON a.ref = r.author
                    JOIN entry e ON e.author = r.author AND e.seq = r.seq
                    WHERE a.key = ? AND r.kind = ? AND r.key = ?
                    """, arguments: [author.key.data, kind, key])
            else { return nil }
            return try Entry(decoding: [UInt8](bytes))
        }
    }

    /// Current, not deleted records of a kind, optionally of one author,
    /// ordered by author then key.
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func records(kind: String, author: NodeID? = nil, includeDeleted: Bool = false) throws -> [Entry] {
        try read { db in
            var sql = """
                SELECT e.bytes FROM record r JOIN author a ON a.ref = r.author
                JOIN entry e ON e.author = r.author AND e.seq = r.seq
                WHERE r.kind = ?
                """
            var arguments: StatementArguments = [kind]
            if !includeDeleted { sql += " AND r.op = 1" }
            if let author {
                sql += " AND a.key = ?"
                arguments += [author.key.data]
            }
            sql += " ORDER BY a.key, r.key"
            return try Data.fetchAll(db, sql: sql, arguments: arguments).map { try Entry(decoding: [UInt8]($0)) }
        }
    }

    /// Entries in feed order (newest first when `newestFirst`).
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func log(author: NodeID? = nil, limit: Int = 100, newestFirst: Bool = true) throws -> [Entry] {
        try read { db in
            var sql = "SELECT e.bytes FROM entry e"
            var arguments: StatementArguments = []
            if let author {
                sql += " JOIN author a ON a.ref = e.author WHERE a.key = ?"
                arguments += [author.key.data]
            }
            sql += " ORDER BY e.position \(newestFirst ? "DESC" : "ASC") LIMIT ?"
            arguments += [limit]
            return try Data.fetchAll(db, sql: sql, arguments: arguments).map { try Entry(decoding: [UInt8]($0)) }
        }
    }

    /// Every admit and revoke entry held, by author and seq: what the
    /// roster is folded from.
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func networkEntries() throws -> [Entry] {
        try read { db in
            try Data.fetchAll(db, sql: "SELECT bytes FROM entry WHERE kind IN ('admit', 'revoke') ORDER BY author, seq")
                .map { try Entry(decoding: [UInt8]($0)) }
        }
    }

    public struct AuthorSummary: Sendable, Equatable {
        public let author: NodeID
        public let seq: UInt64
        /// When this node last stored an entry of the author (ms), if ever.
        public let storedMs: Int64?
        public let forked: Bool
    }

    /// Every author held, with its head and when it was last heard from.
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func authorSummaries() throws -> [AuthorSummary] {
        // Counted before the read: a write that lands during it makes the
        // next call read again.
        let asOf = writes.load(ordering: .acquiring)
        if let cached = authorCache.withLock({ $0 }), cached.writes == asOf { return cached.summaries }
        let summaries = try read { db in
            // A row at a time, the key read in place: a hub's dashboard asks
            // for every author's (ten thousand centres) on each page.
            let rows = try Row.fetchCursor(db, sql: "SELECT key, seq, stored_ms, forked FROM author WHERE seq > 0")
            var out: [AuthorSummary] = []
            while let r = try rows.next() {
                guard let author = try r.withUnsafeData(atIndex: 0, { $0.flatMap { NodeID(keyBytes: $0) } }) else { continue }
                out.append(AuthorSummary(author: author, seq: UInt64(r[1] as Int64), storedMs: r[2], forked: (r[3] as Int64) != 0))
            }
            return out
        }
        authorCache.withLock { $0 = (asOf, summaries) }
        return summaries
    }

    /// Entries stored after feed position `position`, in feed order, with
    /// their positions (for followers such as the hub's views).
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func entries(after position: Int64, limit: Int) throws -> [(position: Int64, entry: Entry)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT position, bytes FROM entry WHERE position > ? ORDER BY position LIMIT ?",
                             arguments: [position, limit]).map { r in
                (r[0] as Int64, try Entry(decoding: [UInt8](r[1] as Data)))
            }
        }
    }

    /// Current records of one author, every kind, deleted ones included.
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func records(of author: NodeID) throws -> [Entry] {
        try read { db in
            try Data.fetchAll(
                db,
                sql: """
                    SELECT e.bytes FROM record r JOIN author a ON a.ref = r.author
                    JOIN entry e ON e.author = r.author AND e.seq = r.seq WHERE a.key = ? ORDER BY r.position
                    """, arguments: [author.key.data]
            ).map { try Entry(decoding: [UInt8]($0)) }
        }
    }

    // MARK: Sync state

    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func checkpoint(for peer: NodeID) throws -> Checkpoint? {
        try checkpoint(for: peer, wanting: nil)
    }

    /// The checkpoint of `peer`'s feed if it was made under an interest
    /// that covers `interest` (PROTOCOL.md §7.16); nil otherwise, so a
    /// widened interest is offered every head again.
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func checkpoint(for peer: NodeID, wanting interest: Interest?) throws -> Checkpoint? {
        try read { db in
            guard let r = try Row.fetchOne(
                db, sql: "SELECT c.feed, c.position, c.interest FROM checkpoint c JOIN author a ON a.ref = c.peer WHERE a.key = ?",
                arguments: [peer.key.data]),
                let feed = FeedID(bytes: [UInt8](r[0] as Data))
            else { return nil }
            let madeUnder = (r[2] as String?).map { Interest(json: $0) }
            // A stored interest this build cannot read covers nothing.
            if case .some(.none) = madeUnder { return nil }
            guard Interest.covers(madeUnder ?? nil, interest) else { return nil }
            return Checkpoint(feed: feed, position: r[1])
        }
    }

    static func authorRef(_ db: Database, _ id: NodeID) throws -> Int64 {
        if let ref = try Int64.fetchOne(db, sql: "SELECT ref FROM author WHERE key = ?", arguments: [id.key.data]) {
            return ref
        }
        try db.execute(sql: "INSERT INTO author(key) VALUES (?)", arguments: [id.key.data])
        return db.lastInsertedRowID
    }

    static func saveCheckpoint(_ db: Database, _ checkpoint: Checkpoint, peer: NodeID, interest: Interest?, now: Int64) throws {
        let ref = try authorRef(db, peer)
        try db.execute(
            sql: """
                INSERT INTO checkpoint(peer, feed, position, updated_ms, interest) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(peer) DO UPDATE SET feed = excluded.feed, position = excluded.position,
                    updated_ms = excluded.updated_ms, interest = excluded.interest
                """, arguments: [ref, Data(checkpoint.feed.bytes), checkpoint.position, now, interest?.json])
    }

    /// Saves how far this node has read `peer`'s feed, under `interest`
    /// (what this node asked that peer for; nil: everything).
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func saveCheckpoint(_ checkpoint: Checkpoint, for peer: NodeID, interest: Interest? = nil) throws {
        let now = clock()
        try write { db in try Store.saveCheckpoint(db, checkpoint, peer: peer, interest: interest, now: now) }
    }

    public func saveCheckpoint(_ checkpoint: Checkpoint, for peer: NodeID, interest: Interest? = nil) async throws {
        let now = clock()
        try await write { db in try Store.saveCheckpoint(db, checkpoint, peer: peer, interest: interest, now: now) }
    }

    /// Heads of non-member authors remembered per peer (PROTOCOL.md §7.8):
    /// beyond this the oldest are forgotten, so a member inventing authors
    /// cannot make this node store without bound. It is as many as one
    /// HEADS frame carries (`Frame.maximumHeadsPerFrame`; a test checks they
    /// agree), so a fresh node whose roster arrives after the heads of a
    /// whole network keeps them all.
    public static let maximumPendingPerPeer = 100_000

    static func savePending(_ db: Database, _ heads: [Head], peer: NodeID, wanted: Bool = false) throws {
        guard !heads.isEmpty else { return }
        let peerRef = try authorRef(db, peer)
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO pending_offer(author_key, peer, seq, id, wanted) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(author_key, peer) DO UPDATE SET seq = excluded.seq, id = excluded.id, wanted = excluded.wanted
            WHERE excluded.seq > pending_offer.seq OR excluded.wanted > pending_offer.wanted
            """)
        for head in wanted ? heads[...] : heads.suffix(Store.maximumPendingPerPeer) {
            try upsert.execute(arguments: [head.author.key.data, peerRef, Int64(clamping: head.seq), head.id.hash.data, wanted ? 1 : 0])
        }
        if wanted { return }
        // The oldest non-members' beyond the bound are forgotten (rowid
        // order is insertion order); heads being fetched are not. Counted
        // first: the common case is far below the bound.
        let held = try Int.fetchOne(
            db, sql: "SELECT count(*) FROM pending_offer WHERE peer = ? AND wanted = 0", arguments: [peerRef]) ?? 0
        guard held > Store.maximumPendingPerPeer else { return }
        try db.execute(
            sql: """
                DELETE FROM pending_offer WHERE peer = ?1 AND wanted = 0 AND rowid NOT IN
                    (SELECT rowid FROM pending_offer WHERE peer = ?1 AND wanted = 0 ORDER BY rowid DESC LIMIT ?2)
                """, arguments: [peerRef, Store.maximumPendingPerPeer])
    }

    /// Remembers heads a peer offered whose entries are being fetched, so
    /// the checkpoint of its feed can move before they arrive.
    public func saveOffered(_ heads: [Head], by peer: NodeID) async throws {
        try await write { db in try Store.savePending(db, heads, peer: peer, wanted: true) }
    }

    /// Remembers heads a peer offered for authors that are not members yet.
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func savePending(_ heads: [Head], offeredBy peer: NodeID) throws {
        try write { db in try Store.savePending(db, heads, peer: peer) }
    }

    public func savePending(_ heads: [Head], offeredBy peer: NodeID) async throws {
        try await write { db in try Store.savePending(db, heads, peer: peer) }
    }

    static func pendingHeads(_ db: Database, peer: NodeID, authors: [NodeID]? = nil) throws -> [Head] {
        let decode = { (r: Row) in
            Head(author: NodeID(keyBytes: [UInt8](r[0] as Data))!, seq: UInt64(r[1] as Int64), id: EntryID(hash: Bytes32(r[2] as Data)!))
        }
        guard let authors else {
            // Heads already reached are dropped on the way.
            try db.execute(sql: """
                DELETE FROM pending_offer WHERE seq <= (SELECT a.seq FROM author a WHERE a.key = pending_offer.author_key)
                """)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT p.author_key, p.seq, p.id FROM pending_offer p
                    JOIN author peer ON peer.ref = p.peer WHERE peer.key = ?
                    """, arguments: [peer.key.data]
            ).map(decode)
        }
        // Just admitted authors: looked up one by one (the primary key is
        // (author_key, peer)), since an admit batch is small next to what
        // a peer may have pending.
        guard let peerRef = try Int64.fetchOne(db, sql: "SELECT ref FROM author WHERE key = ?", arguments: [peer.key.data]) else {
            return []
        }
        let lookup = try db.cachedStatement(sql: "SELECT author_key, seq, id FROM pending_offer WHERE author_key = ? AND peer = ?")
        var heads: [Head] = []
        for author in Set(authors) {
            if let row = try Row.fetchOne(lookup, arguments: [author.key.data, peerRef]) { heads.append(decode(row)) }
        }
        return heads
    }

    /// Heads `peer` offered earlier and this node does not hold yet: of
    /// authors that were not members then, and of entries still being fetched.
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func pendingHeads(offeredBy peer: NodeID) throws -> [Head] {
        try write { db in try Store.pendingHeads(db, peer: peer) }
    }

    public func pendingHeads(offeredBy peer: NodeID, authors: [NodeID]? = nil) async throws -> [Head] {
        try await write { db in try Store.pendingHeads(db, peer: peer, authors: authors) }
    }

    // MARK: Bootstrap peers

    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func addBootstrapPeer(_ peer: NodeID, address: String) throws {
        try write { db in
            try db.execute(
                sql: "INSERT INTO bootstrap_peer(node, address) VALUES (?, ?) ON CONFLICT(node) DO UPDATE SET address = excluded.address",
                arguments: [peer.key.data, address])
        }
    }

    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func bootstrapPeers() throws -> [(node: NodeID, address: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT node, address FROM bootstrap_peer ORDER BY node").compactMap { r in
                NodeID(keyBytes: [UInt8](r[0] as Data)).map { ($0, r[1] as String) }
            }
        }
    }

    // MARK: Region given at init

    /// The region given to `tcnode init --region`, if any: asked for until
    /// the node's own admit says its region, when tcnode.toml has none.
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func initRegion() throws -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT region FROM meta WHERE id = 1") }
    }

    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func setInitRegion(_ region: String?) throws {
        try write { db in
            try db.execute(sql: "UPDATE meta SET region = ? WHERE id = 1", arguments: [region.flatMap { $0.isEmpty ? nil : $0 }])
        }
    }

    // MARK: Figures

    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func stats() throws -> StoreStats {
        let path = self.path
        return try read { db in
            let entries = try Int.fetchOne(db, sql: "SELECT count(*) FROM entry") ?? 0
            let authors = try Int.fetchOne(db, sql: "SELECT count(*) FROM author WHERE seq > 0") ?? 0
            let position = try Store.position(db)
            var byKind: [String: Int] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT kind, count(*) FROM record WHERE op = 1 GROUP BY kind") {
                byKind[r[0]] = r[1]
            }
            let forks = try Int.fetchOne(db, sql: "SELECT count(*) FROM fork") ?? 0
            var size: Int64 = 0
            for suffix in ["", "-wal"] {
                if let attributes = try? FileManager.default.attributesOfItem(atPath: path + suffix),
                    let n = attributes[.size] as? NSNumber
                {
                    size += n.int64Value
                }
            }
            return StoreStats(entries: entries, authors: authors, position: position, recordsByKind: byKind,
                              forks: forks, databaseBytes: size)
        }
    }

    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func forks() throws -> [ForkRecord] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT a.key, f.seq, f.held_id, f.other_id, p.key, f.detected_ms FROM fork f
                    JOIN author a ON a.ref = f.author LEFT JOIN author p ON p.ref = f.peer ORDER BY f.detected_ms
                    """
            ).map { r in
                ForkRecord(
                    author: NodeID(keyBytes: [UInt8](r[0] as Data))!, seq: UInt64(r[1] as Int64),
                    heldID: (r[2] as Data?).flatMap { Bytes32($0) }.map(EntryID.init),
                    otherID: EntryID(hash: Bytes32(r[3] as Data)!),
                    peer: (r[4] as Data?).flatMap { NodeID(keyBytes: [UInt8]($0)) }, detectedMs: r[5])
            }
        }
    }

    /// Authors whose logs are forked (wanted from nobody).
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func forkedAuthors() throws -> Set<NodeID> {
        try read { db in
            Set(try Data.fetchAll(db, sql: "SELECT key FROM author WHERE forked = 1").compactMap { NodeID(keyBytes: [UInt8]($0)) })
        }
    }
}
