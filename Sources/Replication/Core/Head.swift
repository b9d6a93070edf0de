/// The newest entry held of one author.
public struct Head: Sendable, Hashable {
    public let author: NodeID
    public let seq: UInt64
    public let id: EntryID

    public init(author: NodeID, seq: UInt64, id: EntryID) {
        self.author = author
        self.seq = seq
        self.id = id
    }
}
