import Foundation
import Logging
import Metrics
import Prometheus
import Replication
import ServiceLifecycle

/// tcnoded: the node and its services (built by `NodeAssembly`) as one
/// ServiceGroup, in dependency order (the group stops them in reverse): the
/// store first and last, then the node's listener, dialers, control API,
/// metrics, views, config reloads and readiness. SIGTERM or SIGINT shut it
/// down gracefully; connections say `shutting-down` and the database is
/// closed cleanly.
public enum Daemon {
    public struct StartupError: Error, CustomStringConvertible {
        public let description: String
        /// A setup problem a restart cannot fix (no key, wrong directory).
        public var isConfiguration = false
    }

    /// The peers to dial: the config's, plus those given to `tcnode init
    /// --peer` (the config wins for a node listed in both).
    public static func dialled(config: NodeConfig, store: Store) async -> [PeerEndpoint] {
        var peers = config.peers
        let listed = Set(peers.map(\.node))
        for bootstrap in (try? await store.bootstrapPeers()) ?? [] where !listed.contains(bootstrap.node) {
            if let endpoint = try? PeerEndpoint(parsing: "\(bootstrap.node)@\(bootstrap.address)") { peers.append(endpoint) }
        }
        return peers
    }

    /// Installs the process-wide logging and metrics backends; once per process.
    public static func bootstrap(level: Logger.Level) -> PrometheusCollectorRegistry {
        LoggingSystem.bootstrap { label in JournalLogHandler(label: label, level: level) }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }

    /// `views` opens the views when photos are on (tcnoded gives HubViews').
    public static func run(configPath: String, config: NodeConfig, views: (any ViewsOpener)?,
                           registry: PrometheusCollectorRegistry?) async throws {
        var logger = Logger(label: "tcnoded")
        logger.logLevel = config.logLevel
        let assembly = try await NodeAssembly.build(config: config, configPath: configPath, views: views, logger: logger,
                                                    registry: registry)
        let node = assembly.node
        logger.notice(
            "starting node \(node.id.short) (network \(node.store.network.short)); \(config.peers.count) peer(s) configured",
            metadata: ["data_dir": "\(config.dataDirectory.path)"])
        // The store is started first and stopped last, after every connection has finished.
        let services: [any Service] = [StoreService(store: node.store, views: assembly.views, logger: logger)] + assembly.services
        var configuration = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // systemd waits 10 s (TimeoutStopSec) before SIGKILL; finish before.
        configuration.maximumGracefulShutdownDuration = .seconds(8)
        let group = ServiceGroup(configuration: configuration)
        do {
            try await group.run()
        } catch {
            try? await assembly.close()
            throw StartupError(description: "\(error)")
        }
        if !config.controlSocket.isEmpty { try? FileManager.default.removeItem(atPath: config.controlSocket) }
        if let took = assembly.stopping.elapsed, took > configuration.maximumGracefulShutdownDuration ?? .seconds(8) {
            // Past the limit ServiceGroup cancelled what was still running;
            // say so where the operator looks, not only at debug level.
            logger.warning("stopping took \(took), longer than the \(configuration.maximumGracefulShutdownDuration ?? .seconds(8)) allowed: some work was cancelled (it resumes at the next start)")
        }
        logger.notice("stopped")
    }
}
