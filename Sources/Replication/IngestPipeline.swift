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

/// Stores batches of received entries in order while the next batch is
/// being verified, so that signature checks (one core) and SQLite writes
/// (GRDB's writer thread) overlap. This is where a replica's throughput
/// comes from on a two-core machine.
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
    /// bad entry, calling `report` with each batch's outcome in order.
    public func run<S: AsyncSequence>(
        _ batches: S, report: (Outcome) async throws -> Void
    ) async throws where S.Element == (tag: Int, raw: [[UInt8]]) {
        var waiting: (tag: Int, batch: VerifiedBatch)?
        for try await (tag, raw) in batches {
            let previous = waiting
            async let stored = storeIfAny(previous)
            let verified = VerifiedBatch(verifying: raw)
            if let outcome = try await stored {
                try await report(outcome)
                if outcome.failure != nil { return }
            }
            waiting = (tag, verified)
        }
        if let outcome = try await storeIfAny(waiting) { try await report(outcome) }
    }

    private func storeIfAny(_ item: (tag: Int, batch: VerifiedBatch)?) async throws -> Outcome? {
        guard let item else { return nil }
        let result = item.batch.entries.isEmpty ? IngestResult() : try await store.ingest(item.batch.entries, from: origin)
        return Outcome(tag: item.tag, result: result, failure: item.batch.failure)
    }
}
