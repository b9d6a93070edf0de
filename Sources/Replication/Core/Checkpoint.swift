/// Where a peer's feed was read up to.
public struct Checkpoint: Sendable, Equatable {
    public let feed: FeedID
    public let position: Int64
    public init(feed: FeedID, position: Int64) {
        self.feed = feed
        self.position = position
    }
}
