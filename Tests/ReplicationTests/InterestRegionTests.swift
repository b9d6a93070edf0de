import NodeRuntime
import Replication
import Testing

/// Regions under regions (PROTOCOL.md §7.16): a province admitted district
/// by district ("Jawa Timur / Kab. Blitar") is one region for interest, so
/// its centres still hold and relay each other's records.
@Suite struct InterestRegionTests {
    @Test func aCentreOfADistrictWantsItsWholeProvince() throws {
        var genesis = RosterScopeTests.Author()
        let blitar = NodeKey().id, kediri = NodeKey().id, bali = NodeKey().id, lookalike = NodeKey().id, province = NodeKey().id
        let roster = RosterScopeTests.fold(genesis.id, [
            try genesis.admit(blitar, .telecenter, region: "Jawa Timur / Kab. Blitar"),
            try genesis.admit(kediri, .telecenter, region: "Jawa Timur / Kab. Kediri"),
            try genesis.admit(province, .telecenter, region: "Jawa Timur"),
            try genesis.admit(bali, .telecenter, region: "Bali / Kab. Badung"),
            try genesis.admit(lookalike, .telecenter, region: "Jawa Timuran"),
        ])
        let interest = try #require(InterestChoice().interest(node: blitar, roster: roster, configuredRegion: nil))
        #expect(interest.regions == ["Jawa Timur"])
        #expect(interest.wants(kediri, receiver: blitar, roster: roster))
        #expect(interest.wants(province, receiver: blitar, roster: roster))
        #expect(!interest.wants(bali, receiver: blitar, roster: roster))
        #expect(!interest.wants(lookalike, receiver: blitar, roster: roster))
        // A checkpoint made wanting the province serves a district's interest, not the reverse.
        let district = Interest(regions: ["Jawa Timur / Kab. Kediri"])
        #expect(Interest.covers(interest, district))
        #expect(!Interest.covers(district, interest))
        #expect(!district.wants(blitar, receiver: kediri, roster: roster))
    }

    @Test func anAuthorityWantsItsScopeAsWritten() throws {
        var genesis = RosterScopeTests.Author()
        let malang = NodeKey().id, blitar = NodeKey().id
        let roster = RosterScopeTests.fold(genesis.id, [
            try genesis.admit(malang, .authority, region: "Jawa Timur / Kab. Malang"),
            try genesis.admit(blitar, .telecenter, region: "Jawa Timur / Kab. Blitar"),
        ])
        let interest = try #require(InterestChoice().interest(node: malang, roster: roster, configuredRegion: nil))
        #expect(interest.regions == ["Jawa Timur / Kab. Malang"])
        #expect(!interest.wants(blitar, receiver: malang, roster: roster))
    }
}
