import HubViews
import Logging
import NodeRuntime
import Replication
import ServiceLifecycle

/// A benchmark node built as tcnoded builds it (`NodeAssembly`): a new data
/// directory in `scratch`, peers on 127.0.0.1 port 0, no control socket,
/// metrics or views server. `pinned` are trusted before the roster admits
/// them, as configured peers would be. `centreName` is sent to peers in
/// HELLO (none by default, so wire counts do not depend on it).
func benchNode(_ name: String, key: NodeKey, network: NodeID, pinned: [NodeID], photos: Bool, centreName: String? = nil,
               timing: SyncTiming = SyncTiming(), logger: Logger, in scratch: Scratch) async throws -> NodeAssembly {
    var config = NodeConfig()
    config.dataDir = scratch.file(name)
    config.name = centreName
    config.listenHost = "127.0.0.1"
    config.listenPort = 0
    config.controlSocket = ""
    config.metricsHost = ""
    config.views = false
    config.photos = photos
    let directory = config.dataDirectory
    try await OffPool.run { try directory.initialise(network: network, key: key).1.close() }
    let assembly = try await NodeAssembly.build(config: config, views: HubViewsOpener(), logger: logger, timing: timing)
    assembly.node.setPinned(Set(pinned))
    return assembly
}

/// Runs benchmark nodes' services around `body`, stops them gracefully
/// afterwards (also when `body` throws), then closes their stores.
func withBenchNodes<T: Sendable>(_ nodes: [NodeAssembly], _ body: @Sendable () async throws -> T) async throws -> T {
    let group = ServiceGroup(configuration: .init(services: nodes.flatMap(\.services), gracefulShutdownSignals: [],
                                                  logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })))
    let value = try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let value: T
        do { value = try await body() } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return value
    }
    for node in nodes { try await node.close() }
    return value
}
