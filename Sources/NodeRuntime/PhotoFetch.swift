import Replication

/// Which photos a node fetches (PROTOCOL.md §11.3): photos move towards
/// hubs unless a node asks for more. Decided each time photos are chosen,
/// from the roster as it is then: a provincial hub started before its admit
/// arrived begins fetching its centres' photos as soon as the admit does.
public enum PhotoFetch {
    /// How a node decides: fixed (tcnode.toml's `fetch_all_photos`, tests),
    /// or by its standing in the roster.
    public enum Rule: Sendable, Equatable {
        case fixed(Bool)
        case byStanding(node: NodeID, viewsOn: Bool)

        public init(node: NodeID, viewsOn: Bool, configured: Bool?) {
            self = configured.map { .fixed($0) } ?? .byStanding(node: node, viewsOn: viewsOn)
        }

        /// True: every photo of the records the node holds. False: only the
        /// photos of its own records and of surveys about it.
        ///
        /// A hub fetches all: the genesis, a node admitted as `hub`, a node
        /// serving the views, and a provincial hub (an authority with a
        /// region, §3.2), which holds only its region's records and carries
        /// their photos on to the national hub. A centre fetches only its
        /// own, never other centres'.
        public func fetchesAll(roster: Roster) -> Bool {
            switch self {
            case .fixed(let all):
                return all
            case .byStanding(let node, let viewsOn):
                let standing = roster.standing(of: node)
                if standing == .genesis || standing == .member(role: .hub) || viewsOn { return true }
                return roster.isAuthority(node) && roster.scope(of: node) != nil
            }
        }
    }

    /// The rule for `node` under `roster` now; tcnode.toml's
    /// `fetch_all_photos` decides when set.
    public static func fetchesAll(node: NodeID, roster: Roster, viewsOn: Bool, configured: Bool?) -> Bool {
        Rule(node: node, viewsOn: viewsOn, configured: configured).fetchesAll(roster: roster)
    }
}
