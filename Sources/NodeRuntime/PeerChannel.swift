import NIOCore
import NIOSSL
import Replication

/// A TCP channel made ready for the sync protocol: byte counter at the
/// socket, TLS 1.3 with our key, the handshake gate, the frame codec.
struct PeerChannel: Sendable {
    let channel: NIOAsyncChannel<Frame, [Frame]>
    let handshake: EventLoopFuture<Void>
    let identity: PeerIdentity
    let counts: ByteCounts
    let remoteAddress: String?

    /// Adds the handlers; runs on the channel's event loop.
    static func configure(_ channel: any Channel, tls: PeerTLS, server: Bool, expecting: NodeID?) throws -> PeerChannel {
        let counts = ByteCounts()
        let identity = PeerIdentity()
        let done = channel.eventLoop.makePromise(of: Void.self)
        let verifier = PeerTLS.verifier(into: identity, expecting: expecting)
        let ops = channel.pipeline.syncOperations
        try ops.addHandler(ByteCounter(counts))
        if server {
            try ops.addHandler(NIOSSLServerHandler(context: tls.server, customVerificationCallback: verifier))
        } else {
            try ops.addHandler(NIOSSLClientHandler(context: tls.client, serverHostname: nil, customVerificationCallback: verifier))
        }
        try ops.addHandler(HandshakeGate(done: done))
        try ops.addHandler(ByteToMessageHandler(FrameDecoder()))
        try ops.addHandler(MessageToByteHandler(FrameEncoder()))
        let async = try NIOAsyncChannel<Frame, [Frame]>(wrappingChannelSynchronously: channel)
        return PeerChannel(channel: async, handshake: done.futureResult, identity: identity, counts: counts,
                           remoteAddress: channel.remoteAddress.map(PeerChannel.describe))
    }

    /// Closes a channel that will not be used. An NIOAsyncChannel must be
    /// closed through `executeThenClose` (it finishes the writer), or its
    /// writer traps when it is released.
    func abandon() async {
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
