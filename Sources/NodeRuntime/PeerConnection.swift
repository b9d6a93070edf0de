import Foundation
import Logging
import NIOCore
import Replication

/// How a connection ended, for the dialer's backoff and for status.
public enum ConnectionEnding: Sendable, Equatable, CustomStringConvertible {
    case handshakeFailed(String)
    /// We refused the peer or its data; the ERROR we sent.
    case refusedByUs(ProtocolError)
    /// The peer sent ERROR.
    case refusedByPeer(ProtocolError)
    case closed(String)
    case timeout
    case shutdown

    /// The connection ended because one side refused the other (not a
    /// member, wrong network, bad data): retrying soon will not help.
    public var isRefusal: Bool {
        switch self {
        case .refusedByUs(let e), .refusedByPeer(let e): e.known != .shuttingDown
        default: false
        }
    }

    public var description: String {
        switch self {
        case .handshakeFailed(let why): "TLS handshake failed: \(why)"
        case .refusedByUs(let e): "we closed the connection (\(e.code)): \(e.message)"
        case .refusedByPeer(let e): "the peer closed the connection (\(e.code)): \(e.message)"
        case .closed(let why): why
        case .timeout: "no data from the peer for too long (link down?)"
        case .shutdown: "this node is shutting down"
        }
    }
}

/// Carries out one `SyncSession` over one TLS channel: reads frames into the
/// session, runs its actions against the store, streams wanted entries in
/// their own task, and verifies and stores received entries in the ingest
/// pipeline's, so that reading, verifying, storing and serving overlap.
struct PeerConnection {
    let node: Node
    let peerChannel: PeerChannel
    /// The configured address for outbound connections; nil for inbound ones.
    let dialedAddress: String?
    /// The listener's admission slot of an inbound connection: pending until
    /// HELLO is accepted both ways.
    var ticket: ConnectionAdmission.Ticket? = nil

    private enum Input: Sendable {
        case session(SyncSession.Event)
        case ended(String)
        case tick
        case rosterChanged
        case photosReferenced
        case cannotServe
        /// The local database failed while serving or storing.
        case storageFailed(String)
        /// A photo's last chunk was written and its hash checked.
        case photoHeld(Bytes32)
        case photoRefused(Bytes32, String)
    }

    private struct PhotoChunk: Sendable {
        let sha256: Bytes32
        let total: UInt64
        let offset: UInt64
        let bytes: [UInt8]
    }

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
            return (nil, false, .handshakeFailed(identityProblem() ?? "\(error)"))
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
        let configuration = SyncSession.Configuration(
            network: store.network, local: node.id, peer: peer, peerTrusted: node.trusts(peer), agent: node.agent,
            feed: store.feed, checkpoint: (try? await store.checkpoint(for: peer)) ?? nil, name: node.name,
            refusal: node.refusalMessage(for: peer), rosterOnlyFor: rosterOnly)
        node.peers.update(peer, direction: direction, address: dialedAddress ?? peerChannel.remoteAddress) {
            if $0.connections == 0 { $0.state = .connecting }
            $0.detail = nil
        }
        var established = false
        let ending: ConnectionEnding
        do {
            ending = try await channel.executeThenClose { inbound, outbound in
                try await drive(peer: peer, configuration: configuration, inbound: inbound, outbound: outbound,
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

    private func drive(
        peer: NodeID, configuration: SyncSession.Configuration,
        inbound: NIOAsyncChannelInboundStream<Frame>, outbound: NIOAsyncChannelOutboundWriter<[Frame]>,
        logger: Logger, established: inout Bool
    ) async throws -> ConnectionEnding {
        let node = self.node
        let store = node.store
        let counts = peerChannel.counts
        let (inputs, input) = AsyncStream<Input>.makeStream()
        let (ingestQueue, ingestInput) = AsyncStream<(tag: Int, raw: [[UInt8]])>.makeStream()
        let (serveQueue, serveInput) = AsyncStream<[WantRange]>.makeStream()
        // Backpressure: the reader takes a credit for each ENTRIES frame and
        // the ingest returns it, so at most `ingestCredits` frames (4 MiB
        // each) wait in memory when storing is slower than the link.
        let (credits, creditInput) = AsyncStream<Void>.makeStream()
        // The session's own frames (HELLO, HEADS, WANT, PONG) go through a
        // writer task, so the main loop never waits on the network: two
        // peers pushing bulk ENTRIES at each other cannot deadlock it.
        let (sendQueue, sendInput) = AsyncStream<[Frame]>.makeStream()
        // Photo requests are served in their own task, a chunk (256 KiB at
        // most) at a time, so entries never wait behind a whole photo.
        let (photoQueue, photoInput) = AsyncStream<[BlobRequest]>.makeStream()
        // Received photo chunks are written (and fsynced, and finally hashed)
        // in their own task, so the entries behind them on the link wait for
        // none of it.
        let (photoChunks, photoChunkInput) = AsyncStream<PhotoChunk>.makeStream()
        for _ in 0..<Self.ingestCredits { creditInput.yield() }
        let subscription = node.subscribe()
        defer { node.unsubscribe(subscription) }
        let direction = self.direction
        let address = dialedAddress ?? peerChannel.remoteAddress

        // Not a child of the group below: when the connection ends, what was
        // received whole is still verified and stored (PROTOCOL.md §5), so
        // this task is finished and awaited, never cancelled.
        let ingestTask = Task {
            let pipeline = IngestPipeline(store: store, origin: peer)
            do {
                try await pipeline.run(ingestQueue) { outcome in
                    node.noteIngest(outcome.result, from: peer)
                    if !outcome.result.forks.isEmpty {
                        node.peers.update(peer, direction: direction, address: address) { $0.forks += outcome.result.forks.count }
                    }
                    input.yield(.session(.ingested(outcome)))
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
                        input.yield(.session(.received(frame)))
                    }
                    input.yield(.ended("the peer closed the connection"))
                } catch let error as FrameError {
                    input.yield(.session(.decodingFailed(error)))
                } catch {
                    input.yield(.ended("connection lost: \(error)"))
                }
            }
            group.addTask {
                for await ranges in serveQueue {
                    do {
                        let complete = try await store.serve(ranges) { frames in
                            do { try await outbound.write(frames) } catch { throw OutboundClosed() }
                            let n = frames.reduce(0) { if case .entries(let e) = $1 { $0 + e.count } else { $0 } }
                            let now = Self.nowMs()
                            node.peers.update(peer, direction: direction, address: address) {
                                $0.entriesSent += n
                                $0.lastEntrySentMs = now
                                $0.entriesPeerBehind = $0.entriesRequestedByPeer.subtractingClamped($0.entriesSent)
                            }
                        }
                        if !complete {
                            input.yield(.cannotServe)
                            return
                        }
                    } catch is OutboundClosed {
                        return
                    } catch is CancellationError {
                        return
                    } catch {
                        input.yield(.storageFailed("could not read entries to serve: \(error)"))
                        return
                    }
                }
            }
            group.addTask {
                for await event in subscription.stream {
                    switch event {
                    case .feedAdvanced: input.yield(.session(.feedAdvanced))
                    case .admitted(let authors): input.yield(.session(.admitted(authors)))
                    case .rosterChanged: input.yield(.rosterChanged)
                    case .shutdown: input.yield(.session(.shutdown))
                    case .photosReferenced: input.yield(.photosReferenced)
                    case .peersChanged: break
                    }
                }
            }
            group.addTask {
                for await requests in photoQueue {
                    for request in requests {
                        let sha = request.sha256
                        let photos = node.photos
                        let held = await OffPool.run { () -> UInt64? in
                            guard let photos, photos.serves(sha) else { return nil }
                            return photos.blobs.size(sha)
                        }
                        guard let photos, let total = held else {
                            do { try await outbound.write([.blobNone(request.sha256)]) } catch { return }
                            continue
                        }
                        var offset = min(request.offset, total)
                        repeat {
                            let at = offset
                            let chunk = await OffPool.run { photos.blobs.read(sha, offset: at, length: Frame.maximumBlobChunk) ?? [] }
                            do {
                                try await outbound.write([.blobData(sha256: request.sha256, total: total, offset: offset, bytes: chunk)])
                            } catch { return }
                            offset += UInt64(chunk.count)
                            if chunk.isEmpty { break }
                        } while offset < total
                    }
                }
            }
            group.addTask {
                for await chunk in photoChunks {
                    guard let photos = node.photos else { continue }
                    do {
                        // Written, fsynced and (at the end) hashed off the cooperative pool.
                        let complete = try await OffPool.run {
                            try photos.blobs.append(chunk.sha256, total: chunk.total, offset: chunk.offset, bytes: chunk.bytes)
                        }
                        if complete {
                            await node.notePhotoHeld(chunk.sha256)
                            input.yield(.photoHeld(chunk.sha256))
                        }
                    } catch BlobStore.Failure.offsetMismatch {
                        continue
                    } catch {
                        input.yield(.photoRefused(chunk.sha256, "\(error)"))
                    }
                }
            }
            group.addTask {
                for await frames in sendQueue {
                    do { try await outbound.write(frames) } catch {
                        input.yield(.ended("connection lost while sending: \(error)"))
                        return
                    }
                }
            }
            let tick = node.timing.tick
            group.addTask {
                while (try? await Task.sleep(for: tick)) != nil { input.yield(.tick) }
            }

            var session = SyncSession(configuration)
            // A connection that starts while the node is stopping says so at once.
            var queue: [SyncSession.Event] = Task.isShuttingDownGracefully || node.isStopping ? [.start, .shutdown] : [.start]
            var iterator = inputs.makeAsyncIterator()
            var idle = IdleClock(counts: counts)
            var ending: ConnectionEnding = .closed("the connection ended")
            var photoFetch = PhotoFetch()
            // The ERROR that ends the connection; written once every other
            // writer has stopped, so nothing follows it on the wire.
            var farewell: ProtocolError?
            let dialed = dialedAddress != nil
            /// This task was cancelled. A dialer removed from the peer list
            /// tells the peer so; otherwise the node is stopping, which the
            /// session says (returns the event to handle, if any).
            func cancelled() -> SyncSession.Event? {
                if dialed && !Task.isShuttingDownGracefully {
                    farewell = ProtocolError(.shuttingDown, "this node no longer dials you (removed from its peer list)")
                    ending = .closed("no longer dialled: removed from the peer list")
                    return nil
                }
                return .shutdown
            }
            func requestPhotos() async {
                guard let photos = node.photos, photoFetch.outstanding.isEmpty, session.isInSync else { return }
                let refused = photoFetch.refused, id = node.id
                let wanted = node.claimPhotos(await OffPool.run { photos.wanted(node: id, excluding: refused) })
                guard !wanted.isEmpty else { return }
                photoFetch.outstanding.formUnion(wanted.map(\.sha256))
                photoFetch.lastProgress = ContinuousClock.now
                sendInput.yield([.blobWant(wanted)])
            }
            func finishPhoto(_ sha: Bytes32) async {
                // Only what this connection asked for: a peer naming any
                // other hash must not release another connection's claim.
                guard photoFetch.outstanding.remove(sha) != nil else { return }
                photoFetch.lastProgress = ContinuousClock.now
                node.releasePhotos([sha])
                if photoFetch.outstanding.isEmpty { await requestPhotos() }
            }

            loop: while true {
                let event: SyncSession.Event
                if !queue.isEmpty {
                    event = queue.removeFirst()
                } else {
                    guard let next = await iterator.next() else {
                        if Task.isCancelled, !session.isClosed, let event = cancelled() {
                            queue.append(event)
                            continue
                        }
                        break
                    }
                    switch next {
                    case .session(.received(let frame)) where session.isEstablished && frame.isBlobFrame:
                        switch frame {
                        case .blobWant(let requests):
                            photoInput.yield(requests)
                        case .blobNone(let sha):
                            photoFetch.refused.insert(sha)
                            await finishPhoto(sha)
                        case .blobData(let sha, let total, let offset, let bytes):
                            guard photoFetch.outstanding.contains(sha), node.photos != nil else { continue }
                            photoFetch.lastProgress = ContinuousClock.now
                            photoChunkInput.yield(PhotoChunk(sha256: sha, total: total, offset: offset, bytes: bytes))
                        default:
                            break
                        }
                        continue
                    case .session(.feedAdvanced):
                        await requestPhotos()
                        event = .feedAdvanced
                    case .session(let e):
                        event = e
                    case .ended(let why):
                        ending = .closed(why)
                        break loop
                    case .cannotServe:
                        farewell = ProtocolError(.internal, "cannot serve the entries wanted; try another peer")
                        ending = .refusedByUs(ProtocolError(.internal, "could not serve a WANT (entries no longer held)"))
                        break loop
                    case .storageFailed(let why):
                        logger.error("sync stopped: the local database failed: \(why)")
                        farewell = ProtocolError(.internal, "local storage error")
                        // A refusal, so the dialer keeps backing off (§7.13).
                        ending = .refusedByUs(ProtocolError(.internal, "local database error: \(why)"))
                        break loop
                    case .rosterChanged:
                        guard session.isEstablished, !session.isRosterOnly, !node.trusts(peer) else { continue }
                        event = .peerNoLongerTrusted(node.refusalMessage(for: peer))
                    case .photosReferenced:
                        await requestPhotos()
                        continue
                    case .photoHeld(let sha):
                        logger.debug("photo \(sha.hex.prefix(12)) received and verified")
                        await finishPhoto(sha)
                        continue
                    case .photoRefused(let sha, let why):
                        logger.warning("photo \(sha.hex.prefix(12)) from this peer was refused: \(why)")
                        photoFetch.refused.insert(sha)
                        await finishPhoto(sha)
                        continue
                    case .tick:
                        // A peer that stopped answering photo requests (or
                        // cannot) gives them up, so another peer can serve them.
                        if !photoFetch.outstanding.isEmpty, ContinuousClock.now - photoFetch.lastProgress > Self.photoStall {
                            logger.info("photo requests to this peer made no progress for \(Self.photoStall); asking others")
                            photoFetch.refused.formUnion(photoFetch.outstanding)
                            node.releasePhotos(photoFetch.outstanding)
                            photoFetch.outstanding = []
                        }
                        let (bytesIn, bytesOut) = idle.advance()
                        node.metrics.bytesIn.increment(by: bytesIn)
                        node.metrics.bytesOut.increment(by: bytesOut)
                        if bytesIn + bytesOut > 0 {
                            let now = Self.nowMs()
                            node.peers.update(peer, direction: direction, address: nil) { $0.lastSeenMs = now }
                        }
                        update(peer, session: session)
                        if session.isRosterOnly && session.isEstablished && idle.sinceStart >= node.timing.revokedGrace {
                            // The revoked peer has had its chance to fetch its revocation.
                            event = .peerNoLongerTrusted(node.refusalMessage(for: peer))
                        } else if idle.sinceReceived >= node.timing.idleReceive
                            || (!session.isEstablished && idle.sinceStart >= node.timing.handshakeTimeout)
                        {
                            event = .receiveIdle
                        } else if idle.sinceSent >= node.timing.idleSend {
                            event = .sendIdle
                        } else {
                            continue
                        }
                    }
                }
                let actions = session.handle(event)
                logger.trace("session", metadata: ["event": "\(Self.describe(event))", "actions": "\(actions.map(Self.describe))"])
                for action in actions {
                    switch action {
                    case .close(let error, let reason):
                        farewell = error
                        switch reason {
                        case .refused(let e): ending = .refusedByUs(e)
                        case .peerError(let e): ending = .refusedByPeer(e)
                        case .timeout: ending = .timeout
                        case .shutdown: ending = .shutdown
                        }
                        break loop
                    case .established(let hello):
                        established = true
                        ticket?.established()
                        node.metrics.connected.increment()
                        let now = Self.nowMs()
                        node.peers.update(peer, direction: direction, address: address) {
                            $0.state = .connected
                            $0.connections += 1
                            $0.agent = hello.agent
                            if let name = hello.name, !name.isEmpty { $0.name = String(name.prefix(100)) }
                            $0.connectedSinceMs = now
                            $0.lastConnectedMs = now
                            $0.lastSeenMs = now
                            $0.detail = nil
                            $0.retryAtMs = nil
                        }
                        logger.info("connected", metadata: ["agent": "\(hello.agent)", "direction": "\(direction)"])
                    default:
                        do {
                            if let answer = try await perform(action, peer: peer, send: sendInput,
                                                               ingest: ingestInput, serve: serveInput) {
                                queue.append(answer)
                            }
                        } catch where error is CancellationError || Task.isCancelled {
                            if let event = cancelled() {
                                queue.append(event)
                                continue loop
                            }
                            break loop
                        } catch {
                            logger.error("sync stopped: the local database failed: \(error)")
                            farewell = ProtocolError(.internal, "local storage error")
                            ending = .refusedByUs(ProtocolError(.internal, "local database error: \(error)"))
                            break loop
                        }
                    }
                }
                update(peer, session: session)
                if actions.contains(.synced) { await requestPhotos() }
            }
            photoInput.finish()
            photoChunkInput.finish()
            if established { node.metrics.connected.decrement() }
            sendInput.finish()
            ingestInput.finish()
            serveInput.finish()
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
            if case .shutdown = ending, (try? await withTimeout(Self.stopDrain, { await ingestTask.value })) == nil {
                ingestTask.cancel()
            }
            await ingestTask.value
            logger.trace("received entries stored")
            creditInput.finish()
            // Only now: the chunk writer has stopped, so another connection
            // that claims these photos is not writing beside it.
            node.releasePhotos(photoFetch.outstanding)
            if let farewell { await Self.finalWrite([.error(farewell)], outbound) }
            logger.trace("farewell written")
            outbound.finish()
            return ending
        }
    }

    private func perform(
        _ action: SyncSession.Action, peer: NodeID, send: AsyncStream<[Frame]>.Continuation,
        ingest: AsyncStream<(tag: Int, raw: [[UInt8]])>.Continuation, serve: AsyncStream<[WantRange]>.Continuation
    ) async throws -> SyncSession.Event? {
        let store = node.store
        switch action {
        case .send(let frames):
            send.yield(frames)
        case .loadHeads(let after, let excludingPeer):
            return .headsLoaded(try await store.heads(movedAfter: Int64(clamping: after), excludingOrigin: excludingPeer ? peer : nil))
        case .compare(let request, let heads):
            node.noteOffered(heads)
            return .compared(request: request, try await store.compare(heads))
        case .comparePending(let request):
            let heads = try await store.pendingHeads(offeredBy: peer)
            return .compared(request: request, heads.isEmpty ? [] : try await store.compare(heads))
        case .serve(let ranges):
            serve.yield(ranges)
        case .ingest(let tag, let raw):
            ingest.yield((tag, raw))
            let now = Self.nowMs()
            node.peers.update(peer, direction: direction, address: nil) {
                $0.entriesReceived += raw.count
                $0.lastEntryReceivedMs = now
            }
        case .saveCheckpoint(let checkpoint):
            try await store.saveCheckpoint(checkpoint, for: peer)
        case .savePending(let heads):
            try await store.savePending(heads, offeredBy: peer)
        case .synced:
            node.peers.update(peer, direction: direction, address: nil) { $0.inSync = true }
        case .established, .close:
            break
        }
        return nil
    }

    private func update(_ peer: NodeID, session: SyncSession) {
        let counts = peerChannel.counts
        node.peers.update(peer, direction: direction, address: nil) {
            $0.bytesIn = counts.receivedBytes
            $0.bytesOut = counts.sentBytes
            $0.entriesBehind = session.entriesOutstanding
            $0.entriesRequestedByPeer = session.counters.entriesServedRequested
            $0.entriesWantedTwice = session.counters.entriesWantedTwice
            $0.pendingDropped = session.counters.pendingDropped
            $0.entriesPeerBehind = $0.entriesRequestedByPeer.subtractingClamped($0.entriesSent)
            $0.inSync = session.isInSync
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
    static let photoStall: Duration = .seconds(60)
    /// How long a stopping node goes on storing frames already received.
    static let stopDrain: Duration = .milliseconds(1500)

    /// The last frame of a connection (an ERROR): written even when this
    /// task is cancelled (a removed dialer still says goodbye), but given up
    /// after a moment if the peer is not reading.
    static func finalWrite(_ frames: [Frame], _ outbound: NIOAsyncChannelOutboundWriter<[Frame]>) async {
        await Task { _ = try? await withTimeout(.seconds(2)) { try await outbound.write(frames) } }.value
    }

    static func describe(_ event: SyncSession.Event) -> String {
        switch event {
        case .received(let frame): "received \(frame.name)"
        case .headsLoaded(let s): "headsLoaded(\(s.heads.count) at \(s.position))"
        case .compared(let r, let c): "compared(\(r), \(c.count))"
        case .ingested(let o): "ingested(tag \(o.tag), stored \(o.result.stored))"
        default: "\(event)"
        }
    }

    static func describe(_ action: SyncSession.Action) -> String {
        switch action {
        case .send(let frames): "send \(frames.map(\.name))"
        case .ingest(let tag, let raw): "ingest(tag \(tag), \(raw.count))"
        case .serve(let ranges): "serve(\(ranges.count) ranges)"
        case .compare(let r, let heads): "compare(\(r), \(heads.count))"
        default: "\(action)"
        }
    }
}

/// Tracks when bytes last moved each way, from the connection's counters.
struct IdleClock {
    let counts: ByteCounts
    var lastIn = 0
    var lastOut = 0
    var lastInChange = ContinuousClock.now
    var lastOutChange = ContinuousClock.now
    let started = ContinuousClock.now

    init(counts: ByteCounts) { self.counts = counts }

    /// Bytes moved since the last call, each way.
    mutating func advance() -> (Int, Int) {
        let now = ContinuousClock.now
        let bytesIn = counts.receivedBytes, bytesOut = counts.sentBytes
        defer {
            lastIn = bytesIn
            lastOut = bytesOut
        }
        if bytesIn != lastIn { lastInChange = now }
        if bytesOut != lastOut { lastOutChange = now }
        return (bytesIn - lastIn, bytesOut - lastOut)
    }

    var sinceReceived: Duration { ContinuousClock.now - lastInChange }
    var sinceSent: Duration { ContinuousClock.now - lastOutChange }
    var sinceStart: Duration { ContinuousClock.now - started }
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
