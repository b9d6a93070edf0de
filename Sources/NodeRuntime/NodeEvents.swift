import Replication
import Synchronization

/// Something that happened to the node as a whole. Package-wide: the
/// hub's views follow them (HubViews' `ViewsService`).
package enum NodeEvent: Sendable {
    /// The local feed grew (an append, or entries from any peer).
    case feedAdvanced
    /// These authors' entries are accepted now.
    case admitted([NodeID])
    /// Membership changed in a way that may cut peers off (a revoke).
    case rosterChanged
    /// A peer's state, sync status or fork count changed (for waiters).
    case peersChanged
    /// The views recorded new photo references: connections may ask for them.
    case photosReferenced
    /// A photo is held now (from a peer or a bundle): connections whose
    /// peer was told BLOB_NONE for it say BLOB_HELD.
    case photoHeld(Bytes32)
    case shutdown
}

/// Fans node-wide happenings out to every connection and to anyone waiting
/// on a condition, such as a test.
package final class NodeEvents: Sendable {
    struct State {
        var next = 0
        var subscribers: [Int: AsyncStream<NodeEvent>.Continuation] = [:]
    }

    private let state = Mutex(State())

    package struct Subscription: Sendable {
        let id: Int
        package let stream: AsyncStream<NodeEvent>
    }

    func subscribe() -> Subscription {
        let (stream, continuation) = AsyncStream<NodeEvent>.makeStream()
        let id = state.withLock { s in
            s.next += 1
            s.subscribers[s.next] = continuation
            return s.next
        }
        return Subscription(id: id, stream: stream)
    }

    func unsubscribe(_ subscription: Subscription) {
        let continuation = state.withLock { $0.subscribers.removeValue(forKey: subscription.id) }
        continuation?.finish()
    }

    func broadcast(_ event: NodeEvent) {
        let all = state.withLock { Array($0.subscribers.values) }
        for c in all { c.yield(event) }
    }
}
