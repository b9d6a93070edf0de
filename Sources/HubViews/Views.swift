import Foundation
import GRDB
import Replication
import Telecenter

/// The network-wide views of a node: centres, products, sales, trainings,
/// monitoring and activities as tables and counters, kept up to date by
/// following the node's feed (`catchUp`) rather than recomputed per request.
public final class Views: Sendable {
    public let path: String
    let pool: DatabasePool
    public let store: Store
    /// Where photos are kept, to know which referenced photos are held.
    public let blobs: BlobStore?

    /// Opens the views beside a store, starting over from the log when the
    /// file is missing, damaged, of another schema, or ahead of the store
    /// (a restored database).
    public init(path: String, store: Store, blobs: BlobStore? = nil) throws {
        self.path = path
        self.store = store
        self.blobs = blobs
        self.pool = try Views.openOrRecreate(path: path, store: store)
    }

    static func openOrRecreate(path: String, store: Store) throws -> DatabasePool {
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: db.configuration.readonly ? "PRAGMA cache_size = -2048" : "PRAGMA cache_size = -8192")
        }
        if let pool = try? DatabasePool(path: path, configuration: config) {
            let usable = (try? pool.read { db -> Bool in
                guard let row = try Row.fetchOne(db, sql: "SELECT schema, applied_position FROM meta WHERE id = 1") else { return false }
                let position = try store.position()
                return (row[0] as Int) == schemaVersion && (row[1] as Int64) <= position
            }) ?? false
            if usable { return pool }
            try? pool.close()
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let pool = try DatabasePool(path: path, configuration: config)
        try pool.write { db in try createSchema(db) }
        return pool
    }

    public func close() throws { try pool.close() }

    /// Frees SQLite's page caches (they refill on use): see `Store.releaseMemory`.
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func releaseMemory() { pool.releaseMemory() }

    public var appliedPosition: Int64 {
        ((try? pool.read { db in try Int64.fetchOne(db, sql: "SELECT applied_position FROM meta WHERE id = 1") }) ?? nil) ?? 0
    }

    // MARK: Following the feed

    /// Applies every entry stored since the last call, in batches; returns
    /// how many were applied. Safe to call often (it is cheap when idle).
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    @discardableResult
    public func catchUp(batch: Int = 2000, until stop: () -> Bool = { false }) throws -> Int {
        var total = 0
        // The admits and revokes applied in this call.
        var network: [Entry] = []
        // `stop` is asked between batches (each its own transaction, with the
        // position it reached), so a stopping daemon waits for one batch at
        // most and the next start goes on from there.
        while !stop() {
            let from = appliedPosition
            let entries = try store.entries(after: from, limit: batch)
            if entries.isEmpty { break }
            network += entries.map { $0.entry }.filter { Roster.isNetworkKind($0.kind) }
            // Read for each batch, after its entries: members admitted while
            // the views catch up count (a monitor's surveys, a new centre).
            let roster = Self.roster(store.roster, including: network)
            try pool.write { db in
                var ctx = ApplyContext(db: db, roster: roster, blobs: blobs)
                for (_, entry) in entries { try ctx.apply(entry) }
                try ctx.flush()
                try db.execute(sql: "UPDATE meta SET applied_position = ? WHERE id = 1", arguments: [entries.last!.position])
            }
            total += entries.count
        }
        if !network.isEmpty || total == 0 && appliedPosition == 0 {
            let roster = Self.roster(store.roster, including: network)
            try refreshCentres(roster: roster)
            // Entries are only ever removed by a revocation, which arrives
            // as one of these entries.
            if !network.isEmpty { try reconcilePurges(roster: roster) }
        }
        return total
    }

    /// `roster` with the admits and revokes among `entries` it does not
    /// know yet: the store publishes its roster just after a commit, and
    /// another process's writes reach it only at this one's next write.
    static func roster(_ roster: Roster, including entries: [Entry]) -> Roster {
        var roster = roster
        for entry in entries where entry.op == .put {
            guard let subject = NodeID(entry.key) else { continue }
            let known: Bool
            switch entry.kind {
            case "admit": known = (roster.admissions[subject]?[entry.author]?.seq ?? 0) >= entry.seq
            case "revoke": known = roster.revocations[subject]?.contains { $0.revoker == entry.author && $0.seq == entry.seq } ?? false
            default: continue
            }
            if !known { roster.apply(entry) }
        }
        return roster
    }

    /// Authors whose log went back (a revocation removed entries): their
    /// rows are rebuilt from the records the store still holds.
    func reconcilePurges(roster: Roster) throws {
        let heads = Dictionary(try store.authorSummaries().map { ($0.author.description, $0.seq) }, uniquingKeysWith: max)
        let applied = try pool.read { db in try Row.fetchAll(db, sql: "SELECT author, seq FROM author_seq") }
        let behind = applied.compactMap { r -> String? in
            let author: String = r[0]
            return (heads[author] ?? 0) < UInt64(r[1] as Int64) ? author : nil
        }
        guard !behind.isEmpty else { return }
        for author in behind {
            guard let id = NodeID(author) else { continue }
            let records = try store.records(of: id)
            try pool.write { db in
                var ctx = ApplyContext(db: db, roster: roster, blobs: blobs)
                try ctx.removeAll(of: author)
                for entry in records { try ctx.apply(entry) }
                try db.execute(sql: "UPDATE author_seq SET seq = ? WHERE author = ?", arguments: [Int64(clamping: heads[author] ?? 0), author])
                try ctx.flush()
            }
        }
        try refreshCentres(roster: roster)
    }

    /// Brings the centres' admission columns in line with the roster.
    func refreshCentres(roster: Roster) throws {
        try pool.write { db in
            var ctx = ApplyContext(db: db, roster: roster, blobs: blobs)
            try db.execute(sql: "UPDATE centre SET member = 0")
            for node in roster.knownNodes {
                let standing = roster.standing(of: node)
                let admission = roster.governingAdmission(of: node)
                let role: String
                switch standing {
                case .genesis: role = "hub"
                case .member(let r): role = r.rawValue
                case .revoked, .notMember: continue
                }
                guard role == "telecenter" || role == "hub" else { continue }
                try db.execute(
                    sql: """
                        INSERT INTO centre(author, role, admitted_name, admitted_region, member) VALUES (?, ?, ?, ?, 1)
                        ON CONFLICT(author) DO UPDATE SET role = excluded.role, admitted_name = excluded.admitted_name,
                            admitted_region = excluded.admitted_region, member = 1
                        """, arguments: [node.description, role, admission?.name, admission?.region])
                try ctx.updateRegion(of: node.description)
            }
            try ctx.flush()
        }
    }

    /// Marks photos as held (after a blob transfer finished).
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func markBlobHeld(_ sha: Bytes32) throws {
        try pool.write { db in try db.execute(sql: "UPDATE blob_ref SET have = 1 WHERE sha256 = ?", arguments: [sha.hex]) }
    }

    /// Photos this node should fetch and does not hold: every one for a hub
    /// (`all`), otherwise those of its own records and of surveys about it.
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func missingBlobs(all: Bool, node: NodeID, limit: Int = 64) throws -> [(sha256: Bytes32, size: UInt64, pieces: Bytes32?)] {
        try pool.read { db in
            // One row per photo; of several references, any `pieces` will do
            // (a wrong one only costs the piece list, the hash decides).
            let sql = all
                ? "SELECT sha256, max(size), max(pieces) FROM blob_ref WHERE have = 0 GROUP BY sha256 LIMIT ?"
                : "SELECT sha256, max(size), max(pieces) FROM blob_ref WHERE have = 0 AND (author = ? OR (kind = 'monitoring' AND subject = ?)) GROUP BY sha256 LIMIT ?"
            let args: StatementArguments = all ? [limit] : [node.description, node.description, limit]
            return try Row.fetchAll(db, sql: sql, arguments: args).compactMap { r in
                Bytes32(hex: r[0]).map { ($0, UInt64(max(0, r[1] as Int64)), (r[2] as String?).flatMap { Bytes32(hex: $0) }) }
            }
        }
    }

    /// Whether a photo is referenced by a record this node keeps.
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func isReferenced(_ sha: Bytes32) throws -> Bool {
        try pool.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM blob_ref WHERE sha256 = ? LIMIT 1", arguments: [sha.hex]) ?? false }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T { try pool.read(body) }
}

/// One change to a counter.
struct Contribution {
    let metric: String
    let d1: String
    let d2: String
    let delta: Double
}

/// Applies records to the view tables and their counters in one transaction.
struct ApplyContext {
    let db: Database
    let roster: Roster
    let blobs: BlobStore?
    var counters: [String: Double] = [:]
    var regions: [String: String] = [:]
    var seqs: [String: Int64] = [:]

    init(db: Database, roster: Roster, blobs: BlobStore?) {
        self.db = db
        self.roster = roster
        self.blobs = blobs
    }

    static let tables = ["product", "sale", "training", "monitoring", "activity"]

    mutating func region(of author: String) throws -> String {
        if let r = regions[author] { return r }
        let r = try String.fetchOne(db, sql: "SELECT region FROM centre WHERE author = ?", arguments: [author]) ?? ""
        regions[author] = r
        return r
    }

    mutating func add(_ contributions: [Contribution], sign: Double) {
        for c in contributions { counters["\(c.metric)\u{1F}\(c.d1)\u{1F}\(c.d2)", default: 0] += sign * c.delta }
    }

    mutating func flush() throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO agg(metric, d1, d2, value) VALUES (?, ?, ?, ?)
            ON CONFLICT(metric, d1, d2) DO UPDATE SET value = value + excluded.value
            """)
        for (key, delta) in counters where delta != 0 {
            let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
            try upsert.execute(arguments: [parts[0], parts[1], parts[2], delta])
        }
        counters = [:]
        try db.execute(sql: "DELETE FROM agg WHERE abs(value) < 0.000001")
        let seqUpsert = try db.cachedStatement(sql: """
            INSERT INTO author_seq(author, seq) VALUES (?, ?) ON CONFLICT(author) DO UPDATE SET seq = max(seq, excluded.seq)
            """)
        for (author, seq) in seqs { try seqUpsert.execute(arguments: [author, seq]) }
        seqs = [:]
    }

    /// Applies one entry: the new current state of its record.
    mutating func apply(_ entry: Entry) throws {
        let author = entry.author.description
        seqs[author] = max(seqs[author] ?? 0, Int64(clamping: entry.seq))
        guard Vocabulary.kinds.contains(entry.kind) else { return }
        let body = entry.op == .put ? JSONValue.parse(entry.body)?.object : nil
        if entry.kind == "node" {
            try applyProfile(author: author, body: entry.key == "profile" ? body : nil, isProfile: entry.key == "profile")
            return
        }
        try remove(table: entry.kind, author: author, key: entry.key)
        guard let body, var row = RowBuilder.row(kind: entry.kind, body: body, time: entry.time) else { return }
        if entry.kind == "monitoring" && !canSurvey(entry.author) { return }
        row["author"] = author.databaseValue
        row["key"] = entry.key.databaseValue
        let columns = Array(row.keys)
        let sql = "INSERT INTO \(entry.kind)(\(columns.joined(separator: ","))) VALUES (\(columns.map { _ in "?" }.joined(separator: ",")))"
        try db.execute(sql: sql, arguments: StatementArguments(columns.map { row[$0]! }))
        add(Contributions.of(kind: entry.kind, row: row, region: try region(of: author)), sign: 1)
        try recordPhotos(entry, body: body)
    }

    /// Surveys count only from monitors, hubs and authorities.
    func canSurvey(_ author: NodeID) -> Bool {
        switch roster.standing(of: author) {
        case .genesis: true
        case .member(let role): role == .monitor || role == .hub || role == .authority
        default: false
        }
    }

    mutating func remove(table: String, author: String, key: String) throws {
        if let old = try Row.fetchOne(db, sql: "SELECT * FROM \(table) WHERE author = ? AND key = ?", arguments: [author, key]) {
            add(Contributions.of(kind: table, row: Self.dictionary(old), region: try region(of: author)), sign: -1)
            try db.execute(sql: "DELETE FROM \(table) WHERE author = ? AND key = ?", arguments: [author, key])
        }
        try db.execute(sql: "DELETE FROM blob_ref WHERE author = ? AND kind = ? AND key = ?", arguments: [author, table, key])
    }

    /// Removes every row of an author (before rebuilding it).
    mutating func removeAll(of author: String) throws {
        for table in Self.tables {
            for key in try String.fetchAll(db, sql: "SELECT key FROM \(table) WHERE author = ?", arguments: [author]) {
                try remove(table: table, author: author, key: key)
            }
        }
        try db.execute(sql: "DELETE FROM blob_ref WHERE author = ?", arguments: [author])
        try db.execute(sql: """
            UPDATE centre SET name = NULL, type = NULL, provinsi = NULL, kabupaten = NULL, kecamatan = NULL, desa = NULL,
                address = NULL, lat = NULL, lon = NULL, phone = NULL, email = NULL, opening_hours = NULL, services = NULL,
                expertise = NULL, has_profile = 0 WHERE author = ?
            """, arguments: [author])
        try updateRegion(of: author)
    }

    mutating func applyProfile(author: String, body: [String: JSONValue]?, isProfile: Bool) throws {
        guard isProfile else { return }
        let region = body?["region"]?.object
        let location = body?["location"]?.object
        let contact = body?["contact"]?.object
        func list(_ v: JSONValue?) -> String? { v?.array.map { RowBuilder.json($0.compactMap(\.string)) } }
        try db.execute(
            sql: """
                INSERT INTO centre(author, name, type, provinsi, kabupaten, kecamatan, desa, address, lat, lon, phone, email,
                    opening_hours, services, expertise, has_profile)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(author) DO UPDATE SET name = excluded.name, type = excluded.type, provinsi = excluded.provinsi,
                    kabupaten = excluded.kabupaten, kecamatan = excluded.kecamatan, desa = excluded.desa,
                    address = excluded.address, lat = excluded.lat, lon = excluded.lon, phone = excluded.phone,
                    email = excluded.email, opening_hours = excluded.opening_hours, services = excluded.services,
                    expertise = excluded.expertise, has_profile = excluded.has_profile
                """,
            arguments: [
                author, body?["name"]?.string, body?["type"]?.string, region?["provinsi"]?.string, region?["kabupaten"]?.string,
                region?["kecamatan"]?.string, region?["desa"]?.string, body?["address"]?.string, location?["lat"]?.number,
                location?["lon"]?.number, contact?["phone"]?.string, contact?["email"]?.string, body?["opening_hours"]?.string,
                list(body?["services"]), list(body?["expertise"]), body == nil ? 0 : 1,
            ])
        try updateRegion(of: author)
    }

    /// Recomputes a centre's region; when it changed, moves the centre's
    /// contributions to the counters of the new region.
    mutating func updateRegion(of author: String) throws {
        let row = try Row.fetchOne(db, sql: "SELECT kabupaten, admitted_region, region FROM centre WHERE author = ?", arguments: [author])
        let new = Self.regionName(kabupaten: row?[0], admitted: row?[1])
        let old = try region(of: author)
        guard new != old else { return }
        for table in Self.tables {
            for r in try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE author = ?", arguments: [author]) {
                let d = Self.dictionary(r)
                add(Contributions.of(kind: table, row: d, region: old), sign: -1)
                add(Contributions.of(kind: table, row: d, region: new), sign: 1)
            }
        }
        try db.execute(sql: "UPDATE centre SET region = ? WHERE author = ?", arguments: [new, author])
        regions[author] = new
    }

    /// "Kab. Blitar" from a profile, else the last part of the admission's
    /// region ("Jawa Timur / Kab. Blitar").
    static func regionName(kabupaten: String?, admitted: String?) -> String {
        if let k = kabupaten?.trimmingCharacters(in: .whitespaces), !k.isEmpty { return k }
        guard let a = admitted else { return "" }
        return a.split(separator: "/").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? a
    }

    mutating func recordPhotos(_ entry: Entry, body: [String: JSONValue]) throws {
        guard let photos = body["photos"]?.array else { return }
        let subject = entry.kind == "monitoring" ? body["subject"]?.string : nil
        for photo in photos {
            // Only the one spelling of a hash (lowercase hex) and a sane size.
            guard let o = photo.object, let sha = o["sha256"]?.string, sha.count == 64, sha == sha.lowercased(),
                let size = o["size"]?.int, size > 0, size <= 1_000_000_000, let hash = Bytes32(hex: sha)
            else { continue }
            let held = blobs?.has(hash) ?? false
            let pieces = o["pieces"]?.string.flatMap { $0.count == 64 && $0 == $0.lowercased() ? $0 : nil }
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO blob_ref(sha256, author, kind, key, subject, size, type, have, pieces)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [sha, entry.author.description, entry.kind, entry.key, subject, size, o["type"]?.string ?? "", held ? 1 : 0, pieces])
        }
    }

    static func dictionary(_ row: Row) -> [String: DatabaseValue] {
        var d: [String: DatabaseValue] = [:]
        for (column, value) in row { d[column] = value }
        return d
    }
}
