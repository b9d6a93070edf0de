/// The entries a peer has asked for on one connection, so that each entry is
/// served at most once per connection (docs/PROTOCOL.md, "WANT"). A
/// requester never asks again for what it has asked on the same connection
/// (its wants start after its open ones), so only a misbehaving peer loses
/// anything here: a WANT naming one 1 MiB entry 100,000 times costs one
/// entry, not 100 GB of replies.
public struct ServedRanges: Sendable {
    /// Per author: disjoint, sorted, non-adjacent intervals already asked for.
    private var asked: [NodeID: [ClosedRange<UInt64>]] = [:]
    /// Entries named again (already asked for on this connection), dropped.
    public private(set) var duplicateEntries: UInt64 = 0

    public init() {}

    /// The parts of `ranges` not asked for before, in the order the peer
    /// gave them (authority entries first, as the requester ordered them),
    /// and remembers them. O(n log n) in the WANT plus linear in what is
    /// remembered of the authors it names, whatever order the ranges come in.
    public mutating func admit(_ ranges: [WantRange]) -> [WantRange] {
        guard !ranges.isEmpty else { return [] }
        // Sweep each author's ranges in seq order, cutting what earlier
        // ranges (of this WANT or of earlier ones) already cover; pieces keep
        // the index of the range they came from, to restore the peer's order.
        let order = ranges.indices.sorted { a, b in
            let ra = ranges[a], rb = ranges[b]
            if ra.author != rb.author { return ra.author.key < rb.author.key }
            if ra.from != rb.from { return ra.from < rb.from }
            return a < b
        }
        var pieces: [(index: Int, range: WantRange)] = []
        var start = 0
        while start < order.count {
            let author = ranges[order[start]].author
            var end = start
            while end < order.count && ranges[order[end]].author == author { end += 1 }
            let before = asked[author] ?? []
            var fresh: [ClosedRange<UInt64>] = []
            var cursor = 0  // into `before`
            var coveredThrough: UInt64? = nil  // by this WANT's earlier ranges
            for i in order[start..<end] {
                let r = ranges[i]
                guard r.from <= r.to else { continue }
                var from = r.from
                if let c = coveredThrough {
                    if c >= r.to {
                        duplicateEntries = duplicateEntries.saturatingAdd(r.count)
                        continue
                    }
                    if c >= from {
                        duplicateEntries = duplicateEntries.saturatingAdd(c - from + 1)
                        from = c + 1
                    }
                }
                coveredThrough = max(coveredThrough ?? 0, r.to)
                // Cut the intervals asked for on earlier WANTs.
                while cursor < before.count && before[cursor].upperBound < from { cursor += 1 }
                var k = cursor
                while from <= r.to {
                    if k < before.count && before[k].lowerBound <= r.to {
                        let b = before[k]
                        if b.lowerBound > from {
                            fresh.append(from...(b.lowerBound - 1))
                            pieces.append((i, WantRange(author: author, from: from, to: b.lowerBound - 1)))
                        }
                        let overlapStart = max(from, b.lowerBound), overlapEnd = min(r.to, b.upperBound)
                        duplicateEntries = duplicateEntries.saturatingAdd(overlapEnd - overlapStart + 1)
                        if b.upperBound >= r.to { break }
                        from = b.upperBound + 1
                        k += 1
                    } else {
                        fresh.append(from...r.to)
                        pieces.append((i, WantRange(author: author, from: from, to: r.to)))
                        break
                    }
                }
            }
            if !fresh.isEmpty { asked[author] = Self.union(before, fresh) }
            start = end
        }
        // Stable: pieces of one range keep their seq order.
        return pieces.enumerated().sorted { ($0.element.index, $0.offset) < ($1.element.index, $1.offset) }.map(\.element.range)
    }

    /// Entries remembered, over all authors (for tests and status).
    public var entriesAsked: UInt64 {
        asked.values.reduce(0) { total, list in list.reduce(total) { $0.saturatingAdd($1.upperBound - $1.lowerBound + 1) } }
    }

    /// Merges two sorted lists of disjoint intervals into one, joining
    /// overlapping and adjacent ones.
    static func union(_ a: [ClosedRange<UInt64>], _ b: [ClosedRange<UInt64>]) -> [ClosedRange<UInt64>] {
        var out: [ClosedRange<UInt64>] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        func push(_ r: ClosedRange<UInt64>) {
            if let last = out.last, last.upperBound == .max || r.lowerBound <= last.upperBound + 1 {
                out[out.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        while i < a.count || j < b.count {
            if j >= b.count || (i < a.count && a[i].lowerBound <= b[j].lowerBound) {
                push(a[i])
                i += 1
            } else {
                push(b[j])
                j += 1
            }
        }
        return out
    }
}
