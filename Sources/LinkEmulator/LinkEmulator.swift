import NIOCore
import NIOPosix

/// A TCP proxy that behaves like a slow link that keeps dropping: it
/// listens on 127.0.0.1 (port 0), forwards every connection to `upstream`,
/// and per direction shapes the bytes to a bit rate, adds one-way latency
/// and holds at most a bounded queue (then stops reading, so the sender's
/// socket buffer fills as on a real link). `cut()` closes every connection
/// through it and refuses new ones until `restore()`; a schedule does that
/// repeatedly. Time is real time, kept by the event loop.
///
/// Everything it does runs on one event loop (the listener, every proxied
/// channel, every timer); callers on other threads go through `submit`.
public final class LinkEmulator: Sendable {
    /// SO_RCVBUF of the emulator's sockets (Linux doubles it for its own
    /// bookkeeping): small, so the link's buffer is the emulator's queue.
    public static let kernelReceiveBuffer = 4 * 1024

    public let configuration: LinkConfiguration
    public let upstream: SocketAddress
    /// Where diallers connect (127.0.0.1).
    public let address: SocketAddress
    public var port: Int { address.port! }

    private let loop: any EventLoop
    private let core: NIOLoopBound<LinkCore>
    private let monitor: LinkMonitor
    private let server: any Channel

    private init(configuration: LinkConfiguration, upstream: SocketAddress, loop: any EventLoop, core: NIOLoopBound<LinkCore>,
                 monitor: LinkMonitor, server: any Channel) {
        self.configuration = configuration
        self.upstream = upstream
        self.address = server.localAddress!
        self.loop = loop
        self.core = core
        self.monitor = monitor
        self.server = server
    }

    /// Starts listening on 127.0.0.1 port 0; the link starts up.
    public static func start(upstream: SocketAddress, configuration: LinkConfiguration = LinkConfiguration(),
                             group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> LinkEmulator {
        let loop = group.next()
        let monitor = LinkMonitor()
        let core = try await loop.submit {
            NIOLoopBound(LinkCore(configuration: configuration, upstream: upstream, monitor: monitor, loop: loop), eventLoop: loop)
        }.get()
        let server = try await ServerBootstrap(group: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 128)
            // A small kernel receive buffer (inherited by accepted sockets):
            // bytes the emulator has not taken stay with the sender, as on
            // a real slow link, instead of hiding in the proxy's socket
            // where the sender would count them as delivered.
            .serverChannelOption(.socketOption(.so_rcvbuf), value: LinkEmulator.kernelReceiveBuffer)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: configuration.readSize(.toUpstream)))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try core.value.accept(channel) }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return LinkEmulator(configuration: configuration, upstream: upstream, loop: loop, core: core, monitor: monitor, server: server)
    }

    /// Counters at this instant.
    public var counters: LinkCounters { monitor.snapshot }

    /// Closes every connection through the emulator at once, discarding (and
    /// counting) what it held of them, and refuses new connections (accepts
    /// and closes them) until `restore()`.
    public func cut() async throws { try await onLoop { $0.cut() } }

    public func restore() async throws { try await onLoop { $0.restore() } }

    /// Cuts as soon as exactly `bytes` more bytes have been forwarded in
    /// `direction` (handed to the receiving end), for tests that need a cut
    /// at a known point without sleeping.
    public func cutAfter(bytes: Int, direction: LinkDirection) async throws {
        try await onLoop { $0.cutAfter(bytes: bytes, direction: direction) }
    }

    /// Up for `up`, down for `down`, repeating, starting now with the link
    /// up. `down` of zero: no cuts.
    public func startSchedule(up: Duration, down: Duration) async throws {
        precondition(up > .zero, "the link must be up for some time in each cycle")
        try await onLoop { $0.startSchedule(up: up, down: down) }
    }

    /// Ends the schedule; with `restore`, the link is brought up if down.
    public func stopSchedule(restore: Bool = true) async throws { try await onLoop { $0.stopSchedule(restore: restore) } }

    /// Waits until the counters satisfy `condition` (checked after every
    /// change), or throws `LinkWaitTimeout`.
    public func wait(timeout: Duration = .seconds(30), until condition: @escaping @Sendable (LinkCounters) -> Bool) async throws {
        try await monitor.wait(timeout: timeout, on: loop, until: condition)
    }

    /// Until `n` connections in all have been proxied to the upstream.
    public func waitForConnections(_ n: Int, timeout: Duration = .seconds(30)) async throws {
        try await wait(timeout: timeout) { $0.connectionsAccepted >= n }
    }

    /// Closes the listener and every connection.
    public func stop() async throws {
        try await onLoop { $0.stop() }
        try await server.close().get()
    }

    private func onLoop(_ body: @escaping @Sendable (LinkCore) -> Void) async throws {
        let core = self.core
        try await loop.submit { body(core.value) }.get()
    }
}
