/// One WANT record: an inclusive range of one author's log.
public struct WantRange: Sendable, Hashable {
    public let author: NodeID
    public let from: UInt64
    public let to: UInt64

    public init(author: NodeID, from: UInt64, to: UInt64) {
        self.author = author
        self.from = from
        self.to = to
    }

    public var count: UInt64 { to - from + 1 }
}
