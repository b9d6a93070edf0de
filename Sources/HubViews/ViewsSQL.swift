import Foundation
import GRDB

/// One transaction on the views database, SQLite's or PostgreSQL's: the
/// only way the views' reads and writes reach it, so that the same SQL (and
/// the same code around it) serves both. Statements use `?` for their
/// arguments (`?1`, `?2` to use one twice); `dialect` is asked where the
/// two servers' SQL differs.
///
/// Synchronous, like GRDB's API: every caller runs off the cooperative
/// pool (`OffPool.run`, or GRDB's own writer), and PostgreSQL's connection
/// waits there for its answer (see `PostgresViewsSQL`).
protocol ViewsSQL {
    var dialect: ViewsDialect { get }
    func all(_ sql: String, _ arguments: [DatabaseValue]) throws -> [ViewRow]
    func execute(_ sql: String, _ arguments: [DatabaseValue]) throws
}

enum ViewsDialect: Sendable {
    case sqlite, postgresql
}

/// What a statement's arguments are written as: `[author, key, 1, nil]`.
typealias SQLArguments = [(any DatabaseValueConvertible)?]

extension ViewsSQL {
    func all(_ sql: String, _ arguments: SQLArguments = []) throws -> [ViewRow] {
        try all(sql, arguments.map { $0?.databaseValue ?? .null })
    }

    func one(_ sql: String, _ arguments: SQLArguments = []) throws -> ViewRow? { try all(sql, arguments).first }

    func execute(_ sql: String, _ arguments: SQLArguments = []) throws {
        try execute(sql, arguments.map { $0?.databaseValue ?? .null })
    }

    /// The first column of each row.
    func column<T: DatabaseValueConvertible>(_ type: T.Type, _ sql: String, _ arguments: SQLArguments = []) throws -> [T] {
        try all(sql, arguments).compactMap { T.fromDatabaseValue($0.values[0]) }
    }

    /// The first column of the first row, nil when there is none or it is NULL.
    func value<T: DatabaseValueConvertible>(_ type: T.Type, _ sql: String, _ arguments: SQLArguments = []) throws -> T? {
        try all(sql, arguments).first.flatMap { T.fromDatabaseValue($0.values[0]) }
    }
}

/// A result row: its values in the statement's column order, read by
/// position (`let name: String = row[1]`) or by name (`row["subject"]`),
/// the same whichever database answered. Values are SQLite's storage
/// classes (PostgreSQL's integers, floats and texts are converted), so a
/// column reads the same from both.
struct ViewRow: Sequence {
    let columns: [String]
    let values: [DatabaseValue]

    /// A non-NULL value of the expected type; anything else is a bug in the
    /// view's SQL (as GRDB's `Row` treats it).
    subscript<T: DatabaseValueConvertible>(_ index: Int) -> T {
        guard let value = T.fromDatabaseValue(values[index]) else {
            preconditionFailure("views column \(index) (\(columns[index])) is \(values[index]), not \(T.self)")
        }
        return value
    }

    subscript(_ name: String) -> DatabaseValue? { columns.firstIndex(of: name).map { values[$0] } }

    func makeIterator() -> Zip2Sequence<[String], [DatabaseValue]>.Iterator { zip(columns, values).makeIterator() }

    var dictionary: [String: DatabaseValue] { Dictionary(zip(columns, values), uniquingKeysWith: { a, _ in a }) }
}

/// The views on SQLite: a GRDB connection inside its transaction. Every
/// statement is cached (prepared once per connection).
struct SQLiteViewsSQL: ViewsSQL {
    let db: Database
    var dialect: ViewsDialect { .sqlite }

    func all(_ sql: String, _ arguments: [DatabaseValue]) throws -> [ViewRow] {
        let statement = try db.cachedStatement(sql: sql)
        let columns = statement.columnNames
        let count = CInt(statement.columnCount)
        let sqlite = statement.sqliteStatement
        let rows = try Row.fetchCursor(statement, arguments: StatementArguments(arguments))
        var out: [ViewRow] = []
        // The values are read from the statement's current row, not through
        // `Row`: its per-value trip through an existential was most of a
        // dashboard page's time at ten thousand centres.
        while try rows.next() != nil {
            var values: [DatabaseValue] = []
            values.reserveCapacity(Int(count))
            for index in 0..<count { values.append(DatabaseValue(sqliteStatement: sqlite, index: index)) }
            out.append(ViewRow(columns: columns, values: values))
        }
        return out
    }

    func execute(_ sql: String, _ arguments: [DatabaseValue]) throws {
        try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(arguments))
    }
}
