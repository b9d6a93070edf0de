import Foundation
import Replication
import Synchronization

/// What `tcnode status` shows, as the daemon reports it over the control
/// socket. The JSON is stable: fields are only ever added.
public struct StatusReport: Sendable, Codable, Equatable {
    public var node: String
    public var name: String?
    public var region: String?
    /// genesis, authority, hub, telecenter, monitor, revoked or not-a-member.
    public var role: String
    public var network: String
    public var version: String
    public var daemonRunning: Bool
    public var uptimeSeconds: Int?
    public var listen: String?
    public var nowMs: Int64
    public var store: StoreStats
    public var peers: [PeerStatus]
    /// Node ids of the peers that are hubs (or the genesis authority).
    public var hubs: [String]
    public var forks: [ForkSummary]
    /// The one-line verdict as a word, for scripts: in-sync, syncing,
    /// not-connected, refused, peer-error, refused-peer, disk-full,
    /// storage-error, no-peers, hub, revoked, not-running.
    public var state: String?
    /// The data directory, and the space left on its file system.
    public var dataDir: String?
    public var diskFreeBytes: Int64?
    /// Nodes heard from by bundle (a stick), newest import first.
    public var bundles: [BundleStatus]?
    /// What this node asks its peers for (PROTOCOL.md §7.16).
    public var interest: InterestStatus?
    /// The views of a node that keeps them (photos on): behind, or their database away.
    public var views: ViewsStatus?

    public struct BundleStatus: Sendable, Codable, Equatable {
        public var node: String
        public var name: String?
        /// When the node made its newest bundle imported here: heard from by bundle.
        public var madeMs: Int64
        public var importedMs: Int64
        public var entriesStored: Int
        /// When this node last had a connection with it: heard from by network.
        public var lastNetworkMs: Int64?
    }

    public struct ForkSummary: Sendable, Codable, Equatable {
        public var author: String
        public var seq: UInt64
        public var peer: String?
        public var detectedMs: Int64
    }

    /// snake_case JSON, like every other JSON tcnode prints.
    public static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }

    public static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }

    /// Builds the report from a store (and a running node's peers), reading
    /// the store off the cooperative pool.
    public static func make(store: Store, node: NodeID, name: String?, region: String?, running: Node?, listen: String?,
                            nowMs: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) async throws -> StatusReport {
        make(store: store, figures: try await StoreFigures.read(store), node: node, name: name, region: region, running: running,
             listen: listen, nowMs: nowMs)
    }

    /// Builds the report from figures already read (the daemon shares one
    /// read between the status requests that arrive while it runs).
    public static func make(store: Store, figures: StoreFigures, node: NodeID, name: String?, region: String?, running: Node?,
                            listen: String?, nowMs: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) -> StatusReport {
        let roster = store.roster
        let admission = roster.governingAdmission(of: node)
        var peers = running?.peers.snapshot() ?? []
        var hubs: [String] = []
        for i in peers.indices {
            guard let id = NodeID(peers[i].node) else { continue }
            // What the peer offered on earlier connections counts before
            // this one has compared its heads again.
            if let wanted = figures.entriesWanted[id], wanted > peers[i].entriesBehind {
                peers[i].entriesBehind = wanted
                peers[i].deriveFigures()
            }
            let a = roster.governingAdmission(of: id)
            peers[i].name = peers[i].name ?? a?.name
            peers[i].region = peers[i].region ?? a?.region
            peers[i].role = roleName(roster.standing(of: id))
            if id == roster.genesis || a?.role == Role.hub.rawValue { hubs.append(peers[i].node) }
        }
        var report = StatusReport(
            node: node.description, name: name ?? admission?.name, region: region ?? admission?.region,
            role: roleName(roster.standing(of: node)), network: store.network.description, version: TCNodeVersion.current,
            daemonRunning: running != nil, uptimeSeconds: running.map { Int($0.uptime) }, listen: listen, nowMs: nowMs,
            store: figures.stats, peers: peers, hubs: hubs,
            forks: figures.forks.map {
                ForkSummary(author: $0.author.description, seq: $0.seq, peer: $0.peer?.description, detectedMs: $0.detectedMs)
            },
            dataDir: (store.path as NSString).deletingLastPathComponent, diskFreeBytes: figures.diskFreeBytes)
        report.bundles = figures.bundles.map { b in
            let peer = peers.first { $0.node == b.node.description }
            return BundleStatus(node: b.node.description, name: b.name ?? roster.governingAdmission(of: b.node)?.name, madeMs: b.madeMs,
                                importedMs: b.importedMs, entriesStored: b.entriesStored,
                                lastNetworkMs: peer.flatMap { $0.connections > 0 ? nowMs : $0.lastSeenMs })
        }
        if let running { report.interest = running.interestChoice.status(node: node, roster: roster, configuredRegion: running.region) }
        report.state = report.verdict.word
        return report
    }

    static func roleName(_ standing: Roster.Standing) -> String {
        switch standing {
        case .genesis: "genesis"
        case .member(let role): role.rawValue
        case .revoked: "revoked"
        case .notMember: "not-a-member"
        }
    }

    /// The one-line verdict, as data; the CLI words it in each language.
    public enum Verdict: Sendable, Equatable {
        case notRunning
        case noPeers
        /// The node is the hub (or genesis): how many peers are connected.
        case hub(connected: Int, configured: Int, lastExchangeMs: Int64?)
        case inSync(peer: String, lastExchangeMs: Int64?)
        case syncing(peer: String, entriesBehind: UInt64)
        /// Syncing over a link slower than `slowBelow` bytes a second (the
        /// time it was down included): what is left and how long it takes at
        /// that rate. `reconnecting` between two connections of a cut-up link.
        case slowLink(peer: String, entries: UInt64, bytes: UInt64, seconds: Int, rate: Int, reconnecting: Bool, retryAtMs: Int64?)
        case notConnected(peer: String, sinceMs: Int64?, retryAtMs: Int64?, reason: String?)
        /// The peer refused this node (not a member, another network...).
        case refused(peer: String, reason: String?)
        /// The peer ended the connection over a failure of its own (its
        /// database or disk): nothing to fix on this node.
        case peerFailed(peer: String, reason: String?)
        /// This node refused the peer (bad data, wrong identity or network).
        case refusedPeer(peer: String, reason: String?)
        /// This node's own database failed while syncing: a full disk, or
        /// another storage error (`diskFull` false).
        case localStorage(diskFull: Bool, directory: String?, freeBytes: Int64?, reason: String)
        case revoked

        public var word: String {
            switch self {
            case .notRunning: "not-running"
            case .noPeers: "no-peers"
            case .hub: "hub"
            case .inSync: "in-sync"
            case .syncing, .slowLink: "syncing"
            case .notConnected: "not-connected"
            case .refused: "refused"
            case .peerFailed: "peer-error"
            case .refusedPeer: "refused-peer"
            case .localStorage(let full, _, _, _): full ? "disk-full" : "storage-error"
            case .revoked: "revoked"
            }
        }
    }

    /// A report for when the daemon does not answer and the database cannot
    /// be read either.
    public static func unreadable(node: String, nowMs: Int64) -> StatusReport {
        StatusReport(node: node, name: nil, region: nil, role: "unknown", network: "", version: TCNodeVersion.current,
                     daemonRunning: false, uptimeSeconds: nil, listen: nil, nowMs: nowMs,
                     store: .empty,
                     peers: [], hubs: [], forks: [], state: "not-running")
    }

    public var verdict: Verdict {
        guard daemonRunning else { return .notRunning }
        if role == "revoked" { return .revoked }
        // This node's own storage failing ends its connections as refusals
        // (so that dialers back off); that is this node's problem to fix,
        // not the peers' or the membership's. It is current while no peer
        // is in sync.
        if !peers.contains(where: { $0.state == .connected && $0.inSync }),
            let failure = peers.lazy.filter({ $0.state == .refused }).compactMap({ Refusal(parsing: $0.detail) })
                .first(where: \.isLocalStorage)
        {
            return .localStorage(diskFull: failure.isDiskFull || (diskFreeBytes.map { $0 < Self.diskFullBelow } ?? false),
                                 directory: dataDir, freeBytes: diskFreeBytes, reason: failure.message)
        }
        if role == "hub" || role == "genesis" || (hubs.isEmpty && role == "authority") {
            let connected = peers.filter { $0.state == .connected }
            return .hub(connected: connected.count, configured: peers.count,
                        lastExchangeMs: peers.compactMap(\.lastSeenMs).max())
        }
        let upstream = peers.filter { hubs.contains($0.node) }
        let candidates = upstream.isEmpty ? peers : upstream
        guard !candidates.isEmpty else { return .noPeers }
        if let synced = candidates.first(where: { $0.state == .connected && $0.inSync }) {
            return .inSync(peer: synced.name ?? String(synced.node.prefix(8)), lastExchangeMs: synced.lastSeenMs)
        }
        // Connected, or between two connections of a link that delivered
        // data in the last minutes (a cut-up link): how far and how fast.
        let syncing = candidates.first { $0.state == .connected }
            ?? candidates.first { $0.reconnecting && $0.averageReceiveRate > 0 && $0.entriesBehind > 0 }
        if let p = syncing {
            let label = p.name ?? String(p.node.prefix(8))
            let rate = p.averageReceiveRate > 0 ? p.averageReceiveRate : p.receiveRate
            if p.entriesBehind > 0, let seconds = p.secondsToFetch, rate > 0, rate < Self.slowBelow {
                return .slowLink(peer: label, entries: p.entriesBehind, bytes: p.bytesBehind, seconds: seconds, rate: rate,
                                 reconnecting: p.state != .connected, retryAtMs: p.state == .backingOff ? p.retryAtMs : nil)
            }
            if p.state == .connected { return .syncing(peer: label, entriesBehind: p.entriesBehind) }
        }
        let best = candidates.max { ($0.lastSeenMs ?? 0) < ($1.lastSeenMs ?? 0) }!
        let label = best.name ?? String(best.node.prefix(8))
        if best.state == .refused {
            switch Refusal(parsing: best.detail) {
            case let r? where r.byPeer && r.code == ErrorCode.internal.rawValue: return .peerFailed(peer: label, reason: r.message)
            case let r? where !r.byPeer: return .refusedPeer(peer: label, reason: best.detail)
            default: return .refused(peer: label, reason: best.detail)
            }
        }
        return .notConnected(peer: label, sinceMs: best.lastSeenMs, retryAtMs: best.retryAtMs, reason: best.detail)
    }
}

extension StatusReport {
    /// Free space below which a storage failure is taken for a full disk
    /// (SQLite needs room for its journal and the pages it adds).
    static let diskFullBelow: Int64 = 16 * 1_048_576

    /// Bytes a second below which a link is slow: about 256 kbit/s, the
    /// 2G/3G links of centres (a LAN or a good 4G link is far above).
    public static let slowBelow = 32 * 1024

    /// How a refused connection ended, read back from the peer row's detail
    /// (`ConnectionEnding.description`): who closed it, with which ERROR code.
    public struct Refusal: Equatable, Sendable {
        public var byPeer: Bool
        public var code: String
        public var message: String

        public init?(parsing detail: String?) {
            guard let detail else { return nil }
            let forms = [("we closed the connection (", false), ("the peer closed the connection (", true)]
            guard let (prefix, byPeer) = forms.first(where: { detail.hasPrefix($0.0) }),
                let close = detail.range(of: "): ", range: detail.index(detail.startIndex, offsetBy: prefix.count)..<detail.endIndex)
            else { return nil }
            self.byPeer = byPeer
            code = String(detail[detail.index(detail.startIndex, offsetBy: prefix.count)..<close.lowerBound])
            message = String(detail[close.upperBound...])
        }

        /// This node's database failed (PeerConnection's "local database error").
        public var isLocalStorage: Bool { !byPeer && code == ErrorCode.internal.rawValue && message.hasPrefix("local database error") }

        /// SQLite's SQLITE_FULL ("database or disk is full") or ENOSPC.
        public var isDiskFull: Bool {
            let text = message.lowercased()
            return text.contains("disk is full") || text.contains("no space left") || text.contains("sqlite_full")
        }
    }
}

/// The store's figures `status` shows: counts, forks and the free space
/// of the data directory's file system.
public struct StoreFigures: Sendable {
    public var stats: StoreStats
    public var forks: [ForkRecord]
    public var diskFreeBytes: Int64?
    /// The nodes bundles were imported from.
    public var bundles: [BundleSourceInfo] = []
    /// Per peer, entries it offered that are still to fetch (`Store.entriesWanted`).
    public var entriesWanted: [NodeID: UInt64] = [:]

    public init(stats: StoreStats, forks: [ForkRecord], diskFreeBytes: Int64? = nil) {
        self.stats = stats
        self.forks = forks
        self.diskFreeBytes = diskFreeBytes
    }

    /// Read in one go, off the cooperative pool.
    public static func read(_ store: Store) async throws -> StoreFigures {
        try await store.offPool {
            var figures = StoreFigures(stats: try $0.stats(), forks: try $0.forks(),
                                       diskFreeBytes: freeBytes(at: ($0.path as NSString).deletingLastPathComponent))
            figures.bundles = try $0.bundleSources()
            figures.entriesWanted = try $0.entriesWanted()
            return figures
        }
    }

    /// Bytes an unprivileged process may still write on the file system of `path`.
    static func freeBytes(at path: String) -> Int64? {
        var fs = statvfs()
        guard statvfs(path, &fs) == 0 else { return nil }
        return Int64(fs.f_bavail) * Int64(fs.f_frsize)
    }
}

/// The daemon's figures for `status`, shared: requests that arrive while a
/// read runs wait for that read, and figures read at the store's current
/// position are reused for `reuseFor` (forks can be recorded without the
/// position moving). During a bulk sync, status polled by scripts or
/// several operators then costs one read at a time, not one per request.
public final class StatusFigures: Sendable {
    let store: Store
    let reuseFor: Duration
    private let state = Mutex<State>(State())

    private struct State {
        var last: (figures: StoreFigures, position: Int64, at: ContinuousClock.Instant)?
        var reading: Task<StoreFigures, any Error>?
    }

    public init(store: Store, reuseFor: Duration = .seconds(5)) {
        self.store = store
        self.reuseFor = reuseFor
    }

    public func current() async throws -> StoreFigures {
        let position = try await store.position()
        let now = ContinuousClock.now
        enum Next { case ready(StoreFigures), join(Task<StoreFigures, any Error>), lead(Task<StoreFigures, any Error>) }
        let next: Next = state.withLock { state in
            if let reading = state.reading { return .join(reading) }
            if let last = state.last, last.position == position, now - last.at < reuseFor { return .ready(last.figures) }
            let store = self.store
            let reading = Task { try await StoreFigures.read(store) }
            state.reading = reading
            return .lead(reading)
        }
        switch next {
        case .ready(let figures):
            return figures
        case .join(let reading):
            return try await reading.value
        case .lead(let reading):
            let result = await reading.result
            state.withLock { state in
                state.reading = nil
                // Read at `position` or later: reused only while the position stays.
                if case .success(let figures) = result { state.last = (figures, position, now) }
            }
            return try result.get()
        }
    }
}
