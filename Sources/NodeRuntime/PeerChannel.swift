import NIOCore
import NIOSSL
import Replication

/// A TCP channel made ready for the sync protocol: byte counter at the
/// socket, TLS 1.3 with our key, the handshake gate, the frame codec.
package struct PeerChannel: Sendable {
    package let channel: NIOAsyncChannel<Frame, [Frame]>
    package let handshake: EventLoopFuture<Void>
    package let identity: PeerIdentity
    let counts: ByteCounts
    let remoteAddress: String?

    /// Adds the handlers; runs on the channel's event loop.
    package static func configure(_ channel: any Channel, tls: PeerTLS, server: Bool, expecting: NodeID?) throws -> PeerChannel {
        let counts = ByteCounts()
        try bound(channel)
        let ops = channel.pipeline.syncOperations
        try ops.addHandler(ByteCounter(counts))
        let (handshake, identity) = try secure(channel, tls: tls, server: server, expecting: expecting)
        // At most one frame being assembled (plus one TLS read beyond it).
        try ops.addHandler(ByteToMessageHandler(FrameDecoder(), maximumBufferSize: Frame.maximumLength + 4 + 64 * 1024))
        try ops.addHandler(MessageToByteHandler(FrameEncoder()))
        // Backpressure down to the socket (PROTOCOL.md §7.6): with two frames
        // decoded and not yet taken by the connection, NIO stops reading, so
        // a receiver holds what it documents and no more, however fast the
        // peer sends and however slowly the store writes.
        let async = try NIOAsyncChannel<Frame, [Frame]>(
            wrappingChannelSynchronously: channel,
            configuration: .init(backPressureStrategy: .init(lowWatermark: 1, highWatermark: 2)))
        return PeerChannel(channel: async, handshake: handshake, identity: identity, counts: counts,
                           remoteAddress: channel.remoteAddress.map(PeerChannel.describe))
    }

    /// Adds TLS 1.3 with our key and the handshake gate: the handshake's end
    /// and what it proved of the peer. Runs on the channel's event loop.
    package static func secure(_ channel: any Channel, tls: PeerTLS, server: Bool,
                               expecting: NodeID?) throws -> (handshake: EventLoopFuture<Void>, identity: PeerIdentity) {
        let identity = PeerIdentity()
        let done = channel.eventLoop.makePromise(of: Void.self)
        let verifier = PeerTLS.verifier(into: identity, expecting: expecting)
        let ops = channel.pipeline.syncOperations
        if server {
            try ops.addHandler(NIOSSLServerHandler(context: tls.server, customVerificationCallback: verifier))
        } else {
            try ops.addHandler(NIOSSLClientHandler(context: tls.client, serverHostname: nil, customVerificationCallback: verifier))
        }
        try ops.addHandler(HandshakeGate(done: done))
        return (done.futureResult, identity)
    }

    /// Keeps what waits below the connection's outbox small (PROTOCOL.md
    /// §7.15): NIO's buffer makes the writer wait beyond 8 KiB, and the
    /// kernel holds at most 16 KiB not yet sent (TCP_NOTSENT_LOWAT), while
    /// data in flight is still limited only by TCP's window, so a fast link
    /// keeps its speed. Without this, megabytes of photo sat in the socket
    /// ahead of a record written after them.
    static func bound(_ channel: any Channel) throws {
        guard let options = channel.syncOptions else { return }
        try options.setOption(ChannelOptions.writeBufferWaterMark, value: .init(low: 4 * 1024, high: 8 * 1024))
        #if os(Linux)
        // TCP_NOTSENT_LOWAT from <netinet/tcp.h>, which Glibc's module does not export.
        let notSentLowWatermark = ChannelOptions.Types.SocketOption(level: .tcp, name: NIOBSDSocket.Option(rawValue: 25))
        try options.setOption(notSentLowWatermark, value: 16 * 1024)
        #endif
    }

    /// Closes a channel that will not be used. An NIOAsyncChannel must be
    /// closed through `executeThenClose` (it finishes the writer), or its
    /// writer traps when it is released.
    package func abandon() async {
        try? await channel.executeThenClose { _, outbound in outbound.finish() }
    }

    static func describe(_ address: SocketAddress) -> String {
        switch address {
        case .v4, .v6:
            if let ip = address.ipAddress, let port = address.port {
                return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
            }
            return "\(address)"
        default:
            return "\(address)"
        }
    }
}
