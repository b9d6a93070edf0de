import Replication

/// What this node asks its peers for (PROTOCOL.md §7.16), from the
/// `interest` options of tcnode.toml and the node's own place in the roster.
/// Chosen when each connection starts, so an admit that gives the node its
/// region takes effect on the next connection.
public struct InterestChoice: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        /// A centre or provincial hub: its region when one is known,
        /// everything otherwise; the genesis and hubs or authorities of the
        /// whole network want everything.
        case auto
        case everything
        case region
    }

    public var mode: Mode = .auto
    /// Wanted in addition, whatever the mode.
    public var regions: [String] = []
    public var authors: [NodeID] = []
    public var roles: [String] = []

    public init(mode: Mode = .auto, regions: [String] = [], authors: [NodeID] = [], roles: [String] = []) {
        self.mode = mode
        self.regions = regions
        self.authors = authors
        self.roles = roles
    }

    /// The region a node asks for until its own admit says it: tcnode.toml's
    /// `region`, else the one given to `tcnode init --region`.
    public static func region(configured: String?, store: Store) async -> String? {
        if let configured { return configured }
        return (try? await store.initRegion()) ?? nil
    }

    /// The interest to send; nil means everything. `configuredRegion` is
    /// tcnode.toml's `region`, used until the node's own admit is known.
    public func interest(node: NodeID, roster: Roster, configuredRegion: String?) -> Interest? {
        let own = roster.governingAdmission(of: node)
        let ownRegion = (roster.isAuthority(node) ? roster.scope(of: node) : own?.region).flatMap { $0.isEmpty ? nil : $0 }
            ?? configuredRegion.flatMap { $0.isEmpty ? nil : $0 }
        let wholeNetwork: Bool
        switch mode {
        case .everything:
            return nil
        case .region:
            wholeNetwork = false
        case .auto:
            // The genesis, and a hub or authority admitted for no region,
            // serve the whole network.
            if node == roster.genesis { return nil }
            if roster.isAuthority(node) { wholeNetwork = roster.scope(of: node) == nil }
            else if own?.role == Role.hub.rawValue { wholeNetwork = (own?.region ?? "").isEmpty }
            else { wholeNetwork = false }
            if wholeNetwork { return nil }
        }
        guard let ownRegion else {
            // No region known and nothing listed: asking for nothing but
            // the roster would leave the node empty; take everything.
            if regions.isEmpty && authors.isEmpty && roles.isEmpty { return nil }
            return Interest(regions: regions, authors: authors, roles: roles)
        }
        // A centre (or hub member) wants its whole province, districts
        // included, so the centres of a province admitted district by
        // district ("Jawa Timur / Kab. Blitar") still hold each other's
        // records and relay them; an authority wants the scope it administers.
        let wanted = roster.isAuthority(node) ? ownRegion : Interest.topRegion(of: ownRegion)
        return Interest(regions: [wanted] + regions, authors: authors, roles: roles)
    }
}

/// What `tcnode status` shows of this node's interest: the configured mode
/// and what the node asks its peers for now (PROTOCOL.md §7.16).
public struct InterestStatus: Sendable, Codable, Equatable {
    /// auto, region or everything, as tcnode.toml says.
    public var mode: String
    /// True when the node asks for every author's log.
    public var everything: Bool
    /// What it asks for otherwise, beside the roster (the genesis's and
    /// whole-network authorities' logs) and its own log.
    public var regions: [String]
    public var authors: [String]
    public var roles: [String]

    public init(choice: InterestChoice, sent: Interest?) {
        mode = choice.mode.rawValue
        everything = sent == nil
        regions = sent?.regions ?? []
        authors = sent?.authors ?? []
        roles = sent?.roles ?? []
    }
}

extension InterestChoice {
    /// The status of this choice for `node` under `roster`.
    public func status(node: NodeID, roster: Roster, configuredRegion: String?) -> InterestStatus {
        InterestStatus(choice: self, sent: interest(node: node, roster: roster, configuredRegion: configuredRegion))
    }
}
