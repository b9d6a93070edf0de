/// One sync connection as a pure state machine: the `SyncSession` (HELLO,
/// HEADS, WANT, ENTRIES), the photo exchange, liveness timers, the trust
/// re-check, and the order and size of everything sent. Events go in with
/// the time (an injected clock in ms); actions come out for a driver to
/// carry out. `ConnectionDriver` is that driver, for the daemon and the
/// simulator alike; only how bytes move and where time comes from differ.
///
/// Sending is pulled, not pushed: the writer holds one batch at a time, and
/// entries or photo data are read from storage only when their lane is
/// empty, so whatever is queued below this core is at most one data frame
/// sized to the link (PROTOCOL.md §7.15).
public struct Connection: Sendable {
    public struct Configuration: Sendable {
        public var session: SyncSession.Configuration
        public var timing: ConnectionTiming
        /// Whether this node fetches photos from peers at all.
        public var fetchesPhotos: Bool
        /// The most bytes of one ENTRIES frame, and of one BLOB_DATA chunk.
        public var maximumEntriesPayload: Int
        public var maximumBlobChunk: Int

        public init(session: SyncSession.Configuration, timing: ConnectionTiming = ConnectionTiming(), fetchesPhotos: Bool,
                    maximumEntriesPayload: Int = Frame.maximumEntriesPayload, maximumBlobChunk: Int = Frame.maximumBlobChunk) {
            self.session = session
            self.timing = timing
            self.fetchesPhotos = fetchesPhotos
            self.maximumEntriesPayload = maximumEntriesPayload
            self.maximumBlobChunk = maximumBlobChunk
        }
    }

    public enum Event: Sendable {
        case start
        case received(Frame)
        /// Inbound bytes were not a valid frame.
        case decodingFailed(FrameError)
        /// The link is gone (the peer closed it, or a read or write failed).
        case linkLost(String)
        /// The writer finished the batch of the last `.write`.
        case written
        /// Answers to the session's actions, in order.
        case headsLoaded(HeadsSnapshot)
        case compared(request: Int, [HeadComparison])
        case ingested(IngestPipeline.Outcome)
        /// Answer to `.readEntries`: entry bytes in the order asked.
        case entriesRead([[UInt8]])
        /// Answer to `.choosePhotos`: photos claimed for this connection.
        case photosChosen([PhotoRequest])
        /// Answer to `.readPhoto`; a nil total when the photo is not served here.
        case photoRead(Bytes32, total: UInt64?, offset: UInt64, bytes: [UInt8])
        /// Answer to `.readPhotoPieces`; nil when the photo is not served here.
        case photoPiecesRead(Bytes32, (total: UInt64, hashes: [Bytes32])?)
        /// Answer to `.storePhotoPieces`: the bytes held after checking them.
        case photoPiecesStored(Bytes32, held: UInt64)
        /// Answer to `.storePhotoChunk`.
        case photoChunkStored(Bytes32, complete: Bool)
        /// The photo cannot be taken from this peer now (too large, storage).
        case photoRefused(Bytes32, String)
        /// The peer sent bytes that failed verification: a bad piece (cut
        /// back, the rest kept), or a whole photo with the wrong hash.
        case photoRejected(Bytes32, String)
        /// The local feed grew.
        case feedAdvanced
        /// These authors' entries are accepted now.
        case admitted([NodeID])
        /// The node saw new photo references.
        case photosReferenced
        /// The node holds this photo now (received on any connection).
        case photoHeldHere(Bytes32)
        /// The roster changed: whether the peer is still trusted, and the
        /// words of the refusal if not.
        case trustChanged(trusted: Bool, refusal: String?)
        /// Time passed; the link's byte counters so far.
        case tick(bytesIn: Int, bytesOut: Int)
        /// The local database failed.
        case storageFailed(String)
        case shutdown
        /// This node stopped dialling the peer (removed from its peer list).
        case removed
    }

    public enum Action: Sendable, Equatable {
        /// Hand these frames to the writer; answer `.written` when done.
        case write([Frame])
        /// Heads moved after the position, only those of authors the
        /// peer's interest selects (nil: all; PROTOCOL.md §7.16).
        case loadHeads(after: UInt64, excludingPeer: Bool, interest: Interest?)
        case compare(request: Int, heads: [Head])
        case comparePending(request: Int, authors: [NodeID]?)
        /// Verify and store (after earlier tags); answer `.ingested`.
        case ingest(tag: Int, entries: [[UInt8]])
        /// Saved with the interest this node sent, which it was made under.
        case saveCheckpoint(Checkpoint, interest: Interest?)
        case savePending([Head])
        case saveOffered([Head])
        /// Read entries of these ranges in order, from the first, up to
        /// `maxBytes` (at least one entry); answer `.entriesRead`.
        case readEntries([WantRange], maxBytes: Int)
        /// Ask the photo policy for photos to fetch (and claim them).
        case choosePhotos(excluding: Set<Bytes32>)
        /// Let other connections fetch these.
        case releasePhotos(Set<Bytes32>)
        case readPhoto(Bytes32, offset: UInt64, length: Int)
        case storePhotoChunk(Bytes32, total: UInt64, offset: UInt64, bytes: [UInt8])
        case readPhotoPieces(Bytes32)
        /// Keep a piece list checked against the reference.
        case storePhotoPieces(Bytes32, total: UInt64, hashes: [Bytes32])
        /// A photo arrived whole and verified.
        case photoHeld(Bytes32)
        case established(Hello)
        /// Send the ERROR (if any) after what is being written, then close.
        case close(farewell: ProtocolError?, ConnectionEnding)
    }

    public let configuration: Configuration
    public private(set) var session: SyncSession
    private var outbox = Outbox()
    private var serving = EntryServing()
    private var blobs = BlobExchange()
    private var liveness: Liveness
    private var rate = LinkRate()
    private var closed = false
    public private(set) var status = ConnectionStatus()

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        self.session = SyncSession(configuration.session)
        self.liveness = Liveness(timing: configuration.timing)
    }

    public var isClosed: Bool { closed }
    /// Photos claimed by this connection and not yet whole: released by the
    /// driver when the connection ends.
    public var photosOutstanding: Set<Bytes32> { blobs.outstanding }
    /// The link's measured drain rate, once known.
    public var bytesPerSecond: Double? { rate.bytesPerSecond }

    public mutating func handle(_ event: Event, now: Int64) -> [Action] {
        guard !closed else { return [] }
        var actions: [Action] = []
        switch event {
        case .start:
            liveness.start(at: now)
            actions += session(.start, now: now)
        case .received(let frame):
            liveness.received(at: now)
            if frame.isBlobFrame && session.isEstablished {
                actions += blobFrame(frame, now: now)
            } else {
                actions += session(.received(frame), now: now)
            }
        case .decodingFailed(let error):
            actions += session(.decodingFailed(error), now: now)
        case .linkLost(let why):
            return close(nil, .closed(why))
        case .written:
            liveness.sent(at: now)
            if let done = outbox.written() {
                rate.record(bytes: done.bytes, busyMs: now - done.since)
                status.entriesSent += done.entries
            }
        case .headsLoaded(let snapshot):
            actions += session(.headsLoaded(snapshot), now: now)
        case .compared(let request, let comparisons):
            actions += session(.compared(request: request, comparisons), now: now)
        case .ingested(let outcome):
            status.forks += outcome.result.forks.count
            status.entriesDuplicate += outcome.result.duplicates
            actions += session(.ingested(outcome), now: now)
        case .entriesRead(let entries):
            guard serving.read(entries) else {
                return close(ProtocolError(.internal, "cannot serve the entries wanted; try another peer"),
                             .refusedByUs(ProtocolError(.internal, "could not serve a WANT (entries no longer held)")))
            }
            outbox.push([.entries(entries)], .entries)
        case .photosChosen(let requests):
            let frames = blobs.chosen(requests, at: now)
            if !frames.isEmpty { outbox.push(frames, .control) }
        case .photoPiecesRead(let sha, let list):
            let frame = blobs.piecesRead(sha, list)
            outbox.push([frame], SendPriority.of(frame))
        case .photoPiecesStored(let sha, let held):
            if let again = blobs.piecesKept(sha, held: held) { outbox.push([again], .control) }
        case .photoRead(let sha, let total, let offset, let bytes):
            let frame = blobs.read(sha, total: total, offset: offset, bytes: bytes)
            outbox.push([frame], SendPriority.of(frame))
        case .photoChunkStored(let sha, let complete):
            if complete, blobs.finish(sha, refused: false, at: now) {
                actions += [.photoHeld(sha), .releasePhotos([sha])]
                actions += choosePhotos(now: now)
            }
        case .photoRefused(let sha, _), .photoRejected(let sha, _):
            if case .photoRejected = event { status.photoRejects += 1 }
            if blobs.finish(sha, refused: true, at: now) {
                actions.append(.releasePhotos([sha]))
                actions += choosePhotos(now: now)
            }
        case .feedAdvanced:
            actions += choosePhotos(now: now)
            actions += session(.feedAdvanced, now: now)
        case .admitted(let authors):
            actions += session(.admitted(authors), now: now)
        case .photosReferenced:
            actions += choosePhotos(now: now)
        case .photoHeldHere(let sha):
            if session.isEstablished, let frame = blobs.heldHere(sha) { outbox.push([frame], .control) }
        case .trustChanged(let trusted, let refusal):
            if session.isEstablished, !session.isRosterOnly, !trusted {
                actions += session(.peerNoLongerTrusted(refusal), now: now)
            }
        case .tick(let bytesIn, let bytesOut):
            liveness.observe(bytesIn: bytesIn, bytesOut: bytesOut, at: now)
            let stalled = blobs.stalled(at: now, stallMs: configuration.timing.photoStallMs)
            if !stalled.isEmpty { actions.append(.releasePhotos(stalled)) }
            if !stalled.isEmpty || blobs.refusalExpired(at: now, retryMs: configuration.timing.photoStallMs) {
                actions += choosePhotos(now: now)
            }
            switch liveness.due(at: now, rosterOnly: session.isRosterOnly && session.isEstablished) {
            case .graceOver: actions += session(.peerNoLongerTrusted(configuration.session.refusal), now: now)
            case .receiveTimeout: actions += session(.receiveIdle, now: now)
            case .ping: actions += session(.sendIdle, now: now)
            case .nothing: break
            }
        case .storageFailed(let why):
            // A refusal, so the dialer keeps backing off (PROTOCOL.md §7.13).
            return close(ProtocolError(.internal, "local storage error"),
                         .refusedByUs(ProtocolError(.internal, "local database error: \(why)")))
        case .shutdown:
            actions += session(.shutdown, now: now)
        case .removed:
            return close(ProtocolError(.shuttingDown, "this node no longer dials you (removed from its peer list)"),
                         .closed("no longer dialled: removed from the peer list"))
        }
        if let i = actions.firstIndex(where: { if case .close = $0 { true } else { false } }) {
            closed = true
            return Array(actions[...i])
        }
        actions += pump(now: now)
        refreshStatus()
        return actions
    }

    /// Feeds the session and turns its actions into the connection's.
    private mutating func session(_ event: SyncSession.Event, now: Int64) -> [Action] {
        var actions: [Action] = []
        session.frameBudget = rate.budget
        for action in session.handle(event) {
            switch action {
            case .send(let frames):
                outbox.push(frames, .control)
            case .serve(let ranges):
                serving.add(ranges)
            case .loadHeads(let after, let excludingPeer):
                actions.append(.loadHeads(after: after, excludingPeer: excludingPeer, interest: session.peerHello?.interest))
            case .compare(let request, let heads):
                actions.append(.compare(request: request, heads: heads))
            case .comparePending(let request, let authors):
                actions.append(.comparePending(request: request, authors: authors))
            case .ingest(let tag, let entries):
                status.entriesReceived += entries.count
                status.entryBytesReceived += entries.reduce(0) { $0 + $1.count }
                actions.append(.ingest(tag: tag, entries: entries))
            case .saveCheckpoint(let checkpoint):
                actions.append(.saveCheckpoint(checkpoint, interest: session.configuration.interest))
            case .savePending(let heads):
                actions.append(.savePending(heads))
            case .saveOffered(let heads):
                actions.append(.saveOffered(heads))
            case .established(let hello):
                liveness.established(at: now)
                actions.append(.established(hello))
            case .synced:
                actions += choosePhotos(now: now)
            case .close(let error, let reason):
                let ending: ConnectionEnding = switch reason {
                case .refused(let e): .refusedByUs(e)
                case .peerError(let e): .refusedByPeer(e)
                case .timeout: .timeout
                case .shutdown: .shutdown
                }
                actions.append(.close(farewell: error, ending))
            }
        }
        return actions
    }

    private mutating func blobFrame(_ frame: Frame, now: Int64) -> [Action] {
        switch frame {
        case .blobWant(let requests):
            blobs.asked(requests)
        case .blobPiecesWant(let shas):
            blobs.askedPieces(shas)
        case .blobPieces(let sha, let total, let hashes):
            guard configuration.fetchesPhotos else { break }
            switch blobs.piecesArrived(sha, total: total, hashes: hashes, at: now) {
            case .ignore: break
            case .keep: return [.storePhotoPieces(sha, total: total, hashes: hashes)]
            case .bad:
                status.photoRejects += 1
                if blobs.finish(sha, refused: true, at: now) { return [.releasePhotos([sha])] + choosePhotos(now: now) }
            }
        case .blobNone(let sha):
            if blobs.finish(sha, refused: true, at: now) { return [.releasePhotos([sha])] + choosePhotos(now: now) }
        case .blobHeld(let sha):
            if configuration.fetchesPhotos, blobs.peerHolds(sha) { return choosePhotos(now: now) }
        case .blobData(let sha, let total, let offset, let bytes):
            if configuration.fetchesPhotos, blobs.chunkArrived(sha, total: total, offset: offset, count: bytes.count, at: now) {
                status.photoBytesReceived += bytes.count
                return [.storePhotoChunk(sha, total: total, offset: offset, bytes: bytes)]
            }
        default:
            break
        }
        return []
    }

    private mutating func choosePhotos(now: Int64) -> [Action] {
        guard configuration.fetchesPhotos, session.isInSync, blobs.shouldChoose() else { return [] }
        return [.choosePhotos(excluding: blobs.refused(at: now, retryMs: configuration.timing.photoStallMs))]
    }

    /// Reads ahead what the empty lanes need, and hands the writer its next batch.
    private mutating func pump(now: Int64) -> [Action] {
        var actions: [Action] = []
        if let batch = outbox.release(now: now) { actions.append(.write(batch)) }
        if outbox.waiting(.entries) == 0, let ranges = serving.nextRead(limit: 4096) {
            actions.append(.readEntries(ranges, maxBytes: rate.frameBudget(ceiling: configuration.maximumEntriesPayload)))
        }
        if outbox.waiting(.blob) == 0, let next = blobs.nextRead() {
            switch next {
            case .data(let request):
                actions.append(.readPhoto(request.sha256, offset: request.offset,
                                          length: rate.frameBudget(ceiling: configuration.maximumBlobChunk)))
            case .pieces(let sha):
                actions.append(.readPhotoPieces(sha))
            }
        }
        return actions
    }

    private mutating func close(_ farewell: ProtocolError?, _ ending: ConnectionEnding) -> [Action] {
        closed = true
        return [.close(farewell: farewell, ending)]
    }

    private mutating func refreshStatus() {
        status.established = session.isEstablished
        status.inSync = session.isInSync
        status.entriesBehind = session.entriesOutstanding
        status.entriesRequestedByPeer = session.counters.entriesServedRequested
        status.entriesWantedTwice = session.counters.entriesWantedTwice
        status.pendingDropped = session.counters.pendingDropped
        status.photosFetching = blobs.outstanding.count
        status.photoBytesHeld = blobs.progress.values.reduce(0) { $0 + $1.held }
        status.photoBytesTotal = blobs.progress.values.reduce(0) { $0 + $1.total }
    }
}
