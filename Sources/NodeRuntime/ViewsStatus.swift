/// How far a node's views are behind its log and whether their database
/// answers: what `tcnode status`, the views' status page and the metrics
/// say of them. HubViews keeps it up to date (`ViewsHealth`). Its JSON
/// keys are snake_case where it is shown (`StatusReport.encoder`, the
/// views' status page), as everywhere in tcnode's JSON.
public struct ViewsStatus: Sendable, Codable, Equatable {
    /// "sqlite" or "postgresql".
    public var backend: String
    /// The feed position the views reflect, and the store's.
    public var appliedPosition: Int64
    public var storePosition: Int64
    /// Whether the last catch-up reached the views' database.
    public var available: Bool
    /// What went wrong last (no password in it), nil once it works again.
    public var error: String?
    /// Entries stored and not yet in the views. An upper bound while
    /// `appliedKnown` is false.
    public var behind: Int64
    /// Whether the views' position has been read since the daemon started:
    /// false while a database away since then keeps it unknown.
    public var appliedKnown: Bool

    public init(backend: String, appliedPosition: Int64, storePosition: Int64, available: Bool, error: String?, appliedKnown: Bool = true) {
        (self.backend, self.appliedPosition, self.storePosition, self.available, self.error, self.appliedKnown) =
            (backend, appliedPosition, storePosition, available, error, appliedKnown)
        behind = 0
        recount()
    }

    /// `behind` from the two positions, after either moved.
    public mutating func recount() { behind = max(0, storePosition - appliedPosition) }

    /// As of the store's position now: the follower updates the store's
    /// position only after a catch-up, and a status must not call views
    /// that are minutes behind "up to date".
    public func at(storePosition now: Int64) -> ViewsStatus {
        var s = self
        s.storePosition = max(storePosition, now)
        s.recount()
        return s
    }
}
