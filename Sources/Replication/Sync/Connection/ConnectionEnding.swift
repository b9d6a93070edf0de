/// How a connection ended, for the dialer's backoff and for status.
public enum ConnectionEnding: Sendable, Equatable, CustomStringConvertible {
    case handshakeFailed(String)
    /// We refused the peer or its data; the ERROR we sent.
    case refusedByUs(ProtocolError)
    /// The peer sent ERROR.
    case refusedByPeer(ProtocolError)
    case closed(String)
    case timeout
    case shutdown

    /// The connection ended because one side refused the other (not a
    /// member, wrong network, bad data): retrying soon will not help.
    public var isRefusal: Bool {
        switch self {
        case .refusedByUs(let e), .refusedByPeer(let e): e.known != .shuttingDown
        default: false
        }
    }

    public var description: String {
        switch self {
        case .handshakeFailed(let why): "TLS handshake failed: \(why)"
        case .refusedByUs(let e): "we closed the connection (\(e.code)): \(e.message)"
        case .refusedByPeer(let e): "the peer closed the connection (\(e.code)): \(e.message)"
        case .closed(let why): why
        case .timeout: "no data from the peer for too long (link down?)"
        case .shutdown: "this node is shutting down"
        }
    }
}
