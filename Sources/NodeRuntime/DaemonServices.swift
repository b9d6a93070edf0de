import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import Prometheus
import Replication
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Owns the store for the daemon's life: started first, stopped last, so
/// the database is closed cleanly (WAL checkpointed) after every
/// connection has finished.
struct StoreService: Service {
    let store: Store
    var views: (any NodeViews)?
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
                dialers.setPeers(await Daemon.dialled(config: config, store: node.store))
                node.setPinned(Set(config.peers.map(\.node)))
                logger.notice("configuration reloaded: \(config.peers.count) peer(s) to dial")
            } catch {
                logger.error("configuration not reloaded, keeping the running one: \(error)")
            }
        }
    }
}

/// Tells systemd READY=1 once every server of the node says it is running
/// (peers can connect, `tcnode status` answers, metrics and views serve),
/// and STOPPING=1 when shutdown begins.
struct ReadinessNotifier: Service {
    let node: Node
    let readiness: Readiness
    let logger: Logger
    let stopping: StopWatch

    func run() async throws {
        // A server that cannot start fails the group with its own error;
        // this one then only waits for the shutdown that follows.
        if let address = try? await cancelWhenGracefulShutdown({ try await readiness.listening().peers }) {
            SystemdNotify.send("READY=1\nSTATUS=listening on \(PeerChannel.describe(address))")
            logger.notice("tcnoded \(TCNodeVersion.current) ready; peers can connect on \(PeerChannel.describe(address))")
        }
        try? await gracefulShutdown()
        stopping.start()
        SystemdNotify.send("STOPPING=1")
        // This service is the first the group stops: connections start
        // saying goodbye now, while the services before it stop, rather than
        // only when the listener's and dialers' turn comes.
        node.closeConnections()
    }
}

/// An HTTP server of the daemon whose failure to start names its setting:
/// "cannot listen on views_listen 127.0.0.1:8080 ...: Address already in
/// use" rather than a bare bind error.
struct NamedServer<Server: Service>: Service {
    let option: String
    let address: String
    let configPath: String
    let server: Server

    func run() async throws {
        do {
            try await server.run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE || error.errnoCode == EADDRNOTAVAIL || error.errnoCode == EACCES {
            let why = error.errnoCode == EADDRINUSE ? "the address is in use (another tcnoded, or another program on that port)"
                : error.errnoCode == EACCES ? "permission denied (ports below 1024 need root)" : "this machine has no such address"
            throw Daemon.StartupError(description: "cannot listen on \(option) \(address): \(why); change \(option) in \(configPath) or stop the other program")
        }
    }
}

/// When the daemon began to stop, to tell how long stopping took.
final class StopWatch: Sendable {
    private let started = Mutex<ContinuousClock.Instant?>(nil)
    func start() { started.withLock { $0 = $0 ?? .now } }
    var elapsed: Duration? { started.withLock { $0 }.map { .now - $0 } }
}

/// systemd's watchdog (`WatchdogSec=` in the unit): WATCHDOG=1 every half
/// interval, each only after an async database read has come back. A node
/// whose cooperative pool or database connections are wedged stops pinging,
/// and systemd kills and restarts it instead of leaving a dead hub up.
struct Watchdog: Service {
    let node: Node
    let logger: Logger

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        guard let usec = env["WATCHDOG_USEC"].flatMap(Int64.init), usec > 0,
            env["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true
        else {
            // Not under a watchdog; a service that returns would stop the group.
            try? await gracefulShutdown()
            return
        }
        let interval = Duration.microseconds(usec / 2)
        logger.debug("systemd watchdog every \(interval)")
        repeat {
            do {
                _ = try await node.store.position()
                SystemdNotify.send("WATCHDOG=1")
            } catch {
                logger.warning("watchdog: the database did not answer (\(error)); not telling systemd this node is alive")
            }
        } while (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: interval) })) != nil
    }
}

/// Gives memory back once the node has been quiet for a while: SQLite's page
/// caches (which a bulk sync or a views catch-up fills, up to tens of MB per
/// connection) and the C heap's free pages, so an idle centre's PC is not
/// left holding what a busy hour took.
struct MemoryTrimmer: Service {
    let node: Node
    var views: (any NodeViews)?
    var interval: Duration = .seconds(20)

    func run() async throws {
        var lastPosition: Int64 = -1
        var trimmedAt: Int64 = -2
        while (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: interval) })) != nil {
            guard let position = try? await node.store.position() else { continue }
            defer { lastPosition = position }
            // Quiet for a whole interval, and not already trimmed at this position.
            guard position == lastPosition, position != trimmedAt else { continue }
            trimmedAt = position
            let store = node.store, views = self.views
            await OffPool.run {
                store.releaseMemory()
                views?.releaseMemory()
                CHeap.trim()
            }
        }
    }
}

/// glibc's `malloc_trim`: returns the C heap's free pages to the system
/// (glibc keeps them otherwise, so RSS stays at its peak after a burst). Not
/// in Swift's Glibc module, so it is looked up at run time; a libc without
/// it is skipped.
enum CHeap {
    private typealias Trim = @convention(c) (Int) -> Int32
    private static let trimFunction: Trim? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim")
        .map { unsafeBitCast($0, to: Trim.self) }

    static func trim() { _ = trimFunction?(0) }
}
