import Foundation
import Replication
import Testing

/// Verification runs on several cores in chunks (`VerifiedBatch`, the
/// ingest pipeline): what is stored must not depend on that. The entries
/// before the first bad one are stored in the order received, that one is
/// reported, and nothing after it is stored, in its batch or later ones.
@Suite struct IngestPipelineTests {
    /// A genesis that admits two centres, then both centres' logs
    /// interleaved: `count` entries as a peer would send them.
    struct Feed {
        let genesis = NodeKey()
        let raw: [[UInt8]]

        init(count: Int) throws {
            let centres = [NodeKey(), NodeKey()]
            var raw: [[UInt8]] = []
            var prev = Bytes32.zero
            for (i, c) in centres.enumerated() {
                let body = #"{"node":"\#(c.id)","role":"telecenter","name":"Centre \#(i)","region":"Jawa Timur"}"#
                let e = try Entry.sign(.put(kind: "admit", key: c.id.description, body: body, time: 0), seq: UInt64(i + 1), prev: prev,
                                       with: genesis)
                prev = e.entry.id.hash
                raw.append(e.entry.bytes)
            }
            var prevs = [Bytes32.zero, Bytes32.zero]
            for n in 0..<(count - 2) {
                let c = n % 2
                let e = try Entry.sign(.put(kind: "product", key: "p\(n)", body: jsonBody(n), time: Int64(n)), seq: UInt64(n / 2 + 1),
                                       prev: prevs[c], with: centres[c])
                prevs[c] = e.entry.id.hash
                raw.append(e.entry.bytes)
            }
            self.raw = raw
        }

        /// The feed with entry `index`'s signature spoilt (it still decodes).
        func spoilt(at index: Int) -> [[UInt8]] {
            var raw = raw
            raw[index][raw[index].count - 1] ^= 0x01
            return raw
        }
    }

    static let bad: [Int?] = [nil, 0, 5, 63, 64, 99, 149]

    @Test(arguments: bad)
    func chunkedVerificationMatchesOneEntryAfterAnother(badIndex: Int?) async throws {
        let feed = try Feed(count: 150)
        let raw = badIndex.map(feed.spoilt(at:)) ?? feed.raw
        let reference = VerifiedBatch(verifying: raw)
        #expect(reference.failure?.index == badIndex)
        for (parallelism, chunk) in [(2, 1), (2, 16), (3, 7), (2, 64)] {
            let batch = await VerifiedBatch(verifying: raw, parallelism: parallelism, chunk: chunk)
            #expect(batch.entries.map(\.entry.id) == reference.entries.map(\.entry.id), "parallelism \(parallelism), chunk \(chunk)")
            #expect(batch.failure?.index == reference.failure?.index, "parallelism \(parallelism), chunk \(chunk)")
            #expect(batch.failure?.error == reference.failure?.error)
        }
    }

    @Test func smallBatchesAreSplitEvenlyWithTheSameOutcome() async throws {
        let feed = try Feed(count: 15)
        for n in [1, 2, 5, 9, 15] {
            for bad in Set([nil, 0, n / 2, n - 1]) {
                let raw = Array((bad.map(feed.spoilt(at:)) ?? feed.raw).prefix(n))
                let reference = VerifiedBatch(verifying: raw)
                let batch = await VerifiedBatch(verifying: raw, parallelism: 2)
                #expect(batch.entries.map(\.entry.id) == reference.entries.map(\.entry.id), "\(n) entries, bad \(String(describing: bad))")
                #expect(batch.failure?.index == bad && reference.failure?.index == bad)
            }
        }
    }

    @Test func aBadSignatureInsideAChunkStopsTheBatchThere() async throws {
        let dir = TemporaryDirectory()
        let feed = try Feed(count: 200)
        // Entry 100 is in the middle of the second 64-entry chunk.
        let raw = feed.spoilt(at: 100)
        let copy = try makeNode(in: dir, name: "copy", network: feed.genesis.id)
        let (batches, input) = AsyncStream<(tag: Int, raw: [[UInt8]])>.makeStream()
        input.yield((7, raw))
        input.finish()
        var outcomes: [IngestPipeline.Outcome] = []
        try await IngestPipeline(store: copy.store, origin: feed.genesis.id, parallelism: 2).run(batches) { outcomes.append($0) }
        #expect(outcomes.map(\.tag) == [7])
        #expect(outcomes.first?.result.stored == 100)
        #expect(outcomes.first?.failure?.index == 100)
        #expect(outcomes.first?.failure?.error == .signature)
        let held = try await copy.store.log(limit: .max, newestFirst: false)
        #expect(held.map(\.bytes) == Array(raw.prefix(100)), "stored in the order received, nothing from the bad entry on")
    }

    @Test func aBadEntryInTheSecondOfThreeBatchesInFlightEndsTheStream() async throws {
        let dir = TemporaryDirectory()
        let feed = try Feed(count: 600)
        let raw = feed.spoilt(at: 200 + 150)
        let copy = try makeNode(in: dir, name: "copy", network: feed.genesis.id)
        let (batches, input) = AsyncStream<(tag: Int, raw: [[UInt8]])>.makeStream()
        // All three are queued before the pipeline starts.
        for tag in 1...3 { input.yield((tag, Array(raw[(tag - 1) * 200..<tag * 200]))) }
        input.finish()
        var outcomes: [IngestPipeline.Outcome] = []
        var heldWhenReported: [Int64] = []
        try await IngestPipeline(store: copy.store, origin: feed.genesis.id, parallelism: 2).run(batches) { outcome in
            outcomes.append(outcome)
            heldWhenReported.append(try await copy.store.position())
        }
        #expect(outcomes.map(\.tag) == [1, 2])
        #expect(outcomes.map(\.result.stored) == [200, 150])
        #expect(heldWhenReported == [200, 350], "each batch is reported once it is stored, in order")
        #expect(outcomes[0].failure == nil)
        #expect(outcomes[1].failure?.index == 150 && outcomes[1].failure?.error == .signature)
        let held = try await copy.store.log(limit: .max, newestFirst: false)
        #expect(held.map(\.bytes) == Array(raw.prefix(350)), "nothing of the third batch is stored")
    }

    @Test func manyBatchesAreStoredWholeAndInOrder() async throws {
        let dir = TemporaryDirectory()
        let feed = try Feed(count: 500)
        let copy = try makeNode(in: dir, name: "copy", network: feed.genesis.id)
        let sizes = [1, 2, 130, 64, 65, 3, 235]
        var slices: [[[UInt8]]] = []
        var start = 0
        for n in sizes {
            slices.append(Array(feed.raw[start..<(start + n)]))
            start += n
        }
        let (batches, input) = AsyncStream<(tag: Int, raw: [[UInt8]])>.makeStream()
        for (tag, slice) in slices.enumerated() { input.yield((tag, slice)) }
        input.finish()
        var outcomes: [IngestPipeline.Outcome] = []
        try await IngestPipeline(store: copy.store, origin: feed.genesis.id, parallelism: 2).run(batches) { outcomes.append($0) }
        #expect(outcomes.map(\.tag) == Array(0..<sizes.count))
        #expect(outcomes.map(\.result.stored) == sizes)
        #expect(outcomes.allSatisfy { $0.failure == nil && $0.result.rejection == nil })
        let held = try await copy.store.log(limit: .max, newestFirst: false)
        #expect(held.map(\.bytes) == feed.raw)
    }
}
