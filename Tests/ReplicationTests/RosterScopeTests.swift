import Replication
import Testing

/// Regional authorities (PROTOCOL.md §3.2): a national genesis admits a
/// provincial authority for one region; that authority's admits and
/// revokes count only inside its region, for every receiver and in any
/// order of arrival.
@Suite struct RosterScopeTests {
    /// Signs network entries of one author, chained.
    struct Author {
        let key = NodeKey()
        var seq: UInt64 = 0
        var prev = Bytes32.zero
        var id: NodeID { key.id }

        mutating func admit(_ node: NodeID, _ role: Role, region: String?) throws -> Entry {
            let regionMember = region.map { #","region":"\#($0)""# } ?? ""
            return try put("admit", node, #"{"node":"\#(node)","role":"\#(role.rawValue)","name":"n"\#(regionMember)}"#)
        }

        mutating func revoke(_ node: NodeID, fromSeq: UInt64) throws -> Entry {
            try put("revoke", node, #"{"node":"\#(node)","from_seq":\#(fromSeq)}"#)
        }

        private mutating func put(_ kind: String, _ node: NodeID, _ body: String) throws -> Entry {
            seq += 1
            let e = try Entry.sign(.put(kind: kind, key: node.description, body: body, time: 1_763_798_400_000 + Int64(seq)),
                                   seq: seq, prev: prev, with: key).entry
            prev = e.id.hash
            return e
        }
    }

    static func fold(_ genesis: NodeID, _ entries: [Entry]) -> Roster {
        var roster = Roster(genesis: genesis)
        for e in entries { roster.apply(e) }
        return roster
    }

    @Test func aRegionalAuthorityAdmitsOnlyIntoItsRegion() throws {
        var national = Author(), jatim = Author()
        let inside = NodeKey().id, outside = NodeKey().id, unlabelled = NodeKey().id
        let entries = [
            try national.admit(jatim.id, .authority, region: "Jawa Timur"),
            try jatim.admit(inside, .telecenter, region: "Jawa Timur"),
            try jatim.admit(outside, .telecenter, region: "Jawa Tengah"),
            try jatim.admit(unlabelled, .telecenter, region: nil),
        ]
        // Every order of arrival gives the same roster.
        for order in [entries, entries.reversed(), [entries[2], entries[0], entries[3], entries[1]]] {
            let roster = Self.fold(national.id, order)
            #expect(roster.isAuthority(jatim.id))
            #expect(roster.scope(of: jatim.id) == "Jawa Timur")
            #expect(roster.acceptedLimit(inside) == .max)
            #expect(roster.acceptedLimit(outside) == 0)
            #expect(roster.acceptedLimit(unlabelled) == 0)
            #expect(roster.standing(of: outside) == .notMember)
        }
    }

    @Test func anAuthorityWithoutARegionAdmitsAnywhere() throws {
        var national = Author(), ministry = Author()
        let a = NodeKey().id, b = NodeKey().id
        let roster = Self.fold(national.id, [
            try national.admit(ministry.id, .authority, region: nil),
            try ministry.admit(a, .telecenter, region: "Papua"),
            try ministry.admit(b, .hub, region: nil),
        ])
        #expect(roster.scope(of: ministry.id) == nil)
        #expect(roster.acceptedLimit(a) == .max && roster.acceptedLimit(b) == .max)
    }

    @Test func aRegionalAuthorityRevokesOnlyMembersOfItsRegion() throws {
        var national = Author(), jatim = Author(), jateng = Author()
        let east = NodeKey().id, central = NodeKey().id
        let roster = Self.fold(national.id, [
            try national.admit(jatim.id, .authority, region: "Jawa Timur"),
            try national.admit(jateng.id, .authority, region: "Jawa Tengah"),
            try jatim.admit(east, .telecenter, region: "Jawa Timur"),
            try jateng.admit(central, .telecenter, region: "Jawa Tengah"),
            // Jawa Timur's authority tries to revoke a centre of Jawa Tengah: no effect.
            try jatim.revoke(central, fromSeq: 1),
            // Its own centre: counts.
            try jatim.revoke(east, fromSeq: 5),
        ])
        #expect(roster.revokedFrom(central) == nil && roster.acceptedLimit(central) == .max)
        #expect(roster.revokedFrom(east) == 5 && roster.acceptedLimit(east) == 4)
        // And a regional authority cannot revoke another authority.
        let again = Self.fold(national.id, [
            try national.admit(jatim.id, .authority, region: "Jawa Timur"),
            try national.admit(jateng.id, .authority, region: "Jawa Tengah"),
            try jatim.revoke(jateng.id, fromSeq: 1),
        ])
        #expect(again.revokedFrom(jateng.id) == nil)
    }

    @Test func revokingAProvincialAuthorityEndsItsLaterAdmitsAsToday() throws {
        var national = Author(), jatim = Author()
        let early = NodeKey().id, late = NodeKey().id
        let roster = Self.fold(national.id, [
            try national.admit(jatim.id, .authority, region: "Jawa Timur"),
            try jatim.admit(early, .telecenter, region: "Jawa Timur"),  // jatim seq 1
            try jatim.admit(late, .telecenter, region: "Jawa Timur"),   // jatim seq 2
            try national.revoke(jatim.id, fromSeq: 2),
        ])
        #expect(roster.acceptedLimit(jatim.id) == 1)
        #expect(roster.acceptedLimit(early) == .max)
        #expect(roster.acceptedLimit(late) == 0)
    }

    @Test func movingAnAuthorityToAnotherRegionMovesWhatItsAdmitsGrant() throws {
        var national = Author(), authority = Author()
        let centre = NodeKey().id
        var entries = [
            try national.admit(authority.id, .authority, region: "Jawa Timur"),
            try authority.admit(centre, .telecenter, region: "Jawa Timur"),
        ]
        #expect(Self.fold(national.id, entries).acceptedLimit(centre) == .max)
        // The genesis re-admits the authority for another region: its
        // earlier admit into Jawa Timur no longer grants.
        entries.append(try national.admit(authority.id, .authority, region: "Bali"))
        #expect(Self.fold(national.id, entries).acceptedLimit(centre) == 0)
    }
}

extension RosterScopeTests {
    /// The store follows the roster (PROTOCOL.md §3.6): when the genesis
    /// moves an authority to another region, the centres only its old
    /// region's admit kept are removed, and the authority's earlier,
    /// refused admit counts once the move makes it grant.
    @Test func theStorePurgesAndAdmitsWhenAnAuthoritysRegionMoves() throws {
        let dir = try TemporaryDirectory()
        let national = try makeNode(in: dir, name: "national")
        let jatim = try makeNode(in: dir, name: "jatim", network: national.id)
        let centre = try makeNode(in: dir, name: "centre", network: national.id)
        let bali = try makeNode(in: dir, name: "bali", network: national.id)
        let observer = try makeNode(in: dir, name: "observer", network: national.id)
        try national.admit(jatim.id, role: .authority, region: "Jawa Timur")
        try jatim.admit(centre.id, region: "Jawa Timur")
        try jatim.admit(bali.id, region: "Bali")
        try centre.put("product", "p1", jsonBody(1))
        try bali.put("product", "b1", jsonBody(2))
        var r = try observer.store.ingest(try entries(of: national) + entries(of: jatim) + entries(of: centre) + entries(of: bali), from: nil)
        // Bali's centre is outside the authority's region: refused.
        #expect(try observer.store.head(of: centre.id)?.seq == 1)
        #expect(try observer.store.head(of: bali.id) == nil)
        #expect(r.rejection != nil || !r.refused.isEmpty)
        // The genesis moves the authority to Bali.
        try national.admit(jatim.id, role: .authority, region: "Bali")
        r = try observer.store.ingest(try entries(of: national, from: 2), from: nil)
        #expect(r.purged.contains(centre.id))
        #expect(r.admitted.contains(bali.id))
        #expect(try observer.store.head(of: centre.id) == nil)
        #expect(try observer.store.roster.acceptedLimit(bali.id) == .max)
    }
}
