import Foundation
import HubViews
import Logging
import NIOCore
import NodeRuntime
import Replication
import ServiceLifecycle
import Synchronization
import Telecenter

/// Real nodes in this process, each built by `NodeAssembly` as tcnoded
/// builds it: its own data directory in a temp directory, a TLS listener on
/// 127.0.0.1 port 0 and dialers, run as a ServiceGroup and shut down
/// gracefully at the end. No control socket, metrics or views server unless
/// a test turns one on in the config. Logs are captured per node.
final class LiveNetwork: Sendable {
    let dir = TemporaryDirectory("tclive")
    private let all = Mutex<[LiveMember]>([])
    let logs = LogCapture()

    var members: [LiveMember] { all.withLock { $0 } }

    struct LiveMember: Sendable {
        let name: String
        let assembly: NodeAssembly
        var node: Node { assembly.node }
        var listener: PeerListener { assembly.listener }
        var dialers: PeerDialers { assembly.dialers }
    }

    static var fastTiming: SyncTiming {
        var t = SyncTiming()
        t.tick = .milliseconds(200)
        t.backoffInitial = .milliseconds(50)
        t.backoffMaximum = .milliseconds(500)
        t.handshakeTimeout = .seconds(10)
        t.revokedGrace = .seconds(1)
        return t
    }

    /// A test node's config: everything on loopback, port 0, servers off.
    func config(_ name: String) -> NodeConfig {
        var config = NodeConfig()
        config.dataDir = dir.file(name)
        config.listenHost = "127.0.0.1"
        config.listenPort = 0
        config.controlSocket = ""
        config.metricsHost = ""
        config.views = false
        config.viewsHost = "127.0.0.1"
        config.viewsPort = 0
        return config
    }

    /// A node `name` with a new data directory. `photos`: nil for none;
    /// true or false for a node that exchanges photos and does (or does
    /// not) fetch every one, which the node decides as the daemon does (the
    /// genesis and hubs fetch all). `pinned` are trusted before the roster
    /// admits them, as peers in the config would be.
    @discardableResult
    func add(_ name: String, network: NodeID? = nil, key: NodeKey = NodeKey(), pinned: [LiveMember] = [],
             timing: SyncTiming = LiveNetwork.fastTiming, photos fetchAll: Bool? = nil, initRegion: String? = nil,
             configure: (inout NodeConfig) -> Void = { _ in }) async throws -> LiveMember {
        var config = config(name)
        config.photos = fetchAll != nil
        configure(&config)
        let directory = config.dataDirectory
        try await OffPool.run {
            let store = try directory.initialise(network: network ?? key.id, key: key).1
            // As `tcnode init --region` leaves it.
            if let initRegion { try store.setInitRegion(initRegion) }
            try store.close()
        }
        var logger = Logger(label: name) { label in self.logs.handler(label) }
        logger.logLevel = ProcessInfo.processInfo.environment["TCNODE_TEST_TRACE"] != nil ? .trace : .debug
        let assembly = try await NodeAssembly.build(config: config, views: HubViewsOpener(), logger: logger, timing: timing)
        assembly.node.setPinned(Set(pinned.map(\.node.id)))
        if let fetchAll, assembly.node.photos?.policy.fetchesAll != fetchAll {
            throw LiveNetworkSetupError(what: "\(name) fetches \(fetchAll ? "only some" : "all") photos: the genesis and hubs fetch all, other nodes their own")
        }
        let member = LiveMember(name: name, assembly: assembly)
        all.withLock { $0.append(member) }
        return member
    }

    /// The member's peer address, once its servers are running.
    func endpoint(of member: LiveMember) async throws -> PeerEndpoint {
        let address = try await member.assembly.ready().peers
        return PeerEndpoint(node: member.node.id, host: "127.0.0.1", port: address.port!)
    }

    /// Runs every member's services while `body` runs, then shuts them down
    /// gracefully (and checks that they stop).
    func run(_ body: @Sendable () async throws -> Void) async throws {
        let services = members.flatMap(\.assembly.services)
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [],
                                                      logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body()
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// Waits until `condition` holds, re-checking whenever any node's feed,
    /// roster or connections change; fails after `timeout` with the logs.
    func wait(_ what: String, timeout: Duration = .seconds(30), _ condition: @escaping @Sendable () async throws -> Bool) async throws {
        let nodes = members.map(\.node)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for node in nodes {
                group.addTask {
                    do {
                        try await node.wait(for: timeout, until: condition)
                        return true
                    } catch is WaitTimeout {
                        return false
                    }
                }
            }
            let met = try await group.next() ?? false
            group.cancelAll()
            if !met { throw LiveNetworkTimeout(what: what, logs: logs.dump()) }
        }
    }

    func heads(_ member: LiveMember) throws -> [Head] {
        try member.node.store.heads(movedAfter: 0).heads.sorted { $0.author < $1.author }
    }
}

struct LiveNetworkSetupError: Error, CustomStringConvertible {
    let what: String
    var description: String { what }
}

struct LiveNetworkTimeout: Error, CustomStringConvertible {
    let what: String
    let logs: String
    var description: String { "timed out waiting for: \(what)\n--- node logs ---\n\(logs)" }
}

/// Keeps log lines in memory, to print when a test fails.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    func handler(_ label: String) -> any LogHandler { CapturingHandler(label: label, capture: self) }

    func append(_ line: String) { lines.withLock { $0.append(line); if $0.count > 5000 { $0.removeFirst(1000) } } }

    func dump(last: Int = 200) -> String { lines.withLock { $0.suffix(last).joined(separator: "\n") } }

    func contains(_ text: String) -> Bool { lines.withLock { $0.contains { $0.contains(text) } } }

    struct CapturingHandler: LogHandler {
        let label: String
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let meta = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            capture.append("\(label) \(event.level) \(event.message) \(meta)")
        }
    }
}
