import Foundation
import Logging
import NIOCore
import Replication

/// One TLS connection with a peer: the handshake, then the connection core
/// (`Connection`, stepped by `ConnectionDriver`) over the channel's frames,
/// with received entries verified and stored in the ingest pipeline so that
/// reading, verifying, storing and serving overlap.
struct PeerConnection {
    let node: Node
    let peerChannel: PeerChannel
    /// The configured address for outbound connections; nil for inbound ones.
    let dialedAddress: String?
    /// The listener's admission slot of an inbound connection: pending until
    /// HELLO is accepted both ways.
    var ticket: ConnectionAdmission.Ticket? = nil

    var direction: String { dialedAddress == nil ? "inbound" : "outbound" }

    /// Runs until the connection ends; returns the peer (when the handshake
    /// identified it), whether HELLO was accepted both ways, and why it ended.
    func run() async -> (peer: NodeID?, established: Bool, ending: ConnectionEnding) {
        let channel = peerChannel.channel
        do {
            // A future's get() ignores cancellation, so a timed-out wait
            // closes the channel: that fails the handshake and ends the wait.
            let handshake = peerChannel.handshake, raw = channel.channel
            try await withTimeout(node.timing.handshakeTimeout) {
                try await withTaskCancellationHandler { try await handshake.get() } onCancel: { raw.close(promise: nil) }
            }
        } catch {
            await peerChannel.abandon()
            node.metrics.connectionRefused("handshake")
            return (nil, false, .handshakeFailed(identityProblem() ?? TLSFailureText.plain("\(error)")))
        }
        guard case .success(let peer)? = peerChannel.identity.value else {
            await peerChannel.abandon()
            return (nil, false, .handshakeFailed(identityProblem() ?? "no peer key"))
        }
        var logger = node.logger
        logger[metadataKey: "peer"] = "\(peer.short)"
        let store = node.store
        let roster = store.roster
        // A revoked peer is told of its revocation before it is refused.
        let rosterOnly = roster.revokedFrom(peer) != nil
            ? Set([roster.genesis] + roster.admissions.keys.filter { roster.isAuthority($0) }) : nil
        let interest = node.interest
        var session = SyncSession.Configuration(
            network: store.network, local: node.id, peer: peer, peerTrusted: node.trusts(peer), agent: node.agent,
            feed: store.feed, checkpoint: (try? await store.checkpoint(for: peer, wanting: interest)) ?? nil, name: node.name,
            refusal: node.refusalMessage(for: peer), rosterOnlyFor: rosterOnly)
        session.interest = interest
        let configuration = Connection.Configuration(session: session, timing: node.timing.connection,
                                                     fetchesPhotos: node.photos != nil)
        node.peers.update(peer, direction: direction, address: dialedAddress ?? peerChannel.remoteAddress) {
            if $0.connections == 0 { $0.state = .connecting }
            $0.detail = nil
        }
        var established = false
        let ending: ConnectionEnding
        do {
            ending = try await channel.executeThenClose { inbound, outbound in
                await drive(peer: peer, configuration: configuration, inbound: inbound, outbound: outbound,
                                logger: logger, established: &established)
            }
        } catch {
            ending = .closed("connection error: \(error)")
        }
        record(ending, peer: peer, established: established, logger: logger)
        return (peer, established, ending)
    }

    private func identityProblem() -> String? {
        if case .failure(let problem)? = peerChannel.identity.value { return problem.description }
        return nil
    }

    /// The shell around the connection core: a reader, a writer, the ingest
    /// pipeline, node events and a ticker feed one loop that steps the
    /// `ConnectionDriver` and hands out the work it returns. Every decision
    /// (what to send when, timeouts, photos, trust) is the core's.
    private func drive(
        peer: NodeID, configuration: Connection.Configuration,
        inbound: NIOAsyncChannelInboundStream<Frame>, outbound: NIOAsyncChannelOutboundWriter<[Frame]>,
        logger: Logger, established: inout Bool
    ) async -> ConnectionEnding {
        let node = self.node
        let store = node.store
        let counts = peerChannel.counts
        let environment = NodeEnvironment(node: node, peer: peer, direction: direction,
                                          address: dialedAddress ?? peerChannel.remoteAddress, counts: counts,
                                          ticket: ticket, logger: logger)
        let (inputs, input) = AsyncStream<Connection.Event>.makeStream()
        let (ingestQueue, ingestInput) = AsyncStream<(tag: Int, raw: [[UInt8]])>.makeStream()
        let (writeQueue, writeInput) = AsyncStream<[Frame]>.makeStream()
        // Backpressure: the reader takes a credit for each ENTRIES frame and
        // the ingest returns it, so at most `ingestCredits` frames wait in
        // memory when storing is slower than the link.
        let (credits, creditInput) = AsyncStream<Void>.makeStream()
        for _ in 0..<Self.ingestCredits { creditInput.yield() }
        let subscription = node.subscribe()
        defer { node.unsubscribe(subscription) }

        // Not a child of the group below: when the connection ends, what was
        // received whole is still verified and stored (PROTOCOL.md §5), so
        // this task is finished and awaited; cancelled only when the node
        // stops and it is still busy after `stopDrain`.
        let ingestTask = Task {
            let pipeline = IngestPipeline(store: store, origin: peer)
            do {
                try await pipeline.run(ingestQueue) { outcome in
                    // The node hears of what was stored here, not from the
                    // core's loop: a batch stored after a cut ended that loop
                    // must still wake the views and the other connections
                    // (it once sat unseen until the next entry arrived).
                    node.noteIngest(outcome.result, from: peer)
                    input.yield(.ingested(outcome))
                    creditInput.yield()
                }
            } catch {
                input.yield(.storageFailed("could not store entries: \(error)"))
            }
        }
        return await withTaskGroup(of: Void.self, returning: ConnectionEnding.self) { group in
            group.addTask {
                var credit = credits.makeAsyncIterator()
                do {
                    for try await frame in inbound {
                        if case .entries = frame, await credit.next() == nil { return }
                        input.yield(.received(frame))
                    }
                    input.yield(.linkLost("the peer closed the connection"))
                } catch let error as FrameError {
                    input.yield(.decodingFailed(error))
                } catch {
                    input.yield(.linkLost("connection lost: \(error)"))
                }
            }
            // The one writer: the core hands it a batch at a time.
            group.addTask {
                for await frames in writeQueue {
                    do {
                        try await outbound.write(frames)
                        // Returns once the channel is writable again, i.e. the
                        // batch has mostly gone to the kernel: `.written` then
                        // tells the core how fast the link drains (§7.15), not
                        // how fast NIO's buffer took the batch.
                        try await outbound.write([])
                        input.yield(.written)
                    } catch {
                        input.yield(.linkLost("connection lost while sending: \(error)"))
                        return
                    }
                }
            }
            group.addTask {
                for await event in subscription.stream {
                    switch event {
                    case .feedAdvanced: input.yield(.feedAdvanced)
                    case .admitted(let authors): input.yield(.admitted(authors))
                    case .rosterChanged: input.yield(.trustChanged(trusted: node.trusts(peer), refusal: node.refusalMessage(for: peer)))
                    case .shutdown: input.yield(.shutdown)
                    case .photosReferenced: input.yield(.photosReferenced)
                    case .photoHeld(let sha): input.yield(.photoHeldHere(sha))
                    case .peersChanged: break
                    }
                }
            }
            let tick = node.timing.tick
            group.addTask {
                var last = (in: 0, out: 0)
                while (try? await Task.sleep(for: tick)) != nil {
                    let now = (in: counts.receivedBytes, out: counts.sentBytes)
                    environment.linkTick((now.in - last.in, now.out - last.out), seconds: Double(tick.milliseconds) / 1000)
                    last = now
                    input.yield(.tick(bytesIn: now.in, bytesOut: now.out))
                }
            }

            var driver = ConnectionDriver(configuration, environment: environment)
            // A connection that starts while the node is stopping says so at once.
            var queue: [Connection.Event] = Task.isShuttingDownGracefully || node.isStopping ? [.start, .shutdown] : [.start]
            var iterator = inputs.makeAsyncIterator()
            var ending: ConnectionEnding = .closed("the connection ended")
            // The ERROR that ends the connection; written once the writer
            // has stopped, so nothing follows it on the wire.
            var farewell: ProtocolError?
            let dialed = dialedAddress != nil
            /// This task was cancelled: a dialer removed from the peer list
            /// tells the peer so; otherwise the node is stopping.
            func cancelled() -> Connection.Event {
                dialed && !Task.isShuttingDownGracefully ? .removed : .shutdown
            }

            loop: while true {
                let event: Connection.Event
                if !queue.isEmpty {
                    event = queue.removeFirst()
                } else if let next = await iterator.next() {
                    event = next
                } else {
                    guard Task.isCancelled, !driver.isClosed else { break }
                    queue.append(cancelled())
                    continue
                }
                if logger.logLevel <= .trace { logger.trace("event \(Self.describe(event))") }
                for work in await driver.step(event) {
                    switch work {
                    case .write(let frames):
                        writeInput.yield(frames)
                    case .ingest(let tag, let entries):
                        ingestInput.yield((tag, entries))
                    case .close(let error, let why):
                        farewell = error
                        ending = why
                        break loop
                    case .interrupted:
                        queue.append(cancelled())
                    }
                }
                if !established && driver.connection.status.established { established = true }
            }
            if established { node.metrics.connected.decrement() }
            if case .refusedByUs(let e) = ending, e.known == .internal { logger.error("sync stopped: \(e.message)") }
            writeInput.finish()
            ingestInput.finish()
            input.finish()
            logger.trace("connection ending: \(ending)")
            group.cancelAll()
            await group.waitForAll()
            logger.trace("connection tasks stopped")
            // The reader has stopped; what it handed over is stored before
            // the connection counts as ended (at most `ingestCredits` frames).
            // When this node is stopping, only for a moment: the stop must
            // finish within systemd's limit, and what is not stored now is
            // simply sent again at the next connection.
            if case .shutdown = ending {
                // A task's value ignores cancellation: without the handler
                // the timeout would wait for the whole backlog anyway (a
                // stop under load once took 5.07 s, 4 s of it here).
                _ = try? await withTimeout(Self.stopDrain) {
                    await withTaskCancellationHandler { await ingestTask.value } onCancel: { ingestTask.cancel() }
                }
            }
            await ingestTask.value
            logger.trace("received entries stored")
            creditInput.finish()
            // Only now: nothing of this connection writes photo chunks any more.
            node.releasePhotos(driver.connection.photosOutstanding)
            if let farewell { await Self.finalWrite([.error(farewell)], outbound) }
            logger.trace("farewell written")
            outbound.finish()
            return ending
        }
    }

    private func record(_ ending: ConnectionEnding, peer: NodeID, established: Bool, logger: Logger) {
        let refused = ending.isRefusal
        // A row forgotten meanwhile (the peer was removed from the config,
        // or a stranger's row made way for newer ones) is not brought back.
        node.peers.update(peer, direction: direction, address: nil, create: false) {
            if established { $0.connections = max(0, $0.connections - 1) }
            // Another connection with the same node may still be up.
            guard $0.connections == 0 else { return }
            $0.state = refused ? .refused : .disconnected
            $0.detail = ending.description
            if $0.connectedSinceMs != nil { $0.lastSeenMs = Self.nowMs() }
            $0.connectedSinceMs = nil
            $0.inSync = false
            $0.bytesIn = peerChannel.counts.receivedBytes
            $0.bytesOut = peerChannel.counts.sentBytes
        }
        if case .refusedByUs(let e) = ending { node.metrics.connectionRefused(e.code) }
        if refused {
            logger.warning("connection refused: \(ending)")
        } else {
            logger.info("disconnected: \(ending)")
        }
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// ENTRIES frames taken from the socket and not yet stored (PROTOCOL.md
    /// §7.6): one being verified while the one before it is written.
    static let ingestCredits = 2
    /// How long a stopping node goes on storing frames already received.
    static let stopDrain: Duration = .milliseconds(1500)

    /// The last frame of a connection (an ERROR): written even when this
    /// task is cancelled (a removed dialer still says goodbye), but given up
    /// after a second if the peer is not reading: with the small write
    /// buffer of §7.15 a peer that stopped reading leaves no room for it,
    /// and a stopping node must be done within its 5 s.
    static func finalWrite(_ frames: [Frame], _ outbound: NIOAsyncChannelOutboundWriter<[Frame]>) async {
        await Task { _ = try? await withTimeout(.seconds(1)) { try await outbound.write(frames) } }.value
    }

    static func describe(_ event: Connection.Event) -> String {
        switch event {
        case .received(let frame): "received \(frame.name)"
        case .headsLoaded(let s): "headsLoaded(\(s.heads.count) at \(s.position))"
        case .compared(let r, let c): "compared(\(r), \(c.count))"
        case .ingested(let o): "ingested(tag \(o.tag), stored \(o.result.stored))"
        case .entriesRead(let e): "entriesRead(\(e.count))"
        case .photoRead(let sha, _, let offset, let bytes): "photoRead(\(sha.hex.prefix(8)) at \(offset), \(bytes.count))"
        default: "\(event)"
        }
    }
}

/// The peer's side of the connection is gone: not a storage problem.
struct OutboundClosed: Error {}

struct TimeoutError: Error, CustomStringConvertible {
    let after: Duration
    var description: String { "timed out after \(after)" }
}

/// Runs `body`, throwing `TimeoutError` if it takes longer than `limit`.
func withTimeout<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimeoutError(after: limit)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

extension UInt64 {
    func subtractingClamped(_ n: Int) -> UInt64 {
        let other = UInt64(Swift.max(0, n))
        return self > other ? self - other : 0
    }
}
