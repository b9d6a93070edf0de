import Foundation
import Logging
import NodeRuntime
import Replication
import ServiceLifecycle
import Synchronization
import Telecenter

/// Keeps the views up to date: catches up with the log at start, then after
/// every change to the feed (coalesced), so requests only read.
public struct ViewsService: Service {
    let node: Node
    let views: Views
    let logger: Logger
    /// How long to wait before trying again after the views' database
    /// failed (PostgreSQL down or lost), doubling up to `maxRetryDelay`:
    /// the node goes on syncing meanwhile, and the views catch up with
    /// everything it stored once their database answers.
    let retryDelay: Duration
    let maxRetryDelay: Duration

    public init(node: Node, views: Views, logger: Logger, retryDelay: Duration = .seconds(1), maxRetryDelay: Duration = .seconds(30)) {
        self.node = node
        self.views = views
        self.logger = logger
        self.retryDelay = retryDelay
        self.maxRetryDelay = maxRetryDelay
    }

    public func run() async throws {
        let subscription = node.subscribe()
        defer { node.unsubscribe(subscription) }
        let stopping = StopFlag()
        // Feed changes and retries both wake the one loop below, so two
        // catch-ups never run at once; a burst of wakes is one catch-up.
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        // The catch-up after a big sync can take minutes: a stopping daemon
        // ends it between two batches, before the store is closed under it.
        try await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in subscription.stream {
                        switch event {
                        case .feedAdvanced, .rosterChanged, .admitted: wake.yield()
                        case .peersChanged, .shutdown, .photosReferenced, .photoHeld: continue
                        }
                    }
                    wake.finish()
                }
                var delay = retryDelay
                wake.yield()
                for await _ in wakes.cancelOnGracefulShutdown() {
                    if await catchUp(stopping) {
                        delay = retryDelay
                    } else if !stopping.isSet {
                        group.addTask { [delay] in
                            try? await Task.sleep(for: delay)
                            wake.yield()
                        }
                        delay = min(delay * 2, maxRetryDelay)
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            stopping.set()
            wake.finish()
        }
    }

    /// One catch-up; false when the views' database failed (tried again later).
    func catchUp(_ stopping: StopFlag) async -> Bool {
        let health = views.health
        do {
            // Reads and works out the next batch while the previous one is
            // written (Views.catchUp, async): on a hub's two cores the views
            // keep up with what sync stores.
            let applied = try await withTaskCancellationHandler {
                try await views.catchUp(until: { stopping.isSet })
            } onCancel: {
                stopping.set()
            }
            if applied > 1000 { logger.info("views updated with \(applied) entries") }
            if applied > 0 { node.notePhotosReferenced() }
            let wasDown = !health.snapshot.available
            health.update(applied: try await views.readAppliedPosition(), store: try await views.store.position(), error: nil)
            if wasDown { logger.notice("views: their database answers again; caught up with the log") }
            return true
        } catch is CancellationError {
            // Stopping: the batch being written rolled back, and the next
            // start applies it again from the views' position.
            return true
        } catch {
            let first = health.snapshot.available
            health.update(applied: nil, store: try? await views.store.position(), error: "\(error)")
            // Said once when it starts failing, not at every retry.
            if first { logger.error("could not update the views (the node goes on syncing; retrying): \(error)") }
            return false
        }
    }
}

/// A flag set once, from any thread.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
