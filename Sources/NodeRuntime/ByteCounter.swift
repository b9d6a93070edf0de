import NIOCore
import Synchronization

/// Bytes on the wire of one connection, TLS included.
final class ByteCounts: Sendable {
    let received = Atomic<Int>(0)
    let sent = Atomic<Int>(0)

    var receivedBytes: Int { received.load(ordering: .relaxed) }
    var sentBytes: Int { sent.load(ordering: .relaxed) }
}

/// Sits next to the socket and counts what passes, for metrics, status and
/// the wire-cost benchmarks.
final class ByteCounter: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let counts: ByteCounts

    init(_ counts: ByteCounts) { self.counts = counts }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        counts.received.add(unwrapInboundIn(data).readableBytes, ordering: .relaxed)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        counts.sent.add(unwrapOutboundIn(data).readableBytes, ordering: .relaxed)
        context.write(data, promise: promise)
    }
}
