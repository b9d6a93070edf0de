import NIOCore
import NIOPosix
import Replication

/// A protocol connection driven by hand: frames in and out, no session
/// logic. For diagnostics and for tests that play a misbehaving peer.
public enum ManualPeer {
    public struct Reader {
        var iterator: NIOAsyncChannelInboundStream<Frame>.AsyncIterator

        /// The next frame, or nil when the peer closed the connection.
        public mutating func next() async throws -> Frame? { try await iterator.next() }

        /// Frames until the connection closes (or `limit` frames).
        public mutating func drain(limit: Int = 10_000) async throws -> [Frame] {
            var frames: [Frame] = []
            while frames.count < limit, let frame = try await next() { frames.append(frame) }
            return frames
        }
    }

    public struct Writer: Sendable {
        let outbound: NIOAsyncChannelOutboundWriter<[Frame]>
        public func send(_ frames: [Frame]) async throws { try await outbound.write(frames) }
        public func finish() { outbound.finish() }
    }

    /// Connects over TLS as `key` and runs `body` with the connection; the
    /// server's node id is returned to `body` as proven by TLS.
    public static func connect<T: Sendable>(
        as key: NodeKey, host: String, port: Int, expecting: NodeID? = nil,
        _ body: (NodeID, inout Reader, Writer) async throws -> T
    ) async throws -> T {
        let tls = try PeerTLS(certificate: NodeCertificate(key: key))
        let peerChannel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try PeerChannel.configure(channel, tls: tls, server: false, expecting: expecting)
                }
            }
        do {
            try await peerChannel.handshake.get()
        } catch {
            await peerChannel.abandon()
            throw error
        }
        guard case .success(let peer)? = peerChannel.identity.value else {
            await peerChannel.abandon()
            throw PeerIdentity.Problem.notEd25519
        }
        return try await peerChannel.channel.executeThenClose { inbound, outbound in
            var reader = Reader(iterator: inbound.makeAsyncIterator())
            return try await body(peer, &reader, Writer(outbound: outbound))
        }
    }
}
