import Foundation
import NodeRuntime
import Replication
import Testing

/// tcnode.toml's interest options and photo switch (issue 14): a bad value
/// stops tcnoded with an error naming the setting and what to write.
@Suite struct FederationConfigTests {
    static let path = "/etc/tcnode/tcnode.toml"

    static func refusal(_ toml: String) -> NodeConfig.Error? {
        do {
            _ = try NodeConfig.parse(toml, path: path)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        (#"interest = "province""#, "interest", "'province' is not one of auto, region, everything"),
        ("interest = 3", "interest", "must be a string in quotes"),
        ("interest = \"everything\"\ninterest_regions = [\"Bali\"]", "interest_regions", "has no effect with interest = \"everything\""),
        ("interest = \"everything\"\ninterest_roles = [\"hub\"]", "interest_roles", "remove interest_roles, or set interest = \"auto\" or \"region\""),
        ("interest = \"everything\"\ninterest_authors = [\"\(NodeKey().id)\"]", "interest_authors", "has no effect"),
        (#"interest_regions = "Bali""#, "interest_regions", #"must be a list of strings, e.g. ["Jawa Tengah"]"#),
        (#"interest_regions = [""]"#, "interest_regions[0]", "must be a non-empty string"),
        (#"interest_authors = ["abc"]"#, "interest_authors[0]", "'abc' is not a node id"),
        (#"interest_roles = ["boss"]"#, "interest_roles[0]", "'boss' is not one of telecenter, hub, monitor, authority"),
        (#"fetch_all_photos = "yes""#, "fetch_all_photos", "must be true or false"),
        (#"intrest = "auto""#, "intrest", "unknown option"),
    ])
    func badInterestOptionsNameTheSetting(toml: String, option: String, problem: String) throws {
        let error = try #require(Self.refusal(toml), "\(toml) was accepted")
        #expect(error.option == option && error.problem.contains(problem), "\(error)")
        #expect(error.description.hasPrefix("\(Self.path): option '\(option)'"))
    }

    @Test func goodInterestOptionsAreKept() throws {
        let friend = NodeKey().id
        let config = try NodeConfig.parse("""
            region = "Jawa Timur"
            interest = "region"
            interest_regions = ["Bali"]
            interest_authors = ["\(friend)"]
            interest_roles = ["hub"]
            fetch_all_photos = true
            """, path: Self.path)
        #expect(config.interest == InterestChoice(mode: .region, regions: ["Bali"], authors: [friend], roles: ["hub"]))
        #expect(config.fetchAllPhotos == true)
        let plain = try NodeConfig.parse("", path: Self.path)
        #expect(plain.interest == InterestChoice() && plain.fetchAllPhotos == nil)
        #expect(try NodeConfig.parse(#"interest = "everything""#, path: Self.path).interest.mode == .everything)
    }

    /// Photos move towards hubs: the national hub, a hub and a provincial
    /// hub fetch every photo of the records they hold; a centre only its
    /// own, unless tcnode.toml asks (and a hub may decline).
    @Test func photosMoveTowardsHubsUnlessAskedFor() throws {
        let national = NodeKey(), province = NodeKey(), wide = NodeKey(), hub = NodeKey(), centre = NodeKey()
        var roster = Roster(genesis: national.id)
        var seq: UInt64 = 0, prev = Bytes32.zero
        func admit(_ key: NodeKey, _ role: String, region: String?, by authority: NodeKey) throws {
            let regionField = region.map { #","region":"\#($0)""# } ?? ""
            let body = #"{"node":"\#(key.id)","role":"\#(role)","name":"n"\#(regionField)}"#
            seq += 1
            let e = try Entry.sign(.put(kind: "admit", key: key.id.description, body: body, time: 1_763_798_400_000), seq: seq, prev: prev, with: authority)
            prev = e.entry.id.hash
            _ = roster.apply(e.entry)
        }
        try admit(province, "authority", region: "Jawa Timur", by: national)
        try admit(wide, "authority", region: nil, by: national)
        try admit(hub, "hub", region: "Jawa Timur", by: national)
        try admit(centre, "telecenter", region: "Jawa Timur", by: national)
        func all(_ key: NodeKey, views: Bool = false, configured: Bool? = nil) -> Bool {
            PhotoFetch.fetchesAll(node: key.id, roster: roster, viewsOn: views, configured: configured)
        }
        #expect(all(national) && all(hub) && all(province))
        #expect(!all(centre) && !all(wide))
        #expect(all(centre, views: true) && all(centre, configured: true) && !all(hub, configured: false))
    }
}
