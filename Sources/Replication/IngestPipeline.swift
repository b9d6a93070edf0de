/// Decodes and verifies one batch of received entry bytes, stopping at the
/// first bad one: entries before it stay good, nothing after it is looked at.
public struct VerifiedBatch: Sendable {
    public let entries: [VerifiedEntry]
    /// The first bad entry: its index in the batch and what is wrong with it.
    public let failure: (index: Int, error: EntryError)?

    public init(verifying raw: [[UInt8]]) {
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
}

/// Verifies received batches in one task while another stores the batches
/// already verified, in order, so that signature checks (one core) and
/// SQLite writes (GRDB's writer thread) overlap. This is where a replica's
/// throughput comes from on a two-core machine.
public struct IngestPipeline: Sendable {
    public let store: Store
    public let origin: NodeID?

    public init(store: Store, origin: NodeID?) {
        self.store = store
        self.origin = origin
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
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { verifiedInput.finish() }
                for try await (tag, raw) in batches {
                    let batch = VerifiedBatch(verifying: raw)
                    verifiedInput.yield((tag, batch))
                    if batch.failure != nil { return }
                }
            }
            for await (tag, batch) in verified {
                let result = batch.entries.isEmpty ? IngestResult() : try await store.ingest(batch.entries, from: origin)
                try await report(Outcome(tag: tag, result: result, failure: batch.failure))
                // A bad entry or a non-member's ends the stream: nothing after it is looked at.
                if batch.failure != nil || result.rejection != nil { break }
            }
            group.cancelAll()
        }
    }
}
