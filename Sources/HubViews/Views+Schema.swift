import GRDB

extension Views {
    /// The views live in their own file (views.sqlite beside the node's
    /// database): they are a cache of the log, rebuilt from it whenever the
    /// file is missing, damaged or from another schema, so their migrations
    /// can start over instead of accumulating. 2: every photo of a record,
    /// a product's producer contact, a training's last day, an activity's
    /// place, profiles' lists as JSON. 3: photos found by their record
    /// (an entry's old photos are removed through an index, not a scan).
    /// 4: surveys flagged as their centre's latest (`latest`), kept as they
    /// change, so pages read the latest surveys without comparing every one.
    /// 5: `meta.settle_pending`, what applied batches still need settled
    /// (`SettleNeed`), so that a settle lost with the connection is not
    /// lost; `monitoring_recent`, the newest latest surveys in order.
    static let schemaVersion = 5

    static func createSchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE meta (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                schema INTEGER NOT NULL,
                applied_position INTEGER NOT NULL,
                settle_pending INTEGER NOT NULL DEFAULT 0
            ) STRICT;

            -- The newest seq of each author applied, to notice purges.
            CREATE TABLE author_seq (author TEXT PRIMARY KEY, seq INTEGER NOT NULL) STRICT, WITHOUT ROWID;

            -- Centres: the roster's admission joined with the centre's own profile.
            CREATE TABLE centre (
                author TEXT PRIMARY KEY,
                name TEXT, type TEXT, role TEXT,
                provinsi TEXT, kabupaten TEXT, kecamatan TEXT, desa TEXT, address TEXT,
                lat REAL, lon REAL, phone TEXT, email TEXT, opening_hours TEXT,
                -- JSON lists of strings.
                services TEXT, expertise TEXT,
                admitted_name TEXT, admitted_region TEXT,
                region TEXT NOT NULL DEFAULT '',
                has_profile INTEGER NOT NULL DEFAULT 0,
                member INTEGER NOT NULL DEFAULT 0
            ) STRICT;

            CREATE TABLE product (
                author TEXT NOT NULL, key TEXT NOT NULL,
                name TEXT NOT NULL, category TEXT NOT NULL, description TEXT, price INTEGER, unit TEXT, producer TEXT,
                producer_contact TEXT, available INTEGER NOT NULL, online INTEGER NOT NULL, links TEXT,
                -- Every photo's SHA-256 in the record's order, as a JSON list.
                photos TEXT NOT NULL DEFAULT '[]', time INTEGER NOT NULL,
                PRIMARY KEY (author, key)
            ) STRICT;
            CREATE INDEX product_category ON product(category);

            CREATE TABLE sale (
                author TEXT NOT NULL, key TEXT NOT NULL,
                product TEXT NOT NULL, date TEXT NOT NULL, year TEXT NOT NULL, month TEXT NOT NULL,
                quantity INTEGER NOT NULL, amount INTEGER NOT NULL, fee INTEGER NOT NULL, channel TEXT NOT NULL,
                PRIMARY KEY (author, key)
            ) STRICT;
            CREATE INDEX sale_date ON sale(date);

            CREATE TABLE training (
                author TEXT NOT NULL, key TEXT NOT NULL,
                title TEXT NOT NULL, topic TEXT NOT NULL, start TEXT NOT NULL, end_date TEXT, year TEXT NOT NULL, month TEXT NOT NULL,
                place TEXT, trainers TEXT NOT NULL, women INTEGER NOT NULL, men INTEGER NOT NULL, participants INTEGER NOT NULL,
                groups TEXT NOT NULL, photos TEXT NOT NULL DEFAULT '[]',
                PRIMARY KEY (author, key)
            ) STRICT;
            CREATE INDEX training_start ON training(start);

            CREATE TABLE monitoring (
                author TEXT NOT NULL, key TEXT NOT NULL,
                subject TEXT NOT NULL, date TEXT NOT NULL, period TEXT NOT NULL, assessor TEXT NOT NULL,
                classification TEXT NOT NULL, score REAL NOT NULL, scores TEXT NOT NULL, notes TEXT, photos TEXT NOT NULL DEFAULT '[]',
                lat REAL, lon REAL,
                -- 1 when no survey of the subject is newer (ties all count),
                -- 2 for the one of those stored first: the centre's latest.
                latest INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (author, key)
            ) STRICT;
            CREATE INDEX monitoring_subject ON monitoring(subject, date);
            CREATE INDEX monitoring_latest ON monitoring(latest, date);
            -- The newest latest surveys first (the main page's 12), read in
            -- the index's order rather than sorting every centre's.
            CREATE INDEX monitoring_recent ON monitoring(date DESC, subject, author) WHERE latest >= 1;

            CREATE TABLE activity (
                author TEXT NOT NULL, key TEXT NOT NULL,
                type TEXT NOT NULL, title TEXT NOT NULL, date TEXT NOT NULL, year TEXT NOT NULL,
                count INTEGER NOT NULL, grp TEXT, place TEXT,
                PRIMARY KEY (author, key)
            ) STRICT;
            CREATE INDEX activity_date ON activity(date);

            -- Counters kept up to date as records change (added, replaced,
            -- deleted, or moved to another region), so that no page sums
            -- the whole log.
            CREATE TABLE agg (
                metric TEXT NOT NULL, d1 TEXT NOT NULL, d2 TEXT NOT NULL, value REAL NOT NULL,
                PRIMARY KEY (metric, d1, d2)
            ) STRICT, WITHOUT ROWID;

            -- Photos referenced by records, and whether this node holds them.
            CREATE TABLE blob_ref (
                sha256 TEXT NOT NULL, author TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
                subject TEXT, size INTEGER NOT NULL, type TEXT NOT NULL, have INTEGER NOT NULL DEFAULT 0,
                -- The reference's `pieces` (PROTOCOL.md §11.7), when it has one.
                pieces TEXT,
                PRIMARY KEY (sha256, author, kind, key)
            ) STRICT;
            CREATE INDEX blob_ref_missing ON blob_ref(have, sha256);
            CREATE INDEX blob_ref_record ON blob_ref(author, kind, key);
            """)
        try db.execute(sql: "INSERT INTO meta(id, schema, applied_position) VALUES (1, ?, 0)", arguments: [schemaVersion])
    }
}
