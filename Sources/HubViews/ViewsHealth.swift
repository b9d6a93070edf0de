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
        public var behind: Int64 { max(0, storePosition - appliedPosition) }

        enum CodingKeys: String, CodingKey {
            case backend, appliedPosition = "applied_position", storePosition = "store_position", available, error, behind
        }

        public init(backend: String, appliedPosition: Int64, storePosition: Int64, available: Bool, error: String?) {
            (self.backend, self.appliedPosition, self.storePosition, self.available, self.error) =
                (backend, appliedPosition, storePosition, available, error)
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            backend = try c.decode(String.self, forKey: .backend)
            appliedPosition = try c.decode(Int64.self, forKey: .appliedPosition)
            storePosition = try c.decode(Int64.self, forKey: .storePosition)
            available = try c.decode(Bool.self, forKey: .available)
            error = try c.decodeIfPresent(String.self, forKey: .error)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(backend, forKey: .backend)
            try c.encode(appliedPosition, forKey: .appliedPosition)
            try c.encode(storePosition, forKey: .storePosition)
            try c.encode(available, forKey: .available)
            try c.encodeIfPresent(error, forKey: .error)
            try c.encode(behind, forKey: .behind)
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
            return s
        }
        behindGauge.record(Double(now.behind))
        availableGauge.record(now.available ? 1 : 0)
    }
}
