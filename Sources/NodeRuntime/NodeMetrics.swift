import Prometheus
import Replication

/// The node's event counters, each with its `# HELP` text, in the node's
/// own Prometheus registry (the metrics endpoint adds the figures read at
/// each scrape, `ScrapedMetrics`). Made on swift-prometheus's registry, not
/// through swift-metrics: its `PrometheusMetricsFactory` registers every
/// metric with an empty help text, and a registry refuses one name with
/// two help texts.
struct NodeMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let stored: Counter
    let appendedCounter: Counter
    let duplicates: Counter
    let forks: Counter
    let bytesIn: Counter
    let bytesOut: Counter
    let connected: Gauge

    init() {
        stored = registry.makeCounter(name: "tcnode_entries_stored_total", help: "Entries received from peers and stored.")
        appendedCounter = registry.makeCounter(name: "tcnode_entries_appended_total", help: "Entries this node wrote through the daemon.")
        duplicates = registry.makeCounter(name: "tcnode_entries_duplicate_total",
                                          help: "Entries received that were already stored here (sent twice; harmless).")
        forks = registry.makeCounter(name: "tcnode_forks_total", help: "Forks found in received entries since the daemon started.")
        bytesIn = registry.makeCounter(name: "tcnode_bytes_received_total", help: "Bytes received on peer connections, TLS included.")
        bytesOut = registry.makeCounter(name: "tcnode_bytes_sent_total", help: "Bytes sent on peer connections, TLS included.")
        connected = registry.makeGauge(name: "tcnode_peers_connected", help: "Established peer connections now.")
    }

    func refused(_ reason: String, count: Int = 1) {
        registry.makeCounter(name: "tcnode_entries_refused_total", labels: [("reason", reason)],
                             help: "Entries received and not stored, by reason.").increment(by: count)
    }

    func connectionRefused(_ reason: String) {
        registry.makeCounter(name: "tcnode_connections_refused_total", labels: [("reason", reason)],
                             help: "Peer connections this node closed or refused, by reason.").increment()
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

extension Counter {
    /// Counts as swift-metrics' counters take them (`Int`).
    func increment(by amount: Int) { increment(by: Int64(amount)) }
}
