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
