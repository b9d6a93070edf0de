import Foundation
import HubViews
import Logging
import PostgresNIO
import Replication
import TestSupport
import Testing

/// The time-based tables on PostgreSQL are kept in monthly partitions:
/// rows land in their month's, made when first needed; a record whose date
/// moves to another month moves with it (no copy left behind); dates that
/// are not well formed go where PostgreSQL's own comparison puts them; and
/// the tables are the same as SQLite's throughout.
@Suite(.enabled(if: ViewsUnderTest.postgres != nil, "needs TCNODE_TEST_POSTGRES (scripts/postgres-test-server)"))
struct PostgresPartitionTests {
    @Test func rowsLiveInTheirMonthsPartitionAndMoveWithTheirDate() async throws {
        let h = try ViewsCatchUpTests.History()
        let a = h.centres[0].key
        func sale(_ key: String, _ date: String, _ amount: Int) -> Entry.Draft {
            .put(kind: "sale", key: key, body: #"{"product":"p","date":"\#(date)","amount_idr":\#(amount),"fee_idr":1}"#, time: 30)
        }
        try h.write([
            sale("m1", "2026-03-04", 1000),
            // Month 13 sorts inside December's range; "2026-0:" inside September's.
            sale("m2", "2026-13-01", 2000),
            sale("m3", "1850-01-01", 3000),
            sale("m4", "2026-0:-01", 4000),
        ], as: a)
        let sqlite = try Views(path: h.dir.file("reference.sqlite"), store: h.store, blobs: h.blobs)
        let postgres = try await OffPool.run { [store = h.store, blobs = h.blobs, path = h.dir.file("pg")] in
            try Views(postgres: ViewsUnderTest.schema(for: path, in: ViewsUnderTest.postgres!), store: store, blobs: blobs)
        }
        func compare() async throws {
            try await sqlite.catchUp(batch: 64)
            try await postgres.catchUp(batch: 64)
            ViewsCatchUpTests.expectSame(try await ViewsCatchUpTests.tables(sqlite), try await ViewsCatchUpTests.tables(postgres), "PostgreSQL")
        }
        func placed() async throws -> [String] {
            try await OffPool.run {
                try postgres.strings("""
                    SELECT key || ' ' || tableoid::regclass::text FROM sale WHERE author = '\(a.id)' AND key LIKE 'm_' ORDER BY key
                    """)
            }
        }
        try await compare()
        #expect(try await placed() == ["m1 sale_2026_03", "m2 sale_2026_12", "m3 sale_undated", "m4 sale_2026_09"])

        // m1 moves to a month no row had yet, m3 is deleted, m2 moves out of range.
        try h.write([sale("m1", "2027-01-15", 1500), .delete(kind: "sale", key: "m3", time: 31), sale("m2", "3001-01-01", 2000)], as: a)
        try await compare()
        #expect(try await placed() == ["m1 sale_2027_01", "m2 sale_undated", "m4 sale_2026_09"])

        // Every row is found through record_date, and record_date holds nothing else.
        let (rows, dated, stray) = try await OffPool.run {
            (try postgres.strings("SELECT count(*) FROM sale").first,
             try postgres.strings("SELECT count(*) FROM record_date WHERE kind = 'sale'").first,
             try postgres.strings("""
                SELECT count(*) FROM record_date r WHERE NOT EXISTS (
                    SELECT 1 FROM sale s WHERE s.author = r.author AND s.key = r.key AND s.date = r.date) AND r.kind = 'sale'
                """).first)
        }
        #expect(rows == dated && stray == "0")
        // The generated network's months, each its own partition.
        let months = try await OffPool.run {
            try postgres.strings("""
                SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'monitoring'::regclass ORDER BY 1
                """)
        }
        #expect(months.contains("monitoring_2026_05") && months.contains("monitoring_undated"), "\(months)")
        try await OffPool.run { try postgres.dropSchema() }
        try sqlite.close()
        try postgres.close()
    }

    /// A write's statements go out without waiting for each answer: one the
    /// server refuses must fail the whole batch (nothing committed, the
    /// position where it was), not vanish behind a COMMIT, which PostgreSQL
    /// answers with a plain ROLLBACK after a failure.
    @Test func aStatementTheServerRefusesFailsTheBatchAndCommitsNothing() async throws {
        let h = try ViewsCatchUpTests.History()
        let location = ViewsUnderTest.schema(for: h.dir.file("pg"), in: ViewsUnderTest.postgres!)
        let postgres = try await OffPool.run { [store = h.store, blobs = h.blobs] in try Views(postgres: location, store: store, blobs: blobs) }
        try await postgres.catchUp(batch: 64)
        func position() async throws -> [String] { try await OffPool.run { try postgres.strings("SELECT applied_position FROM meta") } }
        let before = try await position()
        // Stage 0 renames a product "Ganti", among other edits.
        try await Self.run("ALTER TABLE product ADD CONSTRAINT refuse_ganti CHECK (name <> 'Ganti')", at: location)
        try h.edit(stage: 0)
        await #expect(throws: (any Error).self) { try await postgres.catchUp(batch: 64) }
        #expect(try await position() == before)

        try await Self.run("ALTER TABLE product DROP CONSTRAINT refuse_ganti", at: location)
        try await postgres.catchUp(batch: 64)
        let sqlite = try Views(path: h.dir.file("reference.sqlite"), store: h.store, blobs: h.blobs)
        try await sqlite.catchUp(batch: 64)
        ViewsCatchUpTests.expectSame(try await ViewsCatchUpTests.tables(sqlite), try await ViewsCatchUpTests.tables(postgres), "PostgreSQL")
        try await OffPool.run { try postgres.dropSchema() }
        try sqlite.close()
        try postgres.close()
    }

    /// Runs one statement in the views' schema on a connection of its own.
    static func run(_ sql: String, at location: PostgresViewsLocation) async throws {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let configuration = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                             password: location.password, database: location.database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: "SET search_path TO \"\(location.schema)\""), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        } catch {
            try await connection.close()
            throw error
        }
        try await connection.close()
    }
}
