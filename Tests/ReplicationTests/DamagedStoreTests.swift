import Foundation
import GRDB
import Replication
import Testing

/// A damaged or foreign database is refused and left exactly as it was: the
/// operator is told to copy it away, so no open may write to it, its -wal
/// or its -shm (issue 9, item 4).
@Suite struct DamagedStoreTests {
    static let suffixes = ["", "-wal", "-shm"]

    /// The bytes of a database's three files (nil: the file does not exist).
    static func snapshot(_ path: String) -> [Data?] {
        suffixes.map { FileManager.default.contents(atPath: path + $0) }
    }

    /// A store of one node holding 300 entries: the first 250 in the main
    /// file, the last 50 only in its -wal. Returns the page number of the
    /// first leaf of the `entry` table, which the later appends never touch.
    static func populatedStore(in dir: TemporaryDirectory) throws -> (TestNode, page: Int, pageSize: Int) {
        let node = try makeNode(in: dir, name: "a")
        for i in 0..<250 { try node.put("product", "p\(i)", jsonBody(i)) }
        let (page, pageSize) = try DatabaseQueue(path: node.store.path).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            let page = try Int.fetchOne(
                db, sql: "SELECT min(pageno) FROM dbstat WHERE name = 'entry' AND pagetype = 'leaf'")
            return (page, try Int.fetchOne(db, sql: "PRAGMA page_size"))
        }
        for i in 250..<300 { try node.put("product", "p\(i)", jsonBody(i)) }
        return (node, try #require(page), try #require(pageSize))
    }

    /// Overwrites one page of the main file, as a failing disk would.
    static func corrupt(page: Int, pageSize: Int, of path: String) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: UInt64((page - 1) * pageSize))
        try handle.write(contentsOf: Data(repeating: 0xA5, count: pageSize))
        try handle.close()
    }

    /// Opens the way the CLI (no full check) and the daemon (full check) do,
    /// several times each; every one must be refused as damaged.
    static func expectRefusedAsDamaged(_ path: String) {
        for _ in 0..<3 {
            for full in [false, true] {
                #expect {
                    _ = try Store.open(at: path, checkIntegrity: full)
                } throws: { error in
                    guard case StoreError.corrupt = error else { return false }
                    return "\(error)".contains("Nothing was changed")
                }
            }
        }
    }

    @Test func damagedStoreLeftByAKilledDaemonStaysByteForByteUnchanged() throws {
        let dir = TemporaryDirectory()
        let (node, page, pageSize) = try Self.populatedStore(in: dir)
        // Copy the files while the store is open: what kill -9 leaves behind,
        // a -wal with committed entries and a -shm.
        let copy = dir.file("killed.sqlite")
        for suffix in Self.suffixes { try FileManager.default.copyItem(atPath: node.store.path + suffix, toPath: copy + suffix) }
        try node.store.close()
        try Self.corrupt(page: page, pageSize: pageSize, of: copy)
        let before = Self.snapshot(copy)
        #expect(before.allSatisfy { $0 != nil }, "all three files exist")
        #expect(try #require(before[1]).count > 0, "the -wal holds the last entries")

        Self.expectRefusedAsDamaged(copy)
        #expect(Self.snapshot(copy) == before)
    }

    @Test func damagedStoreWithoutAWALStaysByteForByteUnchanged() throws {
        let dir = TemporaryDirectory()
        let (node, page, pageSize) = try Self.populatedStore(in: dir)
        try node.store.close()
        // GRDB closes the pool's writer before its readers, so the -wal
        // outlives it; the last connection of a plain queue folds it in and
        // removes it, as the sqlite3 shell or a backup tool would.
        try DatabaseQueue(path: node.store.path).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        #expect(!FileManager.default.fileExists(atPath: node.store.path + "-wal"))
        try Self.corrupt(page: page, pageSize: pageSize, of: node.store.path)
        let before = Self.snapshot(node.store.path)

        Self.expectRefusedAsDamaged(node.store.path)
        // Not even an empty -wal or -shm appears next to it.
        #expect(Self.snapshot(node.store.path) == before)
    }

    @Test func schemaVersionFromANewerTcnodeIsRefusedUnchanged() throws {
        let dir = TemporaryDirectory()
        let node = try makeNode(in: dir, name: "a")
        try node.put("product", "x", jsonBody(1))
        try node.store.close()
        try DatabaseQueue(path: node.store.path).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA user_version = 99")
        }
        let before = Self.snapshot(node.store.path)
        for full in [false, true] {
            #expect {
                _ = try Store.open(at: node.store.path, checkIntegrity: full)
            } throws: { error in
                guard case StoreError.newerSchema = error else { return false }
                let text = "\(error)"
                return text.contains("written by a newer tcnode") && text.contains("99")
                    && text.contains("up to \(Store.schemaVersion)")
            }
        }
        #expect(Self.snapshot(node.store.path) == before)
    }

    @Test func storesRecordTheirSchemaVersionAndOlderOnesAreMigrated() throws {
        let dir = TemporaryDirectory()
        let node = try makeNode(in: dir, name: "a")
        try node.put("product", "x", jsonBody(1))
        try node.store.close()
        func userVersion() throws -> Int? {
            try DatabaseQueue(path: node.store.path).read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }
        }
        #expect(try userVersion() == Store.schemaVersion)
        // Each migration records its number: the count of migrations is the version.
        let applied = try DatabaseQueue(path: node.store.path).read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        }
        #expect(applied.count == Store.schemaVersion)

        // A file written before user_version was kept (0, without the v4
        // migration) opens, and the v4 migration records its number. (Later
        // migrations, already applied here, are not run again.)
        try DatabaseQueue(path: node.store.path).write { db in
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'v4 %'")
            try db.execute(sql: "PRAGMA user_version = 0")
        }
        let reopened = try Store.open(at: node.store.path, checkIntegrity: true)
        #expect(try reopened.record(author: node.id, kind: "product", key: "x") != nil)
        try reopened.close()
        #expect(try userVersion() == 4)
    }

    @Test func healthyStoreOpensWhileAnotherConnectionWrites() throws {
        // The read-only look must work while another connection (the daemon)
        // holds the file open and writes.
        let dir = TemporaryDirectory()
        let node = try makeNode(in: dir, name: "a")
        try node.put("product", "x", jsonBody(1))
        let second = try Store.open(at: node.store.path, checkIntegrity: true)
        try node.put("product", "y", jsonBody(2))
        #expect(try second.record(author: node.id, kind: "product", key: "y") != nil)
        try second.close()
    }

    @Test func emptyOrForeignFilesAreRefusedUnchanged() throws {
        let dir = TemporaryDirectory()
        let empty = dir.file("empty.sqlite")
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        #expect {
            _ = try Store.open(at: empty)
        } throws: { error in
            guard case StoreError.notInitialised = error else { return false }
            return true
        }
        #expect(Self.snapshot(empty) == [Data(), nil, nil])

        let foreign = dir.file("foreign.sqlite")
        try DatabaseQueue(path: foreign).write { db in try db.execute(sql: "CREATE TABLE t(x)") }
        let before = Self.snapshot(foreign)
        #expect {
            _ = try Store.open(at: foreign)
        } throws: { error in
            guard case StoreError.notInitialised = error else { return false }
            return true
        }
        #expect(Self.snapshot(foreign) == before)
    }
}
