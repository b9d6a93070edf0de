import Foundation
import Metrics
import NodeRuntime
import Synchronization

/// How far the views are behind the log, and whether their database
/// answers: kept by `ViewsService` after every catch-up, read by the views'
/// status page (`/api/v1/views/status`) and exported as metrics
/// (`tcnode_views_behind_entries`, `tcnode_views_available`), so that a hub
/// whose PostgreSQL is down says so while it goes on syncing.
public final class ViewsHealth: Sendable {
    /// The figures themselves live in NodeRuntime, so that `tcnode status`
    /// can show them without knowing the views.
    public typealias Snapshot = ViewsStatus

    private let state: Mutex<Snapshot>
    private let behindGauge = Gauge(label: "tcnode_views_behind_entries")
    private let availableGauge = Gauge(label: "tcnode_views_available")

    init(backend: String) {
        state = Mutex(Snapshot(backend: backend, appliedPosition: 0, storePosition: 0, available: true, error: nil, appliedKnown: false))
    }

    public var snapshot: Snapshot { state.withLock { $0 } }

    func update(applied: Int64?, store: Int64?, error: String?) {
        let now = state.withLock { s -> Snapshot in
            if let applied {
                s.appliedPosition = applied
                s.appliedKnown = true
            }
            if let store { s.storePosition = store }
            s.available = error == nil
            s.error = error
            s.recount()
            return s
        }
        behindGauge.record(Double(now.behind))
        availableGauge.record(now.available ? 1 : 0)
    }
}
