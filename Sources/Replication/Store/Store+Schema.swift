import GRDB

extension Store {
    /// Every schema change is a new, frozen migration appended here; a
    /// migration is never edited once released. The schema holds the
    /// invariants (STRICT tables, CHECK, UNIQUE, foreign keys) so that no code
    /// path can store an inconsistent log.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 log, heads, records, membership, sync state") { db in
            try db.execute(sql: """
                CREATE TABLE meta (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    feed BLOB NOT NULL CHECK (length(feed) = 16),
                    network BLOB NOT NULL CHECK (length(network) = 32),
                    node BLOB NOT NULL CHECK (length(node) = 32),
                    position INTEGER NOT NULL CHECK (position >= 0),
                    created_ms INTEGER NOT NULL
                ) STRICT;

                -- One row per author ever seen (also peers seen as origins).
                -- seq = 0 means no entry of this author is held.
                CREATE TABLE author (
                    ref INTEGER PRIMARY KEY,
                    key BLOB NOT NULL UNIQUE CHECK (length(key) = 32),
                    seq INTEGER NOT NULL DEFAULT 0 CHECK (seq >= 0),
                    head_id BLOB CHECK (head_id IS NULL OR length(head_id) = 32),
                    head_position INTEGER NOT NULL DEFAULT 0 CHECK (head_position >= 0),
                    head_origin INTEGER REFERENCES author(ref),
                    forked INTEGER NOT NULL DEFAULT 0 CHECK (forked IN (0, 1)),
                    CHECK ((seq = 0) = (head_id IS NULL))
                ) STRICT;
                CREATE INDEX author_head_position ON author(head_position) WHERE seq > 0;

                -- The log: each entry's exact bytes plus the fields queries need.
                -- position is the local feed position at which it was stored.
                CREATE TABLE entry (
                    position INTEGER PRIMARY KEY CHECK (position >= 1),
                    author INTEGER NOT NULL REFERENCES author(ref),
                    seq INTEGER NOT NULL CHECK (seq >= 1),
                    id BLOB NOT NULL CHECK (length(id) = 32),
                    kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
                    key TEXT NOT NULL CHECK (length(CAST(key AS BLOB)) BETWEEN 1 AND 512),
                    op INTEGER NOT NULL CHECK (op IN (1, 2)),
                    time INTEGER NOT NULL,
                    origin INTEGER REFERENCES author(ref),
                    bytes BLOB NOT NULL,
                    UNIQUE (author, seq)
                ) STRICT;
                CREATE INDEX entry_network ON entry(author, seq) WHERE kind IN ('admit', 'revoke');

                -- Current state per (author, kind, key): the author's latest entry.
                CREATE TABLE record (
                    author INTEGER NOT NULL REFERENCES author(ref),
                    kind TEXT NOT NULL,
                    key TEXT NOT NULL,
                    seq INTEGER NOT NULL CHECK (seq >= 1),
                    op INTEGER NOT NULL CHECK (op IN (1, 2)),
                    time INTEGER NOT NULL,
                    position INTEGER NOT NULL,
                    PRIMARY KEY (author, kind, key)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX record_kind ON record(kind, op);

                -- Two different entries signed for one author and seq.
                CREATE TABLE fork (
                    author INTEGER NOT NULL REFERENCES author(ref),
                    seq INTEGER NOT NULL CHECK (seq >= 1),
                    held_id BLOB CHECK (held_id IS NULL OR length(held_id) = 32),
                    other_id BLOB NOT NULL CHECK (length(other_id) = 32),
                    other_bytes BLOB, -- NULL when the fork was seen in a peer's heads only
                    peer INTEGER REFERENCES author(ref),
                    detected_ms INTEGER NOT NULL,
                    PRIMARY KEY (author, other_id)
                ) STRICT;

                -- Where each peer's feed was read up to (HELLO `since`).
                CREATE TABLE checkpoint (
                    peer INTEGER PRIMARY KEY REFERENCES author(ref),
                    feed BLOB NOT NULL CHECK (length(feed) = 16),
                    position INTEGER NOT NULL CHECK (position >= 0),
                    updated_ms INTEGER NOT NULL
                ) STRICT;

                -- Heads offered by a peer for authors that were not yet members.
                CREATE TABLE pending_head (
                    author INTEGER NOT NULL REFERENCES author(ref),
                    peer INTEGER NOT NULL REFERENCES author(ref),
                    seq INTEGER NOT NULL CHECK (seq >= 1),
                    id BLOB NOT NULL CHECK (length(id) = 32),
                    PRIMARY KEY (author, peer)
                ) STRICT;
                CREATE INDEX pending_head_peer ON pending_head(peer);

                -- Peers given to `tcnode init --peer`: trusted for bootstrap
                -- before the roster is known, and dialled by the daemon.
                CREATE TABLE bootstrap_peer (
                    node BLOB PRIMARY KEY CHECK (length(node) = 32),
                    address TEXT NOT NULL CHECK (length(address) >= 1)
                ) STRICT;
                """)
        }
        migrator.registerMigration("v2 when each author's entries were last stored here") { db in
            // Local time (ms) this node last stored an entry of the author:
            // "last heard from" in status and the hub's views.
            try db.execute(sql: "ALTER TABLE author ADD COLUMN stored_ms INTEGER")
        }
        migrator.registerMigration("v3 pending heads keyed by author key, not by an author row") { db in
            // Pending heads name authors that are not members (yet): anyone
            // can invent them, so they no longer get an `author` row each
            // (PROTOCOL.md §7.4 bounds how many a peer can leave here).
            try db.execute(sql: """
                CREATE TABLE pending_offer (
                    author_key BLOB NOT NULL CHECK (length(author_key) = 32),
                    peer INTEGER NOT NULL REFERENCES author(ref),
                    seq INTEGER NOT NULL CHECK (seq >= 1),
                    id BLOB NOT NULL CHECK (length(id) = 32),
                    PRIMARY KEY (author_key, peer)
                ) STRICT;
                CREATE INDEX pending_offer_peer ON pending_offer(peer);
                INSERT INTO pending_offer(author_key, peer, seq, id)
                    SELECT a.key, p.peer, p.seq, p.id FROM pending_head p JOIN author a ON a.ref = p.author;
                DROP TABLE pending_head;
                """)
        }
        migrator.registerMigration("v4 schema version in user_version") { db in
            // SQLite's own header field, readable by any tool and by a
            // tcnode's read-only look before it writes: a file whose number
            // is above `Store.schemaVersion` is refused (a newer tcnode wrote
            // it). Every later migration sets it to its own number, and
            // raises `schemaVersion` with it.
            try db.execute(sql: "PRAGMA user_version = 4")
        }
        migrator.registerMigration("v5 bundles: who was heard from by stick, and what other nodes hold") { db in
            // Offline bundles (PROTOCOL.md §13). `bundle_source`: the newest
            // bundle (or heads file) made by each node imported here.
            // `bundle_head`: that node's heads from it, what `export --for`
            // leaves out. `bundle_heard`: when each author was last heard
            // from by bundle (beside author.stored_ms, which counts the
            // network only), for status and the hub's freshness table.
            try db.execute(sql: """
                CREATE TABLE bundle_source (
                    node BLOB PRIMARY KEY CHECK (length(node) = 32),
                    bundle BLOB NOT NULL CHECK (length(bundle) = 16),
                    made_ms INTEGER NOT NULL,
                    imported_ms INTEGER NOT NULL,
                    name TEXT,
                    entries_stored INTEGER NOT NULL DEFAULT 0 CHECK (entries_stored >= 0),
                    heads_made_ms INTEGER
                ) STRICT;
                CREATE TABLE bundle_head (
                    node BLOB NOT NULL CHECK (length(node) = 32),
                    author BLOB NOT NULL CHECK (length(author) = 32),
                    seq INTEGER NOT NULL CHECK (seq >= 1),
                    id BLOB NOT NULL CHECK (length(id) = 32),
                    PRIMARY KEY (node, author)
                ) STRICT, WITHOUT ROWID;
                CREATE TABLE bundle_heard (
                    author BLOB PRIMARY KEY CHECK (length(author) = 32),
                    heard_ms INTEGER NOT NULL,
                    via BLOB NOT NULL CHECK (length(via) = 32)
                ) STRICT;
                PRAGMA user_version = 5;
                """)
        }
        migrator.registerMigration("v6 offered heads kept while their entries are fetched") { db in
            // A receiver remembers the heads it wants from a peer (not only
            // non-members' heads), so its checkpoint moves as soon as a HEADS
            // frame is compared and a cut link resumes without the HEADS of
            // the whole network again (PROTOCOL.md §7.4). Wanted rows are
            // bounded by the roster, not by the stranger bound of §7.8.
            try db.execute(sql: """
                ALTER TABLE pending_offer ADD COLUMN wanted INTEGER NOT NULL DEFAULT 0 CHECK (wanted IN (0, 1));
                PRAGMA user_version = 6;
                """)
        }
        migrator.registerMigration("v7 the interest each checkpoint was made under") { db in
            // A checkpoint says "everything the peer offered up to here";
            // with interests (PROTOCOL.md §7.16) the peer offered only what
            // this node wanted then, so a wider interest must not start
            // from it. NULL: everything (no interest sent).
            try db.execute(sql: """
                ALTER TABLE checkpoint ADD COLUMN interest TEXT;
                PRAGMA user_version = 7;
                """)
        }
        migrator.registerMigration("v8 the region given to tcnode init") { db in
            // `tcnode init --region`: which region a node asks its peers
            // for until its own admit arrives, when tcnode.toml names none
            // (PROTOCOL.md §7.16). NULL: none given.
            try db.execute(sql: """
                ALTER TABLE meta ADD COLUMN region TEXT CHECK (region IS NULL OR length(region) >= 1);
                PRAGMA user_version = 8;
                """)
        }
        return migrator
    }
}
