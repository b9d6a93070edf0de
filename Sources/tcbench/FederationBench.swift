import ArgumentParser
import Foundation
import Replication
import Simulation

/// Figures of issue 14 (a national network of provincial hubs and centres).
/// Each figure is measured by a function of its own that returns its
/// key=value pairs; `run` prints them on one line.
struct FederationBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "federation",
        abstract: "Figures of a national network: a centre's bytes against the network's size, transmissions per entry, initial sync against verification.",
        discussion: """
            centre_bytes_ratio: bytes one centre exchanges with a national hub holding --provinces provinces of \
            --centres-per-province centres, over the bytes in a network of one such province (the centre wants its \
            region; initial sync, then a reconnect after every centre wrote one more entry; simulated links, frames \
            counted as encoded). transmissions_per_entry: entries put on links per entry per node that wants it, in \
            a simulated national topology (1 national hub, 5 provincial hubs, 200 centres, links up 30 % of the time). \
            initial_vs_verify: initial sync rate of a fresh node over loopback TLS over the one-core verify rate \
            (measured before and after the sync, averaged). initial_vs_verify_loaded: the same over one core's share \
            of the verify rate on every core (the clock the sync runs at: one busy core may run faster than two). \
            Progress and diagnostics go to standard error: the verify rate on every core (the ceiling of the \
            initial sync), the store's rate alone, and the CPU each step used, this process's and other \
            programs' (other programs halve the cores a two-core figure gets, not the one-core one).
            """)

    @Option(help: "Entries a fresh node pulls from the hub (initial_vs_verify).") var entries = 200_000
    @Option(help: "Authors of those entries.") var authors = 200
    @Option(help: "Approximate JSON body size in bytes.") var bodyBytes = 400
    @Option(help: "Provinces of the large network (centre_bytes_ratio).") var provinces = 100
    @Option(help: "Centres per province: the centre's interest (centre_bytes_ratio).") var centresPerProvince = 100
    @Option(help: "Entries each centre wrote before the centre syncs (centre_bytes_ratio).") var entriesPerCentre = 3
    @Option(help: "Seed of the simulated national topology (transmissions_per_entry).") var seed: UInt64 = 1414
    @Option(help: "Figures to measure, comma-separated.") var only = "centre_bytes_ratio,transmissions_per_entry,initial_vs_verify"

    func validate() throws {
        guard entries >= 1000 else { throw ValidationError("--entries must be at least 1000") }
        guard authors >= 1 && authors <= entries else { throw ValidationError("--authors must be between 1 and --entries") }
        guard provinces >= 1, centresPerProvince >= 1, entriesPerCentre >= 0 else {
            throw ValidationError("--provinces and --centres-per-province must be at least 1, --entries-per-centre at least 0")
        }
        let unknown = Set(chosen).subtracting(Self.figureNames)
        guard unknown.isEmpty else {
            throw ValidationError("--only: unknown figure \(unknown.sorted().joined(separator: ", ")); choose from \(Self.figureNames.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let scratch = Scratch("federation")
        defer { scratch.remove() }
        var figures: [(String, String)] = []
        if chosen.contains("centre_bytes_ratio") { figures += try await centreBytesRatio() }
        if chosen.contains("transmissions_per_entry") { figures += try await transmissionsPerEntry() }
        if chosen.contains("initial_vs_verify") { figures += try await initialVsVerify(scratch: scratch) }
        print("federation: " + figures.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
    }

    static let figureNames = ["centre_bytes_ratio", "transmissions_per_entry", "initial_vs_verify"]
    var chosen: [String] { only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

    /// Bytes a centre exchanges in the large network over bytes in a
    /// network of its province alone (target <= 1.2): only the roster (the
    /// genesis's admits of the other provinces' authorities) should differ.
    func centreBytesRatio() async throws -> [(String, String)] {
        say("centre bytes: a network of 1 province of \(centresPerProvince) centres...")
        let (small, smallSeconds) = try await measure {
            try await CentreCost.measure(provinces: 1, centresPerProvince: centresPerProvince, entriesPerCentre: entriesPerCentre, bodyBytes: bodyBytes)
        }
        say("  \(small.bytes) B (initial \(small.initialBytes), reconnect \(small.reconnectBytes)), holds \(small.heldAuthors) of "
            + "\(small.wantedAuthors) wanted authors; \(String(format: "%.1f", smallSeconds)) s")
        say("centre bytes: a network of \(provinces) provinces, \(provinces * centresPerProvince) centres...")
        let (large, largeSeconds) = try await measure {
            try await CentreCost.measure(provinces: provinces, centresPerProvince: centresPerProvince, entriesPerCentre: entriesPerCentre,
                                         bodyBytes: bodyBytes)
        }
        say("  \(large.bytes) B (initial \(large.initialBytes), reconnect \(large.reconnectBytes)), holds \(large.heldAuthors) of "
            + "\(large.wantedAuthors) wanted authors; \(String(format: "%.1f", largeSeconds)) s")
        if large.heldAuthors != large.wantedAuthors || small.heldAuthors != small.wantedAuthors {
            say("  warning: the centre holds other authors than it wants")
        }
        return [
            ("centre_bytes_ratio", String(format: "%.3f", Double(large.bytes) / Double(small.bytes))),
            ("centre_bytes", "\(large.bytes)/\(small.bytes)"),
        ]
    }

    /// The simulated national topology: entries put on links per entry
    /// and node that wants it (target <= 1.2; 1.0 is each delivery once).
    func transmissionsPerEntry() async throws -> [(String, String)] {
        say("national topology: 1 national hub, 5 provincial hubs, 200 centres, links up 30 % of the time (seed \(seed))...")
        let sim = Simulation(seed: seed)
        let national = try NationalNetwork(sim: sim, centres: Array(repeating: 40, count: 5), upFraction: 0.3)
        national.scheduleWork(untilMs: 600_000)
        let (converged, seconds) = try await measure {
            try await national.runUntilConverged(afterMs: 600_000, deadlineMs: 6 * 3_600_000)
        }
        let snapshot = try await national.snapshot()
        let problems = national.problems(in: snapshot)
        guard converged && problems.isEmpty && sim.violations.isEmpty else {
            throw ValidationError("the national topology did not converge: \(problems.prefix(3)); \(sim.failureReport)")
        }
        let transmissions = national.transmissionsPerWantingNode(in: snapshot)
        say("  converged at \(sim.now / 1000) s virtual in \(String(format: "%.1f", seconds)) s; \(sim.stats.connections) connections; "
            + "national hub \(national.bytes(national.national)) B, a centre \(national.bytes(national.provinces[0].centres[0])) B")
        return [("transmissions_per_entry", String(format: "%.3f", transmissions))]
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
        let sample = Array(raw.prefix(50_000))
        let cores = ProcessInfo.processInfo.activeProcessorCount
        // Measured before and after the sync, and averaged: on these machines
        // one busy core runs at a higher clock than two (turbo), and the
        // clock drifts over a run, so one measurement moves the ratio by
        // a third from run to run.
        func verifyRates(_ when: String) async -> (one: Int, all: Int) {
            let verifyUse = CPUUse()
            let (_, verifySeconds) = measure { for bytes in sample { _ = try! Entry(decoding: bytes).verified() } }
            let one = rate(sample.count, verifySeconds)
            say("verify \(when) (decode + Ed25519, one core): \(one)/s over \(sample.count) entries; \(verifyUse.since(entries: sample.count))")
            // The ceiling: the pipeline's own chunked verification on every core, nothing else.
            let parallelUse = CPUUse()
            let (_, parallelSeconds) = await measure {
                for batch in sample.chunked(4096) { _ = await VerifiedBatch(verifying: Array(batch), parallelism: cores) }
            }
            let all = rate(sample.count, parallelSeconds)
            say("verify \(when) (decode + Ed25519, \(cores) cores in 64-entry chunks): \(all)/s; " + parallelUse.since(entries: sample.count))
            return (one, all)
        }
        let before = await verifyRates("before the sync")

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
        let after = await verifyRates("after the sync")
        let verifyRate = (before.one + after.one) / 2
        // One core's share of verification with every core busy: the clock
        // the sync itself runs at.
        let loadedRate = Double(before.all + after.all) / 2 / Double(cores)
        return [
            ("initial_vs_verify", String(format: "%.2f", Double(initialRate) / Double(verifyRate))),
            ("initial_rate", "\(initialRate)"),
            ("verify_rate_one_core", "\(verifyRate)"),
            ("initial_vs_verify_loaded", String(format: "%.2f", Double(initialRate) / loadedRate)),
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
