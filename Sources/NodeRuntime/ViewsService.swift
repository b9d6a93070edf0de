import Foundation
import Logging
import Replication
import ServiceLifecycle
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
        await catchUp()
        // Wake on feed changes; a burst of them is one catch-up.
        for await event in subscription.stream.cancelOnGracefulShutdown() {
            switch event {
            case .feedAdvanced, .rosterChanged, .admitted: await catchUp()
            case .peersChanged, .shutdown, .photosReferenced: continue
            }
        }
    }

    func catchUp() async {
        let views = self.views
        do {
            let applied = try await Task.detached { try views.catchUp() }.value
            if applied > 1000 { logger.info("views updated with \(applied) entries") }
            if applied > 0 { node.notePhotosReferenced() }
        } catch {
            logger.error("could not update the views: \(error)")
        }
    }
}
