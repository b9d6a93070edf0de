import Foundation
import Metrics
import Synchronization

/// How far the views are behind the log, and whether their database
/// answers: kept by `ViewsService` after every catch-up, read by the views'
/// status page (`/api/v1/views/status`) and exported as metrics
/// (`tcnode_views_behind_entries`, `tcnode_views_available`), so that a hub
/// whose PostgreSQL is down says so while it goes on syncing.
public final class ViewsHealth: Sendable {
    public struct Snapshot: Sendable, Codable, Equatable {
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

        enum CodingKeys: String, CodingKey {
            case backend, appliedPosition = "applied_position", storePosition = "store_position", available, error, behind
        }

        public init(backend: String, appliedPosition: Int64, storePosition: Int64, available: Bool, error: String?) {
            (self.backend, self.appliedPosition, self.storePosition, self.available, self.error) =
                (backend, appliedPosition, storePosition, available, error)
            behind = max(0, storePosition - appliedPosition)
        }
    }

    private let state: Mutex<Snapshot>
    private let behindGauge = Gauge(label: "tcnode_views_behind_entries")
    private let availableGauge = Gauge(label: "tcnode_views_available")

    init(backend: String) {
        state = Mutex(Snapshot(backend: backend, appliedPosition: 0, storePosition: 0, available: true, error: nil))
    }

    public var snapshot: Snapshot { state.withLock { $0 } }

    func update(applied: Int64?, store: Int64?, error: String?) {
        let now = state.withLock { s -> Snapshot in
            if let applied { s.appliedPosition = applied }
            if let store { s.storePosition = store }
            s.available = error == nil
            s.error = error
            s.behind = max(0, s.storePosition - s.appliedPosition)
            return s
        }
        behindGauge.record(Double(now.behind))
        availableGauge.record(now.available ? 1 : 0)
    }
}
