import Foundation
import GRDB
import Replication
import Telecenter

/// Applies changes to the view tables and their counters inside one
/// transaction, on SQLite or PostgreSQL. Every statement run per entry
/// finds its row through an index (on SQLite, a cached statement);
/// counters are summed in memory and written once per batch.
struct ApplyContext {
    let db: any ViewsSQL
    let roster: Roster
    let blobs: BlobStore?
    var counters: [CounterKey: Double] = [:]
    var regions: [String: String] = [:]
    var seqs: [String: Int64] = [:]
    /// Centres whose surveys changed: their `latest` flags are set again at `flush`.
    var surveyed: Set<String> = []
    /// On PostgreSQL, the batch's record rows, written at `flush` (see `ApplyBuffer`).
    var buffer: ApplyBuffer?

    struct CounterKey: Hashable {
        let metric: String
        let d1: String
        let d2: String
    }

    init(db: any ViewsSQL, roster: Roster, blobs: BlobStore?) {
        self.db = db
        self.roster = roster
        self.blobs = blobs
        if db.dialect == .postgresql { buffer = ApplyBuffer() }
    }

    /// Reads at once what the batch's changes will ask for (PostgreSQL only).
    mutating func prefetch(_ changes: [ViewChange]) throws {
        let db = self.db
        try buffer?.prefetch(changes, regions: &regions, db: db)
    }

    /// Writes the buffered rows before a statement that reads the tables directly.
    mutating func writeBuffer() throws {
        let db = self.db
        try buffer?.write(db: db)
    }

    static let tables = ["product", "sale", "training", "monitoring", "activity"]

    mutating func region(of author: String) throws -> String {
        if let r = regions[author] { return r }
        let r = try db.value(String.self, "SELECT region FROM centre WHERE author = ?", [author]) ?? ""
        regions[author] = r
        return r
    }

    mutating func add(_ contributions: [Contribution], region: String, sign: Double) {
        for c in contributions {
            counters[CounterKey(metric: c.metric, d1: c.d1, d2: c.byRegion ? region : c.d2), default: 0] += sign * c.delta
        }
    }

    /// Writes the batch's counters and seqs. A counter that comes back to
    /// zero is removed (pages list only what is there).
    mutating func flush() throws {
        try writeBuffer()
        try ViewsBulk.addCounters(counters.filter { $0.value != 0 }.map { ($0.key.metric, $0.key.d1, $0.key.d2, $0.value) }, db: db)
        counters = [:]
        try ViewsBulk.raiseSeqs(seqs.map { ($0.key, $0.value) }, db: db)
        seqs = [:]
        try ViewsBulk.flagLatest(Array(surveyed), db: db)
        surveyed = []
    }

    /// Applies one entry: the new current state of its record.
    mutating func apply(_ change: ViewChange) throws {
        let author = change.authorText
        seqs[author] = max(seqs[author] ?? 0, change.seq)
        switch change.action {
        case .none:
            // The centre's row and region as soon as it is admitted, so that
            // its records count in its region from the start; were it left
            // to the settle after the catch-up, that would read every row
            // the catch-up wrote back to move its counters there.
            if Roster.isNetworkKind(change.kind), let node = NodeID(change.key) { try refreshCentre(node) }
            return
        case .profile(let fields):
            try applyProfile(author: author, fields: fields)
        case .record(let record):
            try remove(table: change.kind, author: author, key: change.key)
            guard let record else { return }
            if change.kind == "monitoring" && !canSurvey(change.author) { return }
            try insert(record, into: change.kind)
            if change.kind == "monitoring", let subject = record.row["subject"].flatMap(String.fromDatabaseValue) { surveyed.insert(subject) }
            add(record.contributions, region: try region(of: author), sign: 1)
            try recordPhotos(record.photos, author: author, kind: change.kind, key: change.key)
        }
    }

    /// Applies one entry of the log (for rebuilding an author's rows).
    mutating func apply(_ entry: Entry) throws { try apply(ViewChange(entry)) }

    mutating func insert(_ record: ViewRecord, into table: String) throws {
        if buffer != nil {
            buffer!.insert(.init(table: table, author: String.fromDatabaseValue(record.row["author"] ?? .null) ?? "",
                                 key: String.fromDatabaseValue(record.row["key"] ?? .null) ?? ""), record: record)
            return
        }
        let sql = "INSERT INTO \(table)(\(record.columns.joined(separator: ","))) VALUES (\(record.columns.map { _ in "?" }.joined(separator: ",")))"
        try db.execute(sql, record.values)
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
        if buffer != nil {
            let k = ApplyBuffer.Key(table: table, author: author, key: key)
            let db = self.db
            guard let old = try buffer!.row(k, db: db) else { return }
            add(Contributions.of(kind: table, row: old), region: try region(of: author), sign: -1)
            if table == "monitoring", let subject = old["subject"].flatMap(String.fromDatabaseValue) { surveyed.insert(subject) }
            buffer!.delete(k)
            return
        }
        if let old = try db.one("SELECT * FROM \(table) WHERE author = ? AND key = ?", [author, key]) {
            add(Contributions.of(kind: table, row: old.dictionary), region: try region(of: author), sign: -1)
            if table == "monitoring", let subject = old["subject"].flatMap(String.fromDatabaseValue) { surveyed.insert(subject) }
            try db.execute("DELETE FROM \(table) WHERE author = ? AND key = ?", [author, key])
            // Photos are referenced only by a row that is there (see `apply`).
            try db.execute("DELETE FROM blob_ref WHERE author = ? AND kind = ? AND key = ?", [author, table, key])
        }
    }

    /// Removes every row of an author (before rebuilding it).
    mutating func removeAll(of author: String) throws {
        try writeBuffer()
        for table in Self.tables {
            for key in try db.column(String.self, "SELECT key FROM \(table) WHERE author = ?", [author]) {
                try remove(table: table, author: author, key: key)
            }
        }
        try db.execute("DELETE FROM blob_ref WHERE author = ?", [author])
        try db.execute("""
            UPDATE centre SET name = NULL, type = NULL, provinsi = NULL, kabupaten = NULL, kecamatan = NULL, desa = NULL,
                address = NULL, lat = NULL, lon = NULL, phone = NULL, email = NULL, opening_hours = NULL, services = NULL,
                expertise = NULL, has_profile = 0 WHERE author = ?
            """, [author])
        try updateRegion(of: author)
    }

    mutating func applyProfile(author: String, fields: ProfileFields?) throws {
        let columns = ProfileFields.columns
        try db.execute("""
            INSERT INTO centre(author, \(columns.joined(separator: ", ")), has_profile)
            VALUES (?, \(columns.map { _ in "?" }.joined(separator: ", ")), ?)
            ON CONFLICT(author) DO UPDATE SET \(columns.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")),
                has_profile = excluded.has_profile
            """, [author.databaseValue] + (fields?.values ?? ProfileFields.none) + [(fields == nil ? 0 : 1).databaseValue])
        try updateRegion(of: author)
    }

    /// A node's admission columns as the roster has them (role, name and
    /// region of its governing admission, whether it is a member), and its
    /// region. A revoked centre keeps its admission's role, name and region.
    mutating func refreshCentre(_ node: NodeID) throws {
        let admission = roster.governingAdmission(of: node)
        let role: String, member: Int
        switch roster.standing(of: node) {
        case .genesis: (role, member) = ("hub", 1)
        case .member(let r): (role, member) = (r.rawValue, 1)
        case .revoked(let r, _): (role, member) = (r.rawValue, 0)
        case .notMember: return
        }
        guard role == "telecenter" || role == "hub" else { return }
        try db.execute("""
            INSERT INTO centre(author, role, admitted_name, admitted_region, member) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(author) DO UPDATE SET role = excluded.role, admitted_name = excluded.admitted_name,
                admitted_region = excluded.admitted_region, member = excluded.member
            """, [node.description, role, admission?.name, admission?.region, member])
        try updateRegion(of: node.description)
    }

    /// Recomputes a centre's region; when it changed, moves the centre's
    /// contributions to the counters of the new region.
    mutating func updateRegion(of author: String) throws {
        let row = try db.one("SELECT kabupaten, admitted_region, region FROM centre WHERE author = ?", [author])
        let new = Self.regionName(kabupaten: row?[0], admitted: row?[1])
        let old = try region(of: author)
        guard new != old else { return }
        // A centre just admitted has no rows yet whose counters would move.
        let hasRows = try seqs[author] != nil || db.value(Int64.self, "SELECT seq FROM author_seq WHERE author = ?", [author]) != nil
        if hasRows {
            // Only now, and only then: the author's rows are read from the
            // tables. A profile that keeps its region (most of them) leaves
            // the batch's buffered rows to be written together at its end.
            try writeBuffer()
            for table in Self.tables {
                for r in try db.all("SELECT * FROM \(table) WHERE author = ?", [author]) {
                    let contributions = Contributions.of(kind: table, row: r.dictionary)
                    add(contributions, region: old, sign: -1)
                    add(contributions, region: new, sign: 1)
                }
            }
        }
        try db.execute("UPDATE centre SET region = ? WHERE author = ?", [new, author])
        regions[author] = new
    }

    /// "Kab. Blitar" from a profile, else the last part of the admission's
    /// region ("Jawa Timur / Kab. Blitar").
    static func regionName(kabupaten: String?, admitted: String?) -> String {
        if let k = kabupaten?.trimmingCharacters(in: .whitespaces), !k.isEmpty { return k }
        guard let a = admitted else { return "" }
        return a.split(separator: "/").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? a
    }

    mutating func recordPhotos(_ photos: [PhotoRef], author: String, kind: String, key: String) throws {
        guard !photos.isEmpty else { return }
        for photo in photos {
            // Asked here, inside the transaction, so that a photo arriving
            // now is either seen as held or marked after this commit.
            let held = blobs?.has(photo.hash) ?? false
            if buffer != nil {
                buffer!.addPhoto(.init(table: kind, author: author, key: key),
                                 [photo.sha256, author, kind, key, photo.subject, photo.size, photo.type, held ? 1 : 0, photo.pieces])
                continue
            }
            try db.execute("""
                INSERT INTO blob_ref(sha256, author, kind, key, subject, size, type, have, pieces)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """, [photo.sha256, author, kind, key, photo.subject, photo.size, photo.type, held ? 1 : 0, photo.pieces])
        }
    }
}
