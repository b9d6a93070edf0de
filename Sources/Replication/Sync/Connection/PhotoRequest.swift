/// A photo the node's policy chose to fetch from a peer.
public struct PhotoRequest: Sendable, Hashable {
    public let sha256: Bytes32
    /// Bytes already held of it: where the transfer resumes.
    public let offset: UInt64
    /// The reference's `pieces` when the piece list is still to be fetched
    /// (PROTOCOL.md §11.7); nil when it is already kept, or the reference
    /// has none (the photo is then verified whole, at the end).
    public let pieces: Bytes32?

    public init(sha256: Bytes32, offset: UInt64, pieces: Bytes32? = nil) {
        self.sha256 = sha256
        self.offset = offset
        self.pieces = pieces
    }
}
