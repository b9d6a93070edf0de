import Foundation
import GRDB

extension Store {
    /// ENTRIES frames that serve `ranges` completely and in order, each at
    /// most 4 MiB of payload, or nil when this node does not hold every
    /// entry asked for (the caller answers ERROR `internal`).
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func entriesFrames(serving ranges: [WantRange]) throws -> [Frame]? {
        var frames: [Frame] = []
        let complete = try serve(ranges) { frames.append($0) }
        return complete ? frames : nil
    }

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

    /// Streams ENTRIES frames for `ranges` to `send` as they are read, so
    /// that a large initial sync never sits in memory at once. Returns false
    /// when an entry asked for is not held.
    public func serve(_ ranges: [WantRange], send: ([Frame]) async throws -> Void) async throws -> Bool {
        var batch = EntriesBatcher()
        for range in ranges {
            var next = range.from
            while next <= range.to {
                let chunk = try await entryBytes(of: range.author, from: next, to: range.to, maxBytes: Frame.maximumEntriesPayload)
                guard !chunk.isEmpty else { return false }
                for bytes in chunk {
                    if let frame = batch.add(bytes) { try await send([frame]) }
                }
                next += UInt64(chunk.count)
            }
        }
        if let frame = batch.flush() { try await send([frame]) }
        return true
    }

    func serve(_ ranges: [WantRange], emit: (Frame) -> Void) throws -> Bool {
        var batch = EntriesBatcher()
        for range in ranges {
            var next = range.from
            while next <= range.to {
                let chunk = try entryBytes(of: range.author, from: next, to: range.to, maxBytes: Frame.maximumEntriesPayload)
                guard !chunk.isEmpty else { return false }
                for bytes in chunk {
                    if let frame = batch.add(bytes) { emit(frame) }
                }
                next += UInt64(chunk.count)
            }
        }
        if let frame = batch.flush() { emit(frame) }
        return true
    }
}

/// Packs entries into ENTRIES frames of at most 4 MiB of payload.
struct EntriesBatcher {
    private var entries: [[UInt8]] = []
    private var bytes = 4

    /// Adds an entry; returns a full frame when this entry did not fit.
    mutating func add(_ entry: [UInt8]) -> Frame? {
        var full: Frame?
        if !entries.isEmpty && bytes + 4 + entry.count > Frame.maximumEntriesPayload {
            full = flush()
        }
        entries.append(entry)
        bytes += 4 + entry.count
        return full
    }

    mutating func flush() -> Frame? {
        guard !entries.isEmpty else { return nil }
        defer {
            entries = []
            bytes = 4
        }
        return .entries(entries)
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

extension Store {
    /// How many commits by other processes this store has noticed, at its
    /// own writes or at `lookForExternalCommits()`.
    public var externalCommits: UInt64 { shared.withLock { $0.externalCommits } }

    /// Notices commits by another process now rather than at the next write,
    /// reading the roster again if there were any.
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func lookForExternalCommits() throws {
        _ = try writer.writeWithoutTransaction { db in try currentRoster(db) }
    }
}
