import Foundation
import GRDB

/// What happened to a batch of foreign entries.
public struct IngestResult: Sendable, Equatable {
    public enum Refusal: String, Sendable {
        /// At or after the author's revocation `from_seq`.
        case revoked
        /// The author's log is forked; nothing more is taken from it.
        case forkedAuthor = "forked-author"
    }

    public struct Refused: Sendable, Equatable {
        public let author: NodeID
        public let seq: UInt64
        public let reason: Refusal
    }

    /// The batch stopped at `index`: that entry's author is not a member.
    /// Everything before it was stored; nothing after it was looked at.
    public struct Rejection: Sendable, Equatable {
        public let index: Int
        public let author: NodeID
        public let seq: UInt64
    }

    public var stored = 0
    public var duplicates = 0
    /// Entries beyond the held head + 1 (nothing is skipped in a log).
    public var gaps = 0
    public var refused: [Refused] = []
    public var forks: [Fork] = []
    public var rejection: Rejection?
    /// Held head seq, after the batch, of every author the batch touched.
    public var heads: [NodeID: UInt64] = [:]
    /// Nodes whose entries were not accepted before this batch and are now.
    public var admitted: [NodeID] = []
    /// Authors whose entries at or after a revocation were removed.
    public var purged: [NodeID] = []
    /// Feed position after the batch.
    public var position: Int64 = 0
    /// An admit or revoke in the batch changed the roster.
    public var rosterChanged = false

    public init() {}
}

/// Two different entries signed by one author for one seq (or a chain that
/// does not link), kept as evidence.
public struct Fork: Sendable, Equatable {
    public let author: NodeID
    public let seq: UInt64
    public let heldID: EntryID?
    public let otherID: EntryID
    public let peer: NodeID?
}

extension Store {
    /// Signs `drafts` as this node's next entries and stores them, in one
    /// transaction that takes the write lock first (BEGIN IMMEDIATE), so
    /// concurrent appends from two processes get distinct, chained seqs.
    /// Synchronous=FULL for this transaction: an acknowledged local entry
    /// must survive a power cut, or the node could later sign a different
    /// entry with the same seq and fork its own log.
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    @discardableResult
    public func append(_ drafts: [Entry.Draft], signer: NodeKey) throws -> [Entry] {
        precondition(signer.id == node, "the signer must be this store's node")
        return try writeTransaction(durable: true) { ctx in try ctx.append(drafts, signer: signer) }
    }

    @discardableResult
    public func append(_ drafts: [Entry.Draft], signer: NodeKey) async throws -> [Entry] {
        precondition(signer.id == node, "the signer must be this store's node")
        return try await writeTransaction(durable: true) { ctx in try ctx.append(drafts, signer: signer) }
    }

    /// Stores verified foreign entries in order (see `IngestResult`).
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func ingest(_ entries: [VerifiedEntry], from origin: NodeID?) throws -> IngestResult {
        try writeTransaction(durable: false) { ctx in try ctx.ingest(entries, origin: origin) }
    }

    public func ingest(_ entries: [VerifiedEntry], from origin: NodeID?) async throws -> IngestResult {
        try await writeTransaction(durable: false) { ctx in try ctx.ingest(entries, origin: origin) }
    }

    func writeTransaction<T>(durable: Bool, _ body: (inout WriteContext) throws -> T) throws -> T {
        defer { wrote() }
        do {
            return try writer.writeWithoutTransaction { db in try self.transaction(db, durable: durable, body) }
        } catch {
            throw Store.mapError(error, path: path)
        }
    }

    func writeTransaction<T: Sendable>(durable: Bool, _ body: @escaping @Sendable (inout WriteContext) throws -> T) async throws -> T {
        defer { wrote() }
        do {
            return try await writer.writeWithoutTransaction { db in try self.transaction(db, durable: durable, body) }
        } catch {
            throw Store.mapError(error, path: path)
        }
    }

    private func transaction<T>(_ db: Database, durable wanted: Bool, _ body: (inout WriteContext) throws -> T) throws -> T {
        let durable = wanted && durability == .crashSafe
        if durable { try db.execute(sql: "PRAGMA synchronous = FULL") }
        defer { if durable { try? db.execute(sql: "PRAGMA synchronous = NORMAL") } }
        var result: T?
        try db.inTransaction(.immediate) {
            let roster = self.roster
            let position = try Int64.fetchOne(db, sql: "SELECT position FROM meta WHERE id = 1") ?? 0
            var ctx = WriteContext(db: db, roster: roster, position: position, now: clock(), node: node)
            result = try body(&ctx)
            try ctx.flush()
            if ctx.rosterChanged {
                let newRoster = ctx.roster
                db.afterNextTransaction(onCommit: { _ in self.currentRoster.withLock { $0 = newRoster } })
            }
            return .commit
        }
        return result!
    }
}

/// State of one author's log inside a write transaction.
struct AuthorRow {
    let ref: Int64
    var seq: UInt64
    var headID: Bytes32?
    var headPosition: Int64
    var headOrigin: Int64?
    var forked: Bool
    var dirty = false
    /// Entries of this author were stored in this transaction.
    var stored = false
}

/// The work of one write transaction: entries in, heads and records kept in
/// step, the roster folded forward, and authors' rows written once at the end.
struct WriteContext {
    let db: Database
    var roster: Roster
    var position: Int64
    let now: Int64
    let node: NodeID
    var authors: [NodeID: AuthorRow] = [:]
    var rosterChanged = false
    /// False for entries read from a bundle: `stored_ms` is "last heard by
    /// network"; bundles are kept apart in `bundle_heard` (Store+Bundles).
    var stampsStored = true

    init(db: Database, roster: Roster, position: Int64, now: Int64, node: NodeID) {
        self.db = db
        self.roster = roster
        self.position = position
        self.now = now
        self.node = node
    }

    func authorExists(_ id: NodeID) throws -> Bool {
        let statement = try db.cachedStatement(sql: "SELECT 1 FROM author WHERE key = ?")
        return try Bool.fetchOne(statement, arguments: [id.key.data]) != nil
    }

    mutating func authorRow(_ id: NodeID) throws -> AuthorRow {
        if let row = authors[id] { return row }
        let key = id.key.data
        let statement = try db.cachedStatement(
            sql: "SELECT ref, seq, head_id, head_position, head_origin, forked FROM author WHERE key = ?")
        let row: AuthorRow
        if let r = try Row.fetchOne(statement, arguments: [key]) {
            row = AuthorRow(
                ref: r[0], seq: UInt64(r[1] as Int64), headID: (r[2] as Data?).flatMap { Bytes32($0) },
                headPosition: r[3], headOrigin: r[4], forked: (r[5] as Int64) != 0)
        } else {
            try db.execute(sql: "INSERT INTO author(key) VALUES (?)", arguments: [key])
            row = AuthorRow(ref: db.lastInsertedRowID, seq: 0, headID: nil, headPosition: 0, headOrigin: nil, forked: false)
        }
        authors[id] = row
        return row
    }

    mutating func ref(_ id: NodeID?) throws -> Int64? {
        guard let id else { return nil }
        return try authorRow(id).ref
    }

    mutating func append(_ drafts: [Entry.Draft], signer: NodeKey) throws -> [Entry] {
        if let from = roster.revokedFrom(node) { throw StoreError.revokedAuthor(fromSeq: from) }
        var out: [Entry] = []
        out.reserveCapacity(drafts.count)
        for draft in drafts {
            let row = try authorRow(node)
            let signed: VerifiedEntry
            do {
                signed = try Entry.sign(draft, seq: row.seq + 1, prev: row.headID ?? .zero, with: signer)
            } catch {
                throw StoreError.invalid(error)
            }
            try store(signed.entry, origin: nil)
            out.append(signed.entry)
            if Roster.isNetworkKind(draft.kind) {
                var ignored = IngestResult()
                try applyNetworkEntry(signed.entry, result: &ignored)
            }
        }
        return out
    }

    mutating func ingest(_ entries: [VerifiedEntry], origin: NodeID?) throws -> IngestResult {
        var result = IngestResult()
        let originRef = try ref(origin)
        var limits: [NodeID: UInt64] = [:]
        for (index, verified) in entries.enumerated() {
            let entry = verified.entry
            // A non-member's entry gets no author row: anyone can invent
            // authors, and nothing of theirs is kept (PROTOCOL.md §7.4).
            if authors[entry.author] == nil, roster.acceptedLimit(entry.author) == 0, roster.revokedFrom(entry.author) == nil,
                try !authorExists(entry.author)
            {
                if entry.seq > 1 {
                    result.gaps += 1
                    continue
                }
                result.rejection = .init(index: index, author: entry.author, seq: entry.seq)
                break
            }
            var row = try authorRow(entry.author)
            defer { result.heads[entry.author] = authors[entry.author]?.seq ?? row.seq }
            if row.forked {
                result.refused.append(.init(author: entry.author, seq: entry.seq, reason: .forkedAuthor))
                continue
            }
            if entry.seq <= row.seq {
                let held = entry.seq == row.seq ? row.headID : try heldID(ref: row.ref, seq: entry.seq)
                if held == entry.id.hash {
                    result.duplicates += 1
                } else {
                    result.forks.append(try recordFork(entry, heldID: held, row: &row, peer: origin))
                }
                continue
            }
            if entry.seq > row.seq + 1 {
                result.gaps += 1
                continue
            }
            let limit = limits[entry.author] ?? roster.acceptedLimit(entry.author)
            limits[entry.author] = limit
            if entry.seq > limit {
                if limit == 0 && roster.revokedFrom(entry.author) == nil {
                    result.rejection = .init(index: index, author: entry.author, seq: entry.seq)
                    break
                }
                result.refused.append(.init(author: entry.author, seq: entry.seq, reason: .revoked))
                continue
            }
            if entry.seq > 1 && row.headID != entry.prev {
                // The entry links to a different seq - 1 than the one held.
                result.forks.append(try recordFork(entry, heldID: nil, row: &row, peer: origin))
                continue
            }
            try store(entry, origin: originRef)
            result.stored += 1
            if Roster.isNetworkKind(entry.kind) {
                try applyNetworkEntry(entry, result: &result)
                limits.removeAll()
            }
        }
        result.position = position
        return result
    }

    /// Folds an admit or revoke into the roster and carries out its effects.
    mutating func applyNetworkEntry(_ entry: Entry, result: inout IngestResult) throws {
        guard let subject = NodeID(entry.key) else { return }
        let limitBefore = roster.acceptedLimit(subject)
        let wasAuthority = roster.isAuthority(subject)
        // Only the genesis changes who is an authority and for which
        // region; that changes what the subject's own admits grant.
        let dependents = entry.author == roster.genesis ? Array(roster.subjects(of: subject)) : []
        let dependentLimitsBefore = dependents.map { roster.acceptedLimit($0) }
        guard roster.apply(entry) != nil else { return }
        rosterChanged = true
        result.rosterChanged = true
        let limitAfter = roster.acceptedLimit(subject)
        if limitBefore == 0 && limitAfter > 0 { result.admitted.append(subject) }
        var dependentLowered = false
        for (node, before) in zip(dependents, dependentLimitsBefore) {
            let after = roster.acceptedLimit(node)
            if before == 0 && after > 0 && !result.admitted.contains(node) { result.admitted.append(node) }
            if after < before { dependentLowered = true }
        }
        // A revocation, or an authority demoted or moved to another region
        // by the genesis (some of its admits stop counting), can leave
        // stored entries that are no longer valid.
        if limitAfter < limitBefore || (wasAuthority && !roster.isAuthority(subject)) || dependentLowered {
            try enforceRoster(result: &result)
        }
    }

    /// Removes entries the roster no longer accepts, so that what a node
    /// holds does not depend on the order entries arrived in. Revoked
    /// authors go first: when a revoked authority's own admits or revokes
    /// are removed, the roster is folded again from what remains before
    /// anyone is judged to have lost membership.
    mutating func enforceRoster(result: inout IngestResult) throws {
        for _ in 0..<8 {
            try flush()
            let rows = try Row.fetchAll(db, sql: "SELECT key, seq FROM author WHERE seq > 0").compactMap { r in
                NodeID(keyBytes: [UInt8](r[0] as Data)).map { ($0, UInt64(r[1] as Int64)) }
            }
            var removedNetworkEntries = false
            for (author, seq) in rows where roster.revokedFrom(author) != nil {
                let limit = roster.acceptedLimit(author)
                guard seq > limit else { continue }
                removedNetworkEntries = try purge(author, above: limit) || removedNetworkEntries
                result.purged.append(author)
                result.heads[author] = authors[author]?.seq
            }
            if removedNetworkEntries {
                try refold(result: &result)
                continue
            }
            // Authors whose every admission has lapsed. Our own log is ours to
            // keep until we are revoked: a node writes before its admit arrives.
            try flush()
            let remaining = try Row.fetchAll(db, sql: "SELECT key FROM author WHERE seq > 0").compactMap { r in
                NodeID(keyBytes: [UInt8](r[0] as Data))
            }
            for author in remaining where author != node && roster.acceptedLimit(author) == 0 {
                removedNetworkEntries = try purge(author, above: 0) || removedNetworkEntries
                result.purged.append(author)
                result.heads[author] = 0
            }
            if removedNetworkEntries {
                try refold(result: &result)
                continue
            }
            return
        }
    }

    /// Folds the roster again from the network entries still held, and
    /// reports authors it accepts now that it did not before.
    mutating func refold(result: inout IngestResult) throws {
        let before = roster
        roster = try Store.loadRoster(db, genesis: roster.genesis)
        for node in roster.knownNodes where before.acceptedLimit(node) == 0 && roster.acceptedLimit(node) > 0 {
            if !result.admitted.contains(node) { result.admitted.append(node) }
        }
    }

    /// Deletes `author`'s entries with seq > `limit`, moves its head back and
    /// rebuilds its records. Returns whether admits or revokes were removed.
    mutating func purge(_ author: NodeID, above limit: UInt64) throws -> Bool {
        try flush()
        var row = try authorRow(author)
        let cut = Int64(clamping: limit)
        let network = try Int64.fetchOne(
            db, sql: "SELECT count(*) FROM entry WHERE author = ? AND seq > ? AND kind IN ('admit', 'revoke')",
            arguments: [row.ref, cut]) ?? 0
        try db.execute(sql: "DELETE FROM entry WHERE author = ? AND seq > ?", arguments: [row.ref, cut])
        let head = try Row.fetchOne(
            db, sql: "SELECT seq, id FROM entry WHERE author = ? ORDER BY seq DESC LIMIT 1", arguments: [row.ref])
        row.seq = head.map { UInt64($0[0] as Int64) } ?? 0
        row.headID = head.flatMap { Bytes32($0[1] as Data) }
        position += 1
        row.headPosition = position
        row.headOrigin = nil
        row.dirty = true
        authors[author] = row
        try db.execute(sql: "DELETE FROM record WHERE author = ?", arguments: [row.ref])
        try db.execute(
            sql: """
                INSERT INTO record(author, kind, key, seq, op, time, position)
                SELECT author, kind, key, max(seq), op, time, position FROM entry WHERE author = ? GROUP BY kind, key
                """, arguments: [row.ref])
        try db.execute(sql: "DELETE FROM pending_offer WHERE author_key = ?", arguments: [author.key.data])
        return network > 0
    }

    func heldID(ref: Int64, seq: UInt64) throws -> Bytes32? {
        let statement = try db.cachedStatement(sql: "SELECT id FROM entry WHERE author = ? AND seq = ?")
        return try Data.fetchOne(statement, arguments: [ref, Int64(clamping: seq)]).flatMap { Bytes32($0) }
    }

    mutating func recordFork(_ entry: Entry, heldID: Bytes32?, row: inout AuthorRow, peer: NodeID?) throws -> Fork {
        let peerRef = try ref(peer)
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO fork(author, seq, held_id, other_id, other_bytes, peer, detected_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [row.ref, Int64(clamping: entry.seq), heldID?.data, entry.id.hash.data, Data(entry.bytes), peerRef, now])
        row.forked = true
        row.dirty = true
        authors[entry.author] = row
        return Fork(author: entry.author, seq: entry.seq, heldID: heldID.map(EntryID.init), otherID: entry.id, peer: peer)
    }

    /// Inserts an entry that extends its author's log by one.
    mutating func store(_ entry: Entry, origin: Int64?) throws {
        var row = try authorRow(entry.author)
        precondition(entry.seq == row.seq + 1, "store() extends a log by exactly one entry")
        position += 1
        let seq = Int64(clamping: entry.seq)
        let insert = try db.cachedStatement(
            sql: "INSERT INTO entry(position, author, seq, id, kind, key, op, time, origin, bytes) VALUES (?,?,?,?,?,?,?,?,?,?)")
        try insert.executeBinding { b in
            b.int(position); b.int(row.ref); b.int(seq); b.blob(entry.id.hash.bytes); b.text(entry.kind); b.text(entry.key)
            b.int(Int64(entry.op.rawValue)); b.int(entry.time); b.int(origin); b.blob(entry.bytes)
        }
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO record(author, kind, key, seq, op, time, position) VALUES (?,?,?,?,?,?,?)
                ON CONFLICT(author, kind, key) DO UPDATE SET
                    seq = excluded.seq, op = excluded.op, time = excluded.time, position = excluded.position
                """)
        try upsert.executeBinding { b in
            b.int(row.ref); b.text(entry.kind); b.text(entry.key); b.int(seq); b.int(Int64(entry.op.rawValue)); b.int(entry.time)
            b.int(position)
        }
        row.seq = entry.seq
        row.headID = entry.id.hash
        row.headPosition = position
        row.headOrigin = origin
        row.dirty = true
        row.stored = true
        authors[entry.author] = row
    }

    /// Writes changed author rows and the feed position.
    mutating func flush() throws {
        let update = try db.cachedStatement(
            sql: """
                UPDATE author SET seq = ?, head_id = ?, head_position = ?, head_origin = ?, forked = ?,
                    stored_ms = CASE WHEN ? THEN ? ELSE stored_ms END
                WHERE ref = ?
                """)
        for (id, row) in authors where row.dirty {
            try update.execute(arguments: [
                Int64(clamping: row.seq), row.headID?.data, row.headPosition, row.headOrigin, row.forked ? 1 : 0,
                row.stored && stampsStored, now, row.ref,
            ])
            authors[id]?.dirty = false
            authors[id]?.stored = false
        }
        try db.execute(sql: "UPDATE meta SET position = ? WHERE id = 1", arguments: [position])
    }
}
