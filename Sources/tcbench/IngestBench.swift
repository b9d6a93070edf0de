import ArgumentParser
import Foundation
import Replication

struct IngestBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Verify, append and ingest rates against this machine's raw Ed25519 verify rate.")

    @Option(help: "Entries to append and to ingest.") var entries = 200_000
    @Option(help: "Authors the ingested entries come from.") var authors = 100
    @Option(help: "Approximate JSON body size in bytes.") var bodyBytes = 400

    func validate() throws {
        guard entries >= 1000 else { throw ValidationError("--entries must be at least 1000") }
        guard authors >= 1 && authors <= entries else { throw ValidationError("--authors must be between 1 and --entries") }
    }

    func run() async throws {
        let scratch = Scratch("ingest")
        defer { scratch.remove() }

        say("signing \(entries) entries from \(authors) authors (~\(bodyBytes)-byte bodies)...")
        let workload = try Workload.make(authors: authors, entries: entries, bodyBytes: bodyBytes)
        let raw = workload.logs.flatMap { $0 }.map(\.entry.bytes)

        // 1. The reference: this machine's raw verify rate, one core.
        let sample = Array(raw.prefix(min(raw.count, 50_000)))
        let (_, verifySeconds) = measure {
            for bytes in sample { _ = try! Entry(decoding: bytes).verified() }
        }
        let verifyRate = rate(sample.count, verifySeconds)
        say("verify (decode + Ed25519, one core): \(verifyRate)/s")

        // 2. Local appends: sign + store, in transactions of 1000.
        let appendKey = NodeKey()
        let appendStore = try Store.create(at: scratch.file("append.sqlite"), network: appendKey.id, node: appendKey.id)
        let drafts = (0..<entries).map { Workload.draft($0, bodyBytes: bodyBytes) }
        let (_, appendSeconds) = try await measure {
            for chunk in drafts.chunked(1000) { try await appendStore.append(Array(chunk), signer: appendKey) }
        }
        let appendRate = rate(entries, appendSeconds)
        say("append (sign + store): \(appendRate)/s")
        try appendStore.close()

        // 3. Ingest: decode + verify + store through the pipeline the daemon uses.
        let node = NodeKey()
        let store = try Store.create(at: scratch.file("ingest.sqlite"), network: workload.genesis.id, node: node.id)
        _ = try await store.ingest(workload.admits, from: workload.genesis.id)
        let batches = raw.chunked(1000).enumerated().map { (tag: $0.offset, raw: Array($0.element)) }
        let pipeline = IngestPipeline(store: store, origin: workload.genesis.id)
        var stored = 0
        let (_, ingestSeconds) = try await measure {
            try await pipeline.run(batches.asAsyncStream) { outcome in
                stored += outcome.result.stored
                if let failure = outcome.failure { throw Failure("entry \(failure.index): \(failure.error)") }
            }
        }
        guard stored == entries else { throw Failure("stored \(stored) of \(entries) entries") }
        let ingestRate = rate(entries, ingestSeconds)
        say("ingest (decode + verify + store, pipelined): \(ingestRate)/s")
        try store.close()

        let ratio = Double(ingestRate) / Double(verifyRate)
        print("ingest_per_s=\(ingestRate) append_per_s=\(appendRate) verify_per_s=\(verifyRate) ingest_vs_verify=\(String(format: "%.2f", ratio))")
    }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

extension Sequence where Self: Sendable, Element: Sendable {
    /// The elements as an async sequence.
    var asAsyncStream: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
