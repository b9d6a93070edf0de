import Foundation
import Replication
import Simulation
import Testing

/// The production connection code (`ConnectionDriver` and the `Connection`
/// core) on simulated slow links that are cut on a schedule, with the
/// simulator's invariants checked after every step.
@Suite struct SimulatedLinkTests {
    /// A centre and its hub over 64 kbit/s with 300 ms latency.
    static func pair(_ sim: Simulation) throws -> (hub: Int, centre: Int) {
        let hub = try sim.addNode(name: "hub")
        let centre = try sim.addNode(name: "centre", network: sim.nodes[hub].key.id, pinned: [hub])
        try sim.admit(hub, centre)
        return (hub, centre)
    }

    static var slowLink: Simulation.Options {
        var options = Simulation.Options(latencyMs: 300...300, bytesPerMs: 8)
        options.maximumBlobChunk = 16 * 1024
        return options
    }

    /// By pieces (the reference's `pieces`), and whole (a reference without).
    @Test(arguments: [true, false])
    func photoCutManyTimesArrivesWholeAndVerified(byPieces: Bool) async throws {
        let sim = Simulation(seed: SimulationTests.seed(11), options: Self.slowLink)
        let (hub, centre) = try Self.pair(sim)
        let link = sim.link(centre, hub)
        // 400 KB at 8 KB/s: about 50 s of link, so several 20 s windows.
        let photo = try sim.addPhoto(centre, bytes: 400_000)
        sim.cut(link, upMs: 20_000, downMs: 5_000)
        sim.want(photo: photo, at: hub, byPieces: byPieces)
        let done = try await sim.run(until: 900_000) { sim.holds(photo: photo, at: hub) }
        #expect(done, "\(sim.failureReport)")
        #expect(sim.violations.isEmpty, "\(sim.failureReport)")
        let cuts = sim.trace.filter { $0.contains("down") }.count
        #expect(cuts >= 2, "the photo should have crossed cuts; \(cuts) cuts")
        // Resumed from the last whole chunk: at most one chunk lost per cut.
        let received = sim.nodes[hub].blobBytesReceived
        #expect(received <= 400_000 + cuts * 16 * 1024, "received \(received) bytes over \(cuts) cuts")
    }

    @Test func splitHeadsCutMidwayKeepACorrectCheckpoint() async throws {
        var options = Self.slowLink
        options.bytesPerMs = 4
        options.headsPerFrame = 4
        options.traceFrames = true
        let sim = Simulation(seed: SimulationTests.seed(12), options: options)
        let hub = try sim.addNode(name: "hub")
        let network = sim.nodes[hub].key.id
        var centres: [Int] = []
        for i in 0..<40 {
            let c = try sim.addNode(name: "tc\(i)", network: network, pinned: [hub])
            try sim.admit(hub, c)
            try sim.author(c)
            try sim.author(c)
            centres.append(c)
        }
        for c in centres { sim.link(c, hub) }
        #expect(try await sim.run(until: 600_000, checkEveryMs: 1000) {
            try centres.allSatisfy { try sim.nodes[hub].store!.head(of: sim.nodes[$0].key.id)?.seq == 2 }
        }, "\(sim.failureReport)")
        // A fresh centre pulls 41 authors' heads (11 HEADS frames) and their
        // entries over a 32 kbit/s link cut every 6 s.
        let fresh = try sim.addNode(name: "fresh", network: network, pinned: [hub])
        try sim.admit(hub, fresh)
        let link = sim.link(fresh, hub)
        sim.cut(link, upMs: 6_000, downMs: 2_000)
        let synced = try await sim.run(until: sim.now + 1_800_000, checkEveryMs: 1000) {
            try sim.heads(fresh) == sim.heads(hub)
        }
        #expect(synced, "\(sim.failureReport)")
        #expect(sim.violations.isEmpty, "\(sim.failureReport)")
        #expect(sim.trace.filter { $0.contains("link fresh->hub down") }.count >= 2)
    }

    @Test func recordsOvertakeAPhotoInFlight() async throws {
        let sim = Simulation(seed: SimulationTests.seed(13), options: Self.slowLink)
        let (hub, centre) = try Self.pair(sim)
        sim.link(centre, hub)
        try await sim.run(until: 10_000)
        let photo = try sim.addPhoto(centre, bytes: 300_000)
        sim.want(photo: photo, at: hub)
        // Well into the photo (about 37 s of link), a record is written.
        try await sim.run(until: sim.now + 5_000)
        #expect(!sim.holds(photo: photo, at: hub))
        let written = sim.now
        let record = try sim.author(centre, body: #"{"name":"Keripik pisang"}"#)
        let arrived = try await sim.run(until: sim.now + 120_000) {
            try sim.nodes[hub].store!.head(of: record.author)?.seq == record.seq
        }
        #expect(arrived)
        #expect(!sim.holds(photo: photo, at: hub), "the record should arrive before the photo")
        // HEADS and ENTRIES each wait for at most one photo chunk (about 1 s
        // at this rate once measured) plus a round trip of 600 ms.
        #expect(sim.now - written < 5_000, "the record took \(sim.now - written) ms")
        #expect(try await sim.run(until: sim.now + 300_000) { sim.holds(photo: photo, at: hub) })
        #expect(sim.violations.isEmpty, "\(sim.failureReport)")
    }
}

extension SimulatedLinkTests {
    /// A relay sends a damaged photo: the hub takes pieces from it until the
    /// first bad one, which it cuts back (one piece lost) and counts, then
    /// finishes from the centre that took the photo.
    @Test func aBadPieceFromOnePeerCostsOnePieceAndTheOtherPeerFinishes() async throws {
        let sim = Simulation(seed: SimulationTests.seed(15), options: Self.slowLink)
        let hub = try sim.addNode(name: "hub")
        let network = sim.nodes[hub].key.id
        let centre = try sim.addNode(name: "centre", network: network, pinned: [hub])
        let relay = try sim.addNode(name: "relay", network: network, pinned: [hub])
        try sim.admit(hub, centre)
        try sim.admit(hub, relay)
        let bytes = sim.photoBytes(200_000)
        let photo = try sim.addPhoto(centre, photo: bytes)
        try sim.addPhoto(relay, photo: bytes)
        sim.link(relay, hub)
        try await sim.run(until: 10_000)
        sim.want(photo: photo, at: hub)
        // Once the relay has sent the (right) piece list, its copy is damaged
        // in piece 5 (bytes 81,920..98,303): a disk error, or a lying relay.
        #expect(try await sim.run(until: sim.now + 60_000) { sim.nodes[hub].blobs.hasPieces(photo) })
        let hex = photo.hex
        let path = "\(sim.nodes[relay].blobs.root)/\(hex.prefix(2))/\(hex)"
        var damaged = try #require(FileManager.default.contents(atPath: path))
        damaged[90_000] ^= 0xFF
        try damaged.write(to: URL(fileURLWithPath: path))
        #expect(try await sim.run(until: sim.now + 120_000) { sim.board.rejects(node: hub) > 0 }, "\(sim.failureReport)")
        #expect(sim.nodes[hub].blobs.heldBytes(photo) == 81_920, "pieces 0-4 kept, the bad piece dropped")
        #expect(!sim.holds(photo: photo, at: hub))
        sim.link(centre, hub)
        #expect(try await sim.run(until: sim.now + 300_000) { sim.holds(photo: photo, at: hub) }, "\(sim.failureReport)")
        #expect(sim.board.rejects(node: hub) == 1)
        #expect(sim.nodes[hub].blobs.contents(photo) == bytes)
        #expect(sim.violations.isEmpty, "\(sim.failureReport)")
    }

    /// The national hub asks the provincial hub for a centre's photo before
    /// the photo has reached the province (BLOB_NONE). When it arrives, the
    /// provincial hub says so (BLOB_HELD) and the national hub asks again at
    /// once, instead of after its 60 s wait.
    @Test func aPhotoRelayedOnIsAskedForAgainAsSoonAsTheRelayHoldsIt() async throws {
        var options = Self.slowLink
        options.traceFrames = true
        let sim = Simulation(seed: SimulationTests.seed(16), options: options)
        let national = try sim.addNode(name: "national")
        let network = sim.nodes[national].key.id
        let province = try sim.addNode(name: "province", network: network, pinned: [national])
        let centre = try sim.addNode(name: "centre", network: network, pinned: [province])
        try sim.admit(national, province)
        try sim.admit(national, centre)
        let photo = try sim.addPhoto(centre, bytes: 40_000)
        sim.link(province, national)
        try await sim.run(until: 10_000)
        sim.want(photo: photo, at: national)
        sim.want(photo: photo, at: province)
        // Asked and refused: the province does not hold it yet.
        #expect(try await sim.run(until: sim.now + 10_000) { sim.trace.contains { $0.contains("-> national: BLOBNONE") } },
                "\(sim.failureReport)")
        try await sim.run(until: sim.now + 5_000)
        #expect(!sim.holds(photo: photo, at: national))
        sim.link(centre, province)
        #expect(try await sim.run(until: sim.now + 60_000) { sim.holds(photo: photo, at: province) }, "\(sim.failureReport)")
        let arrived = sim.now
        // 40 KB at 8 KB/s with 300 ms latency: about 6 s of link, far below the 60 s retry.
        #expect(try await sim.run(until: arrived + 12_000) { sim.holds(photo: photo, at: national) },
                "the national hub waited for its retry: \(sim.failureReport)")
        #expect(sim.trace.contains { $0.contains("-> national: BLOBHELD") })
        let same = sim.nodes[national].blobs.contents(photo) == sim.nodes[centre].blobs.contents(photo)
        #expect(same, "the national hub's copy differs from the centre's")
        #expect(sim.violations.isEmpty, "\(sim.failureReport)")
    }

    /// A fresh centre pulls 2,000 entries over 64 kbit/s cut every 30 s for
    /// 10 s: what crosses the link again is at most about one frame per cut.
    @Test func aSyncCutManyTimesResendsAtMostAFramePerCut() async throws {
        let sim = Simulation(seed: SimulationTests.seed(14), options: Self.slowLink)
        let hub = try sim.addNode(name: "hub")
        let network = sim.nodes[hub].key.id
        let body = String(repeating: "k", count: 300)
        for i in 0..<20 {
            let c = try sim.addNode(name: "tc\(i)", network: network, pinned: [hub])
            try sim.admit(hub, c)
            for j in 0..<100 { try sim.author(c, key: "p\(j)", body: #"{"d":"\#(body)","j":\#(j)}"#) }
            sim.link(c, hub)
        }
        let total = 20 * 100 + 20
        #expect(try await sim.run(until: 900_000, checkEveryMs: 1000) { try sim.heads(hub).reduce(0) { $0 + $1.seq } == UInt64(total) })
        for i in 1...20 { sim.setLink(i - 1, up: false) }
        let fresh = try sim.addNode(name: "fresh", network: network, pinned: [hub])
        try sim.admit(hub, fresh)
        let link = sim.link(fresh, hub)
        sim.cut(link, upMs: 30_000, downMs: 10_000)
        let start = sim.now
        let synced = try await sim.run(until: sim.now + 3_600_000, checkEveryMs: 1000) { try sim.heads(fresh) == sim.heads(hub) }
        #expect(synced, "\(sim.failureReport)")
        let cuts = sim.trace.filter { $0.contains("link fresh->hub down") }.count
        let received = sim.nodes[fresh].entriesReceived
        print("sim cut link: \(received) entries received for \(total + 1) needed, \(cuts) cuts, \((sim.now - start) / 1000) s")
        #expect(sim.violations.isEmpty, "\(sim.failureReport)")
        // About 20 entries of ~400 bytes make a frame at 8 KB/s.
        #expect(received <= total + 1 + cuts * 25, "\(received) entries received over \(cuts) cuts")
    }
}
