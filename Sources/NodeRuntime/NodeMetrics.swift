import Metrics
import Replication

/// The node's metrics through swift-metrics; the daemon bootstraps the
/// Prometheus backend, elsewhere they go nowhere.
struct NodeMetrics: Sendable {
    let stored = Counter(label: "tcnode_entries_stored_total")
    let appendedCounter = Counter(label: "tcnode_entries_appended_total")
    let duplicates = Counter(label: "tcnode_entries_duplicate_total")
    let forks = Counter(label: "tcnode_forks_total")
    let bytesIn = Counter(label: "tcnode_bytes_received_total")
    let bytesOut = Counter(label: "tcnode_bytes_sent_total")
    let connected = Meter(label: "tcnode_peers_connected")

    func refused(_ reason: String, count: Int = 1) {
        Counter(label: "tcnode_entries_refused_total", dimensions: [("reason", reason)]).increment(by: count)
    }

    func connectionRefused(_ reason: String) {
        Counter(label: "tcnode_connections_refused_total", dimensions: [("reason", reason)]).increment()
    }

    func appended(_ n: Int) { appendedCounter.increment(by: n) }

    func ingested(_ result: IngestResult) {
        if result.stored > 0 { stored.increment(by: result.stored) }
        if result.duplicates > 0 { duplicates.increment(by: result.duplicates) }
        if !result.forks.isEmpty { forks.increment(by: result.forks.count) }
        if result.gaps > 0 { refused("gap", count: result.gaps) }
        for r in result.refused { refused(r.reason.rawValue) }
        if result.rejection != nil { refused("not-a-member") }
    }
}
