/// Heads that moved after a feed position, and the position they cover.
public struct HeadsSnapshot: Sendable, Equatable {
    public let position: Int64
    /// In the order they moved.
    public let heads: [Head]
    /// The feed position at which each head last moved (same order).
    public let positions: [Int64]

    public init(position: Int64, heads: [Head], positions: [Int64]? = nil) {
        self.position = position
        self.heads = heads
        self.positions = positions ?? Array(repeating: position, count: heads.count)
    }
}

extension HeadsSnapshot {
    /// Only the heads `keep` selects (a peer's interest); positions stay
    /// with their heads and the snapshot's position is unchanged.
    public func filter(_ keep: (NodeID) -> Bool) -> HeadsSnapshot {
        var kept: [Head] = [], at: [Int64] = []
        for (head, p) in zip(heads, positions) where keep(head.author) {
            kept.append(head)
            at.append(p)
        }
        return HeadsSnapshot(position: position, heads: kept, positions: at)
    }
}
