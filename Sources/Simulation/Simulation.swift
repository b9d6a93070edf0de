import Crypto
import Foundation
import NIOCore
import Replication
import Synchronization

/// Many nodes in one process on a simulated network, in virtual time and
/// deterministic from a seed: each node has a real store (SQLite in a
/// temporary directory) and a real blob store, and every connection runs
/// the production connection code: `ConnectionDriver` stepping the
/// `Connection` core, exactly as the daemon's `PeerConnection` does. Only
/// the link and the clock are simulated: links have a latency and
/// optionally a bit rate (a batch takes its size over the rate to cross,
/// and is lost if the link is cut before it has), can be partitioned on a
/// schedule, lose frames (which breaks the connection, as a reset would),
/// duplicate them; nodes can crash and restart on the same database; node
/// clocks can be skewed. Invariants are checked after every step (see
/// `checkInvariants`). Print `seed` when a test fails and the run replays
/// exactly: one task steps one connection at a time.
public final class Simulation {
    public struct Options {
        public var latencyMs: ClosedRange<Int64> = 5...80
        /// Link rate in bytes per virtual millisecond; nil: no limit.
        public var bytesPerMs: Double?
        /// Probability that a frame is lost, which breaks its connection.
        public var dropRate = 0.0
        /// Probability that an ENTRIES frame is delivered twice.
        public var duplicateRate = 0.0
        /// Maximum clock skew of a node, in ms (either way).
        public var maxClockSkewMs: Int64 = 0
        public var idleSendMs: Int64 = 30_000
        public var idleReceiveMs: Int64 = 90_000
        public var tickMs: Int64 = 5_000
        /// Small limits make multi-frame HEADS and ENTRIES and many photo
        /// chunks with little data.
        public var headsPerFrame = Frame.maximumHeadsPerFrame
        public var maximumEntriesPayload = Frame.maximumEntriesPayload
        public var maximumBlobChunk = Frame.maximumBlobChunk
        /// Trace every frame delivered (for debugging a scenario).
        public var traceFrames = false

        public init(latencyMs: ClosedRange<Int64> = 5...80, bytesPerMs: Double? = nil, dropRate: Double = 0.0,
                    duplicateRate: Double = 0.0, maxClockSkewMs: Int64 = 0) {
            self.latencyMs = latencyMs
            self.bytesPerMs = bytesPerMs
            self.dropRate = dropRate
            self.duplicateRate = duplicateRate
            self.maxClockSkewMs = maxClockSkewMs
        }
    }

    public let seed: UInt64
    var rng: SplitMix64
    public let options: Options
    let dir = SimulationDirectory()
    let clock = SimClock()
    public let board = SimBoard()
    public private(set) var now: Int64 = 0
    private var queue = EventQueue()
    public private(set) var nodes: [SimNode] = []
    private(set) var links: [SimLink] = []
    private var connections: [Int: SimConnection] = [:]
    private var nextConnection = 0
    /// Everything that happened, for the failure report.
    public private(set) var trace: [String] = []
    /// Invariants that did not hold, with the time; a test expects none.
    public private(set) var violations: [String] = []
    /// Frames lost in flight when a link was cut or a connection broke.
    public private(set) var framesLostInFlight = 0

    public init(seed: UInt64, options: Options = Options()) {
        self.seed = seed
        self.rng = SplitMix64(seed: seed)
        self.options = options
    }

    // MARK: Building the network

    /// Adds a node; the first node added with `genesis: true` is the network.
    @discardableResult
    public func addNode(name: String, network: NodeID? = nil, pinned: [Int] = []) throws -> Int {
        let key = try NodeKey(seed: rng.seed32())
        let index = nodes.count
        let path = dir.file("\(index)-\(name).sqlite")
        let clock = self.clock
        // A simulated crash ends a "process", never the machine: no fsync.
        let store = try Store.create(at: path, network: network ?? key.id, node: key.id, clock: { clock.now },
                                     durability: .processCrashOnly)
        let skew = options.maxClockSkewMs > 0 ? Int64.random(in: -options.maxClockSkewMs...options.maxClockSkewMs, using: &rng) : 0
        nodes.append(SimNode(index: index, name: name, key: key, path: path, store: store,
                             blobs: BlobStore(root: dir.file("\(index)-\(name)-blobs"), durability: .processCrashOnly), clockSkew: skew,
                             pinned: Set(pinned.map { nodes[$0].key.id })))
        return index
    }

    /// Links two nodes; `a` dials `b`. Starts up unless a schedule is given.
    @discardableResult
    public func link(_ a: Int, _ b: Int, upFraction: Double? = nil, meanUpMs: Double = 30_000) -> Int {
        let index = links.count
        let latency = Int64.random(in: options.latencyMs, using: &rng)
        links.append(SimLink(index: index, dialer: a, listener: b, latencyMs: latency))
        if let upFraction {
            let meanDown = meanUpMs * (1 - upFraction) / upFraction
            links[index].schedule = .random(meanUpMs: meanUpMs, meanDownMs: meanDown)
            let startsUp = rng.chance(upFraction)
            links[index].up = startsUp
            let first = rng.exponential(mean: startsUp ? meanUpMs : meanDown)
            schedule(at: Int64(first), .linkToggle(index))
        } else {
            links[index].up = true
        }
        scheduleDial(index, at: 0)
        return index
    }

    /// Cuts a link every `upMs + downMs`: up for `upMs`, then down for `downMs`.
    public func cut(_ index: Int, upMs: Int64, downMs: Int64) {
        links[index].schedule = .fixed(upMs: upMs, downMs: downMs)
        schedule(at: now + upMs, .linkToggle(index))
    }

    /// Ends every link's up/down schedule and brings all links up.
    public func healAllLinks() {
        for i in links.indices {
            links[i].schedule = nil
            if !links[i].up {
                links[i].up = true
                scheduleDial(i, at: now)
            }
        }
    }

    public func setLink(_ index: Int, up: Bool) {
        links[index].schedule = nil
        guard links[index].up != up else { return }
        links[index].up = up
        if up { scheduleDial(index, at: now) } else { dropConnections(onLink: index, reason: "link down") }
    }

    // MARK: Node actions

    /// Authors an entry on a node now.
    @discardableResult
    public func author(_ node: Int, kind: String = "product", key: String? = nil, body: String? = nil) throws -> Entry {
        let n = nodes[node]
        guard let store = n.store else { throw SimError.offline(n.name) }
        n.authored += 1
        let draft = Entry.Draft.put(kind: kind, key: key ?? "\(n.name)-\(n.authored)",
                                    body: body ?? #"{"name":"\#(n.name) item \#(n.authored)","t":\#(now)}"#,
                                    time: 1_763_798_400_000 + now + n.clockSkew)
        let entry = try store.append([draft], signer: n.key)[0]
        notify(node, .feedAdvanced)
        return entry
    }

    public func admit(_ authority: Int, _ subject: Int, role: Role = .telecenter, region: String = "Jawa Timur") throws {
        let s = nodes[subject]
        let body = #"{"node":"\#(s.key.id)","role":"\#(role.rawValue)","name":"\#(s.name)","region":"\#(region)"}"#
        try author(authority, kind: "admit", key: s.key.id.description, body: body)
    }

    /// Stores entries signed elsewhere (authors that are not simulated
    /// nodes) on a node, as if a peer had sent them; its connections learn
    /// of them as of any ingest.
    @discardableResult
    public func ingest(_ entries: [VerifiedEntry], at node: Int) async throws -> IngestResult {
        guard let store = nodes[node].store else { throw SimError.offline(nodes[node].name) }
        let result = try await store.ingest(entries, from: nil)
        board.post(.ingested(node: node, result))
        drainNotices()
        return result
    }

    public func scheduleAuthoring(_ node: Int, at time: Int64) { schedule(at: time, .author(node)) }

    /// Puts a photo (JPEG-looking bytes) into a node's blob store.
    @discardableResult
    public func addPhoto(_ node: Int, bytes: Int) throws -> Bytes32 {
        try addPhoto(node, photo: photoBytes(bytes))
    }

    /// JPEG-looking random bytes.
    public func photoBytes(_ count: Int) -> [UInt8] {
        var photo: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0]
        photo.reserveCapacity(count)
        while photo.count < count { photo.append(UInt8.random(in: 0...255, using: &rng)) }
        return photo
    }

    @discardableResult
    public func addPhoto(_ node: Int, photo: [UInt8]) throws -> Bytes32 {
        let sha = try nodes[node].blobs.add(photo).sha256
        board.noteReference(sha, pieces: BlobPieces.root(of: photo))
        return sha
    }

    /// A node fetches this photo from whichever peer serves it: checked
    /// piece by piece (the reference's `pieces`), or only whole.
    public func want(photo: Bytes32, at node: Int, byPieces: Bool = true) {
        board.want(photo, node: node, byPieces: byPieces)
        notify(node, .photosReferenced)
    }

    public func holds(photo: Bytes32, at node: Int) -> Bool { nodes[node].blobs.has(photo) }

    public func crash(_ node: Int) throws {
        let n = nodes[node]
        trace("crash \(n.name)")
        for id in connections.keys.sorted() where connections[id]!.involves(node) {
            teardown(id, reason: "\(n.name) crashed")
        }
        board.releaseAll(node: node)
        try n.store?.close()
        n.store = nil
    }

    public func restart(_ node: Int) throws {
        let n = nodes[node]
        let clock = self.clock
        n.store = try Store.open(at: n.path, clock: { clock.now }, durability: .processCrashOnly)
        trace("restart \(n.name)")
        for link in links where link.dialer == node || link.listener == node {
            scheduleDial(link.index, at: now)
        }
    }

    // MARK: Running

    /// Runs events until `done` holds or the virtual deadline passes;
    /// returns whether `done` held. `done` is checked after every event, or
    /// at most once per `checkEveryMs` of virtual time when that is given
    /// (for checks that read every node's store).
    @discardableResult
    public func run(until deadline: Int64, checkEveryMs: Int64 = 0, _ done: () throws -> Bool = { false }) async throws -> Bool {
        var lastCheck: Int64?
        while let next = queue.peekTime, next <= deadline {
            let (time, event) = queue.pop()!
            now = time
            clock.set(time)
            try await process(event)
            if lastCheck.map({ now - $0 >= checkEveryMs }) ?? true {
                lastCheck = now
                if try done() { return true }
            }
        }
        now = max(now, deadline)
        clock.set(now)
        return try done()
    }

    // MARK: Observations

    /// Every node's heads, for convergence checks.
    public func heads(_ node: Int) throws -> [Head] {
        try nodes[node].store!.heads(movedAfter: 0).heads.sorted { $0.author < $1.author }
    }

    public func converged() throws -> Bool {
        let reference = try heads(0)
        for i in nodes.indices.dropFirst() where try heads(i) != reference { return false }
        return true
    }

    public var stats: (framesDelivered: Int, entriesDelivered: Int, connections: Int) {
        (nodes.reduce(0) { $0 + $1.framesReceived }, nodes.reduce(0) { $0 + $1.entriesReceived }, nextConnection)
    }

    public func trace(_ line: String) {
        trace.append("[\(now) ms] \(line)")
        if trace.count > 4000 { trace.removeFirst(1000) }
    }

    public var failureReport: String {
        "seed \(seed) (replay with this seed); violations: \(violations.prefix(5)); last events:\n"
            + trace.suffix(40).joined(separator: "\n")
    }

    // MARK: Events

    enum SimEvent {
        case deliver(connection: Int, to: Int, frame: Frame)
        /// A side's batch has crossed the link: its writer is free.
        case written(connection: Int, side: Int)
        case teardown(connection: Int, reason: String)
        case dial(Int, token: Int)
        case linkToggle(Int)
        case author(Int)
        case notify(node: Int, Connection.Event)
        case tick(connection: Int)
    }

    /// One pending dial per link: a newer schedule replaces an older one.
    private func scheduleDial(_ index: Int, at time: Int64) {
        links[index].dialToken += 1
        schedule(at: time, .dial(index, token: links[index].dialToken))
    }

    private func schedule(at time: Int64, _ event: SimEvent) {
        queue.push(time: max(time, now), event)
    }

    private func process(_ event: SimEvent) async throws {
        switch event {
        case .deliver(let id, let side, let frame):
            guard let connection = connections[id] else { return }
            let node = nodes[connection.ends[side].node]
            if options.traceFrames { trace("#\(id) -> \(node.name): \(frame.name) \(frame.estimatedSize) B") }
            node.framesReceived += 1
            node.bytesReceived += FrameCodec.encode([frame]).readableBytes
            if case .entries(let raw) = frame { node.entriesReceived += raw.count }
            if case .blobData(_, _, _, let bytes) = frame { node.blobBytesReceived += bytes.count }
            connections[id]!.ends[side].bytesIn += frame.estimatedSize
            await step(id, side, .received(frame))
        case .written(let id, let side):
            guard connections[id] != nil else { return }
            await step(id, side, .written)
        case .teardown(let id, let reason):
            teardown(id, reason: reason)
        case .dial(let index, let token):
            if token == links[index].dialToken { try await dial(index) }
        case .linkToggle(let index):
            guard let plan = links[index].schedule else { return }
            links[index].up.toggle()
            let up = links[index].up
            trace("link \(linkName(index)) \(up ? "up" : "down")")
            if up {
                scheduleDial(index, at: now)
            } else {
                dropConnections(onLink: index, reason: "link down")
            }
            let next: Int64
            switch plan {
            case .random(let meanUp, let meanDown): next = Int64(rng.exponential(mean: up ? meanUp : meanDown)) + 1
            case .fixed(let upMs, let downMs): next = up ? upMs : downMs
            }
            schedule(at: now + next, .linkToggle(index))
        case .author(let node):
            guard nodes[node].store != nil else { return }
            try author(node)
        case .notify(let node, let connectionEvent):
            for id in connections.keys.sorted() {
                guard let c = connections[id] else { continue }
                for side in 0..<2 where c.ends[side].node == node {
                    await step(id, side, connectionEvent)
                }
            }
        case .tick(let id):
            guard connections[id] != nil else { return }
            for side in 0..<2 {
                guard let end = connections[id]?.ends[side] else { return }
                await step(id, side, .tick(bytesIn: end.bytesIn, bytesOut: end.bytesOut))
            }
            if connections[id] != nil { schedule(at: now + options.tickMs, .tick(connection: id)) }
        }
    }

    private func linkName(_ index: Int) -> String {
        "\(nodes[links[index].dialer].name)->\(nodes[links[index].listener].name)"
    }

    private func trusted(_ node: SimNode, _ peer: SimNode) -> Bool {
        guard let store = node.store else { return false }
        let roster = store.roster
        return roster.acceptsPeer(peer.key.id) || (node.pinned.contains(peer.key.id) && roster.revokedFrom(peer.key.id) == nil)
    }

    private func dial(_ index: Int) async throws {
        let link = links[index]
        guard link.connection == nil else { return }
        let a = nodes[link.dialer], b = nodes[link.listener]
        guard a.store != nil else { return }
        guard link.up, b.store != nil else {
            // The dialer learns nothing but a timeout; it tries again later.
            let delay = links[index].backoff.next(using: &rng)
            scheduleDial(index, at: now + delay.milliseconds)
            return
        }
        nextConnection += 1
        let id = nextConnection
        var timing = ConnectionTiming()
        timing.idleSendMs = options.idleSendMs
        timing.idleReceiveMs = options.idleReceiveMs
        func driver(_ me: SimNode, _ peer: SimNode) async throws -> ConnectionDriver<SimEnvironment> {
            let store = me.store!
            var session = SyncSession.Configuration(
                network: store.network, local: me.key.id, peer: peer.key.id, peerTrusted: trusted(me, peer),
                agent: "tcnode/sim", feed: store.feed, checkpoint: try await store.checkpoint(for: peer.key.id, wanting: me.interest))
            session.headsPerFrame = options.headsPerFrame
            session.interest = me.interest
            let configuration = Connection.Configuration(
                session: session, timing: timing, fetchesPhotos: true,
                maximumEntriesPayload: options.maximumEntriesPayload, maximumBlobChunk: options.maximumBlobChunk)
            return ConnectionDriver(configuration, environment: SimEnvironment(
                node: me.index, store: store, blobs: me.blobs, clock: clock, board: board))
        }
        connections[id] = SimConnection(
            id: id, link: index,
            ends: [SimEnd(node: a.index, driver: try await driver(a, b)), SimEnd(node: b.index, driver: try await driver(b, a))])
        links[index].connection = id
        trace("connect \(linkName(index)) #\(id)")
        schedule(at: now + options.tickMs, .tick(connection: id))
        await step(id, 0, .start)
        await step(id, 1, .start)
    }

    private func dropConnections(onLink index: Int, reason: String) {
        if let id = links[index].connection { teardown(id, reason: reason) }
    }

    private func teardown(_ id: Int, reason: String) {
        guard let c = connections.removeValue(forKey: id) else { return }
        links[c.link].connection = nil
        framesLostInFlight += c.ends.reduce(0) { $0 + $1.framesInFlight.filter { $0 > now }.count }
        trace("close #\(id) \(linkName(c.link)): \(reason)")
        for end in c.ends { board.release(end.driver.connection.photosOutstanding, node: end.node) }
        let dialer = nodes[links[c.link].dialer]
        if dialer.store != nil {
            if c.ends[0].driver.connection.status.inSync { links[c.link].backoff.reset() }
            let delay = links[c.link].backoff.next(using: &rng)
            scheduleDial(c.link, at: now + delay.milliseconds)
        }
    }

    /// Steps one end's driver with an event and carries out its work, as
    /// the daemon's `PeerConnection` does, then checks the invariants.
    private func step(_ id: Int, _ side: Int, _ event: Connection.Event) async {
        var events = [event]
        while !events.isEmpty {
            // Taken out of the table while it steps, so the driver is mutated
            // in place rather than copied (nothing else runs meanwhile).
            guard var c = connections.removeValue(forKey: id) else { return }
            let checkpointBefore = c.ends[side].driver.connection.session.checkpoint
            let work = await c.ends[side].driver.step(events.removeFirst())
            connections[id] = c
            let end = c.ends[side]
            drainNotices()
            for item in work {
                switch item {
                case .write(let frames):
                    send(frames, id, side)
                case .ingest(let tag, let raw):
                    events.append(.ingested(await ingest(raw, tag: tag, id, side)))
                case .close(let farewell, let ending):
                    let me = nodes[end.node]
                    me.closes.append(ending)
                    trace("\(me.name) closes #\(id): \(ending)")
                    if let farewell { send([.error(farewell)], id, side) }
                    let at = (connections[id]?.ends[side].framesInFlight.max() ?? now) + 1
                    schedule(at: max(at, now + 1), .teardown(connection: id, reason: "\(me.name) closed"))
                case .interrupted:
                    violations.append("[\(now)] a step was interrupted, but nothing cancels the simulation")
                }
            }
            if let checkpoint = end.driver.connection.session.checkpoint, checkpoint != checkpointBefore {
                await checkCheckpoint(checkpoint, id, side)
            }
        }
    }

    private func ingest(_ raw: [[UInt8]], tag: Int, _ id: Int, _ side: Int) async -> IngestPipeline.Outcome {
        let c = connections[id]!
        let me = nodes[c.ends[side].node], peer = nodes[c.ends[1 - side].node]
        let batch = VerifiedBatch(verifying: raw)
        var result = IngestResult()
        if !batch.entries.isEmpty, let store = me.store {
            do {
                result = try await store.ingest(batch.entries, from: peer.key.id)
                // As the daemon's ingest does: the node hears of it when stored.
                board.post(.ingested(node: c.ends[side].node, result))
            } catch {
                violations.append("[\(now)] \(me.name) could not store entries: \(error)")
            }
        }
        return IngestPipeline.Outcome(tag: tag, result: result, failure: batch.failure)
    }

    /// Node-wide consequences of what a step did (the daemon's Node does this).
    private func drainNotices() {
        for notice in board.takeNotices() {
            switch notice {
            case .ingested(let node, let result):
                nodes[node].refused += result.refused.count
                nodes[node].forksSeen += result.forks.count
                if result.stored > 0 { notify(node, .feedAdvanced) }
                if !result.admitted.isEmpty { notify(node, .admitted(result.admitted)) }
            case .photoHeld(let node, let sha):
                let bytes = nodes[node].blobs.contents(sha) ?? []
                let digest = Bytes32(Data(SHA256.hash(data: bytes)))
                if digest != sha { violations.append("[\(now)] \(nodes[node].name) holds photo \(sha.hex.prefix(8)) with other bytes") }
                trace("\(nodes[node].name) holds photo \(sha.hex.prefix(8))")
                notify(node, .photoHeldHere(sha))
            }
        }
    }

    /// A checkpoint may only cover what is stored or remembered: every head
    /// the peer had moved at or before that position of its feed is held
    /// here, or kept among the heads offered by that peer (to be fetched at
    /// the next connection), unless this node refuses that author or froze
    /// it as forked.
    private func checkCheckpoint(_ checkpoint: Checkpoint, _ id: Int, _ side: Int) async {
        guard let c = connections[id], let mine = nodes[c.ends[side].node].store,
            let theirs = nodes[c.ends[1 - side].node].store, checkpoint.feed == theirs.feed
        else { return }
        do {
            let snapshot = try await theirs.heads(movedAfter: 0)
            let covered = snapshot.heads.indices.filter { snapshot.positions[$0] <= checkpoint.position }.map { snapshot.heads[$0] }
            guard !covered.isEmpty else { return }
            let peer = nodes[c.ends[1 - side].node].key.id
            let remembered = Dictionary(try await mine.pendingHeads(offeredBy: peer).map { ($0.author, $0.seq) }) { max($0, $1) }
            for comparison in try await mine.compare(covered) {
                let head = comparison.offered
                let wanted = nodes[c.ends[side].node].interest?.wants(head.author, receiver: mine.node, roster: mine.roster) ?? true
                if wanted && comparison.localSeq < head.seq && !comparison.forked && comparison.acceptedLimit >= head.seq
                    && (remembered[head.author] ?? 0) < head.seq
                {
                    violations.append(
                        "[\(now)] \(nodes[c.ends[side].node].name) checkpoint at \(checkpoint.position) covers \(head.author.short) seq \(head.seq) but holds \(comparison.localSeq)")
                }
            }
        } catch {
            violations.append("[\(now)] checkpoint check failed: \(error)")
        }
    }

    /// Puts a batch on the link: it crosses in size/rate, arrives a latency
    /// later, and the writer is free once it has crossed.
    private func send(_ frames: [Frame], _ id: Int, _ side: Int) {
        guard var c = connections[id] else { return }
        let latency = links[c.link].latencyMs
        var at = now
        var bytes = 0
        let sender = nodes[c.ends[side].node]
        for frame in frames {
            let size = frame.estimatedSize
            bytes += size
            // Counted when put on the link, whether or not it arrives.
            sender.bytesSent += FrameCodec.encode([frame]).readableBytes
            if case .entries(let raw) = frame { sender.entriesSent += raw.count }
            if let rate = options.bytesPerMs { at += Int64((Double(size) / rate).rounded(.up)) }
            let arrival = max(at + latency, c.ends[side].lastDelivery)
            c.ends[side].lastDelivery = arrival
            c.ends[side].framesInFlight.append(arrival)
            if rng.chance(options.dropRate) {
                connections[id] = c
                schedule(at: arrival, .teardown(connection: id, reason: "frame lost"))
                return
            }
            schedule(at: arrival, .deliver(connection: id, to: 1 - side, frame: frame))
            if case .entries = frame, rng.chance(options.duplicateRate) {
                schedule(at: arrival, .deliver(connection: id, to: 1 - side, frame: frame))
            }
        }
        c.ends[side].bytesOut += bytes
        c.ends[side].framesInFlight.removeAll { $0 <= now }
        connections[id] = c
        if case .error = frames.last { return }
        schedule(at: at, .written(connection: id, side: side))
    }

    private func notify(_ node: Int, _ event: Connection.Event) {
        schedule(at: now, .notify(node: node, event))
    }
}

public enum SimError: Error {
    case offline(String)
    case timedOut(String)
}

public final class SimNode {
    public let index: Int
    public let name: String
    public let key: NodeKey
    public let path: String
    public var store: Store?
    public let blobs: BlobStore
    public let clockSkew: Int64
    public let pinned: Set<NodeID>
    public var authored = 0
    public var framesReceived = 0
    public var entriesReceived = 0
    /// Entries put on a link in ENTRIES frames, whether or not they arrived.
    public var entriesSent = 0
    /// Bytes of every frame as encoded on the wire, sent (whether or not
    /// it arrived) and received.
    public var bytesSent = 0
    public var bytesReceived = 0
    public var blobBytesReceived = 0
    public var refused = 0
    public var forksSeen = 0
    public var closes: [ConnectionEnding] = []
    /// What the node asks its peers for (nil: everything).
    public var interest: Interest?

    init(index: Int, name: String, key: NodeKey, path: String, store: Store, blobs: BlobStore, clockSkew: Int64, pinned: Set<NodeID>) {
        self.index = index
        self.name = name
        self.key = key
        self.path = path
        self.store = store
        self.blobs = blobs
        self.clockSkew = clockSkew
        self.pinned = pinned
    }
}

struct SimLink {
    enum Schedule {
        case random(meanUpMs: Double, meanDownMs: Double)
        case fixed(upMs: Int64, downMs: Int64)
    }

    let index: Int
    let dialer: Int
    let listener: Int
    let latencyMs: Int64
    var up = true
    var schedule: Schedule?
    var connection: Int?
    var dialToken = 0
    var backoff = Backoff()
}

struct SimEnd {
    let node: Int
    var driver: ConnectionDriver<SimEnvironment>
    var bytesIn = 0
    var bytesOut = 0
    var lastDelivery: Int64 = 0
    /// Arrival times of frames sent and maybe not yet arrived.
    var framesInFlight: [Int64] = []
}

struct SimConnection {
    let id: Int
    let link: Int
    var ends: [SimEnd]

    func involves(_ node: Int) -> Bool { ends.contains { $0.node == node } }
}

/// A simulated node as a connection's environment: its real store and blob
/// store, the virtual clock, and the board for what the daemon's Node keeps
/// node-wide (photo claims, wakeups).
struct SimEnvironment: ConnectionEnvironment {
    let node: Int
    let store: Store
    let blobs: BlobStore
    let clock: SimClock
    let board: SimBoard

    func now() -> Int64 { clock.now }

    func choosePhotos(excluding refused: Set<Bytes32>) async -> [PhotoRequest] {
        board.claim(node: node) { sha in !refused.contains(sha) && !blobs.has(sha) }.map { sha, pieces in
            PhotoRequest(sha256: sha, offset: blobs.heldBytes(sha), pieces: blobs.hasPieces(sha) ? nil : pieces)
        }
    }

    func photoPieces(_ sha: Bytes32) async -> (total: UInt64, hashes: [Bytes32])? { blobs.pieceHashes(sha) }

    func storePhotoPieces(_ sha: Bytes32, total: UInt64, hashes: [Bytes32]) async throws -> UInt64 {
        try blobs.storePieces(sha, total: total, hashes: hashes)
    }

    func releasePhotos(_ photos: Set<Bytes32>) { board.release(photos, node: node) }

    func readPhoto(_ sha: Bytes32, offset: UInt64, length: Int) async -> (total: UInt64, bytes: [UInt8])? {
        guard let total = blobs.size(sha) else { return nil }
        return (total, blobs.read(sha, offset: min(offset, total), length: length) ?? [])
    }

    func storePhotoChunk(_ sha: Bytes32, total: UInt64, offset: UInt64, bytes: [UInt8]) async throws -> Bool {
        try blobs.append(sha, total: total, offset: offset, bytes: bytes)
    }

    func photoHeld(_ sha: Bytes32) async { board.post(.photoHeld(node: node, sha)) }
    func offered(_ heads: [Head]) {}
    func established(_ hello: Hello) {}
    func report(_ status: ConnectionStatus, previous: ConnectionStatus) {
        if status.photoRejects > previous.photoRejects { board.countRejects(status.photoRejects - previous.photoRejects, node: node) }
    }
}

/// What the daemon's Node keeps across connections, for simulated nodes.
public final class SimBoard: Sendable {
    enum Notice: Sendable {
        case ingested(node: Int, IngestResult)
        case photoHeld(node: Int, Bytes32)
    }

    private struct State {
        var wanted: [Int: [Bytes32]] = [:]
        /// The `pieces` of each photo's reference, for nodes that fetch by pieces.
        var pieces: [Bytes32: Bytes32] = [:]
        var byPieces: [Int: Set<Bytes32>] = [:]
        var rejects: [Int: Int] = [:]
        var claimed: [Int: Set<Bytes32>] = [:]
        var notices: [Notice] = []
    }

    private let state = Mutex(State())

    func noteReference(_ sha: Bytes32, pieces: Bytes32) { state.withLock { $0.pieces[sha] = pieces } }

    /// Pieces, piece lists or photos a node refused as bad, over all its connections.
    func countRejects(_ n: Int, node: Int) { state.withLock { $0.rejects[node, default: 0] += n } }
    public func rejects(node: Int) -> Int { state.withLock { $0.rejects[node] ?? 0 } }

    func want(_ sha: Bytes32, node: Int, byPieces: Bool) {
        state.withLock { s in
            s.wanted[node, default: []].append(sha)
            if byPieces { s.byPieces[node, default: []].insert(sha) }
        }
    }

    func claim(node: Int, _ fetchable: (Bytes32) -> Bool) -> [(Bytes32, pieces: Bytes32?)] {
        state.withLock { s in
            let chosen = (s.wanted[node] ?? []).filter { !(s.claimed[node] ?? []).contains($0) && fetchable($0) }
            s.claimed[node, default: []].formUnion(chosen)
            return chosen.map { ($0, (s.byPieces[node] ?? []).contains($0) ? s.pieces[$0] : nil) }
        }
    }

    func release(_ photos: Set<Bytes32>, node: Int) { state.withLock { $0.claimed[node]?.subtract(photos) } }
    func releaseAll(node: Int) { state.withLock { $0.claimed[node] = nil } }
    func post(_ notice: Notice) { state.withLock { $0.notices.append(notice) } }

    func takeNotices() -> [Notice] {
        state.withLock { s in
            defer { s.notices = [] }
            return s.notices
        }
    }
}

/// The simulation's clock, readable by the stores (which stamp forks and
/// checkpoints) from any thread.
final class SimClock: Sendable {
    private let value = Mutex<Int64>(0)
    var now: Int64 { value.withLock { $0 } }
    func set(_ t: Int64) { value.withLock { $0 = t } }
}

/// A binary heap of events by (time, insertion order): ties run in the
/// order they were scheduled, which keeps runs deterministic.
struct EventQueue {
    private var heap: [(time: Int64, order: Int, event: Simulation.SimEvent)] = []
    private var counter = 0

    var peekTime: Int64? { heap.first?.time }

    mutating func push(time: Int64, _ event: Simulation.SimEvent) {
        counter += 1
        heap.append((time, counter, event))
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(i, parent) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> (Int64, Simulation.SimEvent)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count && less(l, m) { m = l }
            if r < heap.count && less(r, m) { m = r }
            guard m != i else { break }
            heap.swapAt(i, m)
            i = m
        }
        return (top.time, top.event)
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        (heap[a].time, heap[a].order) < (heap[b].time, heap[b].order)
    }
}

/// The nodes' databases and blob stores, removed with the simulation.
final class SimulationDirectory: Sendable {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tcsim-\(UUID().uuidString.prefix(8))").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
