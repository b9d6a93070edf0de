/// A peer's head next to what this node holds of the same author.
public struct HeadComparison: Sendable, Equatable {
    public let offered: Head
    public let localSeq: UInt64
    /// Our entry id at `offered.seq`, when we hold that seq.
    public let localIDAtOfferedSeq: EntryID?
    public let forked: Bool
    /// Highest seq of this author the roster accepts (0: not a member).
    public let acceptedLimit: UInt64
    public let isAuthority: Bool

    public init(offered: Head, localSeq: UInt64, localIDAtOfferedSeq: EntryID?, forked: Bool, acceptedLimit: UInt64,
                isAuthority: Bool) {
        self.offered = offered
        self.localSeq = localSeq
        self.localIDAtOfferedSeq = localIDAtOfferedSeq
        self.forked = forked
        self.acceptedLimit = acceptedLimit
        self.isAuthority = isAuthority
    }
}
