import Foundation
import GRDB

extension Store {
    /// Entry bytes of `ranges` in order, from the first, stopping before
    /// `maxBytes` would be exceeded (at least one entry), in one read. A
    /// range whose entries are not all held ends the answer early: the
    /// caller sees the gap.
    public func entryBytes(serving ranges: [WantRange], maxBytes: Int) async throws -> [[UInt8]] {
        try await read { db in
            var out: [[UInt8]] = []
            // Counted as in the frame: a 4-byte length before each entry.
            var total = 4
            for range in ranges {
                guard let ref = try Int64.fetchOne(db, sql: "SELECT ref FROM author WHERE key = ?", arguments: [range.author.key.data]) else {
                    break
                }
                let rows = try Data.fetchCursor(
                    db, sql: "SELECT bytes FROM entry WHERE author = ? AND seq BETWEEN ? AND ? ORDER BY seq",
                    arguments: [ref, Int64(clamping: range.from), Int64(clamping: range.to)])
                var got: UInt64 = 0
                while let bytes = try rows.next() {
                    if !out.isEmpty && total + 4 + bytes.count > maxBytes { return out }
                    total += 4 + bytes.count
                    out.append([UInt8](bytes))
                    got += 1
                }
                if got < range.count { break }
            }
            return out
        }
    }
}

extension Store {
    /// After restoring this database from a backup: gives it a new feed id
    /// and forgets every peer checkpoint and pending head, so that peers
    /// offer everything again (including this node's own entries they hold)
    /// and nobody trusts positions in a feed that went back in time. Reopen
    /// the store afterwards; this instance keeps the old feed id.
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func resetSyncState() throws -> FeedID {
        var rng = SystemRandomNumberGenerator()
        let feed = FeedID.random(using: &rng)
        try write { db in
            try db.execute(sql: "UPDATE meta SET feed = ? WHERE id = 1", arguments: [Data(feed.bytes)])
            try db.execute(sql: "DELETE FROM checkpoint")
            try db.execute(sql: "DELETE FROM pending_offer")
        }
        return feed
    }
}
