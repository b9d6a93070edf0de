import Foundation
import Logging
import NIOCore
import NIOPosix
import Replication
import Synchronization

/// The version every node reports in HELLO `agent` and in status.
public enum TCNodeVersion {
    public static let current = "0.1.0"
    public static var agent: String { "tcnode/\(current)" }
}

/// Timers of the sync protocol; tests shorten them.
public struct SyncTiming: Sendable {
    /// Send PING after this long with nothing sent: on metered links an
    /// idle connection costs about 40 KB a day (PROTOCOL.md §7.9).
    public var idleSend: Duration = .seconds(150)
    /// Close after this long with nothing received (a dead peer is noticed
    /// within six minutes).
    public var idleReceive: Duration = .seconds(360)
    /// How often a connection looks at its idle timers.
    public var tick: Duration = .seconds(5)
    public var connectTimeout: Duration = .seconds(10)
    /// A TLS handshake and HELLO must finish within this.
    public var handshakeTimeout: Duration = .seconds(20)
    /// How long a revoked peer may fetch the roster entries that tell it so
    /// before it is refused (PROTOCOL.md §6).
    public var revokedGrace: Duration = .seconds(30)
    public var backoffInitial: Duration = .seconds(1)
    public var backoffMaximum: Duration = .seconds(600)
    /// Photo requests that make no progress for this long go to another peer.
    public var photoStall: Duration = .seconds(60)

    public init() {}

    /// The connection core's timers.
    var connection: ConnectionTiming {
        var t = ConnectionTiming()
        t.idleSendMs = idleSend.milliseconds
        t.idleReceiveMs = idleReceive.milliseconds
        t.handshakeMs = handshakeTimeout.milliseconds
        t.revokedGraceMs = revokedGrace.milliseconds
        t.photoStallMs = photoStall.milliseconds
        return t
    }
}

/// One running node: its key and store, whom it trusts, its live
/// connections and their status. Listeners, dialers and the control API are
/// services around it; tests start exactly this with a temp directory.
public final class Node: Sendable {
    public let key: NodeKey
    public let store: Store
    public let agent: String
    public let peers: PeerRegistry
    public let timing: SyncTiming
    public let logger: Logger
    /// This centre's name, sent to peers in HELLO for their status displays.
    public let name: String?
    /// Photo exchange; nil for a node that does not exchange photos.
    public let photos: Photos?
    /// What this node asks peers for, and tcnode.toml's region for it.
    public let interestChoice: InterestChoice
    public let region: String?
    /// The newest seq peers have offered of each author (from their HEADS),
    /// to show how far behind this node is.
    private let offeredHeads = Mutex<[NodeID: UInt64]>([:])
    let tls: PeerTLS
    let events: NodeEvents
    let metrics = NodeMetrics()
    /// Bounds on inbound connections (storms slow down, never wedge).
    let admission = ConnectionAdmission()
    let group: any EventLoopGroup
    let startedAt = Date()
    private let pinned: Mutex<Set<NodeID>>

    public init(key: NodeKey, store: Store, pinned: Set<NodeID> = [], timing: SyncTiming = SyncTiming(),
                logger: Logger = Logger(label: "tcnode"), agent: String = TCNodeVersion.agent, name: String? = nil,
                photos: Photos? = nil, interest: InterestChoice = InterestChoice(), region: String? = nil,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        precondition(key.id == store.node, "the key must be the store's node key")
        self.key = key
        self.store = store
        self.agent = agent
        self.name = name
        self.photos = photos
        self.interestChoice = interest
        self.region = region
        self.timing = timing
        self.logger = logger
        self.group = group
        self.tls = try PeerTLS(certificate: NodeCertificate(key: key))
        let events = NodeEvents()
        self.events = events
        self.peers = PeerRegistry(onChange: { events.broadcast(.peersChanged) })
        var all = pinned
        for peer in (try? store.bootstrapPeers()) ?? [] { all.insert(peer.node) }
        self.pinned = Mutex(all)
        peers.judgeStrangers { [weak self] peer in self.map { !$0.trusts(peer) } ?? false }
    }

    public var id: NodeID { key.id }
    public var network: NodeID { store.network }

    /// The interest this node sends now (nil: everything; PROTOCOL.md §7.16).
    public var interest: Interest? {
        interestChoice.interest(node: id, roster: store.roster, configuredRegion: region)
    }

    /// Replaces the pinned peers (config reload); bootstrap peers stay.
    public func setPinned(_ peers: Set<NodeID>) {
        var all = peers
        for peer in (try? store.bootstrapPeers()) ?? [] { all.insert(peer.node) }
        pinned.withLock { $0 = all }
    }

    /// The trust rule for a TLS peer: a current member, the genesis or an
    /// authority, or a peer pinned in local config for bootstrap; never a
    /// revoked node.
    public func trusts(_ peer: NodeID) -> Bool {
        let roster = store.roster
        if roster.revokedFrom(peer) != nil { return false }
        return roster.acceptsPeer(peer) || roster.isAuthority(peer) || pinned.withLock { $0.contains(peer) }
    }

    /// Why a peer is refused, in words for its operator; nil when trusted.
    public func refusalMessage(for peer: NodeID) -> String? {
        guard !trusts(peer) else { return nil }
        let roster = store.roster
        if let from = roster.revokedFrom(peer) {
            return "node \(peer.short) was revoked from network \(network.short) (from its entry \(from)); a revoked centre cannot rejoin with this key: make a new one (`tcnode init` in a new data directory) and ask to be admitted"
        }
        return "node \(peer.short) is not a member of network \(network.short) yet; the network authority admits it with `tcnode admit \(peer) --role telecenter --name NAME --region REGION`"
    }

    /// Appends this node's own entries and tells every connection.
    @discardableResult
    public func append(_ drafts: [Entry.Draft]) async throws -> [Entry] {
        let entries = try await store.append(drafts, signer: key)
        metrics.appended(entries.count)
        events.broadcast(.feedAdvanced)
        let subjects = entries.compactMap { Roster.isNetworkKind($0.kind) ? NodeID($0.key) : nil }
        if !subjects.isEmpty {
            events.broadcast(.admitted(subjects))
            events.broadcast(.rosterChanged)
        }
        return entries
    }

    /// Stores entries that arrived by other means than a peer connection
    /// (an import, a tool) and tells every connection, as if a peer had sent them.
    @discardableResult
    public func ingest(_ entries: [VerifiedEntry], from origin: NodeID?) async throws -> IngestResult {
        let result = try await store.ingest(entries, from: origin)
        noteIngest(result, from: origin ?? id)
        return result
    }

    /// Wakes every connection after the database changed behind the node's back.
    func wakeConnections(rosterChanged: Bool) {
        events.broadcast(.feedAdvanced)
        if rosterChanged {
            events.broadcast(.admitted(store.roster.knownNodes))
            events.broadcast(.rosterChanged)
        }
    }

    /// After entries from a peer are stored: wake other connections.
    func noteIngest(_ result: IngestResult, from peer: NodeID) {
        metrics.ingested(result)
        if result.stored > 0 { events.broadcast(.feedAdvanced) }
        if !result.admitted.isEmpty { events.broadcast(.admitted(result.admitted)) }
        if !result.forks.isEmpty {
            for fork in result.forks {
                logger.warning(
                    "fork: two different entries signed by \(fork.author.short) for seq \(fork.seq); its log is frozen here until an operator acts",
                    metadata: ["peer": "\(peer.short)"])
            }
        }
        if result.rosterChanged {
            events.broadcast(.rosterChanged)
            if let from = store.roster.revokedFrom(id) {
                logger.critical(
                    "this node was revoked from network \(network.short) (from its entry \(from)): peers no longer accept it and nothing it writes will leave it; make a new node (`tcnode init` in a new data directory) and ask the network authority to admit it")
            }
        }
    }

    /// Subscribes to node events (feed growth, admissions, shutdown).
    package func subscribe() -> NodeEvents.Subscription { events.subscribe() }
    package func unsubscribe(_ s: NodeEvents.Subscription) { events.unsubscribe(s) }

    /// Waits until `condition` holds, re-checking whenever the node's feed or
    /// roster changes, or throws after `timeout`. For tests and tools: no
    /// polling sleeps.
    public func wait(for timeout: Duration, until condition: @escaping @Sendable () async throws -> Bool) async throws {
        let subscription = events.subscribe()
        defer { events.unsubscribe(subscription) }
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                if try await condition() { return true }
                for await _ in subscription.stream {
                    if try await condition() { return true }
                }
                return false
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            let met = try await group.next() ?? false
            group.cancelAll()
            if !met { throw WaitTimeout(timeout: timeout) }
        }
    }

    /// Asks every connection to say `shutting-down` and close; connections
    /// that start from now on do the same at once.
    public func closeConnections() {
        stopping.store(true, ordering: .relaxed)
        events.broadcast(.shutdown)
    }

    /// The node is stopping (`closeConnections` was called).
    public var isStopping: Bool { stopping.load(ordering: .relaxed) }
    private let stopping = Atomic<Bool>(false)

    public var uptime: TimeInterval { Date().timeIntervalSince(startedAt) }

    func noteOffered(_ heads: [Head]) {
        guard !heads.isEmpty else { return }
        offeredHeads.withLock { offered in
            for h in heads where h.seq > offered[h.author] ?? 0 { offered[h.author] = h.seq }
        }
    }

    /// The newest seq any peer has offered of each author.
    public var offered: [NodeID: UInt64] { offeredHeads.withLock { $0 } }

    /// Photos being fetched by some connection, so that two peers never
    /// write into the same partial file.
    private let photosInFlight = Mutex<Set<Bytes32>>([])

    func claimPhotos(_ requests: [PhotoRequest]) -> [PhotoRequest] {
        photosInFlight.withLock { flying in requests.filter { flying.insert($0.sha256).inserted } }
    }

    func releasePhotos<S: Sequence>(_ shas: S) where S.Element == Bytes32 {
        let released = photosInFlight.withLock { flying in shas.filter { flying.remove($0) != nil } }
        // Other connections passed these over while this one held them (a
        // provincial hub asked first may not have the photo yet, another
        // peer may): let them choose again rather than wait for news. A
        // photo released because it arrived needs nobody.
        if released.contains(where: { !(photos?.blobs.has($0) ?? false) }) { events.broadcast(.photosReferenced) }
    }

    /// The views saw new records: connections may have photos to ask for.
    package func notePhotosReferenced() { events.broadcast(.photosReferenced) }

    /// A photo finished arriving: the views and waiting tests hear of it.
    func notePhotoHeld(_ sha: Bytes32) async {
        if let photos { await OffPool.run { photos.noteHeld(sha) } }
        events.broadcast(.photoHeld(sha))
        events.broadcast(.peersChanged)
    }
}

public struct WaitTimeout: Error, CustomStringConvertible {
    public let timeout: Duration
    public var description: String { "condition not met within \(timeout)" }
}
