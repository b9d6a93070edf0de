import Foundation
import GRDB

extension Store {
    /// The schema version this build writes and understands, kept in
    /// `PRAGMA user_version` by the migrations (see `migrator`). A file with
    /// a higher number was written by a newer tcnode.
    public static let schemaVersion = 8

    /// Looks at a database through a read-only connection before anything
    /// opens it for writing, because opening GRDB's writable pool writes
    /// (it sets up WAL mode and commits a transaction to make the -wal
    /// non-empty) and the next checkpoint copies that into the main file.
    /// A damaged file, a newer one or a foreign one must be refused with
    /// the file, its -wal and its -shm left byte for byte as they were, so
    /// the operator can copy them away as the message says.
    ///
    /// Every open runs `quick_check` (about 0.1 s per 100 MB, the file being
    /// read from the page cache): a damage that only it finds would
    /// otherwise be written over by the open itself. `fullCheck` runs
    /// `integrity_check` instead, which also compares every index with its
    /// table (about four times slower); the daemon does at start.
    static func inspect(path: String, fullCheck: Bool) throws {
        var lastFailure: (any Error)?
        for access in ReadOnlyAccess.candidates(for: path) {
            let before = FileIdentity(path: path)
            do {
                try inspect(path: path, access: access, fullCheck: fullCheck)
                if access == .immutable && FileIdentity(path: path) != before { continue }
                return
            } catch {
                // Without locks, a verdict reached while another process
                // wrote the file means nothing: look again, with locks.
                if access == .immutable && FileIdentity(path: path) != before { continue }
                if let verdict = error as? StoreError { throw verdict }
                if let db = error as? DatabaseError, db.resultCode == .SQLITE_CORRUPT || db.resultCode == .SQLITE_NOTADB {
                    throw mapOpenError(db, path: path)
                }
                // This way in was refused (no -shm to read, a lock held):
                // the next one may work.
                lastFailure = error
            }
        }
        if let db = lastFailure as? DatabaseError { throw mapOpenError(db, path: path) }
        throw lastFailure ?? StoreError.io(path: path, detail: "cannot be read")
    }

    private static func inspect(path: String, access: ReadOnlyAccess, fullCheck: Bool) throws {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(30)
        let queue = try DatabaseQueue(path: access.uri(for: path), configuration: config)
        defer { try? queue.close() }
        try queue.read { db in
            let check = fullCheck ? "integrity_check" : "quick_check"
            let result = try String.fetchAll(db, sql: "PRAGMA \(check)")
            if result != ["ok"] {
                throw StoreError.corrupt(path: path, detail: result.prefix(3).joined(separator: "; "))
            }
            let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            if version > schemaVersion {
                throw StoreError.newerSchema(
                    path: path, unknown: ["schema version \(version) (this tcnode knows up to \(schemaVersion))"])
            }
            let migrator = Store.migrator
            if try migrator.hasBeenSuperseded(db) {
                let unknown = try migrator.appliedIdentifiers(db).subtracting(Set(migrator.migrations)).sorted()
                throw StoreError.newerSchema(path: path, unknown: unknown)
            }
            guard try db.tableExists("meta") else { throw StoreError.notInitialised(path: path) }
        }
    }

    /// How a read-only connection reaches the file without writing to it or
    /// its -wal and -shm (measured with SQLite 3.40: a plain read-only
    /// connection creates a missing -wal and -shm and writes read marks into
    /// an existing -shm).
    enum ReadOnlyAccess: Equatable {
        /// No -wal: the main file holds everything. No locks and no -wal or
        /// -shm are made; another process changing the file meanwhile is
        /// noticed by `FileIdentity` and the file read again with locks.
        case immutable
        /// A -wal and a -shm exist (the daemon runs, or one was killed):
        /// the -shm is mapped read-only; SQLite reads the -wal itself when
        /// the -shm cannot be trusted.
        case sharedMemoryReadOnly
        /// A -wal without a -shm (copied files): SQLite must build a -shm
        /// to read the -wal. Neither the main file nor the -wal change.
        case readOnly

        static func candidates(for path: String) -> [ReadOnlyAccess] {
            let fm = FileManager.default
            if !fm.fileExists(atPath: path + "-wal") { return [.immutable, .sharedMemoryReadOnly, .readOnly] }
            if fm.fileExists(atPath: path + "-shm") { return [.sharedMemoryReadOnly, .readOnly] }
            return [.readOnly]
        }

        /// An SQLite URI filename (Debian's and Apple's SQLite accept them
        /// on open; GRDB passes the path through).
        func uri(for path: String) -> String {
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            let escaped = absolute.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? absolute
            switch self {
            case .immutable: return "file:\(escaped)?mode=ro&immutable=1"
            case .sharedMemoryReadOnly: return "file:\(escaped)?mode=ro&readonly_shm=1"
            case .readOnly: return "file:\(escaped)?mode=ro"
            }
        }
    }

    /// Enough of a file's metadata to tell that someone wrote it (or
    /// created its -wal) between two looks.
    struct FileIdentity: Equatable {
        let size: UInt64?
        let modified: Date?
        let inode: UInt64?
        let walExists: Bool

        init(path: String) {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            size = (attributes?[.size] as? NSNumber)?.uint64Value
            modified = attributes?[.modificationDate] as? Date
            inode = (attributes?[.systemFileNumber] as? NSNumber)?.uint64Value
            walExists = FileManager.default.fileExists(atPath: path + "-wal")
        }
    }
}
