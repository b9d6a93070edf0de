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
    public var bytesIn: Int
    public var bytesOut: Int
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
        /// Keys that connected without being trusted, oldest first: any
        /// stranger can make new keys, so only the latest few are kept.
        var strangers: [NodeID] = []
    }


    private let table = Mutex(Table())
    private let onChange: @Sendable () -> Void

    init(onChange: @escaping @Sendable () -> Void = {}) { self.onChange = onChange }

    public func snapshot() -> [PeerStatus] {
        table.withLock { Array($0.peers.values) }.sorted { $0.node < $1.node }
    }

    public func status(of node: NodeID) -> PeerStatus? { table.withLock { $0.peers[node] } }

    func update(_ node: NodeID, direction: String, address: String?, _ change: (inout PeerStatus) -> Void) {
        let noteworthy = table.withLock { t in
            let before = t.peers[node]
            var status = before ?? PeerStatus(node: node, direction: direction, address: address)
            if let address { status.address = address }
            change(&status)
            t.peers[node] = status
            return before?.state != status.state || before?.inSync != status.inSync || before?.forks != status.forks
                || before?.detail != status.detail
        }
        if noteworthy { onChange() }
    }

    /// Marks `node` as an untrusted key that connected; forgets the oldest
    /// such keys beyond `PeerRegistryLimits.strangers` unless they are connected.
    func noteStranger(_ node: NodeID) {
        table.withLock { t in
            guard !t.strangers.contains(node) else { return }
            t.strangers.append(node)
            while t.strangers.count > PeerRegistryLimits.strangers {
                let oldest = t.strangers.removeFirst()
                if (t.peers[oldest]?.connections ?? 0) == 0 { t.peers.removeValue(forKey: oldest) }
            }
        }
    }

    func forget(_ node: NodeID) {
        table.withLock { t in
            t.peers.removeValue(forKey: node)
            t.strangers.removeAll { $0 == node }
        }
    }
}

public enum PeerRegistryLimits {
    /// How many untrusted keys that connected status remembers.
    public static let strangers = 32
}
