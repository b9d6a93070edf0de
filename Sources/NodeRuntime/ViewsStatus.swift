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
    /// Entries stored and not yet in the views.
    public var behind: Int64

    public init(backend: String, appliedPosition: Int64, storePosition: Int64, available: Bool, error: String?) {
        (self.backend, self.appliedPosition, self.storePosition, self.available, self.error) =
            (backend, appliedPosition, storePosition, available, error)
        behind = max(0, storePosition - appliedPosition)
    }
}
