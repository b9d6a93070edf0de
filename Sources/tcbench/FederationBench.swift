import ArgumentParser
import Foundation
import Replication

/// Figures of issue 14 (a national network of provincial hubs and centres).
/// Each figure is measured by a function of its own that returns its
/// key=value pairs; `run` prints them on one line.
struct FederationBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "federation",
        abstract: "Figures of a national network: initial sync against the one-core verify rate.",
        discussion: """
            Progress and diagnostics go to standard error: the verify rate on every core (the ceiling of the \
            initial sync), the store's rate alone, and the CPU each step used, this process's and other \
            programs' (other programs halve the cores a two-core figure gets, not the one-core one).
            """)

    @Option(help: "Entries a fresh node pulls from the hub (initial_vs_verify).") var entries = 200_000
    @Option(help: "Authors of those entries.") var authors = 200
    @Option(help: "Approximate JSON body size in bytes.") var bodyBytes = 400

    func validate() throws {
        guard entries >= 1000 else { throw ValidationError("--entries must be at least 1000") }
        guard authors >= 1 && authors <= entries else { throw ValidationError("--authors must be between 1 and --entries") }
    }

    func run() async throws {
        let scratch = Scratch("federation")
        defer { scratch.remove() }
        var figures: [(String, String)] = []
        figures += try await initialVsVerify(scratch: scratch)
        print("federation: " + figures.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
    }

    /// A fresh node pulls every entry of a hub over TLS on loopback (nodes
    /// assembled as tcnoded assembles them, `BenchNode`): entries per second
    /// until all are stored, against the rate one core decodes and verifies
    /// the same entries in this run. Above 1 only when verification runs on
    /// more than one core while the store writes (target >= 1.5 on 2 cores).
    func initialVsVerify(scratch: Scratch) async throws -> [(String, String)] {
        say("signing \(entries) entries from \(authors) authors...")
        let workload = try Workload.make(authors: authors, entries: entries, bodyBytes: bodyBytes)
        let raw = workload.logs.flatMap { $0 }.map(\.entry.bytes)
        let sample = raw.prefix(50_000)
        let verifyUse = CPUUse()
        let (_, verifySeconds) = measure { for bytes in sample { _ = try! Entry(decoding: bytes).verified() } }
        let verifyRate = rate(sample.count, verifySeconds)
        say("verify (decode + Ed25519, one core): \(verifyRate)/s over \(sample.count) entries; \(verifyUse.since(entries: sample.count))")
        // The ceiling: the pipeline's own chunked verification on every core, nothing else.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let parallelUse = CPUUse()
        let (_, parallelSeconds) = await measure {
            for batch in Array(sample).chunked(4096) { _ = await VerifiedBatch(verifying: Array(batch), parallelism: cores) }
        }
        say("verify (decode + Ed25519, \(cores) cores in 64-entry chunks): \(rate(sample.count, parallelSeconds))/s; "
            + parallelUse.since(entries: sample.count))

        let hub = try await BenchNode(name: "hub", key: workload.genesis, network: workload.genesis.id, in: scratch)
        _ = try await hub.node.ingest(workload.admits, from: nil)
        // The store alone: entries verified already, in transactions of 2,000.
        let storeUse = CPUUse()
        let (_, storeSeconds) = try await measure {
            for log in workload.logs {
                for chunk in log.chunked(2000) { _ = try await hub.node.store.ingest(Array(chunk), from: workload.authors[0].id) }
            }
        }
        say("store alone (entries verified already): \(rate(workload.entryCount, storeSeconds))/s; \(storeUse.since(entries: workload.entryCount))")
        let fresh = try await BenchNode(name: "fresh", key: NodeKey(), network: workload.genesis.id, pinned: [hub.node.id], in: scratch)
        try await hub.admit(fresh)
        // Everything the hub holds: the admits, the logs and the fresh node's admit.
        let total = Int64(workload.admits.count + workload.entryCount + 1)
        let (initialSeconds, syncUse) = try await BenchNode.run([hub, fresh]) {
            let endpoint = try await hub.endpoint()
            let use = CPUUse()
            let (_, seconds) = try await measure {
                fresh.dialers.setPeers([endpoint])
                try await fresh.node.wait(for: .seconds(1800)) { (try await fresh.node.store.position()) >= total }
            }
            return (seconds, use.since(entries: workload.entryCount))
        }
        let initialRate = rate(workload.entryCount, initialSeconds)
        say("initial sync: \(total) entries in \(String(format: "%.1f", initialSeconds)) s = \(initialRate) entries/s; "
            + "\(syncUse) (hub and fresh node together)")
        return [
            ("initial_vs_verify", String(format: "%.2f", Double(initialRate) / Double(verifyRate))),
            ("initial_rate", "\(initialRate)"),
            ("verify_rate_one_core", "\(verifyRate)"),
        ]
    }
}

/// CPU time of this process and of the whole machine since it was made, so
/// that a figure taken while other programs run says how much of the
/// machine it had: rates are wall-clock, costs per entry are CPU time.
struct CPUUse {
    let start = ContinuousClock.now
    let process = CPUUse.processSeconds()
    let machine = CPUUse.machineBusySeconds()

    /// CPU seconds of this process (every thread).
    static func processSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Busy CPU seconds of every core, from /proc/stat (nil elsewhere).
    static func machineBusySeconds() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ")
        else { return nil }
        // user nice system idle iowait irq softirq, in clock ticks (steal is
        // the hypervisor's, not this machine's programs').
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 7 else { return nil }
        let busy = ticks.prefix(7).reduce(0, +) - ticks[3] - ticks[4]
        return busy / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// "N us CPU per entry, this process used X cores, others Y".
    func since(entries: Int) -> String {
        let wall = (ContinuousClock.now - start).seconds
        let mine = CPUUse.processSeconds() - process
        var text = "\(Int((mine / Double(entries) * 1e6).rounded())) us CPU per entry, this process used "
            + String(format: "%.2f", mine / wall) + " cores"
        if let before = machine, let after = CPUUse.machineBusySeconds() {
            text += ", other processes " + String(format: "%.2f", max(0, (after - before - mine) / wall))
        }
        return text
    }
}
