import Foundation
import Logging
import NIOCore
import Prometheus
import Replication
import ServiceLifecycle

/// One node put together from its configuration: the store and key of its
/// data directory, the blob store and views (when photos are on; opened by
/// the `ViewsOpener` the caller gives, HubViews' for a telecenter node), the Node,
/// its peer listener and dialers, and the services and servers the config
/// asks for. tcnoded, the tests' LiveNetwork and tcbench's nodes are all
/// built here, so what a test or a benchmark runs is what a centre runs;
/// they differ only in their config (port 0, a temporary data directory,
/// no control socket, metrics or views server unless they need one).
public struct NodeAssembly: Sendable {
    public let config: NodeConfig
    public let node: Node
    public let listener: PeerListener
    public let dialers: PeerDialers
    /// The views (HubViews' `Views`: `hubViews`); nil when photos are off.
    public let views: (any NodeViews)?
    /// What runs the node, in dependency order for a ServiceGroup (which
    /// stops them in reverse). The store is not among them: its owner
    /// closes it after they have stopped (the daemon with `StoreService`,
    /// a test once it has read what it checks).
    public let services: [any Service]
    let readiness: Readiness
    /// When stopping began (the first service the group stops starts it).
    let stopping: StopWatch

    /// Where the node's servers listen, once every one of them is running.
    public struct Listening: Sendable {
        public let peers: SocketAddress
        public let controlSocket: String?
        public let metricsPort: Int?
        public let viewsPort: Int?
    }

    /// Returns when every server of the node is running (each says so
    /// itself: no polling), or throws why one could not start.
    public func ready() async throws -> Listening { try await readiness.listening() }

    /// Closes the views and the store, once the services have stopped.
    public func close() async throws {
        let (store, views) = (node.store, views)
        try await OffPool.run {
            try views?.close()
            try store.close()
        }
    }

    /// Opens the node in `config.dataDirectory` (made by `tcnode init`, or
    /// `DataDirectory.initialise` in a test) and builds its services.
    /// Errors are the daemon's startup errors, naming `configPath` (nil: a
    /// config built in code, with no file to reload on SIGHUP). `timing`
    /// holds the timers the file does not set (tests shorten them); its
    /// idle timers come from the config. `registry` is the process's
    /// swift-metrics registry, exported with the node's own metrics.
    /// `views` opens the views when photos are on (`HubViewsOpener()`); a
    /// node with photos on needs one.
    public static func build(config: NodeConfig, configPath: String? = nil, views opener: (any ViewsOpener)?, logger: Logger,
                             timing: SyncTiming = SyncTiming(), registry: PrometheusCollectorRegistry? = nil) async throws -> NodeAssembly {
        let source = configPath ?? "the node's configuration"
        let directory = config.dataDirectory
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw Daemon.StartupError(description: "\(source): data_dir \(directory.path) is a file, not a directory; set data_dir to a directory (the one `tcnode init` made)",
                                      isConfiguration: true)
        }
        let key: NodeKey
        let store: Store
        do {
            key = try directory.openKey()
            // SQLite's integrity_check over the whole file: off the pool. The
            // node is the only writer of its directory while it runs (its lock).
            store = try await OffPool.run {
                try directory.openStoreAsDaemon {
                    logger.notice("waiting for a tcnode command writing in \(directory.path) to finish")
                }
            }
        } catch {
            throw Daemon.StartupError(description: "\(error)", isConfiguration: true)
        }
        var views: (any NodeViews)?
        do {
            return try await assemble(config: config, configPath: configPath, source: source, key: key, store: store, opener: opener,
                                      views: &views, logger: logger, timing: timing, registry: registry)
        } catch {
            let opened = views
            try? await OffPool.run {
                try opened?.close()
                try store.close()
            }
            throw error
        }
    }

    private static func assemble(config: NodeConfig, configPath: String?, source: String, key: NodeKey, store: Store,
                                 opener: (any ViewsOpener)?, views: inout (any NodeViews)?, logger: Logger, timing: SyncTiming,
                                 registry: PrometheusCollectorRegistry?) async throws -> NodeAssembly {
        let directory = config.dataDirectory
        guard store.node == key.id else {
            throw Daemon.StartupError(description: "the key in \(directory.keyPath) is not the key this database was made for; check data_dir",
                                      isConfiguration: true)
        }
        if !config.controlSocket.isEmpty {
            do {
                try await ControlAPI.prepareSocket(at: config.controlSocket)
            } catch {
                throw Daemon.StartupError(description: "\(error)")
            }
        }
        // Photos and the views follower run on every daemon (a centre needs
        // the photo references of its own records); the views' HTTP server
        // only on a hub or where `views = true`.
        let standing = store.roster.standing(of: key.id)
        let isHub = standing == .genesis || standing == .member(role: .hub)
        let viewsOn = config.views ?? (isHub && config.photos)
        if viewsOn && !config.photos {
            throw Daemon.StartupError(description: "\(source): views = true needs photos (the views server reads the views database)",
                                      isConfiguration: true)
        }
        if viewsOn && !NodeConfig.isLoopback(config.viewsHost) && (config.viewsToken ?? "").count < 16 {
            throw Daemon.StartupError(description: "\(source): views_listen \(config.viewsHost) is beyond loopback; set views_token (16+ characters)",
                                      isConfiguration: true)
        }
        var photos: Photos?
        if config.photos {
            guard let opener else {
                throw Daemon.StartupError(description: "photos = true needs the views, and this program was built without them; set photos = false",
                                          isConfiguration: true)
            }
            let blobs = BlobStore(root: directory.blobsPath, maxBytes: config.blobMaxBytes)
            let path = (directory.path as NSString).appendingPathComponent("views.sqlite")
            let opened: any NodeViews
            do {
                opened = try await OffPool.run { try opener.open(config: config, path: path, store: store, blobs: blobs, logger: logger) }
            } catch {
                // On PostgreSQL, the error names the setting to fix (views_store, views_password_file).
                throw Daemon.StartupError(description: config.viewsStore == nil ? "cannot open the views in \(directory.path): \(error)"
                                              : "cannot open the views: \(error)", isConfiguration: config.viewsStore != nil)
            }
            views = opened
            let fetchAll = PhotoFetch.Rule(node: key.id, viewsOn: viewsOn, configured: config.fetchAllPhotos)
            photos = Photos(blobs: blobs, policy: opened.photoPolicy(fetchAll: fetchAll))
        }
        var timing = timing
        timing.idleSend = .seconds(config.keepaliveSeconds)
        timing.idleReceive = .seconds(config.peerTimeoutSeconds)
        let region = await InterestChoice.region(configured: config.region, store: store)
        let node = try Node(key: key, store: store, pinned: Set(config.peers.map(\.node)), timing: timing, logger: logger,
                            name: config.name, photos: photos, interest: config.interest, region: region)
        let listener = PeerListener(node: node, host: config.listenHost, port: config.listenPort)
        let dialers = PeerDialers(node: node, peers: await Daemon.dialled(config: config, store: store))
        let readiness = Readiness(listener: listener, controlSocket: config.controlSocket.isEmpty ? nil : config.controlSocket,
                                  metrics: config.metricsHost.isEmpty ? nil : ServerStart(), views: viewsOn ? ServerStart() : nil)

        var services: [any Service] = [listener, dialers]
        if let started = readiness.control {
            let app = ControlAPI.application(node: node, socketPath: config.controlSocket, name: config.name, region: region,
                                             listener: listener, views: views, logger: logger, running: { started.started(()) })
            services.append(StartReportingServer(server: app, start: started))
        }
        if let started = readiness.metrics {
            let app = MetricsEndpoint.application(registry: registry, node: node, host: config.metricsHost, port: config.metricsPort,
                                                  logger: logger, bound: { started.started($0) })
            services.append(StartReportingServer(
                server: NamedServer(option: "metrics", address: "\(config.metricsHost):\(config.metricsPort)", configPath: source, server: app),
                start: started))
        }
        if let views {
            services.append(views.follower(node: node, logger: logger))
        }
        if let views, let started = readiness.views {
            let app = views.server(node: node, host: config.viewsHost, port: config.viewsPort, token: config.viewsToken, logger: logger,
                                   bound: { started.started($0) })
            services.append(StartReportingServer(
                server: NamedServer(option: "views_listen", address: "\(config.viewsHost):\(config.viewsPort)", configPath: source,
                                    server: AnyService(base: app)),
                start: started))
        }
        if let configPath {
            services.append(ConfigReloader(path: configPath, node: node, dialers: dialers, logger: logger))
        }
        services.append(Watchdog(node: node, logger: logger))
        services.append(MemoryTrimmer(node: node, views: views))
        let stopping = StopWatch()
        services.append(ReadinessNotifier(node: node, readiness: readiness, logger: logger, stopping: stopping))
        return NodeAssembly(config: config, node: node, listener: listener, dialers: dialers, views: views, services: services,
                            readiness: readiness, stopping: stopping)
    }
}

/// The servers a node waits for before it calls itself ready: the peer
/// listener always, and those the config turns on.
final class Readiness: Sendable {
    let listener: PeerListener
    let controlSocket: String?
    let control: ServerStart<Void>?
    let metrics: ServerStart<Int>?
    let views: ServerStart<Int>?

    init(listener: PeerListener, controlSocket: String?, metrics: ServerStart<Int>?, views: ServerStart<Int>?) {
        self.listener = listener
        self.controlSocket = controlSocket
        control = controlSocket == nil ? nil : ServerStart()
        self.metrics = metrics
        self.views = views
    }

    func listening() async throws -> NodeAssembly.Listening {
        let peers = try await listener.boundAddress()
        try await control?.value()
        let metricsPort = try await metrics?.value()
        let viewsPort = try await views?.value()
        return NodeAssembly.Listening(peers: peers, controlSocket: controlSocket, metricsPort: metricsPort, viewsPort: viewsPort)
    }
}
