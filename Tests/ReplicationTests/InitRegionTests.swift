import Foundation
import NodeRuntime
import Replication
import Testing

/// What a node of a national network knows before its own admit arrives
/// (issue 14): the region given to `tcnode init --region` is what it asks
/// its peers for, and a provincial hub's photo rule follows the roster as
/// it changes, not as it was when tcnoded started.
@Suite struct InitRegionTests {
    static func tcnode(_ arguments: [String]) async throws -> CommandResult {
        try await run(try Products.path("tcnode"), arguments, environment: ["TCNODE_CONTROL_SOCKET": "/nonexistent/tcnode.sock"])
    }

    @Test(.long) func aRegionGivenAtInitIsAskedForUntilTheAdmitSaysOtherwise() async throws {
        let dir = TemporaryDirectory("tcinitregion")
        let network = NodeKey().id
        let data = ["--data-dir", dir.file("centre")]
        var r = try await Self.tcnode(["init", "--network", network.checked, "--region", "Jawa Timur"] + data)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("--region 'Jawa Timur'") && r.stderr.contains("asks its peers for region Jawa Timur"), "\(r.stderr)")

        func interest(_ extra: [String] = []) async throws -> (regions: [String]?, everything: Bool?, region: String?) {
            let r = try await Self.tcnode(["status", "--json"] + data + extra)
            let status = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)\(r.stderr)")
            let interest = status["interest"] as? [String: Any]
            return (interest?["regions"] as? [String], interest?["everything"] as? Bool, status["region"] as? String)
        }
        var seen = try await interest()
        #expect(seen.regions == ["Jawa Timur"] && seen.everything == false && seen.region == "Jawa Timur")
        r = try await Self.tcnode(["status"] + data)
        #expect(r.stdout.contains("region Jawa Timur"), "\(r.stdout)")

        // tcnode.toml's region wins over the one given at init.
        let config = dir.file("tcnode.toml")
        try #"region = "Bali""#.write(toFile: config, atomically: true, encoding: .utf8)
        seen = try await interest(["--config", config])
        #expect(seen.regions == ["Bali"] && seen.region == "Bali")
    }

    @Test(.long, arguments: [
        ("", "--region must not be empty"),
        (" Jawa Timur", "starts or ends with a space"),
        ("Jawa\tTimur", "control character"),
    ])
    func aRegionThatCannotMatchAnAdmitIsRefusedBeforeAnythingIsMade(region: String, problem: String) async throws {
        let dir = TemporaryDirectory("tcinitregion")
        let r = try await Self.tcnode(["init", "--network", NodeKey().id.checked, "--region", region, "--data-dir", dir.file("c")])
        #expect(r.status == 2 && r.stderr.contains(problem), "\(r.status) \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("c")))
    }

    @Test func theDaemonAsksForTheInitRegionAndATomlRegionWins() async throws {
        let net = LiveNetwork()
        let genesis = NodeKey()
        let centre = try await net.add("centre", network: genesis.id, initRegion: "Jawa Timur")
        #expect(centre.node.interest?.regions == ["Jawa Timur"])
        let other = try await net.add("other", network: genesis.id, initRegion: "Jawa Timur") { $0.region = "Bali" }
        #expect(other.node.interest?.regions == ["Bali"])
        let plain = try await net.add("plain", network: genesis.id)
        try await net.run {
            #expect(plain.node.interest == nil, "no region known: everything")
        }
    }

    /// A provincial hub started before its admit arrived fetches only its
    /// own photos; once the admit makes it an authority with a region it
    /// fetches every photo of its province, without a restart.
    @Test func aProvincialHubFetchesEveryPhotoOnceItsAdmitArrives() async throws {
        let net = LiveNetwork()
        let genesis = NodeKey()
        let province = try await net.add("province", network: genesis.id, photos: false)
        let policy = try #require(province.node.photos?.policy)
        #expect(!policy.fetchesAll)
        let body = #"{"node":"\#(province.node.id)","role":"authority","name":"Hub Jawa Timur","region":"Jawa Timur"}"#
        let admit = try Entry.sign(.put(kind: "admit", key: province.node.id.description, body: body, time: 1_763_798_400_000),
                                   seq: 1, prev: .zero, with: genesis)
        try await net.run {
            let result = try await province.node.ingest([admit], from: nil)
            #expect(result.stored == 1)
            #expect(policy.fetchesAll)
            #expect(province.node.interest?.regions == ["Jawa Timur"])
        }
    }
}
