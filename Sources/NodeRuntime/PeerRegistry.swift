import Foundation
import Replication
import Synchronization

/// Every peer's status, kept by connections and dialers. The registry
/// derives what follows from the rows' changes, so that no writer has to:
/// connection attempts since the last one that worked, whether a peer is
/// being reconnected, and the recent receive rates.
public final class PeerRegistry: Sendable {
    private struct Table {
        var peers: [NodeID: PeerStatus] = [:]
        /// Rows of keys this node does not trust, oldest first: anyone can
        /// make new keys, so only the latest `PeerRegistryLimits.strangers`
        /// are kept. A key that becomes trusted leaves this list.
        var strangers: [NodeID] = []
        /// Bytes received (all, and photo data) over the last minutes.
        var received: [NodeID: RateWindow] = [:]
        var photos: [NodeID: RateWindow] = [:]
    }

    private let table = Mutex(Table())
    private let onChange: @Sendable () -> Void
    private let strangerTest = Mutex<@Sendable (NodeID) -> Bool>({ _ in false })
    private let clock: @Sendable () -> Int64

    init(onChange: @escaping @Sendable () -> Void = {},
         clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.onChange = onChange
        self.clock = clock
    }

    /// How to tell a stranger (a key not trusted now) from a peer.
    func judgeStrangers(by test: @escaping @Sendable (NodeID) -> Bool) { strangerTest.withLock { $0 = test } }

    /// Every row, with its derived figures as of now.
    public func snapshot() -> [PeerStatus] {
        let now = clock()
        return table.withLock { t in
            t.peers.map { id, row in
                var row = row
                row.averageReceiveRate = t.received[id]?.rate(now: now) ?? 0
                row.photoRate = t.photos[id]?.rate(now: now) ?? 0
                row.deriveFigures()
                return row
            }
        }.sorted { $0.node < $1.node }
    }

    public func status(of node: NodeID) -> PeerStatus? { table.withLock { $0.peers[node] } }

    /// Changes a peer's row, creating it unless `create` is false (a row
    /// forgotten meanwhile stays forgotten).
    func update(_ node: NodeID, direction: String, address: String?, create: Bool = true, _ change: (inout PeerStatus) -> Void) {
        // Trust is judged only for new rows and rows kept as strangers' (it
        // reads the roster), not on every update of a known peer.
        let (isNew, listed) = table.withLock { ($0.peers[node] == nil, $0.strangers.contains(node)) }
        if isNew && !create { return }
        let stranger = isNew || listed ? strangerTest.withLock { $0 }(node) : false
        let now = clock()
        let noteworthy = table.withLock { t -> Bool in
            let before = t.peers[node]
            if before == nil && !create { return false }
            var status = before ?? PeerStatus(node: node, direction: direction, address: address)
            if let address { status.address = address }
            change(&status)
            Self.derive(&status, before: before)
            t.peers[node] = status
            if status.bytesInTotal != before?.bytesInTotal ?? 0 || t.received[node] == nil {
                t.received[node, default: RateWindow()].add(status.bytesInTotal, at: now)
            }
            if status.photoBytesReceived != before?.photoBytesReceived ?? 0 || t.photos[node] == nil {
                t.photos[node, default: RateWindow(quiet: 1)].add(status.photoBytesReceived, at: now)
            }
            if stranger {
                if !t.strangers.contains(node) { t.strangers.append(node) }
                while t.strangers.count > PeerRegistryLimits.strangers {
                    let dropped = t.strangers.removeFirst()
                    t.peers.removeValue(forKey: dropped)
                    t.received.removeValue(forKey: dropped)
                    t.photos.removeValue(forKey: dropped)
                }
            } else if listed {
                t.strangers.removeAll { $0 == node }
            }
            return before?.state != status.state || before?.inSync != status.inSync || before?.forks != status.forks
                || before?.detail != status.detail
        }
        if noteworthy { onChange() }
    }

    /// Attempts count the dialer's turns to `connecting`; a connection set
    /// up ends the count. Reconnecting: dialled, connected before, not now.
    static func derive(_ status: inout PeerStatus, before: PeerStatus?) {
        if status.state == .connected {
            status.connectAttempts = 0
        } else if status.state == .connecting && before?.state != .connecting {
            status.connectAttempts += 1
        }
        status.reconnecting = status.direction == "outbound" && status.lastConnectedMs != nil
            && [.connecting, .backingOff, .disconnected].contains(status.state)
    }

    func forget(_ node: NodeID) {
        let removed = table.withLock { t in
            t.strangers.removeAll { $0 == node }
            t.received.removeValue(forKey: node)
            t.photos.removeValue(forKey: node)
            return t.peers.removeValue(forKey: node) != nil
        }
        if removed { onChange() }
    }
}

public enum PeerRegistryLimits {
    /// How many untrusted keys that connected status remembers.
    public static let strangers = 32
}
