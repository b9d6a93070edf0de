/// The order in which one connection's frames leave (PROTOCOL.md §7.15):
/// everything the protocol needs to make progress first, then entries, then
/// photo data, so a record never waits behind a photo.
public enum SendPriority: Int, Sendable, Comparable, CaseIterable {
    case control = 0
    case entries = 1
    case blob = 2

    public static func < (a: SendPriority, b: SendPriority) -> Bool { a.rawValue < b.rawValue }

    /// The lane a frame of the session goes out in.
    static func of(_ frame: Frame) -> SendPriority {
        switch frame {
        case .entries: .entries
        case .blobData, .blobPieces: .blob
        default: .control
        }
    }
}

/// Frames waiting to go out, one queue per priority, and the one batch the
/// writer holds. Only one batch is with the writer at a time, so what waits
/// below the outbox is at most one data frame (sized to the link) plus the
/// socket's bounded unsent bytes; a control frame queued now leaves next.
struct Outbox: Sendable {
    private var queues: [[Frame]] = Array(repeating: [], count: SendPriority.allCases.count)
    private var heads: [Int] = Array(repeating: 0, count: SendPriority.allCases.count)
    /// The batch the writer is writing: its bytes and the entries in it.
    private(set) var writing: (bytes: Int, entries: Int, since: Int64)?

    mutating func push(_ frames: [Frame], _ priority: SendPriority) {
        queues[priority.rawValue].append(contentsOf: frames)
    }

    /// Frames of this priority not yet handed to the writer.
    func waiting(_ priority: SendPriority) -> Int { queues[priority.rawValue].count - heads[priority.rawValue] }

    var isEmpty: Bool { SendPriority.allCases.allSatisfy { waiting($0) == 0 } }

    /// The next batch for the writer, if it is free: every waiting control
    /// frame, then one entries frame, or else one photo frame.
    mutating func release(now: Int64) -> [Frame]? {
        guard writing == nil else { return nil }
        var batch = take(.control, all: true)
        if let frame = take(.entries, all: false).first ?? take(.blob, all: false).first { batch.append(frame) }
        guard !batch.isEmpty else { return nil }
        let entries = batch.reduce(0) { if case .entries(let e) = $1 { $0 + e.count } else { $0 } }
        writing = (batch.reduce(0) { $0 + $1.estimatedSize }, entries, now)
        return batch
    }

    /// The writer finished its batch; returns it (bytes, entries, when handed over).
    mutating func written() -> (bytes: Int, entries: Int, since: Int64)? {
        defer { writing = nil }
        return writing
    }

    private mutating func take(_ priority: SendPriority, all: Bool) -> [Frame] {
        let p = priority.rawValue
        guard heads[p] < queues[p].count else { return [] }
        let end = all ? queues[p].count : heads[p] + 1
        let taken = Array(queues[p][heads[p]..<end])
        heads[p] = end
        if heads[p] == queues[p].count {
            queues[p].removeAll(keepingCapacity: true)
            heads[p] = 0
        }
        return taken
    }
}
