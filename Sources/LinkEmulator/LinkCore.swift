import NIOCore
import NIOPosix

/// Everything the emulator does, on its one event loop: every channel it
/// accepts or dials lives on that loop, so this state needs no lock (the
/// counters readers see are copied into the LinkMonitor).
final class LinkCore {
    let configuration: LinkConfiguration
    let upstream: SocketAddress
    let monitor: LinkMonitor
    let loop: any EventLoop

    private(set) var up = true
    /// A cutAfter reached its count: nothing more moves until the cut.
    private var halted = false
    private var cutAt: (direction: LinkDirection, forwarded: Int)?
    private var connections: [Int: LinkConnection] = [:]
    private var nextID = 0
    /// When each direction's wire finishes serialising what it was given.
    private var wireFreeAt = PerDirection(both: NIODeadline.uptimeNanoseconds(0))
    /// Held by every connection together.
    private var held = PerDirection(both: 0)
    /// Handed to the destination, since the start.
    private var forwarded = PerDirection(both: 0)
    private var schedule: Scheduled<Void>?
    private var restoredAt: NIODeadline?
    private var stopped = false

    init(configuration: LinkConfiguration, upstream: SocketAddress, monitor: LinkMonitor, loop: any EventLoop) {
        self.configuration = configuration
        self.upstream = upstream
        self.monitor = monitor
        self.loop = loop
    }

    // MARK: Connections

    func accept(_ channel: any Channel) throws {
        let sync = channel.pipeline.syncOperations
        guard up, !stopped else {
            monitor.update { $0.connectionsRefused += 1 }
            try sync.addHandler(LinkRefuseHandler())
            return
        }
        nextID += 1
        let connection = LinkConnection(id: nextID, core: self, client: channel)
        connections[connection.id] = connection
        try sync.addHandler(LinkSideHandler(connection: connection, side: .client))
        dialUpstream(for: connection)
    }

    private func dialUpstream(for connection: LinkConnection) {
        let bound = NIOLoopBound(connection, eventLoop: loop)
        ClientBootstrap(group: loop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_rcvbuf), value: LinkEmulator.kernelReceiveBuffer)
            .channelOption(.maxMessagesPerRead, value: 1)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: configuration.readSize(.fromUpstream)))
            .connectTimeout(.nanoseconds(configuration.connectTimeout.nanoseconds))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(LinkSideHandler(connection: bound.value, side: .upstream))
                }
            }
            .connect(to: upstream)
            .assumeIsolated()
            .whenComplete { result in self.upstreamConnected(connection, result) }
    }

    private func upstreamConnected(_ connection: LinkConnection, _ result: Result<any Channel, any Error>) {
        switch result {
        case .failure:
            if !connection.finished {
                monitor.update { $0.connectionsFailed += 1 }
                connection.finished = true
                connections[connection.id] = nil
                connection.closeAll()
            }
        case .success(let channel):
            guard !connection.finished, connection.active.contains(.client) else {
                channel.close(promise: nil)
                return
            }
            connection.channels[.upstream] = channel
            connection.active.insert(.upstream)
            connection.ready = true
            let delay = restoredAt.map { NIODeadline.now() - $0 }
            restoredAt = nil
            monitor.update {
                $0.connectionsAccepted += 1
                $0.connectionsOpen += 1
                if let delay { $0.reconnectDelays.append(.nanoseconds(delay.nanoseconds)) }
            }
            resumeReads(connection)
        }
    }

    /// A side closed (its peer went away, or the emulator closed it).
    func closed(_ side: LinkSide, of connection: LinkConnection) {
        // A connection the emulator closed itself was counted when it did.
        guard connection.active.remove(side) != nil, !connection.finished else { return }
        // What was read from this side still goes out, then its close.
        let outgoing = connection.pipes[side.outgoing]
        outgoing.sourceEnded = true
        // What was on its way to this side has nowhere to go.
        let incoming = connection.pipes[side.other.outgoing]
        let dropped = incoming.clear()
        if dropped > 0 {
            held[incoming.direction] -= dropped
            let total = held[incoming.direction]
            monitor.update {
                $0[incoming.direction].bytesDroppedAtClose += dropped
                $0[incoming.direction].bytesHeld = total
            }
        }
        if connection.active.isEmpty || !connection.ready {
            connection.finished = true
            connections[connection.id] = nil
            connection.closeAll()
            if connection.ready { monitor.update { $0.connectionsOpen -= 1 } }
        } else if outgoing.held == 0 {
            connection.channels[side.other]?.close(promise: nil)
        }
    }

    // MARK: Reading, with the queue bound

    /// Whether a side may read now; if not, it reads when room is made.
    /// One read takes at most readSize bytes (fixed receive buffer, one
    /// read per event), so the bound holds to the byte.
    func mayRead(_ side: LinkSide, of connection: LinkConnection) -> Bool {
        let pipe = connection.pipes[side.outgoing]
        let direction = side.outgoing
        guard connection.ready, !connection.finished, up, !halted,
              pipe.held + configuration.readSize(direction) <= configuration.shape[direction].queueBytes
        else {
            pipe.readHeld = true
            return false
        }
        pipe.readHeld = false
        return true
    }

    private func resumeReads(_ connection: LinkConnection) {
        for side in [LinkSide.client, .upstream] where connection.pipes[side.outgoing].readHeld {
            guard let context = connection.contexts[side], mayRead(side, of: connection) else { continue }
            context.read()
        }
    }

    func received(_ bytes: ByteBuffer, from side: LinkSide, of connection: LinkConnection) {
        guard !connection.finished else { return }
        let pipe = connection.pipes[side.outgoing]
        let n = bytes.readableBytes
        pipe.queue.append((.now(), bytes))
        pipe.queued += n
        pipe.held += n
        held[pipe.direction] += n
        let (total, mine) = (held[pipe.direction], pipe.held)
        monitor.update {
            $0[pipe.direction].bytesIn += n
            $0[pipe.direction].bytesHeld = total
            $0[pipe.direction].peakHeld = max($0[pipe.direction].peakHeld, mine)
        }
        serialiseNext(pipe, of: connection)
    }

    // MARK: The wire

    /// Puts the next chunk onto the wire when the wire is free. The start is
    /// computed from when the wire became free and when the bytes arrived,
    /// not from when a timer fired, so a late timer never lowers the rate.
    private func serialiseNext(_ pipe: LinkPipe, of connection: LinkConnection) {
        guard !pipe.serialising, !connection.finished, connection.ready, up, !halted, pipe.queued > 0 else { return }
        let direction = pipe.direction
        guard let rate = configuration.shape[direction].bitsPerSecond else {
            // Unlimited: straight through (after the latency, if any).
            while let (arrived, chunk) = pipe.take(upTo: pipe.queued, allocator: connection.channels[.client]!.allocator) {
                onWire(chunk, at: arrived, pipe, of: connection)
            }
            return
        }
        guard let (arrived, chunk) = pipe.take(upTo: configuration.chunkBytes, allocator: connection.channels[.client]!.allocator)
        else { return }
        let start = max(wireFreeAt[direction], arrived)
        let done = start + .nanoseconds(Int64(chunk.readableBytes) * 8_000_000_000 / Int64(rate))
        wireFreeAt[direction] = done
        pipe.serialising = true
        loop.assumeIsolated().scheduleTask(deadline: done) {
            guard !connection.finished else { return }
            pipe.serialising = false
            self.onWire(chunk, at: done, pipe, of: connection)
            self.serialiseNext(pipe, of: connection)
        }
    }

    private func onWire(_ chunk: ByteBuffer, at time: NIODeadline, _ pipe: LinkPipe, of connection: LinkConnection) {
        let n = chunk.readableBytes
        monitor.update { $0[pipe.direction].bytesOnWire += n }
        let latency = configuration.shape[pipe.direction].latency
        if latency == .zero && pipe.inFlight.isEmpty {
            deliver(chunk, pipe, of: connection)
            return
        }
        let due = time + .nanoseconds(latency.nanoseconds)
        pipe.inFlight.append((due, chunk))
        loop.assumeIsolated().scheduleTask(deadline: due) { self.deliverDue(pipe, of: connection) }
    }

    private func deliverDue(_ pipe: LinkPipe, of connection: LinkConnection) {
        let now = NIODeadline.now()
        while !connection.finished, !halted, let first = pipe.inFlight.first, first.due <= now {
            pipe.inFlight.removeFirst()
            deliver(first.bytes, pipe, of: connection)
        }
    }

    private func deliver(_ chunk: ByteBuffer, _ pipe: LinkPipe, of connection: LinkConnection) {
        let direction = pipe.direction
        guard !halted, let context = connection.contexts[direction.destination] else { return }
        var bytes = chunk
        var cutWhenWritten = false
        if let cut = cutAt, cut.direction == direction, forwarded[direction] + bytes.readableBytes >= cut.forwarded {
            bytes = bytes.getSlice(at: bytes.readerIndex, length: cut.forwarded - forwarded[direction])!
            cutAt = nil
            halted = true
            cutWhenWritten = true
        }
        let n = bytes.readableBytes
        forwarded[direction] += n
        let promise = loop.makePromise(of: Void.self)
        promise.futureResult.assumeIsolated().whenComplete { result in
            if case .success = result, !connection.finished {
                pipe.held -= n
                self.held[direction] -= n
                let total = self.held[direction]
                self.monitor.update {
                    $0[direction].bytesDelivered += n
                    $0[direction].bytesHeld = total
                }
                if pipe.sourceEnded && pipe.held == 0 { connection.channels[direction.destination]?.close(promise: nil) }
            }
            if cutWhenWritten {
                self.cut()
            } else {
                self.resumeReads(connection)
            }
        }
        context.writeAndFlush(NIOAny(bytes), promise: promise)
    }

    // MARK: Cuts

    /// Closes every connection, discarding (and counting) what they held,
    /// and refuses new ones until `restore`.
    func cut() {
        halted = false
        cutAt = nil
        guard up else { return }
        up = false
        let now = NIODeadline.now()
        wireFreeAt = PerDirection(both: now)
        var discarded = PerDirection(both: 0)
        var open = 0
        for connection in connections.values {
            if connection.ready && !connection.finished { open += 1 }
            connection.finished = true
            for direction in LinkDirection.allCases {
                discarded[direction] += connection.pipes[direction].clear()
            }
        }
        let closing = Array(connections.values)
        connections.removeAll()
        held = PerDirection(both: 0)
        monitor.update {
            $0.cuts += 1
            $0.connectionsOpen -= open
            for direction in LinkDirection.allCases {
                $0[direction].bytesDiscardedAtCuts += discarded[direction]
                $0[direction].bytesHeld = 0
            }
        }
        monitor.setUp(false)
        for connection in closing { connection.closeAll() }
    }

    func restore() {
        guard !up, !stopped else { return }
        up = true
        restoredAt = .now()
        monitor.setUp(true)
    }

    /// Cuts once `bytes` more bytes have been handed to the receiving end in
    /// `direction` (exactly: the chunk that crosses the count is split).
    func cutAfter(bytes: Int, direction: LinkDirection) {
        guard bytes > 0 else {
            cut()
            return
        }
        cutAt = (direction, forwarded[direction] + bytes)
    }

    /// Up for `upFor`, down for `downFor`, repeating, starting now (up).
    func startSchedule(up upFor: Duration, down downFor: Duration) {
        schedule?.cancel()
        schedule = nil
        restore()
        guard downFor > .zero else {
            monitor.setNextChange(in: nil)
            return
        }
        func cycle() {
            monitor.setNextChange(in: upFor)
            schedule = loop.assumeIsolated().scheduleTask(in: .nanoseconds(upFor.nanoseconds)) {
                self.cut()
                self.monitor.setNextChange(in: downFor)
                self.schedule = self.loop.assumeIsolated().scheduleTask(in: .nanoseconds(downFor.nanoseconds)) {
                    self.restore()
                    cycle()
                }
            }
        }
        cycle()
    }

    func stopSchedule(restore bringUp: Bool) {
        schedule?.cancel()
        schedule = nil
        monitor.setNextChange(in: nil)
        if bringUp { restore() }
    }

    /// Closes everything for good (not counted as a cut).
    func stop() {
        stopSchedule(restore: false)
        stopped = true
        for connection in connections.values {
            connection.finished = true
            for direction in LinkDirection.allCases { _ = connection.pipes[direction].clear() }
            connection.closeAll()
        }
        connections.removeAll()
    }
}
