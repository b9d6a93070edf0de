/// Timers of one connection, in milliseconds of whatever clock the driver
/// injects (the daemon's monotonic clock, the simulator's virtual one).
public struct ConnectionTiming: Sendable, Equatable {
    /// Send PING after this long with nothing sent.
    public var idleSendMs: Int64 = 30_000
    /// Close after this long with nothing received.
    public var idleReceiveMs: Int64 = 90_000
    /// TLS and HELLO must be done within this.
    public var handshakeMs: Int64 = 20_000
    /// How long a revoked peer may fetch its revocation (PROTOCOL.md §6).
    public var revokedGraceMs: Int64 = 30_000
    /// Photo requests to a peer that make no progress for this long are
    /// given up, so another peer can serve them.
    public var photoStallMs: Int64 = 60_000

    public init() {}
}

/// When bytes last moved each way, and which timer is due. Bytes, not
/// frames: on a slow link a large frame takes minutes to arrive, and the
/// peer is alive all that time.
struct Liveness: Sendable {
    let timing: ConnectionTiming
    private(set) var startedAt: Int64 = 0
    private(set) var establishedAt: Int64?
    private var lastReceivedAt: Int64 = 0
    private var lastSentAt: Int64 = 0
    private var bytesIn = 0
    private var bytesOut = 0

    init(timing: ConnectionTiming) { self.timing = timing }

    mutating func start(at now: Int64) {
        startedAt = now
        lastReceivedAt = now
        lastSentAt = now
    }

    mutating func established(at now: Int64) { establishedAt = now }
    mutating func received(at now: Int64) { lastReceivedAt = now }
    mutating func sent(at now: Int64) { lastSentAt = now }

    /// The link's byte counters, read at a tick.
    mutating func observe(bytesIn: Int, bytesOut: Int, at now: Int64) {
        if bytesIn != self.bytesIn { lastReceivedAt = now }
        if bytesOut != self.bytesOut { lastSentAt = now }
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
    }

    enum Due: Equatable { case nothing, ping, receiveTimeout, graceOver }

    func due(at now: Int64, rosterOnly: Bool) -> Due {
        if rosterOnly, let since = establishedAt, now - since >= timing.revokedGraceMs { return .graceOver }
        if now - lastReceivedAt >= timing.idleReceiveMs { return .receiveTimeout }
        if establishedAt == nil && now - startedAt >= timing.handshakeMs { return .receiveTimeout }
        if now - lastSentAt >= timing.idleSendMs { return .ping }
        return .nothing
    }
}

extension Duration {
    /// Whole milliseconds, for the connection core's injected clock.
    public var milliseconds: Int64 {
        let (s, atto) = components
        return s * 1000 + atto / 1_000_000_000_000_000
    }
}
