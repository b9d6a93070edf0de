/// What one connection has done so far, for the peer's row in status. The
/// core keeps it; the driver reports it whenever it changed, from one place.
public struct ConnectionStatus: Sendable, Equatable {
    public var established = false
    public var inSync = false
    /// Entries received from the peer and handed to verification.
    public var entriesReceived = 0
    /// Entries written to the peer.
    public var entriesSent = 0
    /// Entries wanted from the peer and not yet stored.
    public var entriesBehind: UInt64 = 0
    /// Entries the peer asked for on this connection.
    public var entriesRequestedByPeer: UInt64 = 0
    /// Entries the peer asked for again on this connection (not served twice).
    public var entriesWantedTwice: UInt64 = 0
    /// Offered heads of non-members forgotten past the bound (PROTOCOL.md §7.8).
    public var pendingDropped = 0
    /// Forks found in entries received on this connection.
    public var forks = 0
    /// Photos being fetched from the peer.
    public var photosFetching = 0
    /// Entries received that were already stored here (sent twice).
    public var entriesDuplicate = 0
    /// Bytes of the entries received (for the average size of what is to come).
    public var entryBytesReceived = 0
    /// Photo bytes received and kept on this connection, and of photos being
    /// fetched: the bytes already held and their sizes, once known.
    public var photoBytesReceived = 0
    public var photoBytesHeld: UInt64 = 0
    public var photoBytesTotal: UInt64 = 0
    /// Pieces, piece lists or whole photos from the peer that failed
    /// verification (each cost at most one piece, or one photo without a list).
    public var photoRejects = 0

    public init() {}

    /// About how many bytes are still to come, from the average entry so far.
    public var bytesBehind: UInt64 {
        guard entriesReceived > 0 else { return 0 }
        return entriesBehind.multipliedReportingOverflow(by: UInt64(entryBytesReceived / entriesReceived)).partialValue
    }

    /// Entries the peer asked for that are not written yet.
    public var entriesPeerBehind: UInt64 {
        let sent = UInt64(max(0, entriesSent))
        return entriesRequestedByPeer > sent ? entriesRequestedByPeer - sent : 0
    }
}
