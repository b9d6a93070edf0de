import Foundation
import Logging
import Metrics
import Prometheus
import Replication
import ServiceLifecycle
import Telecenter

/// tcnoded: the node and its services as one ServiceGroup, in dependency
/// order (the group stops them in reverse): the store first and last, then
/// the node's listener, dialers, control API, metrics, config reloads and
/// readiness. SIGTERM or SIGINT shut it down gracefully; connections say
/// `shutting-down` and the database is closed cleanly.
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

    public static func run(configPath: String, config: NodeConfig, registry: PrometheusCollectorRegistry?) async throws {
        var logger = Logger(label: "tcnoded")
        logger.logLevel = config.logLevel
        let directory = config.dataDirectory
        let key: NodeKey
        let store: Store
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw StartupError(description: "\(configPath): data_dir \(directory.path) is a file, not a directory; set data_dir to a directory (the one `tcnode init` made)",
                               isConfiguration: true)
        }
        do {
            key = try directory.openKey()
            // SQLite's integrity_check over the whole file: off the pool.
            store = try await OffPool.run { try directory.openStore(checkIntegrity: true) }
        } catch {
            throw StartupError(description: "\(error)", isConfiguration: true)
        }
        guard store.node == key.id else {
            throw StartupError(description: "the key in \(directory.keyPath) is not the key this database was made for; check data_dir",
                               isConfiguration: true)
        }
        do {
            try await ControlAPI.prepareSocket(at: config.controlSocket)
        } catch {
            throw StartupError(description: "\(error)")
        }
        // Photos and the views follower run on every node (a centre needs the
        // photo references of its own records); the views' HTTP server only
        // on a hub or where `views = true`.
        let standing = store.roster.standing(of: key.id)
        let isHub = standing == .genesis || standing == .member(role: .hub)
        let viewsOn = config.views ?? isHub
        if viewsOn && !NodeConfig.isLoopback(config.viewsHost) && (config.viewsToken ?? "").count < 16 {
            throw StartupError(description: "\(configPath): views_listen \(config.viewsHost) is beyond loopback; set views_token (16+ characters)",
                               isConfiguration: true)
        }
        let blobs = BlobStore(root: directory.blobsPath, maxBytes: config.blobMaxBytes)
        let views: Views
        do {
            views = try Views(path: (directory.path as NSString).appendingPathComponent("views.sqlite"), store: store, blobs: blobs)
        } catch {
            throw StartupError(description: "cannot open the views in \(directory.path): \(error)")
        }
        let photos = Photos(blobs: blobs, views: views, fetchAll: isHub || viewsOn)
        var timing = SyncTiming()
        timing.idleSend = .seconds(config.keepaliveSeconds)
        timing.idleReceive = .seconds(config.peerTimeoutSeconds)
        let node = try Node(key: key, store: store, pinned: Set(config.peers.map(\.node)), timing: timing, logger: logger,
                            name: config.name, photos: photos)
        let listener = PeerListener(node: node, host: config.listenHost, port: config.listenPort)
        let dialers = PeerDialers(node: node, peers: await dialled(config: config, store: store))
        var services: [any Service] = [
            StoreService(store: store, views: views, logger: logger),
            FeedWatcher(node: node),
            listener,
            dialers,
            ControlAPI.application(node: node, socketPath: config.controlSocket, name: config.name, region: config.region,
                                   listener: listener, logger: logger),
        ]
        if let registry, !config.metricsHost.isEmpty {
            services.append(NamedServer(option: "metrics", address: "\(config.metricsHost):\(config.metricsPort)", configPath: configPath,
                                        server: MetricsEndpoint.application(registry: registry, node: node, host: config.metricsHost,
                                                                            port: config.metricsPort, logger: logger)))
        }
        services.append(ViewsService(node: node, views: views, logger: logger))
        if viewsOn {
            services.append(NamedServer(option: "views_listen", address: "\(config.viewsHost):\(config.viewsPort)", configPath: configPath,
                                        server: ViewsServer.application(node: node, views: views, host: config.viewsHost,
                                                                        port: config.viewsPort, token: config.viewsToken, logger: logger)))
        }
        services.append(ConfigReloader(path: configPath, node: node, dialers: dialers, logger: logger))
        services.append(Watchdog(node: node, logger: logger))
        services.append(MemoryTrimmer(node: node, views: views))
        let stopping = StopWatch()
        services.append(ReadinessNotifier(node: node, listener: listener, controlSocket: config.controlSocket, logger: logger, stopping: stopping))

        logger.notice(
            "starting node \(key.id.short) (network \(store.network.short)); \(config.peers.count) peer(s) configured",
            metadata: ["data_dir": "\(directory.path)"])
        var configuration = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // systemd waits 10 s (TimeoutStopSec) before SIGKILL; finish before.
        configuration.maximumGracefulShutdownDuration = .seconds(8)
        let group = ServiceGroup(configuration: configuration)
        do {
            try await group.run()
        } catch {
            try? store.close()
            throw StartupError(description: "\(error)")
        }
        try? FileManager.default.removeItem(atPath: config.controlSocket)
        if let took = stopping.elapsed, took > configuration.maximumGracefulShutdownDuration ?? .seconds(8) {
            // Past the limit ServiceGroup cancelled what was still running;
            // say so where the operator looks, not only at debug level.
            logger.warning("stopping took \(took), longer than the \(configuration.maximumGracefulShutdownDuration ?? .seconds(8)) allowed: some work was cancelled (it resumes at the next start)")
        }
        logger.notice("stopped")
    }
}
