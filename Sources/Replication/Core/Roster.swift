import Foundation

/// Roles an `admit` can grant. Other role strings are stored and forwarded
/// but grant no membership (forward compatibility).
public enum Role: String, Codable, Sendable, CaseIterable {
    case telecenter, hub, monitor, authority
}

/// Who belongs to the network, as a pure fold over `admit` and `revoke`
/// entries (docs/PROTOCOL.md, "Membership"). Entries may be applied in any
/// order across authors: every question is answered from everything applied
/// so far, so the result depends only on which entries are held.
public struct Roster: Sendable {
    public let genesis: NodeID

    public struct Admission: Sendable, Equatable {
        public let authority: NodeID
        public let seq: UInt64
        public let role: String
        public let name: String?
        public let region: String?
        public let time: Int64
    }

    public struct Revocation: Sendable, Equatable {
        public let revoker: NodeID
        public let seq: UInt64
        public let fromSeq: UInt64
        public let reason: String?
        public let time: Int64
    }

    /// subject -> authority -> that authority's latest admit of the subject.
    public private(set) var admissions: [NodeID: [NodeID: Admission]] = [:]
    /// subject -> every revoke of it ever applied (a revoke cannot be withdrawn).
    public private(set) var revocations: [NodeID: [Revocation]] = [:]
    /// author -> subjects of its admits and revokes: whose standing may
    /// change when the genesis changes that author's authority or region.
    private var subjectsOf: [NodeID: Set<NodeID>] = [:]

    public init(genesis: NodeID) { self.genesis = genesis }

    /// `admit` and `revoke` bodies as the network entries define them.
    struct AdmitBody: Decodable {
        let node: String
        let role: String
        let name: String?
        let region: String?
    }

    struct RevokeBody: Decodable {
        let node: String
        let from_seq: UInt64
        let reason: String?
    }

    public static func isNetworkKind(_ kind: String) -> Bool { kind == "admit" || kind == "revoke" }

    /// Applies one entry. Entries of other kinds, deletes, and admits or
    /// revokes whose key is not the body's `node` change nothing. Returns the
    /// subject whose standing may have changed.
    @discardableResult
    public mutating func apply(_ entry: Entry) -> NodeID? {
        guard entry.op == .put, Roster.isNetworkKind(entry.kind), let subject = NodeID(entry.key) else { return nil }
        let body = Data(entry.body)
        switch entry.kind {
        case "admit":
            guard let admit = try? JSONDecoder().decode(AdmitBody.self, from: body), admit.node == entry.key else { return nil }
            admissions[subject, default: [:]][entry.author] = Admission(
                authority: entry.author, seq: entry.seq, role: admit.role, name: admit.name, region: admit.region,
                time: entry.time)
            subjectsOf[entry.author, default: []].insert(subject)
            return subject
        case "revoke":
            guard let revoke = try? JSONDecoder().decode(RevokeBody.self, from: body), revoke.node == entry.key,
                revoke.from_seq >= 1
            else { return nil }
            revocations[subject, default: []].append(
                Revocation(revoker: entry.author, seq: entry.seq, fromSeq: revoke.from_seq, reason: revoke.reason, time: entry.time))
            subjectsOf[entry.author, default: []].insert(subject)
            return subject
        default:
            return nil
        }
    }

    /// True for the genesis authority and for nodes the genesis authority
    /// admitted with role `authority`. Only the genesis authority can make
    /// authorities, so this never depends on a delegated authority.
    public func isAuthority(_ node: NodeID) -> Bool {
        node == genesis || admissions[node]?[genesis]?.role == Role.authority.rawValue
    }

    /// The lowest `from_seq` of the revokes that apply to `node`, if any.
    /// Revokes of authorities count only from the genesis authority; revokes
    /// of other members count from any authority, and only when that
    /// authority's revoke entry is itself below its own revocation point.
    public func revokedFrom(_ node: NodeID) -> UInt64? {
        guard node != genesis, let list = revocations[node] else { return nil }
        let subjectIsAuthority = isAuthority(node)
        var lowest: UInt64?
        for r in list {
            let counts: Bool
            if subjectIsAuthority {
                counts = r.revoker == genesis
            } else {
                counts = isAuthority(r.revoker) && r.seq < authorityLimit(r.revoker) && inScope(of: r.revoker, node)
            }
            if counts { lowest = min(lowest ?? .max, r.fromSeq) }
        }
        return lowest
    }

    /// Seqs of an authority's entries below this limit take effect.
    private func authorityLimit(_ authority: NodeID) -> UInt64 {
        guard authority != genesis, let list = revocations[authority] else { return .max }
        return list.filter { $0.revoker == genesis }.map(\.fromSeq).min() ?? .max
    }

    private func grants(_ a: Admission) -> Bool {
        guard let role = Role(rawValue: a.role) else { return false }
        if role == .authority { return a.authority == genesis }
        guard isAuthority(a.authority), a.seq < authorityLimit(a.authority) else { return false }
        if let scope = scope(of: a.authority) { return a.region == scope }
        return true
    }

    /// The region a delegated authority administers: the region of its
    /// admit by the genesis authority, when that is not empty. Its admits
    /// grant only with exactly this region, and its revokes count only for
    /// members admitted into it (PROTOCOL.md §3.2). Nil for the genesis
    /// authority and for authorities admitted without a region, which
    /// administer the whole network.
    public func scope(of authority: NodeID) -> String? {
        guard authority != genesis, let admit = admissions[authority]?[genesis], admit.role == Role.authority.rawValue,
            let region = admit.region, !region.isEmpty
        else { return nil }
        return region
    }

    /// Whether `authority`'s revokes reach `node`: always for an authority
    /// of the whole network; for a regional one, when a standing admit
    /// puts `node` in its region.
    private func inScope(of authority: NodeID, _ node: NodeID) -> Bool {
        guard let scope = scope(of: authority) else { return true }
        return standingAdmissions(of: node).contains { $0.region == scope }
    }

    /// Admissions of `node` that currently stand.
    public func standingAdmissions(of node: NodeID) -> [Admission] {
        guard let byAuthority = admissions[node] else { return [] }
        return byAuthority.values.filter(grants)
    }

    /// The highest seq of `node`'s log this node accepts: everything for the
    /// genesis authority, nothing for a non-member, and up to `from_seq - 1`
    /// for a revoked member.
    public func acceptedLimit(_ node: NodeID) -> UInt64 {
        if node == genesis { return .max }
        guard !standingAdmissions(of: node).isEmpty else { return 0 }
        if let from = revokedFrom(node) { return from - 1 }
        return .max
    }

    /// The admit that gives a member its role, name and region: the genesis
    /// authority's for authorities, otherwise the standing admit with the
    /// greatest (time, authority id).
    public func governingAdmission(of node: NodeID) -> Admission? {
        let standing = standingAdmissions(of: node)
        if isAuthority(node), let g = admissions[node]?[genesis] { return g }
        return standing.max { ($0.time, $0.authority) < ($1.time, $1.authority) }
    }

    public enum Standing: Sendable, Equatable {
        case genesis
        case member(role: Role)
        case revoked(role: Role, fromSeq: UInt64)
        case notMember
    }

    public func standing(of node: NodeID) -> Standing {
        if node == genesis { return .genesis }
        guard let admission = governingAdmission(of: node), let role = Role(rawValue: admission.role) else {
            return .notMember
        }
        if let from = revokedFrom(node) { return .revoked(role: role, fromSeq: from) }
        return .member(role: role)
    }

    /// Whether a TLS peer with this key may sync with us on membership alone
    /// (pinned bootstrap peers are the daemon's business).
    public func acceptsPeer(_ node: NodeID) -> Bool {
        switch standing(of: node) {
        case .genesis, .member: true
        case .revoked, .notMember: false
        }
    }

    /// Nodes that `author` admitted or revoked: their standing can change
    /// when the genesis makes `author` an authority, moves its region or
    /// ends its authority, without any entry about them.
    public func subjects(of author: NodeID) -> Set<NodeID> { subjectsOf[author] ?? [] }

    /// Every node that has any admission or revocation, plus the genesis.
    public var knownNodes: [NodeID] {
        var set = Set(admissions.keys)
        set.formUnion(revocations.keys)
        set.insert(genesis)
        return set.sorted()
    }
}
