import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import Prometheus
import Replication
import ServiceLifecycle
import Telecenter
import UnixSignals

/// Owns the store for the daemon's life: started first, stopped last, so
/// the database is closed cleanly (WAL checkpointed) after every
/// connection has finished.
struct StoreService: Service {
    let store: Store
    var views: Views?
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        do {
            try views?.close()
            try store.close()
            logger.info("database closed cleanly")
        } catch {
            logger.error("closing the database failed: \(error)")
        }
    }
}

/// Notices entries and roster changes written to the database by another
/// process (the CLI writing directly when it could not reach the socket)
/// and wakes the connections, so peers get them without a restart.
struct FeedWatcher: Service {
    let node: Node
    var interval: Duration = .seconds(2)

    func run() async throws {
        // Counted by the store whenever its writer sees another process's
        // commit, including at the daemon's own ingests, so none is missed.
        var seen = node.store.externalCommits
        while (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: interval) })) != nil {
            try? node.store.lookForExternalCommits()
            let commits = node.store.externalCommits
            if commits != seen { node.wakeConnections(rosterChanged: true) }
            seen = commits
        }
    }
}

/// SIGHUP: read the config again and replace the dialled peers. A bad file
/// is logged and the running configuration kept.
struct ConfigReloader: Service {
    let path: String
    let node: Node
    let dialers: PeerDialers
    let logger: Logger

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            do {
                let config = try NodeConfig.load(path: path)
                dialers.setPeers(Daemon.dialled(config: config, store: node.store))
                node.setPinned(Set(config.peers.map(\.node)))
                logger.notice("configuration reloaded: \(config.peers.count) peer(s) to dial")
            } catch {
                logger.error("configuration not reloaded, keeping the running one: \(error)")
            }
        }
    }
}

/// Tells systemd READY=1 once peers can connect and the control socket
/// answers, and STOPPING=1 when shutdown begins.
struct ReadinessNotifier: Service {
    let listener: PeerListener
    let controlSocket: String
    let logger: Logger

    func run() async throws {
        let address = try await listener.boundAddress()
        // Ready means an operator's `tcnode status` answers too.
        while (try? await ControlClient(socketPath: controlSocket).status()) == nil {
            try await Task.sleep(for: .milliseconds(50))
        }
        SystemdNotify.send("READY=1\nSTATUS=listening on \(PeerChannel.describe(address))")
        logger.notice("tcnoded \(TCNodeVersion.current) ready; peers can connect on \(PeerChannel.describe(address))")
        try? await gracefulShutdown()
        SystemdNotify.send("STOPPING=1")
    }
}

/// Prometheus text format on GET /metrics (swift-metrics + swift-prometheus).
enum MetricsEndpoint {
    static func application(registry: PrometheusCollectorRegistry, node: Node, host: String, port: Int,
                            logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        let entries = Metrics.Gauge(label: "tcnode_store_entries")
        let authors = Metrics.Gauge(label: "tcnode_store_authors")
        let forks = Metrics.Gauge(label: "tcnode_store_forks")
        let lag = Metrics.Gauge(label: "tcnode_sync_lag_entries")
        let peers = Metrics.Gauge(label: "tcnode_peers_known")
        router.get("/metrics") { _, _ -> Response in
            if let stats = try? node.store.stats() {
                entries.record(stats.entries)
                authors.record(stats.authors)
                forks.record(stats.forks)
            }
            let snapshot = node.peers.snapshot()
            lag.record(Double(snapshot.reduce(UInt64(0)) { $0.saturatingAdd($1.entriesBehind) }))
            peers.record(snapshot.count)
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        var quiet = logger
        quiet.logLevel = .warning
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
                           logger: quiet)
    }
}

