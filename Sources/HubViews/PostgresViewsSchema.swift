import Foundation
import GRDB
import Logging

/// The views' tables on PostgreSQL: the same tables and columns as on
/// SQLite (`Views.createSchema`; docs/VIEWS-SQL.md describes them for
/// analysts), created and changed by numbered migrations recorded in
/// `views_migration`. Texts sort as SQLite sorts them (`COLLATE "C"`, byte
/// order), so lists come out in the same order from both.
enum PostgresViewsSchema {
    /// The role analysts' logins are granted (`GRANT tcnode_analyst TO alice`):
    /// SELECT on every views table, nothing else.
    static let analystRole = "tcnode_analyst"

    static let migrations: [(version: Int, description: String, sql: String)] = [
        (1, "the views of views schema 4 (SQLite's)", """
            CREATE TABLE meta (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                schema INTEGER NOT NULL,
                applied_position BIGINT NOT NULL
            );
            CREATE TABLE author_seq (author TEXT COLLATE "C" PRIMARY KEY, seq BIGINT NOT NULL);
            CREATE TABLE centre (
                author TEXT COLLATE "C" PRIMARY KEY,
                name TEXT COLLATE "C", type TEXT COLLATE "C", role TEXT COLLATE "C",
                provinsi TEXT COLLATE "C", kabupaten TEXT COLLATE "C", kecamatan TEXT COLLATE "C", desa TEXT COLLATE "C",
                address TEXT COLLATE "C", lat DOUBLE PRECISION, lon DOUBLE PRECISION, phone TEXT COLLATE "C", email TEXT COLLATE "C",
                opening_hours TEXT COLLATE "C", services TEXT COLLATE "C", expertise TEXT COLLATE "C",
                admitted_name TEXT COLLATE "C", admitted_region TEXT COLLATE "C",
                region TEXT COLLATE "C" NOT NULL DEFAULT '',
                has_profile BIGINT NOT NULL DEFAULT 0,
                member BIGINT NOT NULL DEFAULT 0
            );
            CREATE TABLE product (
                author TEXT COLLATE "C" NOT NULL, key TEXT COLLATE "C" NOT NULL,
                name TEXT COLLATE "C" NOT NULL, category TEXT COLLATE "C" NOT NULL, description TEXT COLLATE "C", price BIGINT,
                unit TEXT COLLATE "C", producer TEXT COLLATE "C", producer_contact TEXT COLLATE "C", available BIGINT NOT NULL,
                online BIGINT NOT NULL, links TEXT COLLATE "C", photos TEXT COLLATE "C" NOT NULL DEFAULT '[]', time BIGINT NOT NULL,
                PRIMARY KEY (author, key)
            );
            CREATE INDEX product_category ON product(category);
            CREATE TABLE sale (
                author TEXT COLLATE "C" NOT NULL, key TEXT COLLATE "C" NOT NULL,
                product TEXT COLLATE "C" NOT NULL, date TEXT COLLATE "C" NOT NULL, year TEXT COLLATE "C" NOT NULL,
                month TEXT COLLATE "C" NOT NULL, quantity BIGINT NOT NULL, amount BIGINT NOT NULL, fee BIGINT NOT NULL,
                channel TEXT COLLATE "C" NOT NULL,
                PRIMARY KEY (author, key)
            );
            CREATE INDEX sale_date ON sale(date);
            CREATE TABLE training (
                author TEXT COLLATE "C" NOT NULL, key TEXT COLLATE "C" NOT NULL,
                title TEXT COLLATE "C" NOT NULL, topic TEXT COLLATE "C" NOT NULL, start TEXT COLLATE "C" NOT NULL,
                end_date TEXT COLLATE "C", year TEXT COLLATE "C" NOT NULL, month TEXT COLLATE "C" NOT NULL, place TEXT COLLATE "C",
                trainers TEXT COLLATE "C" NOT NULL, women BIGINT NOT NULL, men BIGINT NOT NULL, participants BIGINT NOT NULL,
                groups TEXT COLLATE "C" NOT NULL, photos TEXT COLLATE "C" NOT NULL DEFAULT '[]',
                PRIMARY KEY (author, key)
            );
            CREATE INDEX training_start ON training(start);
            CREATE TABLE monitoring (
                author TEXT COLLATE "C" NOT NULL, key TEXT COLLATE "C" NOT NULL,
                subject TEXT COLLATE "C" NOT NULL, date TEXT COLLATE "C" NOT NULL, period TEXT COLLATE "C" NOT NULL,
                assessor TEXT COLLATE "C" NOT NULL, classification TEXT COLLATE "C" NOT NULL, score DOUBLE PRECISION NOT NULL,
                scores TEXT COLLATE "C" NOT NULL, notes TEXT COLLATE "C", photos TEXT COLLATE "C" NOT NULL DEFAULT '[]',
                lat DOUBLE PRECISION, lon DOUBLE PRECISION,
                latest BIGINT NOT NULL DEFAULT 0,
                -- The order rows were stored in (SQLite's rowid): of two surveys on a
                -- centre's latest date, the one stored first is its latest.
                rowid BIGSERIAL NOT NULL,
                PRIMARY KEY (author, key)
            );
            CREATE INDEX monitoring_subject ON monitoring(subject, date);
            CREATE INDEX monitoring_latest ON monitoring(latest, date);
            CREATE TABLE activity (
                author TEXT COLLATE "C" NOT NULL, key TEXT COLLATE "C" NOT NULL,
                type TEXT COLLATE "C" NOT NULL, title TEXT COLLATE "C" NOT NULL, date TEXT COLLATE "C" NOT NULL,
                year TEXT COLLATE "C" NOT NULL, count BIGINT NOT NULL, grp TEXT COLLATE "C", place TEXT COLLATE "C",
                PRIMARY KEY (author, key)
            );
            CREATE INDEX activity_date ON activity(date);
            CREATE TABLE agg (
                metric TEXT COLLATE "C" NOT NULL, d1 TEXT COLLATE "C" NOT NULL, d2 TEXT COLLATE "C" NOT NULL,
                value DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (metric, d1, d2)
            );
            CREATE TABLE blob_ref (
                sha256 TEXT COLLATE "C" NOT NULL, author TEXT COLLATE "C" NOT NULL, kind TEXT COLLATE "C" NOT NULL,
                key TEXT COLLATE "C" NOT NULL, subject TEXT COLLATE "C", size BIGINT NOT NULL, type TEXT COLLATE "C" NOT NULL,
                have BIGINT NOT NULL DEFAULT 0, pieces TEXT COLLATE "C",
                PRIMARY KEY (sha256, author, kind, key)
            );
            CREATE INDEX blob_ref_missing ON blob_ref(have, sha256);
            CREATE INDEX blob_ref_record ON blob_ref(author, kind, key);
            INSERT INTO meta(id, schema, applied_position) VALUES (1, 4, 0);
            """),
        (2, "views for analysts: centres with their counters", analystViews),
        // Views migrated from 2 may have lost a settle (the bug this fixes):
        // settle once, purges included.
        (3, "a settle lost with the connection is done by the next catch-up; the newest latest surveys in order (views schema 5)", """
            ALTER TABLE meta ADD COLUMN settle_pending INTEGER NOT NULL DEFAULT 0;
            UPDATE meta SET schema = 5, settle_pending = 2 WHERE id = 1;
            CREATE INDEX monitoring_recent ON monitoring(date DESC, subject, author) WHERE latest >= 1
            """),
        // The rows of the time-based tables move to monthly partitions: the
        // views are rebuilt from the log, as for any change of their tables.
        (4, "monthly partitions of sale, training, monitoring and activity; record_date", """
            DROP VIEW centre_overview;
            DROP VIEW sales_by_month;
            DROP TABLE sale, training, monitoring, activity;
            CREATE TABLE sale (
                author TEXT COLLATE "C" NOT NULL, key TEXT COLLATE "C" NOT NULL,
                product TEXT COLLATE "C" NOT NULL, date TEXT COLLATE "C" NOT NULL, year TEXT COLLATE "C" NOT NULL,
                month TEXT COLLATE "C" NOT NULL, quantity BIGINT NOT NULL, amount BIGINT NOT NULL, fee BIGINT NOT NULL,
                channel TEXT COLLATE "C" NOT NULL,
                PRIMARY KEY (author, key, date)
            ) PARTITION BY RANGE (date);
            CREATE TABLE sale_undated PARTITION OF sale DEFAULT;
            CREATE INDEX sale_date ON sale(date);
            CREATE TABLE training (
                author TEXT COLLATE "C" NOT NULL, key TEXT COLLATE "C" NOT NULL,
                title TEXT COLLATE "C" NOT NULL, topic TEXT COLLATE "C" NOT NULL, start TEXT COLLATE "C" NOT NULL,
                end_date TEXT COLLATE "C", year TEXT COLLATE "C" NOT NULL, month TEXT COLLATE "C" NOT NULL, place TEXT COLLATE "C",
                trainers TEXT COLLATE "C" NOT NULL, women BIGINT NOT NULL, men BIGINT NOT NULL, participants BIGINT NOT NULL,
                groups TEXT COLLATE "C" NOT NULL, photos TEXT COLLATE "C" NOT NULL DEFAULT '[]',
                PRIMARY KEY (author, key, start)
            ) PARTITION BY RANGE (start);
            CREATE TABLE training_undated PARTITION OF training DEFAULT;
            CREATE INDEX training_start ON training(start);
            CREATE TABLE monitoring (
                author TEXT COLLATE "C" NOT NULL, key TEXT COLLATE "C" NOT NULL,
                subject TEXT COLLATE "C" NOT NULL, date TEXT COLLATE "C" NOT NULL, period TEXT COLLATE "C" NOT NULL,
                assessor TEXT COLLATE "C" NOT NULL, classification TEXT COLLATE "C" NOT NULL, score DOUBLE PRECISION NOT NULL,
                scores TEXT COLLATE "C" NOT NULL, notes TEXT COLLATE "C", photos TEXT COLLATE "C" NOT NULL DEFAULT '[]',
                lat DOUBLE PRECISION, lon DOUBLE PRECISION,
                latest BIGINT NOT NULL DEFAULT 0,
                rowid BIGSERIAL NOT NULL,
                PRIMARY KEY (author, key, date)
            ) PARTITION BY RANGE (date);
            CREATE TABLE monitoring_undated PARTITION OF monitoring DEFAULT;
            CREATE INDEX monitoring_subject ON monitoring(subject, date);
            CREATE INDEX monitoring_latest ON monitoring(latest, date);
            CREATE INDEX monitoring_recent ON monitoring(date DESC, subject, author) WHERE latest >= 1;
            CREATE TABLE activity (
                author TEXT COLLATE "C" NOT NULL, key TEXT COLLATE "C" NOT NULL,
                type TEXT COLLATE "C" NOT NULL, title TEXT COLLATE "C" NOT NULL, date TEXT COLLATE "C" NOT NULL,
                year TEXT COLLATE "C" NOT NULL, count BIGINT NOT NULL, grp TEXT COLLATE "C", place TEXT COLLATE "C",
                PRIMARY KEY (author, key, date)
            ) PARTITION BY RANGE (date);
            CREATE TABLE activity_undated PARTITION OF activity DEFAULT;
            CREATE INDEX activity_date ON activity(date);
            CREATE TABLE record_date (
                author TEXT COLLATE "C" NOT NULL, key TEXT COLLATE "C" NOT NULL, kind TEXT COLLATE "C" NOT NULL,
                date TEXT COLLATE "C" NOT NULL,
                PRIMARY KEY (author, key, kind)
            );
            TRUNCATE author_seq, centre, product, agg, blob_ref;
            UPDATE meta SET applied_position = 0, settle_pending = 0 WHERE id = 1;
            CREATE VIEW centre_overview AS
            SELECT c.author, coalesce(c.name, c.admitted_name) AS name, c.type, c.role, c.region, c.provinsi, c.kabupaten,
                   c.member = 1 AS member,
                   coalesce((SELECT sum(value) FROM agg WHERE metric = 'products_centre' AND d1 = c.author), 0)::bigint AS products,
                   coalesce((SELECT sum(value) FROM agg WHERE metric = 'products_online_centre' AND d1 = c.author), 0)::bigint AS products_online,
                   coalesce((SELECT sum(value) FROM agg WHERE metric = 'sales_amount' AND d2 = c.author), 0)::bigint AS sales_idr,
                   coalesce((SELECT sum(value) FROM agg WHERE metric = 'trainings_centre' AND d2 = c.author), 0)::bigint AS trainings,
                   (SELECT m.classification FROM monitoring m WHERE m.subject = c.author AND m.latest = 2) AS latest_classification
            FROM centre c;
            CREATE VIEW sales_by_month AS
            SELECT s.month, c.region, count(*) AS sales, sum(s.amount) AS amount_idr, sum(s.fee) AS fee_idr
            FROM sale s LEFT JOIN centre c ON c.author = s.author GROUP BY s.month, c.region
            """),
    ]

    /// The views for analysts (docs/VIEWS-SQL.md), made again when their tables are.
    static let analystViews = """
            CREATE VIEW centre_overview AS
            SELECT c.author, coalesce(c.name, c.admitted_name) AS name, c.type, c.role, c.region, c.provinsi, c.kabupaten,
                   c.member = 1 AS member,
                   coalesce((SELECT sum(value) FROM agg WHERE metric = 'products_centre' AND d1 = c.author), 0)::bigint AS products,
                   coalesce((SELECT sum(value) FROM agg WHERE metric = 'products_online_centre' AND d1 = c.author), 0)::bigint AS products_online,
                   coalesce((SELECT sum(value) FROM agg WHERE metric = 'sales_amount' AND d2 = c.author), 0)::bigint AS sales_idr,
                   coalesce((SELECT sum(value) FROM agg WHERE metric = 'trainings_centre' AND d2 = c.author), 0)::bigint AS trainings,
                   (SELECT m.classification FROM monitoring m WHERE m.subject = c.author AND m.latest = 2) AS latest_classification
            FROM centre c;
            CREATE VIEW sales_by_month AS
            SELECT s.month, c.region, count(*) AS sales, sum(s.amount) AS amount_idr, sum(s.fee) AS fee_idr
            FROM sale s LEFT JOIN centre c ON c.author = s.author GROUP BY s.month, c.region;
        """

    static var current: Int { migrations.last!.version }

    /// Creates the schema or brings it to `current`, under a lock so that
    /// two daemons starting together do not both migrate.
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    static func migrate(_ sql: PostgresViewsSQL, schema: String, logger: Logger) throws {
        try sql.execute("BEGIN", [DatabaseValue]())
        do {
            try sql.execute("SELECT pg_advisory_xact_lock(hashtext(?))", ["tcnode views " + schema])
            try sql.execute("CREATE SCHEMA IF NOT EXISTS \(PostgresViews.quoted(schema))")
            try sql.execute("""
                CREATE TABLE IF NOT EXISTS views_migration (
                    version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """)
            let have = try sql.value(Int.self, "SELECT max(version) FROM views_migration") ?? 0
            guard have <= current else {
                throw PostgresViews.Failure(description: "views_store: its schema is version \(have), newer than this tcnoded knows (\(current)); "
                                            + "run the newer tcnoded, or name an empty schema (?schema=...)", isCredentials: false, isUnreachable: false)
            }
            for migration in migrations where migration.version > have {
                // One statement at a time: the extended protocol takes one per query.
                for statement in migration.sql.components(separatedBy: ";\n") {
                    let text = statement.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ";")))
                    if !text.isEmpty { try sql.execute(text) }
                }
                try sql.execute("INSERT INTO views_migration(version, description) VALUES (?, ?)", [migration.version, migration.description])
                logger.info("views on PostgreSQL: schema migration \(migration.version) applied (\(migration.description))")
            }
            try sql.execute("COMMIT", [DatabaseValue]())
        } catch {
            try? sql.execute("ROLLBACK", [DatabaseValue]())
            throw error
        }
        grantAnalysts(sql, schema: schema, logger: logger)
    }

    /// The read-only role: created when this user may (CREATEROLE), and
    /// granted SELECT on every table and view of the schema when it exists.
    static func grantAnalysts(_ sql: PostgresViewsSQL, schema: String, logger: Logger) {
        let s = PostgresViews.quoted(schema)
        do {
            let exists = try sql.value(Int.self, "SELECT 1 FROM pg_roles WHERE rolname = ?", [analystRole]) != nil
            if !exists {
                do {
                    try sql.execute("CREATE ROLE \(analystRole) NOLOGIN")
                } catch {
                    logger.notice("""
                        views on PostgreSQL: could not create the read-only role \(analystRole) (\(error)); \
                        an administrator can: CREATE ROLE \(analystRole) NOLOGIN (docs/VIEWS-SQL.md)
                        """)
                    return
                }
            }
            try sql.execute("GRANT USAGE ON SCHEMA \(s) TO \(analystRole)")
            try sql.execute("GRANT SELECT ON ALL TABLES IN SCHEMA \(s) TO \(analystRole)")
            try sql.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA \(s) GRANT SELECT ON TABLES TO \(analystRole)")
        } catch {
            logger.notice("views on PostgreSQL: could not grant \(analystRole) read access (\(error))")
        }
    }

    static let tables = ["author_seq", "centre", "product", "sale", "training", "monitoring", "activity", "agg", "blob_ref", "record_date"]

    /// Every table emptied and the position back to 0: the views start over from the log.
    static func reset(_ sql: any ViewsSQL) throws {
        try sql.execute("TRUNCATE " + tables.joined(separator: ", "))
        try sql.execute("UPDATE meta SET applied_position = 0, settle_pending = 0 WHERE id = 1")
    }
}
