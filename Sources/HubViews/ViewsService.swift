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

    public init(node: Node, views: Views, logger: Logger) {
        self.node = node
        self.views = views
        self.logger = logger
    }

    public func run() async throws {
        let subscription = node.subscribe()
        defer { node.unsubscribe(subscription) }
        let stopping = StopFlag()
        // The catch-up after a big sync can take minutes: a stopping daemon
        // ends it between two batches, before the store is closed under it.
        try await withGracefulShutdownHandler {
            await catchUp(stopping)
            // Wake on feed changes; a burst of them is one catch-up.
            for await event in subscription.stream.cancelOnGracefulShutdown() {
                switch event {
                case .feedAdvanced, .rosterChanged, .admitted: await catchUp(stopping)
                case .peersChanged, .shutdown, .photosReferenced: continue
                }
            }
        } onGracefulShutdown: {
            stopping.set()
        }
    }

    func catchUp(_ stopping: StopFlag) async {
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
        } catch is CancellationError {
            // Stopping: the batch being written rolled back, and the next
            // start applies it again from the views' position.
        } catch {
            logger.error("could not update the views: \(error)")
        }
    }
}

/// A flag set once, from any thread.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
