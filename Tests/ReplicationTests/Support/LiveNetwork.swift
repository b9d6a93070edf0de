import Foundation
import Logging
import NIOCore
import NodeRuntime
import Replication
import ServiceLifecycle
import Synchronization
import Telecenter

/// Real nodes in this process: each with its own store in a temp directory,
/// a TLS listener on 127.0.0.1 port 0 and dialers, run as a ServiceGroup
/// and shut down gracefully at the end. Logs are captured per node.
final class LiveNetwork: Sendable {
    let dir = TemporaryDirectory("tclive")
    private let all = Mutex<[LiveMember]>([])
    let logs = LogCapture()

    var members: [LiveMember] { all.withLock { $0 } }

    struct LiveMember: Sendable {
        let name: String
        let node: Node
        let listener: PeerListener
        let dialers: PeerDialers
        var viewsService: ViewsService?
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

    @discardableResult
    func add(_ name: String, network: NodeID? = nil, key: NodeKey = NodeKey(), pinned: [LiveMember] = [],
             timing: SyncTiming = LiveNetwork.fastTiming, photos fetchAll: Bool? = nil) throws -> LiveMember {
        let store = try Store.create(at: dir.file("\(name).sqlite"), network: network ?? key.id, node: key.id)
        var logger = Logger(label: name) { label in self.logs.handler(label) }
        logger.logLevel = ProcessInfo.processInfo.environment["TCNODE_TEST_TRACE"] != nil ? .trace : .debug
        var photos: Photos?
        if let fetchAll {
            let blobs = BlobStore(root: dir.file("\(name)-blobs"))
            photos = Photos(blobs: blobs, views: try Views(path: dir.file("\(name)-views.sqlite"), store: store, blobs: blobs),
                            fetchAll: fetchAll)
        }
        let node = try Node(key: key, store: store, pinned: Set(pinned.map(\.node.id)), timing: timing, logger: logger,
                            photos: photos)
        var member = LiveMember(name: name, node: node, listener: PeerListener(node: node, host: "127.0.0.1", port: 0),
                                dialers: PeerDialers(node: node, peers: []))
        if let photos { member.viewsService = ViewsService(node: node, views: photos.views, logger: logger) }
        all.withLock { $0.append(member) }
        return member
    }

    func endpoint(of member: LiveMember) async throws -> PeerEndpoint {
        let address = try await member.listener.boundAddress()
        return PeerEndpoint(node: member.node.id, host: "127.0.0.1", port: address.port!)
    }

    /// Runs every member's services while `body` runs, then shuts them down
    /// gracefully (and checks that they stop).
    func run(_ body: @Sendable () async throws -> Void) async throws {
        var services: [any Service] = []
        for m in members {
            if let v = m.viewsService { services.append(v) }
            services.append(m.listener)
            services.append(m.dialers)
        }
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
