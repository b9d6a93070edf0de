import Foundation
import GRDB

/// The record rows a batch changes, held in memory and written at the end
/// of the batch as a few multi-row statements per table: PostgreSQL's way
/// of applying a batch, where every statement is a round trip to the server
/// (one statement per entry made its catch-up a third of the ingest rate).
/// The rows the batch replaces are read first, a few statements per table
/// (`prefetch`); reads later in the batch see the batch's own writes.
///
/// The time-based tables are partitioned by month (`MonthPartition`), and
/// PostgreSQL has no index over all of a table's partitions: a record is
/// found through `record_date`, which holds the date (the partition key) of
/// each of their records, so that only its month's partition is read.
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
    /// The records whose row the database holds, with their partition key
    /// (NULL for tables not partitioned): only they need deleting before
    /// their new rows go in. Most entries a catch-up applies make new
    /// records, and a DELETE of a row that is not there still costs the
    /// server an index probe per key and per table.
    var stored: [Key: DatabaseValue] = [:]
    /// The month partitions that exist, once asked in this batch.
    var partitions: Set<String>?

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
            let column = MonthPartition.column[table]
            for part in ViewsBulk.chunks(keys) {
                let values = ViewsBulk.placeholders(rows: part.count, columns: 2)
                let rows: [ViewRow]
                if let column {
                    let dated = try db.all("SELECT author, key, date FROM record_date WHERE kind = ? AND (author, key) IN (VALUES \(values))",
                                           [table] + part.flatMap { $0 as SQLArguments })
                    guard !dated.isEmpty else { continue }
                    let dates = Array(Set(dated.map { $0.values[2] }))
                    rows = try db.all("""
                        SELECT * FROM \(table) WHERE \(column) IN \(ViewsBulk.placeholders(rows: 1, columns: dates.count))
                        AND (author, key) IN (VALUES \(ViewsBulk.placeholders(rows: dated.count, columns: 2)))
                        """, dates + dated.flatMap { Array($0.values[0..<2]) })
                } else {
                    rows = try db.all("SELECT * FROM \(table) WHERE (author, key) IN (VALUES \(values))", part.flatMap { $0 as SQLArguments })
                }
                for row in rows {
                    var fields = row.dictionary
                    fields["rowid"] = nil
                    fields["latest"] = nil
                    let k = Key(table: table, author: String.fromDatabaseValue(fields["author"] ?? .null) ?? "",
                                key: String.fromDatabaseValue(fields["key"] ?? .null) ?? "")
                    known[k] = .some(fields)
                    stored[k] = MonthPartition.key(of: table, in: fields)
                }
            }
        }
        let missing = Array(authors.filter { regions[$0] == nil })
        for part in ViewsBulk.chunks(missing) {
            for author in part { regions[author] = "" }
            let list = part.map { _ in "?" }.joined(separator: ", ")
            for row in try db.all("SELECT author, region FROM centre WHERE author IN (\(list))", Array(part)) {
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
        if let row { stored[k] = MonthPartition.key(of: k.table, in: row) }
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
    /// touched that had a row (and of their photo references and dates),
    /// then the new rows in log order, a thousand per statement.
    mutating func write(db: any ViewsSQL) throws {
        guard !pending.isEmpty else { return }
        let byTable = Dictionary(grouping: pending, by: { $0.key.table })
        for (table, entries) in byTable {
            let column = MonthPartition.column[table]
            for part in ViewsBulk.chunks(entries.filter { stored[$0.key] != nil }) {
                let values = ViewsBulk.placeholders(rows: part.count, columns: 2)
                let keys = part.flatMap { [$0.key.author, $0.key.key] as SQLArguments }
                if let column {
                    // Only the months these rows are in.
                    let dates = Array(Set(part.map { stored[$0.key] ?? .null }))
                    try db.execute("DELETE FROM \(table) WHERE \(column) IN \(ViewsBulk.placeholders(rows: 1, columns: dates.count)) "
                                   + "AND (author, key) IN (VALUES \(values))", dates + keys.map { $0?.databaseValue ?? .null })
                    try db.execute("DELETE FROM record_date WHERE kind = ? AND (author, key) IN (VALUES \(values))", [table] + keys)
                } else {
                    try db.execute("DELETE FROM \(table) WHERE (author, key) IN (VALUES \(values))", keys)
                }
                try db.execute("DELETE FROM blob_ref WHERE kind = ? AND (author, key) IN (VALUES \(values))", [table] + keys)
            }
            let rows = entries.compactMap { e in e.value.record.map { (e.value.order, $0) } }.sorted { $0.0 < $1.0 }.map(\.1)
            if let column, !rows.isEmpty {
                let dates = rows.map { $0.row[column] ?? .null }
                try addPartitions(table: table, dates: dates, db: db)
                for part in ViewsBulk.chunks(Array(zip(rows, dates))) {
                    try db.execute("INSERT INTO record_date(kind, author, key, date) VALUES "
                                   + ViewsBulk.placeholders(rows: part.count, columns: 4),
                                   part.flatMap { [table, $0.0.row["author"], $0.0.row["key"], $0.1] as SQLArguments })
                }
            }
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
            for part in ViewsBulk.chunks(photos) {
                try db.execute("""
                    INSERT INTO blob_ref(sha256, author, kind, key, subject, size, type, have, pieces)
                    VALUES \(ViewsBulk.placeholders(rows: part.count, columns: 9)) ON CONFLICT DO NOTHING
                    """, part.flatMap { $0 })
            }
        }
        // What is in the database now, for a key written again later in this batch.
        for (key, value) in pending {
            stored[key] = value.record.map { MonthPartition.key(of: key.table, in: $0.row) }
        }
        pending = [:]
    }

    /// Creates the month partitions these dates need and that are not there yet.
    mutating func addPartitions(table: String, dates: [DatabaseValue], db: any ViewsSQL) throws {
        let months = Set(Set(dates).compactMap { String.fromDatabaseValue($0).flatMap(MonthPartition.init(containing:)) })
        if partitions == nil {
            partitions = Set(try db.column(String.self, """
                SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                JOIN pg_class p ON p.oid = i.inhparent WHERE p.relnamespace = current_schema()::regnamespace
                """))
        }
        for month in months.sorted(by: { $0.from < $1.from }) where !partitions!.contains(month.name(of: table)) {
            try db.execute(month.create(table))
            partitions!.insert(month.name(of: table))
        }
    }
}
