import LinkEmulator
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// The link emulator between a client and a NIO server of the test's own,
/// all on 127.0.0.1 port 0. Timing checks are lower bounds only.
@Suite struct LinkEmulatorTests {
    static func pattern(_ n: Int, seed: Int = 7) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &+ $0 / 251) } }

    @Test func bytesArriveIntactAndInOrderBothWays() async throws {
        let upstream = try await TestUpstream.start(.echo)
        let shape = LinkShape(bitsPerSecond: 20_000_000, latency: .milliseconds(2), queueBytes: 32 * 1024)
        let link = try await LinkEmulator.start(upstream: upstream.address, configuration: LinkConfiguration(both: shape, chunkBytes: 1000))
        let sent = Self.pattern(200_000)
        let echoed = try await TestClient.exchange(port: link.port, send: sent, expect: sent.count)
        #expect(echoed == sent)
        let c = link.counters
        for d in LinkDirection.allCases {
            #expect(c[d].bytesIn == sent.count && c[d].bytesOnWire == sent.count && c[d].bytesDelivered == sent.count)
            #expect(c[d].peakHeld <= shape.queueBytes)
        }
        #expect(c.connectionsAccepted == 1 && c.cuts == 0)
        try await link.stop()
        try await upstream.stop()
    }

    @Test func aRateLimitDelaysATransferAtLeastSizeOverRate() async throws {
        let upstream = try await TestUpstream.start(.sink)
        let link = try await LinkEmulator.start(
            upstream: upstream.address, configuration: LinkConfiguration(toUpstream: LinkShape(bitsPerSecond: 400_000)))
        let size = 25_000
        let start = ContinuousClock.now
        try await TestClient.connect(port: link.port) { client in
            try await client.write(Self.pattern(size))
            try await upstream.wait { $0.received >= size }
        }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(size * 8 * 1000 / 400_000), "25 kB at 400 kbit/s takes at least 0.5 s, took \(elapsed)")
        #expect(upstream.state.received == size)
        try await link.stop()
        try await upstream.stop()
    }

    @Test func latencyAddsAtLeastTheLatencyEachWay() async throws {
        let upstream = try await TestUpstream.start(.echo)
        let link = try await LinkEmulator.start(
            upstream: upstream.address, configuration: LinkConfiguration(both: LinkShape(latency: .milliseconds(150))))
        try await TestClient.connect(port: link.port) { client in
            try await link.waitForConnections(1)
            let start = ContinuousClock.now
            try await client.write(Array("ping".utf8))
            let back = try await client.read(4)
            let elapsed = ContinuousClock.now - start
            #expect(back == Array("ping".utf8))
            #expect(elapsed >= .milliseconds(300), "two ways of 150 ms took \(elapsed)")
        }
        try await link.stop()
        try await upstream.stop()
    }

    @Test func aCutClosesBothEndsAndRefusesUntilRestore() async throws {
        let upstream = try await TestUpstream.start(.echo)
        let link = try await LinkEmulator.start(upstream: upstream.address)
        try await TestClient.connect(port: link.port) { first in
            try await first.write(Array("hello".utf8))
            #expect(try await first.read(5) == Array("hello".utf8))
            try await link.cut()
            #expect(try await first.readToEnd().isEmpty, "the client's end is closed")
        }
        try await upstream.wait { $0.closed == 1 }
        var c = link.counters
        #expect(c.cuts == 1 && !c.isUp && c.connectionsOpen == 0)

        // While down: accepted and closed at once, never reaching the upstream.
        try await TestClient.connect(port: link.port) { refused in
            try? await refused.write(Array("anyone?".utf8))
            let answer = try await refused.readToEnd()
            #expect(answer.isEmpty)
        }
        try await link.wait { $0.connectionsRefused == 1 }
        #expect(upstream.state.accepted == 1)

        try await link.restore()
        try await TestClient.connect(port: link.port) { again in
            try await again.write(Array("back".utf8))
            #expect(try await again.read(4) == Array("back".utf8))
        }
        c = link.counters
        #expect(c.isUp && c.connectionsAccepted == 2 && c.connectionsRefused == 1 && c.reconnectDelays.count == 1)
        #expect(upstream.state.accepted == 2)
        try await link.stop()
        try await upstream.stop()
    }

    @Test func cutAfterBytesCutsAtExactlyThatCount() async throws {
        let upstream = try await TestUpstream.start(.sink)
        let link = try await LinkEmulator.start(
            upstream: upstream.address, configuration: LinkConfiguration(toUpstream: LinkShape(bitsPerSecond: 8_000_000), chunkBytes: 700))
        let sent = Self.pattern(50_000)
        try await TestClient.connect(port: link.port) { client in
            try await link.waitForConnections(1)
            try await link.cutAfter(bytes: 10_000, direction: .toUpstream)
            try? await client.write(sent)
            try await upstream.wait { $0.closed == 1 }
            #expect(try await client.readToEnd().isEmpty)
        }
        #expect(upstream.state.bytes == Array(sent.prefix(10_000)))
        let c = link.counters
        #expect(c.cuts == 1 && c[.toUpstream].bytesDelivered == 10_000)
        #expect(c[.toUpstream].bytesIn == 10_000 + c[.toUpstream].bytesDiscardedAtCuts)
        try await link.stop()
        try await upstream.stop()
    }

    @Test func theQueueBoundHoldsAndTheSenderIsHeldBack() async throws {
        let upstream = try await TestUpstream.start(.sink)
        let bound = 8192
        let link = try await LinkEmulator.start(
            upstream: upstream.address,
            configuration: LinkConfiguration(toUpstream: LinkShape(bitsPerSecond: 160_000, queueBytes: bound)))
        let total = 400_000
        try await TestClient.connect(port: link.port) { client in
            // The writer stays blocked on the full link; it ends when the link stops.
            let outbound = client.outbound
            let writer = Task { try? await outbound.write(ByteBuffer(bytes: Self.pattern(total))) }
            try await link.wait { $0[.toUpstream].bytesDelivered >= 12_000 }
            let c = link.counters[.toUpstream]
            #expect(c.peakHeld <= bound)
            #expect(c.peakHeld >= bound - bound / 4, "it filled its queue")
            #expect(c.bytesIn <= c.bytesDelivered + bound, "it read no further ahead than its queue")
            #expect(c.bytesIn < total)
            try await link.stop()
            await writer.value
        }
        try await upstream.stop()
    }

    @Test func aScheduleCutsAndRestoresRepeatedly() async throws {
        let upstream = try await TestUpstream.start(.echo)
        let link = try await LinkEmulator.start(upstream: upstream.address)
        try await TestClient.connect(port: link.port) { client in
            try await link.waitForConnections(1)
            // Started once connected: on a loaded machine a 150 ms window
            // could otherwise be over before the client's connect arrives.
            try await link.startSchedule(up: .milliseconds(150), down: .milliseconds(150))
            try await link.wait { !$0.isUp }
            #expect(try await client.readToEnd().isEmpty, "the first cut closed it")
        }
        try await link.wait { $0.cuts >= 2 && $0.isUp }
        let c = link.counters
        #expect(c.timeUp >= .milliseconds(300) && c.timeToNextChange != nil)
        try await link.stopSchedule()
        #expect(link.counters.isUp && link.counters.timeToNextChange == nil)
        try await link.stop()
        try await upstream.stop()
    }
}

/// A NIO server that echoes or swallows what it reads, and counts.
final class TestUpstream: Sendable {
    enum Mode { case echo, sink }

    struct State: Sendable {
        var accepted = 0
        var closed = 0
        var received = 0
        var bytes: [UInt8] = []
    }

    let channel: any Channel
    private let watched: Watched<State>
    var address: SocketAddress { channel.localAddress! }
    var state: State { watched.value }

    private init(channel: any Channel, watched: Watched<State>) {
        self.channel = channel
        self.watched = watched
    }

    static func start(_ mode: Mode) async throws -> TestUpstream {
        let watched = Watched(State())
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(mode: mode, watched: watched))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TestUpstream(channel: channel, watched: watched)
    }

    func wait(_ condition: @escaping @Sendable (State) -> Bool) async throws {
        try await watched.wait(condition)
    }

    func stop() async throws { try await channel.close() }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let mode: Mode
        let watched: Watched<State>

        init(mode: Mode, watched: Watched<State>) {
            self.mode = mode
            self.watched = watched
        }

        func channelActive(context: ChannelHandlerContext) { watched.update { $0.accepted += 1 } }
        func channelInactive(context: ChannelHandlerContext) { watched.update { $0.closed += 1 } }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            watched.update {
                $0.received += buffer.readableBytes
                if $0.bytes.count < 1_000_000 { $0.bytes += buffer.readableBytesView }
            }
            if mode == .echo { context.writeAndFlush(data, promise: nil) }
        }
    }
}

/// A client connection through the emulator, read and written from async
/// code inside `TestClient.connect`.
struct TestClient {
    var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    static func connect<T>(port: Int, _ body: (inout TestClient) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var client = TestClient(inbound: inbound.makeAsyncIterator(), outbound: outbound)
            return try await body(&client)
        }
    }

    /// Writes `send` while reading back `expect` bytes.
    static func exchange(port: Int, send: [UInt8], expect: Int) async throws -> [UInt8] {
        try await connect(port: port) { client in
            let outbound = client.outbound
            async let writing: Void = {
                for start in stride(from: 0, to: send.count, by: 10_000) {
                    try await outbound.write(ByteBuffer(bytes: send[start..<min(send.count, start + 10_000)]))
                }
            }()
            let got = try await client.read(expect)
            try await writing
            return got
        }
    }

    func write(_ bytes: [UInt8]) async throws { try await outbound.write(ByteBuffer(bytes: bytes)) }

    /// `n` bytes, or fewer if the far end closes first.
    mutating func read(_ n: Int) async throws -> [UInt8] {
        var got: [UInt8] = []
        while got.count < n, let buffer = try await inbound.next() { got += buffer.readableBytesView }
        return got
    }

    /// Everything until the far end closes (a reset counts as closed).
    mutating func readToEnd() async throws -> [UInt8] {
        var got: [UInt8] = []
        do {
            while let buffer = try await inbound.next() { got += buffer.readableBytesView }
        } catch let error as IOError where [ECONNRESET, EPIPE].contains(error.errnoCode) {}
        return got
    }
}

/// A value that tasks can wait on: every change wakes the waiters.
final class Watched<Value: Sendable>: Sendable {
    private struct Box {
        var value: Value
        var listeners: [Int: AsyncStream<Value>.Continuation] = [:]
        var next = 0
    }

    private let box: Mutex<Box>

    init(_ value: Value) { box = Mutex(Box(value: value)) }

    var value: Value { box.withLock { $0.value } }

    func update(_ change: (inout Value) -> Void) {
        let (value, listeners) = box.withLock { b in
            change(&b.value)
            return (b.value, Array(b.listeners.values))
        }
        for l in listeners { l.yield(value) }
    }

    func wait(timeout: Duration = .seconds(10), _ condition: @escaping @Sendable (Value) -> Bool) async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: Value.self, bufferingPolicy: .bufferingNewest(1))
        let id = box.withLock { b in
            b.next += 1
            b.listeners[b.next] = continuation
            continuation.yield(b.value)
            return b.next
        }
        defer { _ = box.withLock { $0.listeners.removeValue(forKey: id) } }
        let met = try await RawPeer.within(timeout, "the test upstream's condition") {
            for await value in stream where condition(value) { return true }
            return false
        }
        #expect(met)
    }
}
