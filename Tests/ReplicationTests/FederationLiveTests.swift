import Foundation
import NodeRuntime
import Replication
import Testing

/// Issue 14 end to end with real nodes over TLS on loopback (as tcnoded
/// builds them): a national hub, two provincial hubs admitted as
/// authorities of their province, centres admitted by their provincial hub.
@Suite struct FederationLiveTests {
    static func admit(_ subject: NodeID, by authority: LiveNetwork.LiveMember, role: Role, region: String) async throws {
        let body = #"{"node":"\#(subject)","role":"\#(role.rawValue)","name":"\#(region) \#(subject.short)","region":"\#(region)"}"#
        try await authority.node.append([.put(kind: "admit", key: subject.description, body: body, time: 1)])
    }

    static func head(_ member: LiveNetwork.LiveMember, _ author: NodeID) async throws -> UInt64 {
        try await member.node.store.head(of: author)?.seq ?? 0
    }

    @Test func threeLevelsOfRealNodesCarryEachRegionAndPhotosTowardsTheHubs() async throws {
        let net = LiveNetwork()
        // A photo asked of a provincial hub before that hub has it is asked
        // again after `photoStall` (60 s in tcnoded): short here.
        var timing = LiveNetwork.fastTiming
        timing.photoStall = .seconds(1)
        let national = try await net.add("national", timing: timing, photos: true)
        let network = national.node.id
        let jatimKey = NodeKey(), baliKey = NodeKey()
        try await Self.admit(jatimKey.id, by: national, role: .authority, region: "Jawa Timur")
        try await Self.admit(baliKey.id, by: national, role: .authority, region: "Bali")
        // A provincial hub decides which photos it fetches when it starts;
        // these start before their admit has reached them, so they say it.
        let jatim = try await net.add("jatim", network: network, key: jatimKey, pinned: [national], photos: true) {
            $0.region = "Jawa Timur"
            $0.fetchAllPhotos = true
        }
        let bali = try await net.add("bali", network: network, key: baliKey, pinned: [national], photos: true) {
            $0.region = "Bali"
            $0.fetchAllPhotos = true
        }
        let blitarKey = NodeKey(), malangKey = NodeKey(), denpasarKey = NodeKey()
        try await Self.admit(blitarKey.id, by: jatim, role: .telecenter, region: "Jawa Timur")
        try await Self.admit(malangKey.id, by: jatim, role: .telecenter, region: "Jawa Timur")
        try await Self.admit(denpasarKey.id, by: bali, role: .telecenter, region: "Bali")
        let blitar = try await net.add("blitar", network: network, key: blitarKey, pinned: [jatim], photos: false) { $0.region = "Jawa Timur" }
        let malang = try await net.add("malang", network: network, key: malangKey, pinned: [jatim], photos: false) { $0.region = "Jawa Timur" }
        let denpasar = try await net.add("denpasar", network: network, key: denpasarKey, pinned: [bali], photos: false) { $0.region = "Bali" }

        // Blitar's product with a photo; Denpasar's product; a national announcement.
        let bytes = PhotoTransferTests.photo(60, seed: 5)
        let (sha, type) = try blitar.node.photos!.blobs.add(bytes)
        let body = #"{"name":"Batik Tulis","category":"kerajinan","photos":[{"sha256":"\#(sha.hex)","size":\#(bytes.count),"type":"\#(type)"}]}"#
        try await blitar.node.append([.put(kind: "product", key: "batik", body: body, time: 2)])
        _ = try await TransportTests.put(denpasar, "kopi")
        _ = try await TransportTests.put(national, "pengumuman")
        let nationalSeq = try await Self.head(national, network)

        try await net.run {
            let top = try await net.endpoint(of: national)
            jatim.dialers.setPeers([top])
            bali.dialers.setPeers([top])
            let east = try await net.endpoint(of: jatim), west = try await net.endpoint(of: bali)
            blitar.dialers.setPeers([east])
            malang.dialers.setPeers([east])
            denpasar.dialers.setPeers([west])
            try await net.wait("the national hub holds every centre's entries and Blitar's photo, relayed by the provincial hubs") {
                let east = try await Self.head(national, blitarKey.id), west = try await Self.head(national, denpasarKey.id)
                return east == 1 && west == 1 && national.node.photos!.blobs.has(sha)
            }
            try await net.wait("Malang holds Blitar's product, Denpasar the national announcement") {
                let neighbour = try await Self.head(malang, blitarKey.id)
                let announced = [try await Self.head(denpasar, network), try await Self.head(blitar, network)]
                return neighbour == 1 && announced == [nationalSeq, nationalSeq]
            }
            try await net.wait("every centre is in sync with its provincial hub") {
                blitar.node.peers.status(of: jatim.node.id)?.inSync == true && malang.node.peers.status(of: jatim.node.id)?.inSync == true
                    && denpasar.node.peers.status(of: bali.node.id)?.inSync == true
            }
        }
        // Nothing of another province: not on its centres, not on its hub.
        for (holder, author) in [(denpasar, blitarKey.id), (denpasar, jatimKey.id), (bali, blitarKey.id), (bali, malangKey.id),
                                 (blitar, denpasarKey.id), (malang, baliKey.id), (jatim, denpasarKey.id)] {
            #expect(try await Self.head(holder, author) == 0, "\(holder.name) holds \(author.short)'s entries")
        }
        // Photos move towards the hubs: Malang holds Blitar's product but not its photo.
        #expect(jatim.node.photos!.blobs.has(sha) && !malang.node.photos!.blobs.has(sha))
        // Each node asks for what its place gives it.
        #expect(national.node.interest == nil)
        #expect(malang.node.interest?.regions == ["Jawa Timur"] && jatim.node.interest?.regions == ["Jawa Timur"])
        #expect(denpasar.node.interest?.regions == ["Bali"])
    }
}
