/// The WANT ranges a peer asked for and not yet read for sending, served in
/// order a frame at a time: the next frame is read only when the one before
/// it is with the writer, so a large initial sync never sits in memory and
/// never fills the socket ahead of a later record's frames.
struct EntryServing: Sendable {
    private var ranges: [WantRange] = []
    private var head = 0
    /// A read is with the driver.
    private(set) var reading = false

    var isEmpty: Bool { head == ranges.count }

    mutating func add(_ more: [WantRange]) { ranges.append(contentsOf: more) }

    /// The ranges to read next (from the front, as many as a frame could
    /// hold one entry of each), or nil when a read is out or nothing is left.
    mutating func nextRead(limit: Int) -> [WantRange]? {
        guard !reading, !isEmpty else { return nil }
        reading = true
        return Array(ranges[head..<min(ranges.count, head + max(1, limit))])
    }

    /// The read came back with these entries; advances past them. Returns
    /// false when the store did not hold the next entry asked for.
    mutating func read(_ entries: [[UInt8]]) -> Bool {
        reading = false
        guard !entries.isEmpty else { return false }
        for bytes in entries {
            guard head < ranges.count, let (author, seq) = SyncSession.peekAuthorAndSeq(bytes),
                author == ranges[head].author, seq == ranges[head].from
            else { return false }
            if seq == ranges[head].to {
                head += 1
            } else {
                ranges[head] = WantRange(author: author, from: seq + 1, to: ranges[head].to)
            }
        }
        if head == ranges.count || head > 4096 {
            ranges.removeFirst(head)
            head = 0
        }
        return true
    }
}
