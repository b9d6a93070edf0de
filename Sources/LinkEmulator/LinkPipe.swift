import NIOCore

/// The two channels of a proxied connection.
enum LinkSide {
    /// The connection the emulator accepted.
    case client
    /// The one it made to the upstream.
    case upstream

    /// The direction of the bytes read from this side.
    var outgoing: LinkDirection { self == .client ? .toUpstream : .fromUpstream }
    /// The side that receives what this one sends.
    var other: LinkSide { self == .client ? .upstream : .client }
}

extension LinkDirection {
    var source: LinkSide { self == .toUpstream ? .client : .upstream }
    var destination: LinkSide { source.other }
}

/// One direction of one connection: bytes read from the source wait in
/// `queue`, are serialised onto the wire a chunk at a time, travel for the
/// latency in `inFlight`, then are written to the destination.
/// Event-loop confined (owned by a LinkConnection).
final class LinkPipe {
    let direction: LinkDirection
    /// Read, with the time each buffer arrived.
    var queue = CircularBuffer<(arrived: NIODeadline, bytes: ByteBuffer)>()
    var queued = 0
    /// A chunk is being serialised (its end is scheduled).
    var serialising = false
    /// Serialised, waiting out the latency.
    var inFlight = CircularBuffer<(due: NIODeadline, bytes: ByteBuffer)>()
    /// Read and not yet written to the destination's socket.
    var held = 0
    /// The source closed: once everything held is delivered, close the destination.
    var sourceEnded = false
    /// The source wanted to read while the queue was full.
    var readHeld = false

    init(direction: LinkDirection) { self.direction = direction }

    /// Takes up to `limit` bytes from the head of the queue, with the
    /// arrival of the last byte taken.
    func take(upTo limit: Int, allocator: ByteBufferAllocator) -> (arrived: NIODeadline, bytes: ByteBuffer)? {
        guard var first = queue.popFirst() else { return nil }
        if first.bytes.readableBytes >= limit || queue.isEmpty {
            let n = min(limit, first.bytes.readableBytes)
            let head = first.bytes.readSlice(length: n)!
            if first.bytes.readableBytes > 0 { queue.prepend(first) }
            queued -= n
            return (first.arrived, head)
        }
        var chunk = allocator.buffer(capacity: min(limit, queued))
        chunk.writeBuffer(&first.bytes)
        var arrived = first.arrived
        while chunk.readableBytes < limit, var next = queue.popFirst() {
            var part = next.bytes.readSlice(length: min(limit - chunk.readableBytes, next.bytes.readableBytes))!
            chunk.writeBuffer(&part)
            arrived = max(arrived, next.arrived)
            if next.bytes.readableBytes > 0 { queue.prepend(next) }
        }
        queued -= chunk.readableBytes
        return (arrived, chunk)
    }

    /// Forgets everything held (the connection is gone); returns how much.
    func clear() -> Int {
        let n = held
        queue.removeAll()
        inFlight.removeAll()
        queued = 0
        held = 0
        readHeld = false
        return n
    }
}

/// Both channels of one proxied connection and its two pipes.
/// Event-loop confined.
final class LinkConnection {
    let id: Int
    unowned let core: LinkCore
    var contexts: [LinkSide: ChannelHandlerContext] = [:]
    var channels: [LinkSide: any Channel] = [:]
    var active: Set<LinkSide> = [.client]
    let pipes = PerDirection(toUpstream: LinkPipe(direction: .toUpstream), fromUpstream: LinkPipe(direction: .fromUpstream))
    /// The upstream leg is connected: bytes may flow.
    var ready = false
    /// Closed by the emulator (cut or stop), or both sides have closed.
    var finished = false

    init(id: Int, core: LinkCore, client: any Channel) {
        self.id = id
        self.core = core
        channels[.client] = client
    }

    func closeAll() {
        for channel in channels.values { channel.close(promise: nil) }
    }
}

/// Sits on each of the two channels of a connection: hands what it reads to
/// the core and reads only while the link's queue has room.
final class LinkSideHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let connection: LinkConnection
    let side: LinkSide

    init(connection: LinkConnection, side: LinkSide) {
        self.connection = connection
        self.side = side
    }

    func handlerAdded(context: ChannelHandlerContext) { connection.contexts[side] = context }

    func handlerRemoved(context: ChannelHandlerContext) { connection.contexts[side] = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection.core.received(unwrapInboundIn(data), from: side, of: connection)
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.core.closed(side, of: connection)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }

    func read(context: ChannelHandlerContext) {
        if connection.core.mayRead(side, of: connection) { context.read() }
    }
}

/// A connection that arrived while the link is down: closed at once, as a
/// link that is down would (the dialler sees it fail immediately).
final class LinkRefuseHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    func channelActive(context: ChannelHandlerContext) { context.close(promise: nil) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}
