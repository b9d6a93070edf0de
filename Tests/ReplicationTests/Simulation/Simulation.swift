import Foundation
import Replication
import Synchronization

/// Many nodes in one process on a simulated network, in virtual time and
/// deterministic from a seed: each node has a real store (SQLite in a
/// temporary directory) and runs the real `SyncSession` for every
/// connection. Links can be partitioned on a schedule, lose frames (which
/// breaks the connection, as a reset would), delay and duplicate them;
/// nodes can crash and restart on the same database; node clocks can be
/// skewed. Print `seed` when a test fails and the run replays exactly.
final class Simulation {
    struct Options {
        var latencyMs: ClosedRange<Int64> = 5...80
        /// Probability that a frame is lost, which breaks its connection.
        var dropRate = 0.0
        /// Probability that an ENTRIES frame is delivered twice.
        var duplicateRate = 0.0
        /// Maximum clock skew of a node, in ms (either way).
        var maxClockSkewMs: Int64 = 0
        var idleSendMs: Int64 = 30_000
        var idleReceiveMs: Int64 = 90_000
    }

    let seed: UInt64
    var rng: SplitMix64
    let options: Options
    let dir = TemporaryDirectory("tcsim")
    let clock = SimClock()
    private(set) var now: Int64 = 0
    private var queue = EventQueue()
    private(set) var nodes: [SimNode] = []
    private(set) var links: [SimLink] = []
    private var connections: [Int: SimConnection] = [:]
    private var nextConnection = 0
    /// Everything that happened, for the failure report.
    private(set) var trace: [String] = []

    init(seed: UInt64, options: Options = Options()) {
        self.seed = seed
        self.rng = SplitMix64(seed: seed)
        self.options = options
    }

    // MARK: Building the network

    /// Adds a node; the first node added with `genesis: true` is the network.
    @discardableResult
    func addNode(name: String, network: NodeID? = nil, pinned: [Int] = []) throws -> Int {
        let key = try NodeKey(seed: rng.seed32())
        let index = nodes.count
        let path = dir.file("\(index)-\(name).sqlite")
        let clock = self.clock
        let store = try Store.create(at: path, network: network ?? key.id, node: key.id, clock: { clock.now })
        let skew = options.maxClockSkewMs > 0 ? Int64.random(in: -options.maxClockSkewMs...options.maxClockSkewMs, using: &rng) : 0
        nodes.append(SimNode(index: index, name: name, key: key, path: path, store: store, clockSkew: skew,
                             pinned: Set(pinned.map { nodes[$0].key.id })))
        return index
    }

    /// Links two nodes; `a` dials `b`. Starts up unless a schedule is given.
    @discardableResult
    func link(_ a: Int, _ b: Int, upFraction: Double? = nil, meanUpMs: Double = 30_000) -> Int {
        let index = links.count
        let latency = Int64.random(in: options.latencyMs, using: &rng)
        links.append(SimLink(index: index, dialer: a, listener: b, latencyMs: latency))
        if let upFraction {
            let meanDown = meanUpMs * (1 - upFraction) / upFraction
            links[index].schedule = (meanUpMs, meanDown)
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

    /// Ends every link's up/down schedule and brings all links up.
    func healAllLinks() {
        for i in links.indices {
            links[i].schedule = nil
            if !links[i].up {
                links[i].up = true
                scheduleDial(i, at: now)
            }
        }
    }

    func setLink(_ index: Int, up: Bool) {
        links[index].schedule = nil
        guard links[index].up != up else { return }
        links[index].up = up
        if up { scheduleDial(index, at: now) } else { dropConnections(onLink: index, reason: "link down") }
    }

    // MARK: Node actions

    /// Authors an entry on a node now.
    @discardableResult
    func author(_ node: Int, kind: String = "product", key: String? = nil, body: String? = nil) throws -> Entry {
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

    func admit(_ authority: Int, _ subject: Int, role: Role = .telecenter) throws {
        let s = nodes[subject]
        let body = #"{"node":"\#(s.key.id)","role":"\#(role.rawValue)","name":"\#(s.name)","region":"Jawa Timur"}"#
        try author(authority, kind: "admit", key: s.key.id.description, body: body)
    }

    func scheduleAuthoring(_ node: Int, at time: Int64) { schedule(at: time, .author(node)) }

    func crash(_ node: Int) throws {
        let n = nodes[node]
        trace("crash \(n.name)")
        for id in connections.keys.sorted() where connections[id]!.involves(node) {
            teardown(id, reason: "\(n.name) crashed")
        }
        try n.store?.close()
        n.store = nil
    }

    func restart(_ node: Int) throws {
        let n = nodes[node]
        let clock = self.clock
        n.store = try Store.open(at: n.path, clock: { clock.now })
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
    func run(until deadline: Int64, checkEveryMs: Int64 = 0, _ done: () throws -> Bool = { false }) throws -> Bool {
        var lastCheck: Int64?
        while let next = queue.peekTime, next <= deadline {
            let (time, event) = queue.pop()!
            now = time
            clock.set(time)
            try process(event)
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
    func heads(_ node: Int) throws -> [Head] {
        try nodes[node].store!.heads(movedAfter: 0).heads.sorted { $0.author < $1.author }
    }

    func converged() throws -> Bool {
        let reference = try heads(0)
        for i in nodes.indices.dropFirst() where try heads(i) != reference { return false }
        return true
    }

    var stats: (framesDelivered: Int, entriesDelivered: Int, connections: Int) {
        (nodes.reduce(0) { $0 + $1.framesReceived }, nodes.reduce(0) { $0 + $1.entriesReceived }, nextConnection)
    }

    func trace(_ line: String) {
        trace.append("[\(now) ms] \(line)")
        if trace.count > 4000 { trace.removeFirst(1000) }
    }

    var failureReport: String {
        "seed \(seed) (replay with this seed); last events:\n" + trace.suffix(40).joined(separator: "\n")
    }

    // MARK: Events

    enum SimEvent {
        case deliver(connection: Int, to: Int, frame: Frame)
        case teardown(connection: Int, reason: String)
        case dial(Int, token: Int)
        case linkToggle(Int)
        case author(Int)
        case notify(node: Int, SyncSession.Event)
        case idleCheck(connection: Int)
    }

    /// One pending dial per link: a newer schedule replaces an older one.
    private func scheduleDial(_ index: Int, at time: Int64) {
        links[index].dialToken += 1
        schedule(at: time, .dial(index, token: links[index].dialToken))
    }

    private func schedule(at time: Int64, _ event: SimEvent) {
        queue.push(time: max(time, now), event)
    }

    private func process(_ event: SimEvent) throws {
        switch event {
        case .deliver(let id, let side, let frame):
            guard var connection = connections[id] else { return }
            connection.lastReceived[side] = now
            connections[id] = connection
            let node = nodes[connection.ends[side].node]
            node.framesReceived += 1
            if case .entries(let raw) = frame { node.entriesReceived += raw.count }
            try handle(id, side, .received(frame))
        case .teardown(let id, let reason):
            teardown(id, reason: reason)
        case .dial(let index, let token):
            if token == links[index].dialToken { try dial(index) }
        case .linkToggle(let index):
            guard let (meanUp, meanDown) = links[index].schedule else { return }
            links[index].up.toggle()
            let up = links[index].up
            trace("link \(linkName(index)) \(up ? "up" : "down")")
            if !up { dropConnections(onLink: index, reason: "link down") }
            schedule(at: now + Int64(rng.exponential(mean: up ? meanUp : meanDown)) + 1, .linkToggle(index))
        case .author(let node):
            guard nodes[node].store != nil else { return }
            try author(node)
        case .notify(let node, let sessionEvent):
            for id in connections.keys.sorted() {
                guard let c = connections[id] else { continue }
                for side in 0..<2 where c.ends[side].node == node {
                    try handle(id, side, sessionEvent)
                }
            }
        case .idleCheck(let id):
            guard let c = connections[id] else { return }
            for side in 0..<2 {
                if now - c.lastReceived[side] >= options.idleReceiveMs {
                    try handle(id, side, .receiveIdle)
                    return
                }
                if now - c.lastSent[side] >= options.idleSendMs { try handle(id, side, .sendIdle) }
            }
            schedule(at: now + options.idleSendMs, .idleCheck(connection: id))
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

    private func dial(_ index: Int) throws {
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
        func session(_ me: SimNode, _ peer: SimNode) throws -> SyncSession {
            let store = me.store!
            return SyncSession(.init(
                network: store.network, local: me.key.id, peer: peer.key.id, peerTrusted: trusted(me, peer),
                agent: "tcnode/sim", feed: store.feed, checkpoint: try store.checkpoint(for: peer.key.id)))
        }
        connections[id] = SimConnection(
            id: id, link: index,
            ends: [SimEnd(node: a.index, session: try session(a, b)), SimEnd(node: b.index, session: try session(b, a))],
            lastSent: [now, now], lastReceived: [now, now], lastDelivery: [now, now])
        links[index].connection = id
        trace("connect \(linkName(index)) #\(id)")
        schedule(at: now + options.idleSendMs, .idleCheck(connection: id))
        try handle(id, 0, .start)
        try handle(id, 1, .start)
    }

    private func dropConnections(onLink index: Int, reason: String) {
        if let id = links[index].connection { teardown(id, reason: reason) }
    }

    private func teardown(_ id: Int, reason: String) {
        guard let c = connections.removeValue(forKey: id) else { return }
        links[c.link].connection = nil
        trace("close #\(id) \(linkName(c.link)): \(reason)")
        let dialer = nodes[links[c.link].dialer]
        if dialer.store != nil {
            if c.ends[0].session.isInSync { links[c.link].backoff.reset() }
            let delay = links[c.link].backoff.next(using: &rng)
            scheduleDial(c.link, at: now + delay.milliseconds)
        }
    }

    /// Feeds an event to one end's session and carries out its actions.
    private func handle(_ id: Int, _ side: Int, _ event: SyncSession.Event) throws {
        var work: [SyncSession.Event] = [event]
        while !work.isEmpty {
            guard var connection = connections[id] else { return }
            let actions = connection.ends[side].session.handle(work.removeFirst())
            connections[id] = connection
            for action in actions {
                guard connections[id] != nil else { return }
                if let answer = try perform(action, id, side) { work.append(answer) }
            }
        }
    }

    private func send(_ frames: [Frame], _ id: Int, _ side: Int) {
        guard var c = connections[id] else { return }
        let latency = links[c.link].latencyMs
        for frame in frames {
            let at = max(now + latency, c.lastDelivery[side])
            c.lastDelivery[side] = at
            c.lastSent[side] = now
            if rng.chance(options.dropRate) {
                connections[id] = c
                schedule(at: at, .teardown(connection: id, reason: "frame lost"))
                return
            }
            schedule(at: at, .deliver(connection: id, to: 1 - side, frame: frame))
            if case .entries = frame, rng.chance(options.duplicateRate) {
                schedule(at: at, .deliver(connection: id, to: 1 - side, frame: frame))
            }
        }
        connections[id] = c
    }

    private func perform(_ action: SyncSession.Action, _ id: Int, _ side: Int) throws -> SyncSession.Event? {
        let c = connections[id]!
        let me = nodes[c.ends[side].node]
        let peer = nodes[c.ends[1 - side].node]
        let store = me.store!
        switch action {
        case .send(let frames):
            send(frames, id, side)
        case .loadHeads(let after, let excludingPeer):
            return .headsLoaded(try store.heads(movedAfter: Int64(clamping: after), excludingOrigin: excludingPeer ? peer.key.id : nil))
        case .compare(let request, let heads):
            return .compared(request: request, try store.compare(heads))
        case .comparePending(let request):
            return .compared(request: request, try store.compare(try store.pendingHeads(offeredBy: peer.key.id)))
        case .serve(let ranges):
            if let frames = try store.entriesFrames(serving: ranges) {
                send(frames, id, side)
            } else {
                send([.error(ProtocolError(.internal, "cannot serve the entries wanted"))], id, side)
                schedule(at: now + links[c.link].latencyMs + 1, .teardown(connection: id, reason: "\(me.name) cannot serve"))
            }
        case .ingest(let tag, let raw):
            let batch = VerifiedBatch(verifying: raw)
            let result = batch.entries.isEmpty ? IngestResult() : try store.ingest(batch.entries, from: peer.key.id)
            me.refused += result.refused.count
            me.forksSeen += result.forks.count
            if result.stored > 0 { notify(me.index, .feedAdvanced) }
            if !result.admitted.isEmpty { notify(me.index, .admitted(result.admitted)) }
            return .ingested(.init(tag: tag, result: result, failure: batch.failure))
        case .saveCheckpoint(let checkpoint):
            try store.saveCheckpoint(checkpoint, for: peer.key.id)
        case .savePending(let heads):
            try store.savePending(heads, offeredBy: peer.key.id)
        case .established:
            if side == 0 { links[c.link].backoff.reset() }
        case .synced:
            me.syncs += 1
        case .close(let error, let reason):
            me.closes.append(reason)
            trace("\(me.name) closes #\(id): \(reason)")
            if let error { send([.error(error)], id, side) }
            let at = (connections[id]?.lastDelivery[side] ?? now) + 1
            schedule(at: at, .teardown(connection: id, reason: "\(me.name) closed"))
        }
        return nil
    }

    private func notify(_ node: Int, _ event: SyncSession.Event) {
        schedule(at: now, .notify(node: node, event))
    }
}

enum SimError: Error { case offline(String) }

final class SimNode {
    let index: Int
    let name: String
    let key: NodeKey
    let path: String
    var store: Store?
    let clockSkew: Int64
    let pinned: Set<NodeID>
    var authored = 0
    var framesReceived = 0
    var entriesReceived = 0
    var refused = 0
    var forksSeen = 0
    var syncs = 0
    var closes: [SyncSession.CloseReason] = []

    init(index: Int, name: String, key: NodeKey, path: String, store: Store, clockSkew: Int64, pinned: Set<NodeID>) {
        self.index = index
        self.name = name
        self.key = key
        self.path = path
        self.store = store
        self.clockSkew = clockSkew
        self.pinned = pinned
    }
}

struct SimLink {
    let index: Int
    let dialer: Int
    let listener: Int
    let latencyMs: Int64
    var up = true
    var schedule: (Double, Double)?
    var connection: Int?
    var dialToken = 0
    var backoff = Backoff()
}

struct SimEnd {
    let node: Int
    var session: SyncSession
}

struct SimConnection {
    let id: Int
    let link: Int
    var ends: [SimEnd]
    var lastSent: [Int64]
    var lastReceived: [Int64]
    var lastDelivery: [Int64]

    func involves(_ node: Int) -> Bool { ends.contains { $0.node == node } }
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

extension Duration {
    var milliseconds: Int64 {
        let (s, atto) = components
        return s * 1000 + atto / 1_000_000_000_000_000
    }
}
