import Foundation
import GRDB

/// The writes made once per batch (counters, seqs, latest-survey flags).
/// SQLite runs them row by row through cached statements (in-process, that
/// is fastest); PostgreSQL as multi-row statements, since there every
/// statement is a round trip to the server.
enum ViewsBulk {
    /// Rows per multi-row statement: PostgreSQL takes at most 65,535
    /// arguments in one statement.
    static let chunk = 1000

    /// Adds each delta to its counter; a counter that comes back to zero is
    /// removed (pages list only what is there).
    static func addCounters(_ deltas: [(metric: String, d1: String, d2: String, delta: Double)], db: any ViewsSQL) throws {
        guard !deltas.isEmpty else { return }
        let upsert = "ON CONFLICT(metric, d1, d2) DO UPDATE SET value = agg.value + excluded.value"
        switch db.dialect {
        case .sqlite:
            for d in deltas {
                let value = try db.value(Double.self, "INSERT INTO agg(metric, d1, d2, value) VALUES (?, ?, ?, ?) " + upsert + " RETURNING value",
                                         [d.metric, d.d1, d.d2, d.delta]) ?? 0
                if abs(value) < 0.000001 { try db.execute("DELETE FROM agg WHERE metric = ? AND d1 = ? AND d2 = ?", [d.metric, d.d1, d.d2]) }
            }
        case .postgresql:
            // Sent without waiting for an answer (see `PostgresViewsSQL.execute`):
            // the counters that came back to zero are found by the server.
            for part in chunks(deltas) {
                try db.execute("INSERT INTO agg(metric, d1, d2, value) VALUES " + placeholders(rows: part.count, columns: 4) + " " + upsert,
                               part.flatMap { [$0.metric, $0.d1, $0.d2, $0.delta] as SQLArguments })
                try db.execute("DELETE FROM agg WHERE abs(value) < 0.000001 AND (metric, d1, d2) IN (VALUES "
                               + placeholders(rows: part.count, columns: 3) + ")",
                               part.flatMap { [$0.metric, $0.d1, $0.d2] as SQLArguments })
            }
        }
    }

    /// Raises each author's newest applied seq.
    static func raiseSeqs(_ seqs: [(author: String, seq: Int64)], db: any ViewsSQL) throws {
        guard !seqs.isEmpty else { return }
        switch db.dialect {
        case .sqlite:
            for s in seqs {
                try db.execute("INSERT INTO author_seq(author, seq) VALUES (?, ?) ON CONFLICT(author) DO UPDATE SET seq = max(seq, excluded.seq)",
                               [s.author, s.seq])
            }
        case .postgresql:
            for part in chunks(seqs) {
                try db.execute("INSERT INTO author_seq(author, seq) VALUES " + placeholders(rows: part.count, columns: 2)
                               + " ON CONFLICT(author) DO UPDATE SET seq = greatest(author_seq.seq, excluded.seq)",
                               part.flatMap { [$0.author, $0.seq] as SQLArguments })
            }
        }
    }

    /// Sets the `latest` flags of these centres' surveys: every survey on
    /// the centre's latest date is latest (1); the one stored first of them
    /// is the centre's latest survey (2).
    static func flagLatest(_ subjects: [String], db: any ViewsSQL) throws {
        guard !subjects.isEmpty else { return }
        switch db.dialect {
        case .sqlite:
            for subject in subjects {
                try db.execute("""
                    UPDATE monitoring SET latest = CASE WHEN date = (SELECT max(date) FROM monitoring WHERE subject = ?1) THEN 1 ELSE 0 END
                    WHERE subject = ?1
                    """, [subject])
                try db.execute("""
                    UPDATE monitoring SET latest = 2
                    WHERE rowid = (SELECT rowid FROM monitoring WHERE subject = ?1 AND latest = 1 ORDER BY rowid LIMIT 1)
                    """, [subject])
            }
        case .postgresql:
            for part in chunks(subjects).map(Array.init) {
                let list = "(" + part.map { _ in "?" }.joined(separator: ", ") + ")"
                // One statement, which writes only the rows whose flag changes
                // (setting every survey of a centre again, batch after batch,
                // left PostgreSQL a dead row version for each).
                try db.execute("""
                    UPDATE monitoring m SET latest = x.want
                    FROM (SELECT author, key, date,
                                 CASE WHEN date <> max(date) OVER (PARTITION BY subject) THEN 0
                                      WHEN row_number() OVER (PARTITION BY subject ORDER BY date DESC, rowid) = 1 THEN 2
                                      ELSE 1 END AS want
                          FROM monitoring WHERE subject IN \(list)) x
                    WHERE m.author = x.author AND m.key = x.key AND m.date = x.date AND m.latest <> x.want
                    """, part)
            }
        }
    }

    /// `items` a `chunk` at a time.
    static func chunks<T>(_ items: [T]) -> [ArraySlice<T>] {
        stride(from: 0, to: items.count, by: chunk).map { items[$0..<min($0 + chunk, items.count)] }
    }

    /// "(?, ?), (?, ?)" for two rows of two columns.
    static func placeholders(rows: Int, columns: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        return Array(repeating: row, count: rows).joined(separator: ", ")
    }
}
