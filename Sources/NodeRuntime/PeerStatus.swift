import Foundation
import Replication
import Synchronization

/// What the node knows about one peer, for `tcnode status`, metrics and
/// tests. Times are milliseconds since the Unix epoch. The JSON form is
/// stable: fields are only ever added.
public struct PeerStatus: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        case connected, connecting
        case backingOff = "backing-off"
        case refused, disconnected
    }

    public var node: String
    public var name: String?
    public var region: String?
    public var role: String?
    public var address: String?
    /// "outbound" when this node dials the peer, "inbound" when it dialled us.
    public var direction: String
    public var state: State
    /// Why the last connection ended or was refused, in plain words.
    public var detail: String?
    public var retryAtMs: Int64?
    public var connectedSinceMs: Int64?
    public var lastConnectedMs: Int64?
    /// Last time any bytes moved on a connection with this peer.
    public var lastSeenMs: Int64?
    public var lastEntryReceivedMs: Int64?
    public var lastEntrySentMs: Int64?
    public var entriesReceived: Int
    public var entriesSent: Int
    /// Entries this node still wants from the peer (from its latest heads).
    public var entriesBehind: UInt64
    /// Entries the peer asked for that this node has not finished sending.
    public var entriesPeerBehind: UInt64
    /// Entries the peer has asked for on the current connection.
    public var entriesRequestedByPeer: UInt64
    /// Entries the peer asked for again on one connection, not served twice
    /// (PROTOCOL.md §7.5): a misbehaving peer shows here.
    public var entriesWantedTwice: UInt64
    /// Offered heads of non-members forgotten past the bound of PROTOCOL.md §7.8.
    public var pendingDropped: Int
    public var bytesIn: Int
    public var bytesOut: Int
    /// Bytes each way with this peer since the daemon started, all connections.
    public var bytesInTotal: Int = 0
    public var bytesOutTotal: Int = 0
    /// Entries the peer sent that were already stored here, since the daemon started.
    public var entriesResent: Int = 0
    /// About how many bytes are still to come from the peer (entries behind
    /// times the average entry so far).
    public var bytesBehind: UInt64 = 0
    /// Bytes per second received from the peer lately (0 when idle).
    public var receiveRate: Int = 0
    /// Photos being fetched from the peer, bytes held of them and their sizes.
    public var photosFetching: Int = 0
    public var photoBytesHeld: UInt64 = 0
    public var photoBytesTotal: UInt64 = 0
    public var forks: Int
    public var agent: String?
    public var inSync: Bool
    /// Established connections with this node right now (usually 0 or 1).
    public var connections: Int

    public init(node: NodeID, direction: String, address: String?) {
        self.node = node.description
        self.address = address
        self.direction = direction
        self.state = .disconnected
        self.entriesReceived = 0
        self.entriesSent = 0
        self.entriesBehind = 0
        self.entriesPeerBehind = 0
        self.entriesRequestedByPeer = 0
        self.entriesWantedTwice = 0
        self.pendingDropped = 0
        self.bytesIn = 0
        self.bytesOut = 0
        self.forks = 0
        self.inSync = false
        self.connections = 0
    }
}

/// Every peer's status, kept by connections and dialers.
public final class PeerRegistry: Sendable {
    private struct Table {
        var peers: [NodeID: PeerStatus] = [:]
        /// Rows of keys this node does not trust, oldest first: anyone can
        /// make new keys, so only the latest `PeerRegistryLimits.strangers`
        /// are kept. A key that becomes trusted leaves this list.
        var strangers: [NodeID] = []
    }

    private let table = Mutex(Table())
    private let onChange: @Sendable () -> Void
    private let strangerTest = Mutex<@Sendable (NodeID) -> Bool>({ _ in false })

    init(onChange: @escaping @Sendable () -> Void = {}) { self.onChange = onChange }

    /// How to tell a stranger (a key not trusted now) from a peer.
    func judgeStrangers(by test: @escaping @Sendable (NodeID) -> Bool) { strangerTest.withLock { $0 = test } }

    public func snapshot() -> [PeerStatus] {
        table.withLock { Array($0.peers.values) }.sorted { $0.node < $1.node }
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
        let noteworthy = table.withLock { t -> Bool in
            let before = t.peers[node]
            if before == nil && !create { return false }
            var status = before ?? PeerStatus(node: node, direction: direction, address: address)
            if let address { status.address = address }
            change(&status)
            t.peers[node] = status
            if stranger {
                if !t.strangers.contains(node) { t.strangers.append(node) }
                while t.strangers.count > PeerRegistryLimits.strangers {
                    t.peers.removeValue(forKey: t.strangers.removeFirst())
                }
            } else if listed {
                t.strangers.removeAll { $0 == node }
            }
            return before?.state != status.state || before?.inSync != status.inSync || before?.forks != status.forks
                || before?.detail != status.detail
        }
        if noteworthy { onChange() }
    }

    func forget(_ node: NodeID) {
        let removed = table.withLock { t in
            t.strangers.removeAll { $0 == node }
            return t.peers.removeValue(forKey: node) != nil
        }
        if removed { onChange() }
    }
}

public enum PeerRegistryLimits {
    /// How many untrusted keys that connected status remembers.
    public static let strangers = 32
}
