import Replication

/// The network's membership as a node holds it (`GET /v1/members`): every
/// node any admit or revoke names, and the genesis, with its standing, role,
/// name and who admitted it. Made from the roster the store keeps, so that
/// a client never folds admit and revoke entries itself. snake_case JSON,
/// stable: fields are only ever added.
public struct MemberList: Codable, Sendable, Equatable {
    public var network: String
    public var members: [Member]

    public struct Member: Codable, Sendable, Equatable {
        public var node: String
        /// genesis, member, revoked or not-a-member.
        public var status: String
        /// The role its standing admission gives ("authority" for the
        /// genesis); empty when no admission stands.
        public var role: String
        public var name: String?
        public var region: String?
        /// The authority whose admission gives the role, name and region.
        public var admittedBy: String?
        /// Set when a revoke applies: its entries from this seq on are refused
        /// (also for a node no admission stands for, which may never be admitted).
        public var revokedFromSeq: UInt64?
        /// The genesis, or admitted as an authority by it: may admit and revoke.
        public var authority: Bool
        /// The newest entry of it this node holds (0: none).
        public var headSeq: UInt64

        enum CodingKeys: String, CodingKey {
            case node, status, role, name, region, authority
            case admittedBy = "admitted_by"
            case revokedFromSeq = "revoked_from_seq"
            case headSeq = "head_seq"
        }
    }

    public init(network: String, members: [Member]) {
        self.network = network
        self.members = members
    }

    /// The roster's members in node id order, with the heads held of them.
    public init(roster: Roster, heads: [NodeID: UInt64]) {
        network = roster.genesis.description
        members = roster.knownNodes.map { node in
            let admission = roster.governingAdmission(of: node)
            var member = Member(node: node.description, status: "", role: admission?.role ?? "", name: admission?.name,
                                region: admission?.region, admittedBy: admission?.authority.description,
                                revokedFromSeq: roster.revokedFrom(node),
                                authority: roster.isAuthority(node), headSeq: heads[node] ?? 0)
            switch roster.standing(of: node) {
            case .genesis:
                member.status = "genesis"
                member.role = Role.authority.rawValue
            case .member: member.status = "member"
            case .revoked: member.status = "revoked"
            case .notMember: member.status = "not-a-member"
            }
            return member
        }
    }

    public func member(_ node: NodeID) -> Member? { members.first { $0.node == node.description } }

    /// Every node the list names.
    public var nodes: [NodeID] { members.compactMap { NodeID($0.node) } }
}

extension MemberList {
    /// One member in the admission tree, with where it stands.
    public struct TreeRow: Sendable, Equatable {
        public var member: Member
        /// 0 for the genesis and for nodes no standing admission places.
        public var depth: Int
        /// Whether it and each of its ancestors (outermost first, itself
        /// last) is the last child of its parent: what a drawing needs.
        public var lastAtEachLevel: [Bool]
        /// The authority that admitted it, when it is in the tree.
        public var parent: String?
    }

    /// The members as a tree of admissions (PROTOCOL.md §3.2): the genesis,
    /// the authorities it admitted (a provincial hub with its region), the
    /// nodes each of those admitted, depth first, each level by name then
    /// node id. Nodes no admission places (not members, or revoked with no
    /// admission standing) follow at depth 0.
    public var tree: [TreeRow] {
        var children: [String: [Member]] = [:]
        for member in members {
            if let parent = member.admittedBy, parent != member.node { children[parent, default: []].append(member) }
        }
        for key in children.keys {
            children[key]!.sort { ($0.name ?? "", $0.node) < ($1.name ?? "", $1.node) }
        }
        var rows: [TreeRow] = []
        var placed: Set<String> = []
        func visit(_ member: Member, lasts: [Bool], parent: String?) {
            guard placed.insert(member.node).inserted else { return }
            rows.append(TreeRow(member: member, depth: lasts.count, lastAtEachLevel: lasts, parent: parent))
            let list = (children[member.node] ?? []).filter { !placed.contains($0.node) }
            for (i, child) in list.enumerated() { visit(child, lasts: lasts + [i == list.count - 1], parent: member.node) }
        }
        if let genesis = members.first(where: { $0.node == network }) { visit(genesis, lasts: [], parent: nil) }
        for member in members where !placed.contains(member.node) {
            // Admitted by an authority this node does not know: its own root.
            if let parent = member.admittedBy, members.contains(where: { $0.node == parent }) { continue }
            visit(member, lasts: [], parent: nil)
        }
        for member in members where !placed.contains(member.node) { visit(member, lasts: [], parent: nil) }
        return rows
    }
}
