import NIOCore
import NIOPosix
import NIOSSL
import NodeRuntime
import Replication

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A protocol connection driven by hand: frames in and out, no session
/// logic. For tests that play a misbehaving peer; it connects with the
/// node runtime's own TLS and framing (package-level `PeerChannel`).
enum ManualPeer {
    struct Reader {
        var iterator: NIOAsyncChannelInboundStream<Frame>.AsyncIterator

        /// The next frame, or nil when the peer closed the connection.
        mutating func next() async throws -> Frame? { try await iterator.next() }

        /// Frames until the connection closes (or `limit` frames).
        mutating func drain(limit: Int = 10_000) async throws -> [Frame] {
            var frames: [Frame] = []
            while frames.count < limit, let frame = try await next() { frames.append(frame) }
            return frames
        }
    }

    struct Writer: Sendable {
        let outbound: NIOAsyncChannelOutboundWriter<[Frame]>
        func send(_ frames: [Frame]) async throws { try await outbound.write(frames) }
        func finish() { outbound.finish() }
    }

    /// Connects over TLS as `key` and runs `body` with the connection; the
    /// server's node id is returned to `body` as proven by TLS.
    static func connect<T: Sendable>(
        as key: NodeKey, host: String, port: Int, expecting: NodeID? = nil,
        _ body: (NodeID, inout Reader, Writer) async throws -> T
    ) async throws -> T {
        try await connect(using: Credentials(key: key), host: host, port: port, expecting: expecting, body)
    }
}

// MARK: Reused credentials, a chosen source address, raw bytes

extension ManualPeer {
    /// A key's TLS contexts, made once: a load generator that reconnects in
    /// a loop should not rebuild them for every connection.
    struct Credentials: Sendable {
        let key: NodeKey
        let tls: PeerTLS

        init(key: NodeKey) throws {
            self.key = key
            tls = try PeerTLS(certificate: NodeCertificate(key: key))
        }
    }

    /// As `connect(as:)`, with prepared credentials and, optionally, the
    /// local address to connect from (another loopback address such as
    /// 127.0.0.7, so that a listener sees many remote addresses).
    static func connect<T: Sendable>(
        using credentials: Credentials, host: String, port: Int, from localHost: String? = nil, expecting: NodeID? = nil,
        _ body: (NodeID, inout Reader, Writer) async throws -> T
    ) async throws -> T {
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        if let localHost { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: localHost, port: 0)) }
        let tls = credentials.tls
        let peerChannel = try await bootstrap.connect(host: host, port: port) { channel in
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

    /// Reads frames out of raw bytes; also reports the bytes that arrived.
    struct RawReader {
        var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        var buffer = ByteBuffer()
        /// Every byte received so far (after TLS).
        private(set) var bytesReceived = 0

        init(iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) { self.iterator = iterator }

        /// The next whole frame, or nil when the peer closed the connection
        /// (a partial frame at the end is dropped). A TLS connection the
        /// peer ended without close_notify, or reset, counts as closed.
        mutating func next() async throws -> Frame? {
            while true {
                if let frame = try FrameCodec.decode(&buffer) { return frame }
                let chunk: ByteBuffer?
                do {
                    chunk = try await iterator.next()
                } catch let error as NIOSSLError where error == .uncleanShutdown {
                    return nil
                } catch let error as ChannelError where error == .eof || error == .ioOnClosedChannel {
                    return nil
                } catch let error as IOError where error.errnoCode == ECONNRESET {
                    return nil
                }
                guard var chunk else { return nil }
                bytesReceived += chunk.readableBytes
                buffer.writeBuffer(&chunk)
            }
        }

        /// Frames until the connection closes (or `limit` frames).
        mutating func drain(limit: Int = 10_000) async throws -> [Frame] {
            var frames: [Frame] = []
            while frames.count < limit, let frame = try await next() { frames.append(frame) }
            return frames
        }
    }

    /// Sends whole frames or any bytes at all (a frame cut short, a length
    /// header that promises more than follows).
    struct RawWriter: Sendable {
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        func send(_ frames: [Frame]) async throws { try await outbound.write(FrameCodec.encode(frames)) }
        func send(bytes: [UInt8]) async throws { try await outbound.write(ByteBuffer(bytes: bytes)) }
        func finish() { outbound.finish() }
    }

    /// The first `count` bytes of a frame of `type` whose length header
    /// promises `length` bytes (type byte included): what a peer sends when
    /// it starts a large frame and has not finished it.
    static func partialFrame(type: UInt8, length: UInt32, sending count: Int) -> [UInt8] {
        var bytes: [UInt8] = withUnsafeBytes(of: length.bigEndian, Array.init) + [type]
        if count > bytes.count { bytes += [UInt8](repeating: 0x41, count: count - bytes.count) }
        return Array(bytes.prefix(count))
    }

    /// Connects over TLS as the credentials' key without the frame codec:
    /// `body` reads frames and sends raw bytes. For peers that break the
    /// framing on purpose.
    static func connectRaw<T: Sendable>(
        using credentials: Credentials, host: String, port: Int, from localHost: String? = nil,
        _ body: (NodeID, inout RawReader, RawWriter) async throws -> T
    ) async throws -> T {
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        if let localHost { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: localHost, port: 0)) }
        let tls = credentials.tls
        let (channel, handshake, identity) = try await bootstrap.connect(host: host, port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                let (handshake, identity) = try PeerChannel.secure(channel, tls: tls, server: false, expecting: nil)
                let async = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                return (async, handshake, identity)
            }
        }
        do {
            try await handshake.get()
        } catch {
            try? await channel.executeThenClose { _, outbound in outbound.finish() }
            throw error
        }
        guard case .success(let peer)? = identity.value else {
            try? await channel.executeThenClose { _, outbound in outbound.finish() }
            throw PeerIdentity.Problem.notEd25519
        }
        return try await channel.executeThenClose { inbound, outbound in
            var reader = RawReader(iterator: inbound.makeAsyncIterator())
            return try await body(peer, &reader, RawWriter(outbound: outbound))
        }
    }
}
