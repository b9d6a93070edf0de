import ArgumentParser
import Foundation
import Replication

struct BundleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Export and import rates of offline bundles, against this machine's one-core verify rate, and their size.")

    @Option(help: "Entries in the bundle.") var entries = 200_000
    @Option(help: "Authors the entries come from.") var authors = 100
    @Option(help: "Approximate JSON body size in bytes.") var bodyBytes = 400

    func validate() throws {
        guard entries >= 1000 else { throw ValidationError("--entries must be at least 1000") }
        guard authors >= 1 && authors <= entries else { throw ValidationError("--authors must be between 1 and --entries") }
    }

    func run() async throws {
        let scratch = Scratch("bundle")
        defer { scratch.remove() }

        say("signing \(entries) entries from \(authors) authors (~\(bodyBytes)-byte bodies)...")
        let workload = try Workload.make(authors: authors, entries: entries, bodyBytes: bodyBytes)
        let source = NodeKey()
        let sourceStore = try Store.create(at: scratch.file("source.sqlite"), network: workload.genesis.id, node: source.id)
        for chunk in workload.all.chunked(5_000) { _ = try await sourceStore.ingest(Array(chunk), from: workload.genesis.id) }
        let total = workload.all.count

        // The reference: this machine's raw verify rate, one core, measured now.
        let sample = Array(workload.all.prefix(50_000).map(\.entry.bytes))
        let (_, verifySeconds) = measure {
            for bytes in sample { _ = try! Entry(decoding: bytes).verified() }
        }
        let verifyRate = rate(sample.count, verifySeconds)
        say("verify (decode + Ed25519, one core): \(verifyRate)/s")

        // Export: everything, written, synced and renamed into place.
        let path = scratch.file("everything.tcb")
        let exporter = BundleExporter(store: sourceStore, key: source, blobs: nil)
        let (summary, exportSeconds) = try await measure { try await OffPool.run { try exporter.write(to: path, selection: BundleSelection()) } }
        guard summary.entries == total else { throw Failure("exported \(summary.entries) of \(total) entries") }
        let exportRate = rate(total, exportSeconds)
        let ratio = Double(summary.bytes) / Double(summary.entryBytes)
        say("export: \(exportRate)/s, \(summary.bytes) bytes for \(summary.entryBytes) bytes of entries")
        try sourceStore.close()

        // Import into a new node: read, verify every entry, store.
        let destination = NodeKey()
        let store = try Store.create(at: scratch.file("destination.sqlite"), network: workload.genesis.id, node: destination.id)
        let importer = BundleImporter(store: store, blobs: nil)
        let (report, importSeconds) = try await measure { try await importer.run(path: path) }
        guard report.entriesNew == total, report.complete else {
            throw Failure("imported \(report.entriesNew) of \(total) entries; \(report.rejected.first?.message ?? "") \(report.problems.first?.message ?? "")")
        }
        let importRate = rate(total, importSeconds)
        say("import (read + verify + store): \(importRate)/s")
        try store.close()

        print("export_per_s=\(exportRate) import_per_s=\(importRate) verify_per_s=\(verifyRate) "
            + "import_vs_verify=\(String(format: "%.2f", Double(importRate) / Double(verifyRate))) "
            + "bundle_bytes_ratio=\(String(format: "%.3f", ratio))")
    }
}
