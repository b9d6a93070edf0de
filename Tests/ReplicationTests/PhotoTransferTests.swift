import Foundation
import HubViews
import NodeRuntime
import Replication
import Telecenter
import Testing

/// Photos travel beside the entries (BLOB_WANT / BLOB_DATA) over real TLS.
@Suite(.long) struct PhotoTransferTests {
    static func photo(_ size: Int, seed: Int) -> [UInt8] {
        TinyPNG.make(width: size, height: size) { x, y in (UInt8((x * seed) % 256), UInt8((y + seed) % 256), UInt8((x ^ y) % 256)) }
    }

    @Test func hubFetchesAPhotoResumingACutTransferAndVerifiesIt() async throws {
        let net = LiveNetwork()
        let hub = try await net.add("hub", photos: true)
        let centreKey = NodeKey()
        try await TransportTests.admit(centreKey.id, by: hub)
        let centre = try await net.add("centre", network: hub.node.id, key: centreKey, pinned: [hub], photos: false)

        // A product with a 600 KB photo: three BLOB_DATA chunks.
        let bytes = Self.photo(460, seed: 3)
        #expect(bytes.count > 2 * Frame.maximumBlobChunk)
        let (sha, type) = try centre.node.photos!.blobs.add(bytes)
        let body = #"{"name":"Batik Tulis","category":"kerajinan","photos":[{"sha256":"\#(sha.hex)","size":\#(bytes.count),"type":"\#(type)"}]}"#
        try await centre.node.append([.put(kind: "product", key: "batik", body: body, time: 1)])

        // An earlier connection was cut after the first chunk: the hub holds it.
        let hubBlobs = hub.node.photos!.blobs
        #expect(try hubBlobs.append(sha, total: UInt64(bytes.count), offset: 0, bytes: Array(bytes.prefix(Frame.maximumBlobChunk))) == false)

        try await net.run {
            centre.dialers.setPeers([try await net.endpoint(of: hub)])
            try await net.wait("the hub holds the verified photo") { hubBlobs.has(sha) }
        }
        // Completing from the held offset is the only way it could finish: a
        // restart from 0 would have been refused as an offset mismatch.
        #expect(hubBlobs.contents(sha) == bytes)
        let views = hub.assembly.hubViews!, id = hub.node.id
        #expect(try await OffPool.run { try views.missingBlobs(all: true, node: id).isEmpty })
    }

    @Test func aCentreFetchesSurveyPhotosAboutItButNotOthers() async throws {
        let net = LiveNetwork()
        let hub = try await net.add("hub", photos: true)
        let here = NodeKey(), there = NodeKey()
        try await TransportTests.admit(here.id, by: hub)
        try await TransportTests.admit(there.id, by: hub)
        let centre = try await net.add("centre", network: hub.node.id, key: here, pinned: [hub], photos: false)
        let blobs = hub.node.photos!.blobs
        func survey(_ subject: NodeID, seed: Int) async throws -> Bytes32 {
            let (sha, _) = try blobs.add(Self.photo(40, seed: seed))
            let scores = #"{"open_staffed":5,"equipment":4,"internet":4,"activities":5,"management":4,"benefit":5}"#
            let body = #"{"subject":"\#(subject)","date":"2026-11-20","period":"2026-S2","assessor":"Tim","scores":\#(scores),"classification":"optimal","photos":[{"sha256":"\#(sha.hex)","size":100,"type":"image/png"}]}"#
            try await hub.node.append([.put(kind: "monitoring", key: "\(subject)/2026-S2", body: body, time: 1)])
            return sha
        }
        let mine = try await survey(here.id, seed: 1)
        let theirs = try await survey(there.id, seed: 2)
        try await net.run {
            centre.dialers.setPeers([try await net.endpoint(of: hub)])
            try await net.wait("the centre holds the photo of its own survey") { centre.node.photos!.blobs.has(mine) }
            try await net.wait("the centre is in sync") { centre.node.peers.status(of: hub.node.id)?.inSync == true }
        }
        #expect(!centre.node.photos!.blobs.has(theirs))
    }
}
