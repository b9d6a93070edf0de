/// One side of one sync connection, as a pure state machine (docs/PROTOCOL.md,
/// "Flow"). Events go in; actions come out for the driver to carry out: send
/// frames, read heads, compare heads, serve wants, ingest entries, save a
/// checkpoint. No sockets, clocks or database calls happen in here, so the
/// same session runs over mutual TLS in the daemon and over the in-memory
/// network of the simulator.
///
/// Answers to actions (`headsLoaded`, `compared`, `ingested`) must be fed
/// back in the order the actions were issued.
public struct SyncSession: Sendable {
    public struct Configuration: Sendable {
        public var network: NodeID
        public var local: NodeID
        /// The peer's identity as its TLS certificate proved it.
        public var peer: NodeID
        /// Whether the trust rules accept the peer (member, authority or pinned).
        public var peerTrusted: Bool
        public var agent: String
        public var feed: FeedID
        /// How far this node has read the peer's feed, from the last connection.
        public var checkpoint: Checkpoint?
        /// This node's human name, sent in HELLO for the peer's status display.
        public var name: String?
        /// The words of the not-a-member ERROR when the peer is not trusted.
        public var refusal: String?
        /// Set for a peer that was revoked: instead of refusing it at HELLO,
        /// the session offers and serves it only the entries of these authors
        /// (the genesis and the authorities, whose logs hold the revocation),
        /// takes nothing from it, and the driver closes it after a grace
        /// period. Otherwise a revoked centre never learns it was revoked and
        /// keeps writing records that can never leave it (PROTOCOL.md §6).
        public var rosterOnlyFor: Set<NodeID>?
        /// The most heads in one HEADS frame; more are split (PROTOCOL.md §7.3).
        public var headsPerFrame: Int = Frame.maximumHeadsPerFrame
        /// What this node wants the peer to offer (sent in HELLO, §7.16);
        /// nil: everything.
        public var interest: Interest?

        public init(network: NodeID, local: NodeID, peer: NodeID, peerTrusted: Bool, agent: String, feed: FeedID,
                    checkpoint: Checkpoint?, name: String? = nil, refusal: String? = nil, rosterOnlyFor: Set<NodeID>? = nil) {
            self.network = network
            self.local = local
            self.peer = peer
            self.peerTrusted = peerTrusted
            self.agent = agent
            self.feed = feed
            self.checkpoint = checkpoint
            self.name = name
            self.refusal = refusal
            self.rosterOnlyFor = rosterOnlyFor
        }
    }

    public enum Event: Sendable {
        case start
        case received(Frame)
        /// Inbound bytes were not a valid frame.
        case decodingFailed(FrameError)
        /// Answer to `.loadHeads`.
        case headsLoaded(HeadsSnapshot)
        /// Answer to `.compare` and `.comparePending`.
        case compared(request: Int, [HeadComparison])
        /// Answer to `.ingest`, in order.
        case ingested(IngestPipeline.Outcome)
        /// The local feed grew (an append or entries from any peer).
        case feedAdvanced
        /// These authors' entries are accepted now (an admit was stored).
        case admitted([NodeID])
        /// Nothing was sent for the idle interval (30 s).
        case sendIdle
        /// Nothing was received for the timeout (90 s).
        case receiveIdle
        /// The trust rules no longer accept the peer (it was revoked); the
        /// words of the ERROR, if the driver has better ones.
        case peerNoLongerTrusted(String?)
        case shutdown
    }

    public enum CloseReason: Sendable, Equatable {
        /// We refused the peer or its data; the ERROR we sent says why.
        case refused(ProtocolError)
        /// The peer sent ERROR.
        case peerError(ProtocolError)
        case timeout
        case shutdown
    }

    public enum Action: Sendable, Equatable {
        case send([Frame])
        /// Read heads moved after this position and answer `headsLoaded`.
        /// With `excludingPeer`, leave out heads that last moved because of
        /// the peer's own entries (it holds those already); not done when the
        /// peer does not know our feed, since it may have lost its data.
        case loadHeads(after: UInt64, excludingPeer: Bool)
        /// Compare these offered heads with the store and roster; answer `compared`.
        case compare(request: Int, heads: [Head])
        /// Load the heads this peer offered earlier for non-members (of
        /// these authors only, when given) and compare them.
        case comparePending(request: Int, authors: [NodeID]?)
        /// Send ENTRIES for these ranges, in order, completely; if that is
        /// impossible, close with ERROR `internal`.
        case serve([WantRange])
        /// Verify and store these entries (after those of earlier tags).
        case ingest(tag: Int, entries: [[UInt8]])
        case saveCheckpoint(Checkpoint)
        case savePending([Head])
        /// Remember these offered heads until their entries are stored; the
        /// checkpoint that follows counts on it.
        case saveOffered([Head])
        /// The peer's HELLO was accepted.
        case established(Hello)
        /// Everything the peer offered so far is stored (first time only).
        case synced
        /// Send the ERROR (if any), then close the connection.
        case close(ProtocolError?, CloseReason)
    }

    enum Phase: Sendable, Equatable { case idle, awaitingHello, active, closed }

    struct OpenWant: Sendable {
        let id: Int
        let range: WantRange
        /// The seq the peer's stream for this range must bring next. Entries
        /// are counted by position, not by number: an unasked live entry or a
        /// duplicate inside the range must not drain it early.
        var next: UInt64
        var lastTag: Int?

        var complete = false

        var remaining: UInt64 { complete ? 0 : range.to - next + 1 }
    }

    struct HeadsBatch: Sendable {
        let request: Int
        let position: UInt64
        var compared = false
        /// Non-members' heads of this frame could not all be remembered.
        var forgotPending = false
    }

    public let configuration: Configuration
    private(set) var phase: Phase = .idle
    public private(set) var peerHello: Hello?
    /// What the peer holds of our feed, per its HELLO.
    private var peerSince: UInt64 = 0
    private var lastSentPosition: UInt64 = 0
    private var initialHeadsSent = false
    private var headsLoading = false
    private var feedDirty = false
    private var nextRequest = 0
    private var nextTag = 0
    private var nextWant = 0
    private var nextPing: UInt64 = 1
    private var batches: [HeadsBatch] = []
    private var batchRequests: Set<Int> = []
    private var wants: [NodeID: [OpenWant]] = [:]
    private var openWants = 0
    /// Ranges wanted and not asked for yet: WANT goes out a window at a
    /// time (`wantWindow`), so a cut link re-asks at most a window.
    private var queued: [WantRange] = []
    private var queuedHead = 0
    private var queuedThrough: [NodeID: UInt64] = [:]
    /// The bytes one frame should take on this link (the connection sets
    /// it from the measured rate): HEADS carry and WANT asks for about that much.
    public var frameBudget = Frame.maximumEntriesPayload
    /// Wants whose entries have all arrived, waiting for their ingest.
    private var drained: [(want: Int, author: NodeID, tag: Int)] = []
    /// Non-members' heads offered in HEADS on this connection (with
    /// repeats): they live in the store, this only tells when the bound
    /// was passed.
    private var pendingOffered = 0
    /// A HEADS frame's pending heads were forgotten: the checkpoint stays
    /// before it for the rest of the connection, so the next connection is
    /// offered them again (PROTOCOL.md §7.8).
    private var checkpointHeld = false
    /// Admits seen on this connection, and how many had been seen when
    /// each compare was asked for: a compare answered after an admit may
    /// call the newly admitted pending.
    private var admitsSeen = 0
    private var admitsAtRequest: [Int: Int] = [:]
    private var served = ServedRanges()
    private var reportedSynced = false
    public private(set) var counters = Counters()

    public struct Counters: Sendable, Equatable {
        public var entriesReceived = 0
        public var entriesStored = 0
        public var entriesRequested: UInt64 = 0
        public var entriesServedRequested: UInt64 = 0
        /// Entries the peer asked for again on this connection: not served twice.
        public var entriesWantedTwice: UInt64 = 0
        /// Offered heads of non-members beyond `maximumPending` on this
        /// connection: forgotten until the next connection.
        public var pendingDropped = 0
    }

    /// Heads of non-member authors remembered per peer (the store's bound,
    /// PROTOCOL.md §7.8).
    public static let maximumPending = Store.maximumPendingPerPeer

    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    public var isEstablished: Bool { phase == .active }
    /// A revoked peer being told of its revocation (`rosterOnlyFor`).
    public var isRosterOnly: Bool { configuration.rosterOnlyFor != nil }
    public var isClosed: Bool { phase == .closed }
    /// The peer's feed position this node holds everything up to.
    public private(set) var checkpoint: Checkpoint?

    /// Entries wanted from the peer and not yet stored.
    public var entriesOutstanding: UInt64 {
        let asked = wants.values.reduce(UInt64(0)) { $0.saturatingAdd($1.reduce(0) { $0.saturatingAdd($1.remaining) }) }
        return queued[queuedHead...].reduce(asked) { $0.saturatingAdd($1.count) }
    }

    /// Ranges asked for at once: WANT of about one frame.
    var wantWindow: Int { max(16, frameBudget / 48) }
    var headsPerFrame: Int { min(configuration.headsPerFrame, max(16, frameBudget / 72)) }

    /// True when our heads went out and everything the peer has offered on
    /// this connection (at least its first HEADS) is stored.
    public var isInSync: Bool {
        phase == .active && initialHeadsSent && checkpoint != nil && batches.isEmpty && wants.isEmpty && queuedHead == queued.count
    }

    public mutating func handle(_ event: Event) -> [Action] {
        if phase == .closed { return [] }
        switch event {
        case .start:
            return start()
        case .received(let frame):
            return receive(frame)
        case .decodingFailed(let error):
            return refuse(ProtocolError(error.code, error.message))
        case .headsLoaded(let snapshot):
            return headsLoaded(snapshot)
        case .compared(let request, let comparisons):
            return compared(request: request, comparisons)
        case .ingested(let outcome):
            return ingested(outcome)
        case .feedAdvanced:
            guard phase == .active else { return [] }
            if headsLoading {
                feedDirty = true
                return []
            }
            headsLoading = true
            return [.loadHeads(after: lastSentPosition, excludingPeer: true)]
        case .admitted(let authors):
            guard phase == .active, !isRosterOnly, !authors.isEmpty else { return [] }
            admitsSeen += 1
            return [comparePending(authors: authors)]
        case .sendIdle:
            guard phase == .active || phase == .awaitingHello else { return [] }
            nextPing &+= 1
            return [.send([.ping(nextPing)])]
        case .receiveIdle:
            phase = .closed
            return [.close(nil, .timeout)]
        case .peerNoLongerTrusted(let message):
            return refuse(ProtocolError(
                .notAMember, message ?? "node \(configuration.peer.short) is no longer a member of network \(configuration.network.short)"))
        case .shutdown:
            phase = .closed
            return [.close(ProtocolError(.shuttingDown, "node is shutting down; it will be back"), .shutdown)]
        }
    }

    private mutating func start() -> [Action] {
        guard phase == .idle else { return [] }
        phase = .awaitingHello
        let hello = Hello(network: configuration.network, node: configuration.local, agent: configuration.agent,
                          feed: configuration.feed, since: configuration.checkpoint, name: configuration.name,
                          interest: configuration.interest)
        return [.send([.hello(hello)])]
    }

    private mutating func refuse(_ error: ProtocolError) -> [Action] {
        phase = .closed
        return [.close(error, .refused(error))]
    }

    private mutating func receive(_ frame: Frame) -> [Action] {
        if case .error(let error) = frame {
            phase = .closed
            return [.close(nil, .peerError(error))]
        }
        if case .unknown = frame { return [] }
        guard phase == .active else {
            guard case .hello(let hello) = frame, phase == .awaitingHello else {
                return refuse(ProtocolError(.badFrame, "expected HELLO as the first frame, got \(frame.name)"))
            }
            return accept(hello)
        }
        switch frame {
        case .hello:
            return refuse(ProtocolError(.badFrame, "a second HELLO on one connection"))
        case .heads(let position, let heads):
            // A revoked peer's entries are never taken.
            if isRosterOnly { return [] }
            nextRequest += 1
            batches.append(HeadsBatch(request: nextRequest, position: position))
            batchRequests.insert(nextRequest)
            admitsAtRequest[nextRequest] = admitsSeen
            return [.compare(request: nextRequest, heads: heads)]
        case .want(let ranges):
            var asked = ranges
            if let allowed = configuration.rosterOnlyFor { asked = asked.filter { allowed.contains($0.author) } }
            let fresh = served.admit(asked)
            counters.entriesWantedTwice = served.duplicateEntries
            counters.entriesServedRequested = fresh.reduce(counters.entriesServedRequested) { $0.saturatingAdd($1.count) }
            return fresh.isEmpty ? [] : [.serve(fresh)]
        case .entries(let raw):
            if isRosterOnly { return [] }
            return entries(raw)
        case .ping(let nonce):
            return [.send([.pong(nonce)])]
        case .pong, .unknown, .error:
            return []
        case .blobWant, .blobData, .blobNone, .blobPiecesWant, .blobPieces, .blobHeld:
            // Blob transfer is carried by the driver's blob exchange.
            return []
        }
    }

    private mutating func accept(_ hello: Hello) -> [Action] {
        guard hello.protocol == 1 else {
            return refuse(ProtocolError(.protocolVersion, "this node speaks protocol 1; the peer offered \(hello.protocol). Upgrade the older node."))
        }
        guard hello.network == configuration.network.description else {
            return refuse(ProtocolError(
                .networkMismatch,
                "this node is in network \(configuration.network.short); the peer is in \(hello.network.prefix(8)). Check the peer address."))
        }
        guard let node = NodeID(hello.node), node == configuration.peer else {
            return refuse(ProtocolError(.identityMismatch, "HELLO names node \(hello.node.prefix(8)) but the TLS key is \(configuration.peer.short)"))
        }
        func isFeed(_ text: String) -> Bool { FeedID(hex: text) != nil && text == text.lowercased() }
        guard isFeed(hello.feed), hello.since_feed.isEmpty || isFeed(hello.since_feed) else {
            return refuse(ProtocolError(.badFrame, "HELLO feed and since_feed must be 32 lowercase hex characters"))
        }
        guard configuration.peerTrusted || isRosterOnly else {
            return refuse(ProtocolError(
                .notAMember,
                configuration.refusal
                    ?? "node \(configuration.peer.short) is not a member of network \(configuration.network.short); ask the network authority to run `tcnode admit \(configuration.peer) --role telecenter --name NAME --region REGION`"))
        }
        phase = .active
        peerHello = hello
        let knowsOurFeed = hello.since_feed == configuration.feed.hex
        peerSince = knowsOurFeed ? hello.since : 0
        headsLoading = true
        if isRosterOnly { return [.established(hello), .loadHeads(after: peerSince, excludingPeer: knowsOurFeed)] }
        return [.established(hello), .loadHeads(after: peerSince, excludingPeer: knowsOurFeed), comparePending(authors: nil)]
    }

    private mutating func headsLoaded(_ loaded: HeadsSnapshot) -> [Action] {
        headsLoading = false
        var snapshot = loaded
        if let allowed = configuration.rosterOnlyFor {
            let keep = loaded.heads.indices.filter { allowed.contains(loaded.heads[$0].author) }
            snapshot = HeadsSnapshot(position: loaded.position, heads: keep.map { loaded.heads[$0] },
                                     positions: keep.map { loaded.positions[$0] })
        }
        var actions: [Action] = []
        let position = UInt64(max(0, snapshot.position))
        if !initialHeadsSent || !snapshot.heads.isEmpty {
            // Heads come in the order they moved. A split HEADS carries, in
            // each frame but the last, the position of its last head: all
            // heads that moved up to there are in it or in earlier frames,
            // so a receiver cut off mid-way keeps a correct checkpoint.
            var frames: [Frame] = []
            var start = 0
            repeat {
                let end = min(start + headsPerFrame, snapshot.heads.count)
                let covered = end < snapshot.heads.count ? UInt64(max(0, snapshot.positions[end - 1])) : position
                frames.append(.heads(position: covered, heads: Array(snapshot.heads[start..<end])))
                start = end
            } while start < snapshot.heads.count
            actions.append(.send(frames))
        }
        initialHeadsSent = true
        lastSentPosition = max(lastSentPosition, position)
        if feedDirty {
            feedDirty = false
            headsLoading = true
            actions.append(.loadHeads(after: lastSentPosition, excludingPeer: true))
        }
        actions += checkSynced()
        return actions
    }

    private mutating func compared(request: Int, _ comparisons: [HeadComparison]) -> [Action] {
        var authorityWants: [WantRange] = []
        var otherWants: [WantRange] = []
        var offered: [Head] = []
        var newlyPending: [Head] = []
        var evidenceWanted: Set<NodeID> = []
        var actions: [Action] = []
        for c in comparisons {
            let head = c.offered
            if c.forked { continue }
            if c.localSeq >= head.seq {
                // A different id at a seq we hold: ask for that one entry.
                // Only a validly signed conflicting entry makes a fork; a
                // peer's word in HEADS alone freezes nobody.
                if let held = c.localIDAtOfferedSeq, held != head.id, wants[head.author] == nil,
                    queuedThrough[head.author] == nil, evidenceWanted.insert(head.author).inserted
                {
                    otherWants.append(WantRange(author: head.author, from: head.seq, to: head.seq))
                }
                continue
            }
            if c.acceptedLimit == 0 {
                newlyPending.append(head)
                continue
            }
            let through = max(c.localSeq, wants[head.author]?.map(\.range.to).max() ?? 0, queuedThrough[head.author] ?? 0)
            let to = min(head.seq, c.acceptedLimit)
            guard to > through else { continue }
            let range = WantRange(author: head.author, from: through + 1, to: to)
            if c.isAuthority { authorityWants.append(range) } else { otherWants.append(range) }
            offered.append(head)
        }
        // Roster entries first: they decide which other authors are taken.
        queued.insert(contentsOf: authorityWants, at: queuedHead)
        queued += otherWants
        for range in authorityWants + otherWants {
            queuedThrough[range.author] = max(queuedThrough[range.author] ?? 0, range.to)
            counters.entriesRequested = counters.entriesRequested.saturatingAdd(range.count)
        }
        actions += releaseWants()
        let fromHeads = batchRequests.contains(request)
        if !newlyPending.isEmpty {
            // The store keeps the newest `maximumPending` per peer.
            actions.append(.savePending(newlyPending))
            if fromHeads {
                let before = pendingOffered
                pendingOffered += newlyPending.count
                if pendingOffered > Self.maximumPending {
                    counters.pendingDropped += pendingOffered - max(before, Self.maximumPending)
                    if let i = batches.firstIndex(where: { $0.request == request }) { batches[i].forgotPending = true }
                }
            }
            // Compared before an admit that came meanwhile: look again, or
            // the admit would find nothing pending yet and they would wait
            // for the next connection.
            if let asked = admitsAtRequest[request], asked != admitsSeen {
                actions.append(comparePending(authors: newlyPending.map(\.author)))
            }
        }
        admitsAtRequest[request] = nil
        // Remembered before the checkpoint moves past them (PROTOCOL.md §7.4).
        if !offered.isEmpty { actions.append(.saveOffered(offered)) }
        if fromHeads, let i = batches.firstIndex(where: { $0.request == request }) {
            batches[i].compared = true
        }
        actions += advanceCheckpoint()
        return actions
    }

    /// Asks for queued ranges while fewer than a window are open.
    private mutating func releaseWants() -> [Action] {
        let window = wantWindow
        guard openWants <= window * 3 / 4, queuedHead < queued.count else { return [] }
        var ranges: [WantRange] = []
        while queuedHead < queued.count, openWants < window {
            let range = queued[queuedHead]
            queuedHead += 1
            nextWant += 1
            wants[range.author, default: []].append(OpenWant(id: nextWant, range: range, next: range.from, lastTag: nil))
            openWants += 1
            if queuedThrough[range.author] == range.to { queuedThrough[range.author] = nil }
            ranges.append(range)
        }
        if queuedHead == queued.count || queuedHead > 4096 {
            queued.removeFirst(queuedHead)
            queuedHead = 0
        }
        var rest = ranges[...]
        var frames: [Frame] = []
        while !rest.isEmpty {
            let chunk = rest.prefix(Frame.maximumWantsPerFrame)
            rest = rest.dropFirst(chunk.count)
            frames.append(.want(Array(chunk)))
        }
        return [.send(frames)]
    }

    private mutating func comparePending(authors: [NodeID]?) -> Action {
        nextRequest += 1
        admitsAtRequest[nextRequest] = admitsSeen
        return .comparePending(request: nextRequest, authors: authors)
    }

    private mutating func entries(_ raw: [[UInt8]]) -> [Action] {
        nextTag += 1
        let tag = nextTag
        counters.entriesReceived += raw.count
        for bytes in raw {
            guard let (author, seq) = SyncSession.peekAuthorAndSeq(bytes), var list = wants[author] else { continue }
            guard let i = list.firstIndex(where: { $0.remaining > 0 && $0.next == seq }) else { continue }
            if seq == list[i].range.to { list[i].complete = true } else { list[i].next = seq + 1 }
            list[i].lastTag = tag
            if list[i].remaining == 0 { drained.append((list[i].id, author, tag)) }
            wants[author] = list
        }
        return [.ingest(tag: tag, entries: raw)]
    }

    private mutating func ingested(_ outcome: IngestPipeline.Outcome) -> [Action] {
        counters.entriesStored += outcome.result.stored
        if let failure = outcome.failure {
            return refuse(ProtocolError(.badEntry, "entry \(failure.index + 1) of an ENTRIES frame: \(failure.error.description)"))
        }
        if let rejection = outcome.result.rejection {
            return refuse(ProtocolError(
                .badEntry, "entry seq \(rejection.seq) of \(rejection.author.short): the author is not a member of this network"))
        }
        // Drained wants are in tag order; take the stored ones in one step
        // (thousands of one-entry wants can drain together).
        let stored = drained.prefix { $0.tag <= outcome.tag }
        drained.removeFirst(stored.count)
        for first in stored {
            guard var list = wants[first.author], let i = list.firstIndex(where: { $0.id == first.want }) else { continue }
            list.remove(at: i)
            openWants -= 1
            wants[first.author] = list.isEmpty ? nil : list
        }
        return releaseWants() + advanceCheckpoint()
    }

    /// Saves the checkpoint of the newest HEADS batch whose wants are all stored.
    private mutating func advanceCheckpoint() -> [Action] {
        var position: UInt64?
        while let first = batches.first, first.compared {
            batches.removeFirst()
            batchRequests.remove(first.request)
            if first.forgotPending { checkpointHeld = true }
            if !checkpointHeld { position = first.position }
        }
        var actions: [Action] = []
        if let position, let hello = peerHello, let feed = FeedID(hex: hello.feed) {
            let cp = Checkpoint(feed: feed, position: Int64(clamping: position))
            checkpoint = cp
            actions.append(.saveCheckpoint(cp))
        }
        return actions + checkSynced()
    }

    private mutating func checkSynced() -> [Action] {
        guard !reportedSynced, isInSync else { return [] }
        reportedSynced = true
        return [.synced]
    }

    /// Author and seq from the fixed header of entry bytes, without decoding.
    /// Counting a want as delivered on arrival is sound because a responder
    /// sends exactly the entries asked for, in order, over one ordered
    /// stream; the want completes only after their ingest reports.
    static func peekAuthorAndSeq(_ bytes: [UInt8]) -> (NodeID, UInt64)? {
        guard bytes.count >= 41 else { return nil }
        return bytes.withUnsafeBytes { raw in
            let author = NodeID(key: Bytes32(unchecked: raw, at: 1))
            let seq = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 33, as: UInt64.self))
            return (author, seq)
        }
    }
}

extension UInt64 {
    /// Peers choose the numbers in HEADS and WANT; sums of them must not trap.
    public func saturatingAdd(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
