import Foundation

/// What a node wants replicated to it, sent in its HELLO (PROTOCOL.md
/// §7.16). A peer offers it only the heads of authors this selects; a
/// node that sends none is offered everything, as before interests existed.
///
/// Interest is per author, never per record kind: an author's log is one
/// hash chain (§2.3), so a node holds all of a log up to a seq or none of
/// it, and a centre's own log mixes every kind it writes.
public struct Interest: Sendable, Equatable, Codable {
    /// Regions whose members' logs are wanted (the region of the admit
    /// that gives each member its role, §3.3).
    public private(set) var regions: [String]
    /// Authors wanted whatever their region (node ids).
    public private(set) var authors: [String]
    /// Roles whose members' logs are wanted (for example `hub`).
    public private(set) var roles: [String]

    private var regionSet: Set<String> = []
    private var authorSet: Set<NodeID> = []
    private var roleSet: Set<String> = []

    public init(regions: [String] = [], authors: [NodeID] = [], roles: [String] = []) {
        self.regions = Array(Set(regions)).sorted()
        self.authors = Array(Set(authors.map(\.description))).sorted()
        self.roles = Array(Set(roles)).sorted()
        index()
    }

    private enum CodingKeys: String, CodingKey { case regions, authors, roles }

    /// Absent members are empty lists; a member of another type, or an
    /// author that is not a node id, makes the HELLO malformed.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        regions = try c.decodeIfPresent([String].self, forKey: .regions) ?? []
        authors = try c.decodeIfPresent([String].self, forKey: .authors) ?? []
        roles = try c.decodeIfPresent([String].self, forKey: .roles) ?? []
        guard authors.allSatisfy({ NodeID($0) != nil }) else {
            throw DecodingError.dataCorruptedError(forKey: .authors, in: c, debugDescription: "authors must be node ids")
        }
        index()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(authors, forKey: .authors)
        try c.encode(regions, forKey: .regions)
        try c.encode(roles, forKey: .roles)
    }

    private mutating func index() {
        regionSet = Set(regions)
        authorSet = Set(authors.compactMap(NodeID.init))
        roleSet = Set(roles)
    }

    public static func == (a: Interest, b: Interest) -> Bool {
        a.regionSet == b.regionSet && a.authorSet == b.authorSet && a.roleSet == b.roleSet
    }

    /// Whether the node `receiver` with this interest wants `author`'s log,
    /// judged with `roster` (§7.16): the genesis authority and authorities
    /// of the whole network always (their logs are the roster), the
    /// receiver's own log always, then the lists. An author `roster` has
    /// no admit of cannot be judged and counts as wanted: a centre that has
    /// not received its own admit yet still offers its own log, and the
    /// receiver, which may know more, decides.
    public func wants(_ author: NodeID, receiver: NodeID, roster: Roster) -> Bool {
        if author == receiver || author == roster.genesis || authorSet.contains(author) { return true }
        let authority = roster.isAuthority(author)
        if authority && roster.scope(of: author) == nil { return true }
        guard let admission = roster.governingAdmission(of: author) else { return true }
        if let region = admission.region, Self.isWithin(region, regionSet) { return true }
        return roleSet.contains(authority ? Role.authority.rawValue : admission.role)
    }

    /// Whether `region` is one of `listed` or lies under one: a listed
    /// region takes the regions written as it followed by " / " (a
    /// province its districts, "Jawa Timur" takes "Jawa Timur / Kab.
    /// Blitar"; §7.16).
    static func isWithin(_ region: String, _ listed: Set<String>) -> Bool {
        if listed.contains(region) { return true }
        var prefix = Substring(region)
        while let cut = prefix.range(of: Self.separator, options: .backwards) {
            prefix = prefix[..<cut.lowerBound]
            if listed.contains(String(prefix)) { return true }
        }
        return false
    }

    /// What separates a region from the regions under it.
    public static let separator = " / "

    /// The region a node's own region lies in at the top: its province
    /// ("Jawa Timur" for "Jawa Timur / Kab. Blitar").
    public static func topRegion(of region: String) -> String {
        region.range(of: separator).map { String(region[..<$0.lowerBound]) } ?? region
    }

    /// Whether everything `other` wants, this wants too: a checkpoint made
    /// under this interest is valid for `other` (§7.16). Nil is everything.
    public static func covers(_ wider: Interest?, _ other: Interest?) -> Bool {
        guard let wider else { return true }
        guard let other else { return false }
        return other.regionSet.allSatisfy { isWithin($0, wider.regionSet) } && other.authorSet.isSubset(of: wider.authorSet)
            && other.roleSet.isSubset(of: wider.roleSet)
    }

    /// Compact JSON, members sorted, as kept with checkpoints.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Lists of strings always encode.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    public init?(json: String) {
        guard let value = try? JSONDecoder().decode(Interest.self, from: Data(json.utf8)) else { return nil }
        self = value
    }
}

