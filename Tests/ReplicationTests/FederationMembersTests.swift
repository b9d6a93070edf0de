import Foundation
import NodeRuntime
import Replication
import Testing

/// `tcnode members` draws the admission tree of a national network (the
/// genesis, provincial authorities with their region, their centres) and
/// `tcnode status` says what the node fetches (issue 14).
@Suite struct FederationMembersTests {
    static func tcnode(_ arguments: [String]) async throws -> CommandResult {
        try await run(try Products.path("tcnode"), arguments, environment: ["TCNODE_CONTROL_SOCKET": "/nonexistent/tcnode.sock"])
    }

    @Test func membersShowsTheTreeAndStatusTheInterest() async throws {
        let dir = TemporaryDirectory("tcmembers")
        let data = ["--data-dir", dir.file("national")]
        var r = try await Self.tcnode(["init", "--genesis"] + data)
        let national = try #require(NodeID(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(r.stderr)")
        let jatim = NodeKey(), bali = NodeKey()
        for (key, name, region) in [(jatim, "Hub Jawa Timur", "Jawa Timur"), (bali, "Hub Bali", "Bali")] {
            r = try await Self.tcnode(["admit", key.id.checked, "--role", "authority", "--name", name, "--region", region] + data)
            #expect(r.status == 0, "\(r.stderr)")
        }
        // Two centres in East Java's authority's log, as the national hub receives it.
        var prev = Bytes32.zero
        var admits: [VerifiedEntry] = []
        for (seq, name) in ["TC Malang", "TC Blitar"].enumerated() {
            let centre = NodeKey().id
            let body = #"{"node":"\#(centre)","role":"telecenter","name":"\#(name)","region":"Jawa Timur"}"#
            let e = try Entry.sign(.put(kind: "admit", key: centre.description, body: body, time: 1_763_798_400_000),
                                   seq: UInt64(seq + 1), prev: prev, with: jatim)
            prev = e.entry.id.hash
            admits.append(e)
        }
        let signed = admits
        try await OffPool.run {
            let store = try Store.open(at: dir.file("national/node.sqlite"))
            defer { try? store.close() }
            let result = try store.ingest(signed, from: nil)
            #expect(result.stored == 2)
        }

        r = try await Self.tcnode(["members"] + data)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        // Network line, header, then the tree: each authority's centres under it.
        let tree = ["(network genesis) ", "├─ Hub Bali ", "└─ Hub Jawa Timur ", "   ├─ TC Blitar ", "   └─ TC Malang "]
        #expect(lines.count == 7 && zip(lines.dropFirst(2), tree).allSatisfy { $0.hasPrefix($1) }, "\(r.stdout)")
        #expect(lines.last?.contains("Jawa Timur") == true && lines[3].contains("Bali") && lines[3].contains("authority"))

        r = try await Self.tcnode(["members", "--json"] + data)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let rows = try #require(json["members"] as? [[String: Any]])
        #expect(rows.map { $0["depth"] as? Int } == [0, 1, 1, 2, 2])
        #expect(rows[0]["node"] as? String == national.description && rows[0]["parent"] == nil)
        #expect(rows[2]["node"] as? String == jatim.id.description && rows[2]["parent"] as? String == national.description)
        #expect(rows[3]["parent"] as? String == jatim.id.description && rows[4]["region"] as? String == "Jawa Timur")

        // The genesis fetches everything; the default mode is auto.
        r = try await Self.tcnode(["status"] + data)
        #expect(r.status == 3 && r.stdout.contains("Interest  every author's entries (interest = auto)"), "\(r.stdout)")
        r = try await Self.tcnode(["status", "--json"] + data)
        let status = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let interest = try #require(status["interest"] as? [String: Any], "\(r.stdout)")
        #expect(interest["everything"] as? Bool == true && interest["mode"] as? String == "auto")
    }

    @Test func aCentresInterestIsItsRegionAndWhatTheConfigAdds() throws {
        let genesis = NodeKey(), centre = NodeKey(), friend = NodeKey()
        var roster = Roster(genesis: genesis.id)
        let body = #"{"node":"\#(centre.id)","role":"telecenter","name":"TC Blitar","region":"Jawa Timur"}"#
        let admit = try Entry.sign(.put(kind: "admit", key: centre.id.description, body: body, time: 1_763_798_400_000),
                                   seq: 1, prev: .zero, with: genesis)
        _ = roster.apply(admit.entry)
        let choice = InterestChoice(mode: .auto, regions: ["Bali"], authors: [friend.id], roles: ["hub"])
        let status = choice.status(node: centre.id, roster: roster, configuredRegion: nil)
        #expect(!status.everything && status.mode == "auto")
        #expect(status.regions == ["Bali", "Jawa Timur"] && status.authors == [friend.id.description] && status.roles == ["hub"])
        // Before its admit is known, tcnode.toml's region stands in.
        let early = InterestChoice().status(node: centre.id, roster: Roster(genesis: genesis.id), configuredRegion: "Jawa Timur")
        #expect(!early.everything && early.regions == ["Jawa Timur"])
        #expect(InterestChoice(mode: .everything).status(node: centre.id, roster: roster, configuredRegion: nil).everything)
    }
}
