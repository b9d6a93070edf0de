import Foundation
import Replication

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
    /// Bytes of entries and of photo data received from the peer since the
    /// daemon started (the entries' own bytes, photo pieces kept).
    public var entryBytesReceived: Int = 0
    public var photoBytesReceived: Int = 0
    /// About how many bytes of entries the peer sent that were already
    /// stored here (entries re-sent times the average entry).
    public var bytesResent: Int = 0
    /// Bytes per second received from the peer over the last minutes, the
    /// time the link was down included: what a slow, cut-up link really
    /// delivers. 0 when not known (nothing received lately).
    public var averageReceiveRate: Int = 0
    /// The same for photo data.
    public var photoRate: Int = 0
    /// Seconds until `bytesBehind` has arrived at `averageReceiveRate`.
    public var secondsToFetch: Int?
    /// Connection attempts since the last connection that worked.
    public var connectAttempts: Int = 0
    /// This node dials the peer, had a connection with it since the daemon
    /// started, and is between connections now (waiting or dialling).
    public var reconnecting: Bool = false
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

    /// Reads rows written by any version: a field added later (and absent
    /// from a status saved with `tcnode status --json` by an older tcnode)
    /// takes its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        node = try c.decode(String.self, forKey: .node)
        direction = try c.decodeIfPresent(String.self, forKey: .direction) ?? "outbound"
        state = try c.decodeIfPresent(State.self, forKey: .state) ?? .disconnected
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T { try c.decodeIfPresent(T.self, forKey: key) ?? fallback }
        name = try value(.name, nil)
        region = try value(.region, nil)
        role = try value(.role, nil)
        address = try value(.address, nil)
        detail = try value(.detail, nil)
        retryAtMs = try value(.retryAtMs, nil)
        connectedSinceMs = try value(.connectedSinceMs, nil)
        lastConnectedMs = try value(.lastConnectedMs, nil)
        lastSeenMs = try value(.lastSeenMs, nil)
        lastEntryReceivedMs = try value(.lastEntryReceivedMs, nil)
        lastEntrySentMs = try value(.lastEntrySentMs, nil)
        entriesReceived = try value(.entriesReceived, 0)
        entriesSent = try value(.entriesSent, 0)
        entriesBehind = try value(.entriesBehind, 0)
        entriesPeerBehind = try value(.entriesPeerBehind, 0)
        entriesRequestedByPeer = try value(.entriesRequestedByPeer, 0)
        entriesWantedTwice = try value(.entriesWantedTwice, 0)
        pendingDropped = try value(.pendingDropped, 0)
        bytesIn = try value(.bytesIn, 0)
        bytesOut = try value(.bytesOut, 0)
        bytesInTotal = try value(.bytesInTotal, 0)
        bytesOutTotal = try value(.bytesOutTotal, 0)
        entriesResent = try value(.entriesResent, 0)
        bytesBehind = try value(.bytesBehind, 0)
        receiveRate = try value(.receiveRate, 0)
        photosFetching = try value(.photosFetching, 0)
        photoBytesHeld = try value(.photoBytesHeld, 0)
        photoBytesTotal = try value(.photoBytesTotal, 0)
        entryBytesReceived = try value(.entryBytesReceived, 0)
        photoBytesReceived = try value(.photoBytesReceived, 0)
        bytesResent = try value(.bytesResent, 0)
        averageReceiveRate = try value(.averageReceiveRate, 0)
        photoRate = try value(.photoRate, 0)
        secondsToFetch = try value(.secondsToFetch, nil)
        connectAttempts = try value(.connectAttempts, 0)
        reconnecting = try value(.reconnecting, false)
        forks = try value(.forks, 0)
        agent = try value(.agent, nil)
        inSync = try value(.inSync, false)
        connections = try value(.connections, 0)
    }
}

extension PeerStatus {
    /// About how big one entry from this peer is: from what it sent since
    /// the daemon started, else from its figure of bytes still to come.
    public var averageEntryBytes: UInt64? {
        if entriesReceived > 0 && entryBytesReceived > 0 { return UInt64(entryBytesReceived / entriesReceived) }
        if entriesBehind > 0 && bytesBehind > 0 { return bytesBehind / entriesBehind }
        return nil
    }

    /// Fills the figures derived from the others: bytes re-sent, bytes
    /// still to come and the time they take at the recent rate.
    public mutating func deriveFigures() {
        if let average = averageEntryBytes {
            bytesResent = entriesResent.multipliedReportingOverflow(by: Int(clamping: average)).partialValue
            if entriesBehind > 0 { bytesBehind = entriesBehind.multipliedReportingOverflow(by: average).partialValue }
        }
        if entriesBehind == 0 { bytesBehind = 0 }
        let rate = averageReceiveRate > 0 ? averageReceiveRate : (state == .connected ? receiveRate : 0)
        guard bytesBehind > 0, rate > 0 else {
            secondsToFetch = nil
            return
        }
        let (whole, part) = bytesBehind.quotientAndRemainder(dividingBy: UInt64(rate))
        secondsToFetch = Int(clamping: part > 0 ? whole + 1 : whole)
    }
}
