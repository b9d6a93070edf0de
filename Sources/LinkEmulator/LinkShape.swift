/// Which way bytes travel through the emulator: from the dialling side to
/// the upstream it forwards to, or back.
public enum LinkDirection: String, Sendable, CaseIterable, CustomStringConvertible {
    case toUpstream = "to-upstream"
    case fromUpstream = "from-upstream"

    public var description: String { rawValue }
}

/// One value per direction.
public struct PerDirection<Value> {
    public var toUpstream: Value
    public var fromUpstream: Value

    public init(toUpstream: Value, fromUpstream: Value) {
        self.toUpstream = toUpstream
        self.fromUpstream = fromUpstream
    }

    public init(both: Value) { self.init(toUpstream: both, fromUpstream: both) }

    public subscript(direction: LinkDirection) -> Value {
        get { direction == .toUpstream ? toUpstream : fromUpstream }
        set { if direction == .toUpstream { toUpstream = newValue } else { fromUpstream = newValue } }
    }
}

extension PerDirection: Sendable where Value: Sendable {}
extension PerDirection: Equatable where Value: Equatable {}

/// How one direction of the link behaves.
public struct LinkShape: Sendable, Equatable {
    /// Bits per second on the wire, shared by every connection through the
    /// emulator; nil: as fast as the machine forwards.
    public var bitsPerSecond: Int?
    /// One way: bytes leave the emulator this long after they were
    /// serialised onto the wire.
    public var latency: Duration
    /// The most bytes the emulator holds of one connection in this direction
    /// (queued, on the wire, being written to the far end), like a router's
    /// buffer. When it
    /// is full the emulator stops reading from the sender, so the sender's
    /// socket buffer fills as on a real link. With latency, this also caps
    /// the throughput at queueBytes / latency, as a TCP window would.
    public var queueBytes: Int

    public init(bitsPerSecond: Int? = nil, latency: Duration = .zero, queueBytes: Int = 64 * 1024) {
        precondition(bitsPerSecond.map { $0 > 0 } ?? true, "a link's rate must be positive (nil for unlimited)")
        precondition(queueBytes >= 1, "a link's queue must hold at least one byte")
        self.bitsPerSecond = bitsPerSecond
        self.latency = latency
        self.queueBytes = queueBytes
    }

    /// Loopback speed, no latency.
    public static let unlimited = LinkShape()
}

public struct LinkConfiguration: Sendable, Equatable {
    public var shape: PerDirection<LinkShape>
    /// The most bytes serialised at a time: a small frame written after a
    /// big one waits for what is queued before it, as on a real link, but
    /// the big one is released a chunk at a time rather than all at once.
    public var chunkBytes: Int
    /// How long the emulator waits for the upstream to accept a connection.
    public var connectTimeout: Duration

    public init(toUpstream: LinkShape = .unlimited, fromUpstream: LinkShape = .unlimited, chunkBytes: Int = 1024,
                connectTimeout: Duration = .seconds(10)) {
        precondition(chunkBytes >= 1, "chunkBytes must be at least 1")
        shape = PerDirection(toUpstream: toUpstream, fromUpstream: fromUpstream)
        self.chunkBytes = chunkBytes
        self.connectTimeout = connectTimeout
    }

    /// The same shape both ways.
    public init(both: LinkShape, chunkBytes: Int = 1024) {
        self.init(toUpstream: both, fromUpstream: both, chunkBytes: chunkBytes)
    }

    /// Bytes read from a sender at a time: a read is let through only when
    /// this much room is left, so the queue bound holds to the byte; a
    /// quarter of the queue keeps it mostly full, 16 KiB is enough for
    /// loopback speed.
    func readSize(_ direction: LinkDirection) -> Int { max(1, min(16 * 1024, shape[direction].queueBytes / 4)) }
}

/// What has passed one way through the emulator.
public struct LinkFlow: Sendable, Equatable {
    /// Read from the sender.
    public var bytesIn = 0
    /// Serialised onto the wire (what a metered link would bill).
    public var bytesOnWire = 0
    /// Written to the receiver's socket.
    public var bytesDelivered = 0
    /// Held by the emulator when a cut closed the connection.
    public var bytesDiscardedAtCuts = 0
    /// Held when the receiving end closed first (nowhere to deliver them).
    public var bytesDroppedAtClose = 0
    /// Held now, every connection together.
    public var bytesHeld = 0
    /// The most one connection ever held at once; never above the
    /// direction's queueBytes.
    public var peakHeld = 0

    public init() {}
}

/// Counters of an emulator, read at one instant.
public struct LinkCounters: Sendable, Equatable {
    public var flow = PerDirection(both: LinkFlow())
    /// Connections proxied to the upstream (both legs connected).
    public var connectionsAccepted = 0
    /// Connections accepted while the link was down and closed at once.
    public var connectionsRefused = 0
    /// Connections whose upstream leg could not be made.
    public var connectionsFailed = 0
    /// Connections open through the emulator now.
    public var connectionsOpen = 0
    public var cuts = 0
    public var isUp = true
    /// Time the link has been up since the emulator started.
    public var timeUp: Duration = .zero
    /// Until the schedule's next cut or restore; nil without a schedule.
    public var timeToNextChange: Duration?
    /// From each restore to the first connection proxied after it.
    public var reconnectDelays: [Duration] = []

    public init() {}

    public subscript(direction: LinkDirection) -> LinkFlow {
        get { flow[direction] }
        set { flow[direction] = newValue }
    }

    /// Bytes serialised onto the wire, both directions.
    public var bytesOnWire: Int { flow.toUpstream.bytesOnWire + flow.fromUpstream.bytesOnWire }
}
