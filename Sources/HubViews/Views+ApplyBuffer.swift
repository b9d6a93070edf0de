import Foundation
import GRDB

/// The record rows a batch changes, held in memory and written at the end
/// of the batch as a few multi-row statements per table: PostgreSQL's way
/// of applying a batch, where every statement is a round trip to the server
/// (one statement per entry made its catch-up a third of the ingest rate).
/// The rows the batch replaces are read first, a few statements per table
/// (`prefetch`); reads later in the batch see the batch's own writes.
struct ApplyBuffer {
    struct Key: Hashable {
        let table: String
        let author: String
        let key: String
    }

    /// A record's row now, as far as this batch knows: absent means not
    /// read yet (ask the database), `.some(nil)` means no row.
    var known: [Key: [String: DatabaseValue]?] = [:]
    /// Rows to write (nil: only delete), with the order of their last write:
    /// rows are inserted in log order, as SQLite stores them (the order of
    /// two surveys on one day decides which is a centre's latest).
    var pending: [Key: (order: Int, record: ViewRecord?, photos: [SQLArguments])] = [:]
    var order = 0
    /// The records whose row the database held when read: only they need
    /// deleting before their new rows go in. Most entries a catch-up
    /// applies make new records, and a DELETE of a row that is not there
    /// still costs the server an index probe per key and per table.
    var stored: Set<Key> = []

    var isEmpty: Bool { pending.isEmpty }

    /// Reads the current rows of every record `changes` touch, and their
    /// authors' regions, in a few statements per table.
    mutating func prefetch(_ changes: [ViewChange], regions: inout [String: String], db: any ViewsSQL) throws {
        var byTable: [String: Set<[String]>] = [:]
        var authors: Set<String> = []
        for change in changes {
            guard case .record = change.action else { continue }
            byTable[change.kind, default: []].insert([change.authorText, change.key])
            authors.insert(change.authorText)
        }
        for (table, keys) in byTable {
            let keys = Array(keys)
            for key in keys { known[Key(table: table, author: key[0], key: key[1])] = .some(nil) }
            for part in stride(from: 0, to: keys.count, by: ViewsBulk.chunk).map({ keys[$0..<min($0 + ViewsBulk.chunk, keys.count)] }) {
                let rows = try db.all("SELECT * FROM \(table) WHERE (author, key) IN (VALUES \(ViewsBulk.placeholders(rows: part.count, columns: 2)))",
                                      part.flatMap { $0 as SQLArguments })
                for row in rows {
                    var fields = row.dictionary
                    fields["rowid"] = nil
                    fields["latest"] = nil
                    let author = String.fromDatabaseValue(fields["author"] ?? .null) ?? ""
                    let key = String.fromDatabaseValue(fields["key"] ?? .null) ?? ""
                    known[Key(table: table, author: author, key: key)] = .some(fields)
                    stored.insert(Key(table: table, author: author, key: key))
                }
            }
        }
        let missing = Array(authors.filter { regions[$0] == nil })
        for part in stride(from: 0, to: missing.count, by: ViewsBulk.chunk).map({ Array(missing[$0..<min($0 + ViewsBulk.chunk, missing.count)]) }) {
            for author in part { regions[author] = "" }
            let list = part.map { _ in "?" }.joined(separator: ", ")
            for row in try db.all("SELECT author, region FROM centre WHERE author IN (\(list))", part) {
                regions[row[0] as String] = row[1] as String
            }
        }
    }

    /// The row of a record, from this batch or the database.
    mutating func row(_ k: Key, db: any ViewsSQL) throws -> [String: DatabaseValue]? {
        if let row = known[k] { return row }
        var row = try db.one("SELECT * FROM \(k.table) WHERE author = ? AND key = ?", [k.author, k.key])?.dictionary
        row?["rowid"] = nil
        row?["latest"] = nil
        known[k] = .some(row)
        if row != nil { stored.insert(k) }
        return row
    }

    mutating func delete(_ k: Key) {
        known[k] = .some(nil)
        order += 1
        pending[k] = (order, nil, [])
    }

    mutating func insert(_ k: Key, record: ViewRecord) {
        known[k] = .some(record.row)
        order += 1
        pending[k] = (order, record, [])
    }

    mutating func addPhoto(_ k: Key, _ arguments: SQLArguments) {
        pending[k]?.photos.append(arguments)
    }

    /// Writes what the batch changed: per table, one DELETE of the keys it
    /// touched that had a row (and of their photo references), then the new
    /// rows in log order, a thousand per statement.
    mutating func write(db: any ViewsSQL) throws {
        guard !pending.isEmpty else { return }
        let byTable = Dictionary(grouping: pending, by: { $0.key.table })
        for (table, entries) in byTable {
            let keys = entries.filter { stored.contains($0.key) }.map { [$0.key.author, $0.key.key] }
            for part in stride(from: 0, to: keys.count, by: ViewsBulk.chunk).map({ keys[$0..<min($0 + ViewsBulk.chunk, keys.count)] }) {
                let values = ViewsBulk.placeholders(rows: part.count, columns: 2)
                try db.execute("DELETE FROM \(table) WHERE (author, key) IN (VALUES \(values))", part.flatMap { $0 as SQLArguments })
                try db.execute("DELETE FROM blob_ref WHERE kind = ? AND (author, key) IN (VALUES \(values))", [table] + part.flatMap { $0 as SQLArguments })
            }
            let rows = entries.compactMap { e in e.value.record.map { (e.value.order, $0) } }.sorted { $0.0 < $1.0 }.map(\.1)
            // Rows of one kind have the same columns; grouped anyway, in order.
            var start = 0
            while start < rows.count {
                let columns = rows[start].columns
                var end = start
                while end < rows.count, end - start < ViewsBulk.chunk, rows[end].columns == columns { end += 1 }
                try db.execute("INSERT INTO \(table)(\(columns.joined(separator: ","))) VALUES "
                               + ViewsBulk.placeholders(rows: end - start, columns: columns.count),
                               rows[start..<end].flatMap(\.values))
                start = end
            }
            let photos = entries.flatMap(\.value.photos)
            for part in stride(from: 0, to: photos.count, by: ViewsBulk.chunk).map({ photos[$0..<min($0 + ViewsBulk.chunk, photos.count)] }) {
                try db.execute("""
                    INSERT INTO blob_ref(sha256, author, kind, key, subject, size, type, have, pieces)
                    VALUES \(ViewsBulk.placeholders(rows: part.count, columns: 9)) ON CONFLICT DO NOTHING
                    """, part.flatMap { $0 })
            }
        }
        // What is in the database now, for a key written again later in this batch.
        for (key, value) in pending {
            if value.record == nil { stored.remove(key) } else { stored.insert(key) }
        }
        pending = [:]
    }
}
