import Foundation
import GRDB

/// The newest bundle (or heads file) made by one node and imported here.
public struct BundleSourceInfo: Sendable, Equatable {
    public let node: NodeID
    /// Its bundle id (32 hex characters).
    public let bundle: String
    /// When the node made it (its clock, never later than the import).
    public let madeMs: Int64
    public let importedMs: Int64
    public let name: String?
    /// Entries new to this node that it brought.
    public let entriesStored: Int
    /// When the heads recorded for the node were taken, if any were.
    public let headsMadeMs: Int64?
}

/// What an import leaves behind besides the entries: who was heard from and
/// what the exporter holds.
struct BundleReceipt: Sendable {
    let bundle: [UInt8]
    let exporter: NodeID
    let name: String?
    let madeMs: Int64
    /// The manifest verified: the exporter's key vouches for the bundle.
    let verified: Bool
    /// The exporter's heads, when verified and every HEADS section was whole.
    let heads: [Head]?
    /// Authors of which new entries were stored, and how many.
    let newEntries: [NodeID: UInt64]
}

/// What recording a receipt did.
struct BundleRecording: Sendable, Equatable {
    var alreadyRecorded = false
    var sourceRecorded = false
    var headsRecorded = false
    /// The heads were older than those already recorded for the node.
    var headsStale = false
}

extension Store {
    /// Stores verified entries read from a bundle by the rules of `ingest`
    /// (signatures were checked by the caller; chain, membership,
    /// revocation and forks are checked here, exactly as for a peer's
    /// entries). `stored_ms` is left alone: it means "heard by network".
    /// Also returns how far each author's log grew.
    func ingestBundle(_ entries: [VerifiedEntry], from origin: NodeID?) async throws -> (result: IngestResult, grown: [NodeID: UInt64]) {
        try await writeTransaction(durable: false) { ctx in
            ctx.stampsStored = false
            let statement = try ctx.db.cachedStatement(sql: "SELECT seq FROM author WHERE key = ?")
            var before: [NodeID: UInt64] = [:]
            for author in Set(entries.map(\.entry.author)) {
                before[author] = UInt64(try Int64.fetchOne(statement, arguments: [author.key.data]) ?? 0)
            }
            let result = try ctx.ingest(entries, origin: origin)
            var grown: [NodeID: UInt64] = [:]
            for (author, after) in result.heads where after > before[author] ?? 0 { grown[author] = after - (before[author] ?? 0) }
            return (result, grown)
        }
    }

    /// Records who was heard from by this bundle and, when the manifest
    /// verified, what its exporter holds. Importing the same bundle again
    /// changes nothing; an older bundle never replaces a newer one's heads.
    func recordBundle(_ r: BundleReceipt) async throws -> BundleRecording {
        let now = clock()
        let node = self.node
        return try await write { db in
            var out = BundleRecording()
            let key = r.exporter.key.data
            let row = try Row.fetchOne(db, sql: "SELECT bundle, made_ms, heads_made_ms FROM bundle_source WHERE node = ?", arguments: [key])
            if let row, [UInt8](row["bundle"] as Data) == r.bundle, r.newEntries.isEmpty {
                out.alreadyRecorded = true
                return out
            }
            let heard = min(r.madeMs, now)
            func hear(_ author: NodeID) throws {
                try db.execute(
                    sql: """
                        INSERT INTO bundle_heard(author, heard_ms, via) VALUES (?, ?, ?)
                        ON CONFLICT(author) DO UPDATE SET heard_ms = excluded.heard_ms, via = excluded.via
                        WHERE excluded.heard_ms > bundle_heard.heard_ms
                        """, arguments: [author.key.data, heard, key])
            }
            for author in r.newEntries.keys where author != node { try hear(author) }
            guard r.verified, r.exporter != node else { return out }
            try hear(r.exporter)
            let stored = Int(clamping: r.newEntries.values.reduce(UInt64(0), +))
            if let row {
                if r.madeMs >= row["made_ms"] as Int64 {
                    try db.execute(
                        sql: "UPDATE bundle_source SET bundle = ?, made_ms = ?, imported_ms = ?, name = ?, entries_stored = ? WHERE node = ?",
                        arguments: [Data(r.bundle), r.madeMs, now, r.name, stored, key])
                    out.sourceRecorded = true
                }
            } else {
                try db.execute(
                    sql: "INSERT INTO bundle_source(node, bundle, made_ms, imported_ms, name, entries_stored) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [key, Data(r.bundle), r.madeMs, now, r.name, stored])
                out.sourceRecorded = true
            }
            guard let heads = r.heads else { return out }
            if let headsMade = row?["heads_made_ms"] as Int64?, headsMade >= r.madeMs {
                out.headsStale = headsMade > r.madeMs
                return out
            }
            try db.execute(sql: "DELETE FROM bundle_head WHERE node = ?", arguments: [key])
            let insert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO bundle_head(node, author, seq, id) VALUES (?, ?, ?, ?)")
            for h in heads {
                try insert.execute(arguments: [key, h.author.key.data, Int64(clamping: h.seq), h.id.hash.data])
            }
            try db.execute(sql: "UPDATE bundle_source SET heads_made_ms = ? WHERE node = ?", arguments: [r.madeMs, key])
            out.headsRecorded = true
            return out
        }
    }

    static func acknowledgedHeads(_ db: Database, of node: NodeID) throws -> [NodeID: UInt64] {
        var out: [NodeID: UInt64] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT author, seq FROM bundle_head WHERE node = ?", arguments: [node.key.data]) {
            if let author = NodeID(keyBytes: [UInt8](r[0] as Data)) { out[author] = UInt64(r[1] as Int64) }
        }
        return out
    }

    /// What `node` last said it holds, by a bundle or heads file imported
    /// here (empty when nothing came from it yet).
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func acknowledgedHeads(of node: NodeID) throws -> [NodeID: UInt64] {
        try read { db in try Store.acknowledgedHeads(db, of: node) }
    }

    public func acknowledgedHeads(of node: NodeID) async throws -> [NodeID: UInt64] {
        try await read { db in try Store.acknowledgedHeads(db, of: node) }
    }

    /// Every node a bundle was imported from, newest import first.
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func bundleSources() throws -> [BundleSourceInfo] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT node, bundle, made_ms, imported_ms, name, entries_stored, heads_made_ms FROM bundle_source ORDER BY imported_ms DESC"
            ).compactMap { r in
                NodeID(keyBytes: [UInt8](r[0] as Data)).map {
                    BundleSourceInfo(node: $0, bundle: Hex.encode([UInt8](r[1] as Data)), madeMs: r[2], importedMs: r[3], name: r[4],
                                     entriesStored: r[5], headsMadeMs: r[6])
                }
            }
        }
    }

    /// When each author was last heard from by bundle: the time the newest
    /// bundle that brought its entries (or that it made) was made.
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func bundleHeard() throws -> [NodeID: Int64] {
        try read { db in
            var out: [NodeID: Int64] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT author, heard_ms FROM bundle_heard") {
                if let id = NodeID(keyBytes: [UInt8](r[0] as Data)) { out[id] = r[1] }
            }
            return out
        }
    }
}
