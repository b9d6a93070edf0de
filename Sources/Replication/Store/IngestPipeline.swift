import Foundation

/// Decodes and verifies one batch of received entry bytes, stopping at the
/// first bad one: entries before it stay good, nothing after it is stored.
public struct VerifiedBatch: Sendable {
    public let entries: [VerifiedEntry]
    /// The first bad entry: its index in the batch and what is wrong with it.
    public let failure: (index: Int, error: EntryError)?

    /// Verifies on the calling thread, one entry after another.
    public init(verifying raw: [[UInt8]]) {
        self.init(verifying: raw[...])
    }

    /// `failure.index` counts from the slice's start.
    init(verifying raw: ArraySlice<[UInt8]>) {
        var entries: [VerifiedEntry] = []
        entries.reserveCapacity(raw.count)
        var failure: (Int, EntryError)?
        for (i, bytes) in raw.enumerated() {
            do {
                entries.append(try Entry(decoding: bytes).verified())
            } catch {
                failure = (i, error)
                break
            }
        }
        self.entries = entries
        self.failure = failure
    }

    private init(entries: [VerifiedEntry], failure: (index: Int, error: EntryError)?) {
        self.entries = entries
        self.failure = failure
    }

    /// Entries per verification task at most: about 8 ms of Ed25519 on a
    /// centre's PC, so a task waiting for the cooperative pool (two threads
    /// there) waits at most that long for a verifier to finish its chunk,
    /// while the tasks themselves stay cheap next to the work they carry.
    public static let chunk = 64
    /// A batch smaller than `parallelism` chunks is split evenly, down to
    /// this many entries a chunk: the first frames of a sync are 8 KiB
    /// (about 15 entries), and they too are verified on every core.
    static let smallestChunk = 4

    /// Verifies in chunks of at most `chunk` entries, at most `parallelism`
    /// chunks at once as child tasks (one core each), with the same outcome
    /// as verifying one entry after another: the entries before the first
    /// bad one, in order, and that one's index and error. Once a chunk has
    /// failed, no chunk after it is started.
    public init(verifying raw: [[UInt8]], parallelism: Int, chunk most: Int = VerifiedBatch.chunk) async {
        precondition(most >= 1, "a chunk holds at least one entry")
        let even = (raw.count + max(1, parallelism) - 1) / max(1, parallelism)
        let chunk = min(most, max(Self.smallestChunk, even))
        let chunks = (raw.count + chunk - 1) / chunk
        guard parallelism > 1, chunks > 1 else {
            self.init(verifying: raw)
            return
        }
        var parts = [VerifiedBatch?](repeating: nil, count: chunks)
        await withTaskGroup(of: (Int, VerifiedBatch).self) { group in
            var next = 0
            var firstFailed = chunks
            func start() {
                let i = next
                let range = (i * chunk)..<min(raw.count, (i + 1) * chunk)
                group.addTask { (i, VerifiedBatch(verifying: raw[range])) }
                next += 1
            }
            while next < min(parallelism, chunks) { start() }
            for await (i, part) in group {
                parts[i] = part
                if part.failure != nil { firstFailed = min(firstFailed, i) }
                if next < firstFailed && next < chunks { start() }
            }
        }
        var entries: [VerifiedEntry] = []
        entries.reserveCapacity(raw.count)
        var failure: (index: Int, error: EntryError)?
        // Every chunk before the first failed one was started (they start
        // in order), so each is here.
        for (i, part) in parts.enumerated() {
            guard let part else { break }
            entries.append(contentsOf: part.entries)
            if let f = part.failure {
                failure = (i * chunk + f.index, f.error)
                break
            }
        }
        self.init(entries: entries, failure: failure)
    }
}

/// Verifies received batches while the store writes the batches before
/// them, in order: signature checks on every core (`VerifiedBatch`, in
/// chunks) overlap SQLite writes on GRDB's writer thread. This is where a
/// replica's throughput comes from on a two-core machine: verification
/// costs several times what storing does.
public struct IngestPipeline: Sendable {
    public let store: Store
    public let origin: NodeID?
    /// Chunks of a batch verified at once (child tasks on the cooperative pool).
    public var parallelism: Int
    /// Verified batches that may wait for the store (the one being stored
    /// included); the verifier works on the next one meanwhile. With one,
    /// at most two batches are held beyond what the caller queues.
    static let verifiedAhead = 1

    public init(store: Store, origin: NodeID?, parallelism: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.store = store
        self.origin = origin
        self.parallelism = max(1, parallelism)
    }

    public struct Outcome: Sendable {
        /// The tag the batch was submitted with.
        public let tag: Int
        public let result: IngestResult
        /// A bad entry ended the batch (and the pipeline): its index and error.
        public let failure: (index: Int, error: EntryError)?

        public init(tag: Int, result: IngestResult, failure: (index: Int, error: EntryError)?) {
            self.tag = tag
            self.result = result
            self.failure = failure
        }
    }

    /// Consumes `batches` (tag, entry bytes) until they end or a batch holds a
    /// bad entry or a non-member's, calling `report` with each batch's outcome in order. Each
    /// batch is stored as soon as it is verified and the one before it is
    /// stored; nothing waits for a later batch to arrive.
    public func run<S: AsyncSequence & Sendable>(
        _ batches: S, report: (Outcome) async throws -> Void
    ) async throws where S.Element == (tag: Int, raw: [[UInt8]]) {
        let (verified, verifiedInput) = AsyncStream<(tag: Int, batch: VerifiedBatch)>.makeStream()
        // Room for verified batches: taken by the verifier before it hands
        // a batch over, given back by the writer once that batch is stored.
        let (room, roomInput) = AsyncStream<Void>.makeStream()
        for _ in 0..<Self.verifiedAhead { roomInput.yield() }
        let parallelism = parallelism
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { verifiedInput.finish() }
                var slots = room.makeAsyncIterator()
                for try await (tag, raw) in batches {
                    let batch = await VerifiedBatch(verifying: raw, parallelism: parallelism)
                    guard await slots.next() != nil else { return }
                    verifiedInput.yield((tag, batch))
                    if batch.failure != nil { return }
                }
            }
            for await (tag, batch) in verified {
                let result = batch.entries.isEmpty ? IngestResult() : try await store.ingest(batch.entries, from: origin)
                try await report(Outcome(tag: tag, result: result, failure: batch.failure))
                // A bad entry or a non-member's ends the stream: nothing after it is stored.
                if batch.failure != nil || result.rejection != nil { break }
                roomInput.yield()
            }
            roomInput.finish()
            group.cancelAll()
        }
    }
}
