import Foundation
import GRDB
import Synchronization

/// The one owner of a node's SQLite database (GRDB `DatabasePool`, WAL).
/// Every write method is one transaction that leaves the log, heads, records
/// and membership consistent with each other. While tcnoded runs it is the
/// only writer of the file (it holds the data directory's lock), so the
/// roster this store keeps is the database's; commands writing the files
/// without a daemon may write at once, each with its own store.
public final class Store: Sendable {
    public let path: String
    public let feed: FeedID
    public let network: NodeID
    /// The node whose key this data directory holds.
    public let node: NodeID
    let writer: any DatabaseWriter
    let clock: @Sendable () -> Int64
    let durability: Durability
    /// The data directory's lock, when this store is its only writer
    /// (tcnoded's) or a command's writing it: released at `close()`.
    let directoryLock: DataDirectory.Lock?

    /// What a commit survives.
    public enum Durability: Sendable {
        /// A process crash always, a power cut for local appends (WAL,
        /// synchronous NORMAL, FULL for the node's own entries).
        case crashSafe
        /// A process crash only (synchronous OFF): for simulated nodes, whose
        /// "crashes" end a process but never the machine, so fsync buys
        /// nothing and costs the simulator most of its time on disk.
        case processCrashOnly
    }

    /// The membership as of this store's last commit.
    let currentRoster: Mutex<Roster>
    /// Write transactions this store has run (committed or not): what its
    /// caches of read results are keyed by. Another process's writes to
    /// the file reach them only at this store's next write; while tcnoded
    /// runs it is the file's only writer.
    let writes = Atomic<Int>(0)
    /// `authorSummaries()` as of `writes`: a hub's dashboard asks for every
    /// author's on each page (ten thousand in a nation), ten milliseconds of
    /// reading each time, while the authors change only with a write.
    let authorCache = Mutex<(writes: Int, summaries: [AuthorSummary])?>(nil)

    public static let defaultClock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }

    private init(path: String, writer: any DatabaseWriter, meta: Meta, roster: Roster,
                 clock: @escaping @Sendable () -> Int64, durability: Durability, directoryLock: DataDirectory.Lock?) {
        self.path = path
        self.directoryLock = directoryLock
        self.durability = durability
        self.writer = writer
        self.feed = meta.feed
        self.network = meta.network
        self.node = meta.node
        self.clock = clock
        self.currentRoster = Mutex(roster)
    }

    struct Meta {
        let feed: FeedID
        let network: NodeID
        let node: NodeID
    }

    static func configuration(_ durability: Durability = .crashSafe) -> Configuration {
        var config = Configuration()
        // Another command writing the files (two `tcnode` commands with no
        // daemon) may hold the write lock for a moment: wait for it instead
        // of failing.
        config.busyMode = .timeout(30)
        config.maximumReaderCount = 4
        config.prepareDatabase { db in
            // WAL + NORMAL survives process crashes; local appends switch to
            // FULL for their own transaction (see `append`).
            try db.execute(sql: durability == .crashSafe ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = OFF")
            // Page cache: 16 MiB for the writer (ingest's index updates
            // want it), 4 MiB for each reader (serving reads a log once, in
            // order). A centre's PC keeps what a sync filled until the node
            // is idle (MemoryTrimmer), so these bound its resident memory.
            try db.execute(sql: db.configuration.readonly ? "PRAGMA cache_size = -4096" : "PRAGMA cache_size = -16384")
        }
        return config
    }

    /// Creates a new database for a node; refuses to touch an existing file.
    public static func create(at path: String, network: NodeID, node: NodeID,
                              clock: @escaping @Sendable () -> Int64 = Store.defaultClock,
                              durability: Durability = .crashSafe) throws -> Store {
        if FileManager.default.fileExists(atPath: path) { throw StoreError.exists(path: path) }
        var rng = SystemRandomNumberGenerator()
        let feed = FeedID.random(using: &rng)
        do {
            let pool = try DatabasePool(path: path, configuration: configuration(durability))
            try migrator.migrate(pool)
            try pool.write { db in
                try db.execute(
                    sql: "INSERT INTO meta(id, feed, network, node, position, created_ms) VALUES (1, ?, ?, ?, 0, ?)",
                    arguments: [Data(feed.bytes), network.key.data, node.key.data, clock()])
            }
            try pool.close()
        } catch let error as DatabaseError {
            throw StoreError.io(path: path, detail: error.message ?? "\(error)")
        }
        return try open(at: path, clock: clock, durability: durability)
    }

    /// Opens an existing database, migrating it forward if this version has
    /// newer migrations, refusing one written by a newer version, and
    /// refusing a damaged one without changing it or its -wal and -shm: the
    /// file is first read through a read-only connection (see `inspect`),
    /// which runs SQLite's quick_check, or with `checkIntegrity` its full
    /// integrity_check (the daemon does at start). Only a file found good is
    /// opened for writing. `lock` (the data directory's) is kept until `close()`.
    @available(*, noasync, message: "checks and migrates the database file; call it through OffPool.run")
    public static func open(at path: String, checkIntegrity: Bool = false,
                            clock: @escaping @Sendable () -> Int64 = Store.defaultClock,
                            durability: Durability = .crashSafe, holding lock: DataDirectory.Lock? = nil) throws -> Store {
        let directory = (path as NSString).deletingLastPathComponent
        if access(directory.isEmpty ? "." : directory, X_OK) != 0 && errno == EACCES {
            throw StoreError.io(path: path, detail: NodeKey.permissionHint)
        }
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.missing(path: path) }
        if access(path, R_OK | W_OK) != 0 { throw StoreError.io(path: path, detail: NodeKey.permissionHint) }
        try inspect(path: path, fullCheck: checkIntegrity)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration(durability))
        } catch let error as DatabaseError {
            throw mapOpenError(error, path: path)
        }
        do {
            try Store.migrator.migrate(pool)
            let (meta, roster) = try pool.writeWithoutTransaction { db -> (Meta, Roster) in
                guard let row = try Row.fetchOne(db, sql: "SELECT feed, network, node FROM meta WHERE id = 1"),
                    let feed = FeedID(bytes: [UInt8](row["feed"] as Data)),
                    let network = NodeID(keyBytes: [UInt8](row["network"] as Data)),
                    let node = NodeID(keyBytes: [UInt8](row["node"] as Data))
                else { throw StoreError.notInitialised(path: path) }
                let roster = try Store.loadRoster(db, genesis: network)
                return (Meta(feed: feed, network: network, node: node), roster)
            }
            return Store(path: path, writer: pool, meta: meta, roster: roster, clock: clock,
                         durability: durability, directoryLock: lock)
        } catch let error as DatabaseError {
            try? pool.close()
            throw mapOpenError(error, path: path)
        } catch {
            try? pool.close()
            throw error
        }
    }

    static func mapOpenError(_ error: DatabaseError, path: String) -> StoreError {
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            .corrupt(path: path, detail: error.message ?? "not a database")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            .busy(path: path)
        default:
            .io(path: path, detail: error.message ?? "\(error)")
        }
    }

    static func mapError(_ error: Error, path: String) -> Error {
        guard let db = error as? DatabaseError else { return error }
        return mapOpenError(db, path: path)
    }

    /// Folds every stored `admit` and `revoke` entry into a roster.
    static func loadRoster(_ db: Database, genesis: NodeID) throws -> Roster {
        var roster = Roster(genesis: genesis)
        let cursor = try Data.fetchCursor(
            db, sql: "SELECT bytes FROM entry WHERE kind IN ('admit', 'revoke') ORDER BY author, seq")
        while let bytes = try cursor.next() {
            if let entry = try? Entry(decoding: [UInt8](bytes)) { roster.apply(entry) }
        }
        return roster
    }

    /// The membership as of the last write this store made.
    public var roster: Roster { currentRoster.withLock { $0 } }

    public func close() throws {
        if let pool = writer as? DatabasePool { try pool.close() }
        directoryLock?.release()
    }

    /// Runs SQLite's full integrity check (slow on large files).
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func integrityCheck() throws -> [String] {
        try writer.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }
}
