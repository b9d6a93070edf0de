import Foundation
import Replication

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
    /// not-connected, refused, no-peers, hub, revoked, not-running.
    public var state: String?

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

    /// Builds the report from a store (and a running node's peers).
    public static func make(store: Store, node: NodeID, name: String?, region: String?, running: Node?, listen: String?,
                            nowMs: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) throws -> StatusReport {
        let roster = store.roster
        let admission = roster.governingAdmission(of: node)
        var peers = running?.peers.snapshot() ?? []
        var hubs: [String] = []
        for i in peers.indices {
            guard let id = NodeID(peers[i].node) else { continue }
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
            store: try store.stats(), peers: peers, hubs: hubs,
            forks: try store.forks().map {
                ForkSummary(author: $0.author.description, seq: $0.seq, peer: $0.peer?.description, detectedMs: $0.detectedMs)
            })
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
        case notConnected(peer: String, sinceMs: Int64?, retryAtMs: Int64?, reason: String?)
        case refused(peer: String, reason: String?)
        case revoked

        public var word: String {
            switch self {
            case .notRunning: "not-running"
            case .noPeers: "no-peers"
            case .hub: "hub"
            case .inSync: "in-sync"
            case .syncing: "syncing"
            case .notConnected: "not-connected"
            case .refused: "refused"
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
        if let connected = candidates.first(where: { $0.state == .connected }) {
            return .syncing(peer: connected.name ?? String(connected.node.prefix(8)), entriesBehind: connected.entriesBehind)
        }
        let best = candidates.max { ($0.lastSeenMs ?? 0) < ($1.lastSeenMs ?? 0) }!
        let label = best.name ?? String(best.node.prefix(8))
        if best.state == .refused { return .refused(peer: label, reason: best.detail) }
        return .notConnected(peer: label, sinceMs: best.lastSeenMs, retryAtMs: best.retryAtMs, reason: best.detail)
    }
}
