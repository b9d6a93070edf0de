import Foundation
import GRDB
import Logging
import Replication
import Synchronization
import Telecenter

/// The network-wide views of a node: centres, products, sales, trainings,
/// monitoring and activities as tables and counters, kept up to date by
/// following the node's feed (`catchUp`) rather than recomputed per request.
public final class Views: Sendable {
    /// The SQLite file, or the PostgreSQL location (without its password).
    public let path: String
    let database: ViewsDatabase
    public let store: Store
    /// Where photos are kept, to know which referenced photos are held.
    public let blobs: BlobStore?
    /// Centres' ids parsed from their text, kept: a parse costs about two
    /// microseconds, and a page over ten thousand centres needs every one.
    let ids = Mutex<[String: NodeID]>([:])
    /// How far behind the log the views are, and whether their database answers.
    public let health: ViewsHealth
    /// Write transactions this process committed (or tried) on the views:
    /// what the cached `directory` is checked against.
    let writes = Atomic<Int>(0)
    /// The member centres as last read (`centreDirectory`).
    let directory = Mutex<CentreDirectory?>(nil)

    /// Opens the views beside a store, starting over from the log when the
    /// file is missing, damaged, of another schema, or ahead of the store
    /// (a restored database).
    public init(path: String, store: Store, blobs: BlobStore? = nil) throws {
        self.path = path
        self.store = store
        self.blobs = blobs
        self.health = ViewsHealth(backend: "sqlite")
        self.database = .sqlite(try Views.openOrRecreate(path: path, store: store))
    }

    /// Opens the views on a PostgreSQL server, creating or migrating its
    /// tables, and starting over from the log when they are ahead of the
    /// store (a restored store). Wrong credentials or a missing database
    /// are errors now; a server that cannot be reached is not: the views
    /// are set up and catch up when it comes back (`ViewsService` retries),
    /// and until then pages answer that the views are unavailable.
    @available(*, noasync, message: "opens a database; call it through OffPool.run")
    public init(postgres location: PostgresViewsLocation, store: Store, blobs: BlobStore? = nil,
                logger: Logger = Logger(label: "tcnode.views")) throws {
        self.path = location.description
        self.store = store
        self.blobs = blobs
        let postgres = PostgresViews(location: location, logger: logger)
        self.database = .postgresql(postgres)
        self.health = ViewsHealth(backend: "postgresql")
        do {
            try postgres.prepare()
            let applied = try postgres.read { sql in try sql.value(Int64.self, "SELECT applied_position FROM meta WHERE id = 1") ?? 0 }
            if applied > (try store.position()) {
                logger.notice("views on PostgreSQL are ahead of this node's store (a restored store?): rebuilding them from the log")
                try postgres.reset()
            }
        } catch let failure as PostgresViews.Failure where failure.isUnreachable {
            logger.warning("\(failure)")
            health.update(applied: nil, store: nil, error: failure.description)
        }
    }

    static func openOrRecreate(path: String, store: Store) throws -> DatabasePool {
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // The writer (the catch-up) gets 64 MiB of cache and checkpoints
            // every 40 MB of log rather than every 4: as the tables grow, each
            // batch touches more pages of their indexes, and each checkpoint
            // writes them back and waits for the disk. tcbench views, 10,000
            // centres, 1M entries: last tenth 11,600-12,700/s -> 14,400-15,400/s.
            try db.execute(sql: db.configuration.readonly ? "PRAGMA cache_size = -2048" : "PRAGMA cache_size = -65536")
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000") }
        }
        if let pool = try? DatabasePool(path: path, configuration: config) {
            let usable = (try? pool.read { db -> Bool in
                guard let row = try Row.fetchOne(db, sql: "SELECT schema, applied_position FROM meta WHERE id = 1") else { return false }
                let position = try store.position()
                return (row[0] as Int) == schemaVersion && (row[1] as Int64) <= position
            }) ?? false
            if usable { return pool }
            try? pool.close()
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let pool = try DatabasePool(path: path, configuration: config)
        try pool.write { db in try createSchema(db) }
        return pool
    }

    public func close() throws {
        switch database {
        case .sqlite(let pool): try pool.close()
        case .postgresql(let postgres): postgres.close()
        }
    }

    /// Frees SQLite's page caches (they refill on use): see `Store.releaseMemory`.
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func releaseMemory() {
        if case .sqlite(let pool) = database { pool.releaseMemory() }
    }

    /// Which database keeps the views: "sqlite" or "postgresql".
    public var backend: String {
        switch database {
        case .sqlite: "sqlite"
        case .postgresql: "postgresql"
        }
    }

    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public var appliedPosition: Int64 {
        ((try? read { db in try db.value(Int64.self, "SELECT applied_position FROM meta WHERE id = 1") }) ?? nil) ?? 0
    }

    // MARK: Following the feed

    /// Applies every entry stored since the last call, in batches; returns
    /// how many were applied. Safe to call often (it is cheap when idle).
    /// The daemon uses the async `catchUp`, which reads and writes on two
    /// threads; this one does the same work on the calling thread.
    @available(*, noasync, message: "blocks a thread; call the async catchUp")
    @discardableResult
    public func catchUp(batch: Int = 2000, until stop: () -> Bool = { false }) throws -> Int {
        var cursor = FeedCursor(store: store, size: batch)
        var total = 0
        // `stop` is asked between batches (each its own transaction, with the
        // position it reached), so a stopping daemon waits for one batch at
        // most and the next start goes on from there.
        while !stop(), let next = try cursor.next(after: appliedPosition) {
            try write { db in try Self.apply(next, db: db, blobs: blobs) }
            total += next.changes.count
        }
        let pending = try pendingSettle
        if pending != .none || total == 0 && appliedPosition == 0 {
            try settle(roster: cursor.roster(), purges: pending == .centresAndPurges)
        }
        return total
    }

    /// Catches up as the synchronous `catchUp` does, reading and working
    /// out the next batch while the previous one is written.
    @discardableResult
    public func catchUp(batch: Int = 2000, until stop: @escaping @Sendable () -> Bool = { false }, progress: (@Sendable (Int) -> Void)? = nil) async throws -> Int {
        try await ViewsCatchUp(store: store, backend: self, batchSize: batch).run(until: stop, progress: progress)
    }

    /// Applies `batch` in `db`'s transaction; returns what is left to settle.
    @discardableResult
    static func apply(_ batch: ViewBatch, db: any ViewsSQL, blobs: BlobStore?) throws -> SettleNeed {
        if db.dialect == .postgresql {
            // Every statement of a batch finds its rows by key, a few
            // thousand of them. Between some 50,000 and 500,000 rows a table
            // looks small enough to PostgreSQL's planner to read whole
            // (and hash the keys) instead: each batch then costs as much as
            // the table is large, and the catch-up slows down as it grows.
            try db.execute("SET LOCAL enable_seqscan = off")
        }
        var ctx = ApplyContext(db: db, roster: batch.roster, blobs: blobs)
        try ctx.prefetch(batch.changes)
        for change in batch.changes { try ctx.apply(change) }
        try ctx.flush()
        try db.execute("UPDATE meta SET applied_position = ? WHERE id = 1", [batch.position])
        if batch.settle != .none {
            try db.execute("UPDATE meta SET settle_pending = CASE WHEN settle_pending > ? THEN settle_pending ELSE ? END WHERE id = 1",
                           [batch.settle.rawValue, batch.settle.rawValue])
        }
        return try pendingSettle(db)
    }

    static func pendingSettle(_ db: any ViewsSQL) throws -> SettleNeed {
        let value = try db.value(Int.self, "SELECT settle_pending FROM meta WHERE id = 1") ?? 0
        return SettleNeed(rawValue: min(max(value, 0), 2)) ?? .none
    }

    /// What applied batches asked to be settled and was not yet.
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    var pendingSettle: SettleNeed {
        get throws { try read { db in try Self.pendingSettle(db) } }
    }

    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    func settle(roster: Roster, purges: Bool) throws {
        try refreshCentres(roster: roster)
        // Entries are only ever removed by a revocation, which arrives as
        // an admit or revoke entry.
        if purges { try reconcilePurges(roster: roster) }
        // Only now: a settle cut short is done again by the next catch-up.
        try write { db in try db.execute("UPDATE meta SET settle_pending = 0 WHERE id = 1") }
    }

    /// `roster` with the admits and revokes among `entries` it does not
    /// know yet: the store publishes its roster just after a commit, and
    /// another process's writes reach it only at this one's next write.
    static func roster(_ roster: Roster, including entries: [Entry]) -> Roster {
        var roster = roster
        for entry in entries where !knows(roster, entry) { roster.apply(entry) }
        return roster
    }

    /// Whether `roster` has applied this admit or revoke (anything else
    /// counts as known: there is nothing to apply).
    static func knows(_ roster: Roster, _ entry: Entry) -> Bool {
        guard entry.op == .put, let subject = NodeID(entry.key) else { return true }
        switch entry.kind {
        case "admit": return (roster.admissions[subject]?[entry.author]?.seq ?? 0) >= entry.seq
        case "revoke": return roster.revocations[subject]?.contains { $0.revoker == entry.author && $0.seq == entry.seq } ?? false
        default: return true
        }
    }

    /// Authors whose log went back (a revocation removed entries): their
    /// rows are rebuilt from the records the store still holds.
    func reconcilePurges(roster: Roster) throws {
        let heads = Dictionary(try store.authorSummaries().map { ($0.author.description, $0.seq) }, uniquingKeysWith: max)
        let applied = try read { db in try db.all("SELECT author, seq FROM author_seq") }
        let behind = applied.compactMap { r -> String? in
            let author: String = r[0]
            return (heads[author] ?? 0) < UInt64(r[1] as Int64) ? author : nil
        }
        guard !behind.isEmpty else { return }
        for author in behind {
            guard let id = NodeID(author) else { continue }
            let records = try store.records(of: id)
            try write { db in
                var ctx = ApplyContext(db: db, roster: roster, blobs: blobs)
                try ctx.removeAll(of: author)
                for entry in records { try ctx.apply(entry) }
                try db.execute("UPDATE author_seq SET seq = ? WHERE author = ?", [Int64(clamping: heads[author] ?? 0), author])
                try ctx.flush()
            }
        }
        try refreshCentres(roster: roster)
    }

    /// Brings the centres' admission columns in line with the roster. A
    /// revoked centre keeps its admission's role, name and region (not a
    /// member any more): the same whether the views saw it admitted first or
    /// were rebuilt after the revocation.
    func refreshCentres(roster: Roster) throws {
        try write { db in
            var ctx = ApplyContext(db: db, roster: roster, blobs: blobs)
            try db.execute("UPDATE centre SET member = 0")
            for node in roster.knownNodes { try ctx.refreshCentre(node) }
            try ctx.flush()
        }
    }

    /// Marks photos as held (after a blob transfer finished).
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func markBlobHeld(_ sha: Bytes32) throws {
        try write { db in try db.execute("UPDATE blob_ref SET have = 1 WHERE sha256 = ?", [sha.hex]) }
    }

    /// Photos this node should fetch and does not hold: every one for a hub
    /// (`all`), otherwise those of its own records and of surveys about it.
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func missingBlobs(all: Bool, node: NodeID, limit: Int = 64) throws -> [(sha256: Bytes32, size: UInt64, pieces: Bytes32?)] {
        try read { db in
            // One row per photo; of several references, any `pieces` will do
            // (a wrong one only costs the piece list, the hash decides).
            let sql = all
                ? "SELECT sha256, max(size), max(pieces) FROM blob_ref WHERE have = 0 GROUP BY sha256 LIMIT ?"
                : "SELECT sha256, max(size), max(pieces) FROM blob_ref WHERE have = 0 AND (author = ? OR (kind = 'monitoring' AND subject = ?)) GROUP BY sha256 LIMIT ?"
            let args: SQLArguments = all ? [limit] : [node.description, node.description, limit]
            return try db.all(sql, args).compactMap { r in
                Bytes32(hex: r[0]).map { ($0, UInt64(max(0, r[1] as Int64)), (r[2] as String?).flatMap { Bytes32(hex: $0) }) }
            }
        }
    }

    /// Whether a photo is referenced by a record this node keeps.
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func isReferenced(_ sha: Bytes32) throws -> Bool {
        try read { db in try db.value(Int.self, "SELECT 1 FROM blob_ref WHERE sha256 = ? LIMIT 1", [sha.hex]) != nil }
    }

    /// A read transaction on either database (a consistent snapshot).
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    func read<T>(_ body: (any ViewsSQL) throws -> T) throws -> T {
        switch database {
        case .sqlite(let pool): try pool.read { db in try body(SQLiteViewsSQL(db: db)) }
        case .postgresql(let postgres): try postgres.read(body)
        }
    }

    /// A write transaction on either database (one writer at a time).
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    func write<T>(_ body: (any ViewsSQL) throws -> T) throws -> T {
        // Counted once the transaction is over (committed or not), so that
        // a reader that saw the count before could not have cached older rows.
        defer { writes.add(1, ordering: .releasing) }
        switch database {
        case .sqlite(let pool): return try pool.write { db in try body(SQLiteViewsSQL(db: db)) }
        case .postgresql(let postgres): return try postgres.write(body)
        }
    }

    /// The member centres in the centre list's order, their ids parsed:
    /// what the summary and the main page go over on every request (ten
    /// thousand in a nation), read again only after a write. `writes` is
    /// the count read before `db`'s transaction began: rows read in it are
    /// at least that new.
    func centreDirectory(_ db: any ViewsSQL, writes: Int) throws -> [CentreDirectory.Centre] {
        if let cached = directory.withLock({ $0 }), cached.writes == writes { return cached.centres }
        let centres = try db.all("""
            SELECT t.author, coalesce(t.name, t.admitted_name, ''), t.region FROM centre t WHERE t.member = 1 ORDER BY \(Self.centreOrder)
            """).map { r -> CentreDirectory.Centre in
            let author: String = r[0], name: String = r[1]
            return CentreDirectory.Centre(author: author, id: nodeID(author), name: name.isEmpty ? String(author.prefix(8)) : name, region: r[2])
        }
        directory.withLock { $0 = CentreDirectory(writes: writes, centres: centres) }
        return centres
    }

    /// `NodeID(author)`, from `ids` when parsed before.
    func nodeID(_ author: String) -> NodeID? {
        if let id = ids.withLock({ $0[author] }) { return id }
        guard let id = NodeID(author) else { return nil }
        ids.withLock { $0[author] = id }
        return id
    }
}

/// The member centres as read at a count of the views' writes.
struct CentreDirectory: Sendable {
    struct Centre: Sendable {
        let author: String
        let id: NodeID?
        let name: String
        let region: String
    }
    let writes: Int
    let centres: [Centre]
}

/// Where the views are kept: a SQLite file beside the store (the default),
/// or a PostgreSQL server (`views_store = "postgresql://..."`).
enum ViewsDatabase: Sendable {
    case sqlite(DatabasePool)
    case postgresql(PostgresViews)
}

extension Views: ViewsBackend {
    public func readAppliedPosition() async throws -> Int64 {
        switch database {
        case .sqlite(let pool):
            try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT applied_position FROM meta WHERE id = 1") ?? 0 }
        case .postgresql(let postgres):
            try await OffPool.run { try postgres.read { db in try db.value(Int64.self, "SELECT applied_position FROM meta WHERE id = 1") ?? 0 } }
        }
    }

    public func apply(_ batch: ViewBatch) async throws {
        let blobs = self.blobs
        defer { writes.add(1, ordering: .releasing) }
        let pending = switch database {
        case .sqlite(let pool): try await pool.write { db in try Self.apply(batch, db: SQLiteViewsSQL(db: db), blobs: blobs) }
        case .postgresql(let postgres): try await OffPool.run { try postgres.write { db in try Self.apply(batch, db: db, blobs: blobs) } }
        }
        // Batch by batch, so that a catch-up of minutes shows its progress;
        // one entry short while the centres are not settled, so that the
        // views do not read up to date before `settle` says they are.
        health.update(applied: pending == .none ? batch.position : batch.position - 1, store: nil, error: nil)
    }

    public func pendingSettle() async throws -> SettleNeed {
        try await OffPool.run { try self.pendingSettle }
    }

    public func settle(roster: Roster, purges: Bool) async throws {
        try await OffPool.run { try self.settle(roster: roster, purges: purges) }
        health.update(applied: try await readAppliedPosition(), store: nil, error: nil)
    }
}

extension Views {
    /// Every row of every views table as text ("column=value|..."), for
    /// comparing two views (tests, and checking a rebuild by hand). The
    /// storage order column (`rowid`, PostgreSQL's only) is left out.
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func dumpTables() throws -> [String: [String]] {
        try read { db in
            var out: [String: [String]] = [:]
            for table in ["meta", "author_seq", "centre", "product", "sale", "training", "monitoring", "activity", "agg", "blob_ref"] {
                out[table] = try db.all("SELECT * FROM \(table)").map { row in
                    row.filter { $0.0 != "rowid" }.map { "\($0.0)=\($0.1)" }.joined(separator: "|")
                }.sorted()
            }
            return out
        }
    }

    /// The first column of every row a query returns, as text (NULL as
    /// ""): for tests and benchmarks, on either database.
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func strings(_ sql: String) throws -> [String] {
        try read { db in try db.all(sql).map { String.fromDatabaseValue($0.values[0]) ?? ($0.values[0].isNull ? "" : "\($0.values[0])") } }
    }
}

extension Views {
    /// On PostgreSQL, drops the views' schema with every table in it (for
    /// benchmarks and tests that made a schema of their own); nothing on SQLite.
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func dropSchema() throws {
        guard case .postgresql(let postgres) = database else { return }
        try postgres.withConnection { sql in try sql.execute("DROP SCHEMA \(PostgresViews.quoted(postgres.location.schema)) CASCADE") }
    }
}
