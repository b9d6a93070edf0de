import Foundation
import GRDB

extension Store {
    /// Records a fork seen in a peer's heads (same author and seq, another
    /// id) and stops taking entries of that author.
    public func recordFork(offered: Head, held: EntryID, peer: NodeID) throws {
        let now = clock()
        try write { db in try Store.recordFork(db, offered: offered, held: held, peer: peer, now: now) }
    }

    public func recordFork(offered: Head, held: EntryID, peer: NodeID) async throws {
        let now = clock()
        try await write { db in try Store.recordFork(db, offered: offered, held: held, peer: peer, now: now) }
    }

    static func recordFork(_ db: Database, offered: Head, held: EntryID, peer: NodeID, now: Int64) throws {
        let author = try authorRef(db, offered.author)
        let peerRef = try authorRef(db, peer)
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO fork(author, seq, held_id, other_id, other_bytes, peer, detected_ms)
                VALUES (?, ?, ?, ?, NULL, ?, ?)
                """,
            arguments: [author, Int64(clamping: offered.seq), held.hash.data, offered.id.hash.data, peerRef, now])
        try db.execute(sql: "UPDATE author SET forked = 1 WHERE ref = ?", arguments: [author])
    }

    /// ENTRIES frames that serve `ranges` completely and in order, each at
    /// most 4 MiB of payload, or nil when this node does not hold every
    /// entry asked for (the caller answers ERROR `internal`).
    public func entriesFrames(serving ranges: [WantRange]) throws -> [Frame]? {
        var frames: [Frame] = []
        let complete = try serve(ranges) { frames.append($0) }
        return complete ? frames : nil
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
