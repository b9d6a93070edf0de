import Replication

/// Which photos a node fetches (PROTOCOL.md §11.3): photos move towards
/// hubs unless a node asks for more. Decided once when the daemon starts.
public enum PhotoFetch {
    /// True: every photo of the records the node holds. False: only the
    /// photos of its own records and of surveys about it.
    ///
    /// A hub fetches all: the genesis, a node admitted as `hub`, a node
    /// serving the views, and a provincial hub (an authority with a region,
    /// §3.2), which holds only its region's records and carries their
    /// photos on to the national hub. A centre fetches only its own, never
    /// other centres'. tcnode.toml's `fetch_all_photos` decides when set.
    public static func fetchesAll(node: NodeID, roster: Roster, viewsOn: Bool, configured: Bool?) -> Bool {
        if let configured { return configured }
        let standing = roster.standing(of: node)
        if standing == .genesis || standing == .member(role: .hub) || viewsOn { return true }
        return roster.isAuthority(node) && roster.scope(of: node) != nil
    }
}
