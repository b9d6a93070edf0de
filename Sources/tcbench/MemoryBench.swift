import ArgumentParser
import Foundation
import NodeRuntime
import Replication

struct MemoryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract: "tcnoded's memory (RSS) idle and during a bulk sync, for a telecenter (views off) and a hub (views on).",
        discussion: """
            Runs real tcnoded processes (the ones built next to tcbench) on 127.0.0.1. A source node holds --entries \
            signed entries; a fresh telecenter (views off) and then a fresh hub (views on) each sync all of them from \
            it. RSS is read from /proc/PID/status: VmRSS sampled every 50 ms for the average, VmHWM for the peak. Idle \
            is measured after a restart, once the node is in sync again and its RSS has stopped moving.

            Targets (issue 9), with 200,000 entries: telecenter idle 40 MB, hub idle 120 MB. During a sync a \
            receiver reads at most 4 ENTRIES frames (16 MiB) ahead of what it has stored, so its peak stays close \
            to idle.

            Ends with one key=value line: telecenter_empty_idle_mb, telecenter_idle_mb, telecenter_sync_peak_mb, \
            telecenter_sync_avg_mb, hub_idle_mb, hub_sync_peak_mb, hub_sync_avg_mb, source_serve_peak_mb, the sync \
            times and the entry count.
            """)

    @Option(help: "Entries the source holds and each receiver syncs (200000 for the targets; fewer for a quick run).")
    var entries = 200_000
    @Option(help: "Authors of those entries.") var authors = 200
    @Option(help: "Approximate JSON body size in bytes.") var bodyBytes = 400

    func validate() throws {
        guard entries >= 1000 else { throw ValidationError("--entries must be at least 1000") }
        guard authors >= 1 && authors <= entries else { throw ValidationError("--authors must be between 1 and --entries") }
    }

    func run() async throws {
        let scratch = Scratch("memory")
        defer { scratch.remove() }
        let tools = try BenchTools()
        let source = BenchDaemon(name: "source", scratch: scratch, tools: tools)
        let centre = BenchDaemon(name: "telecenter", scratch: scratch, tools: tools)
        let hub = BenchDaemon(name: "hub", scratch: scratch, tools: tools)
        defer { for d in [source, centre, hub] { d.kill() } }
        let network = try await source.initialise(["--genesis"])
        _ = try await centre.initialise(["--network", network.description])
        _ = try await hub.initialise(["--network", network.description])

        say("signing \(entries) entries from \(authors) authors (~\(bodyBytes)-byte bodies)...")
        let (path, counts, receivers) = (source.dataDir, (authors, entries, bodyBytes), [(centre.id!, Role.telecenter), (hub.id!, .hub)])
        let (total, seedSeconds) = try await measure {
            try await onThread {
                try Self.seed(source: path, authors: counts.0, entries: counts.1, bodyBytes: counts.2, admit: receivers)
            }
        }
        say("the source holds \(total) entries (\(String(format: "%.0f", seedSeconds)) s to make)")

        try source.writeConfig(peers: [], views: false)
        try source.start()
        try await source.waitUntilUp()
        let endpoint = try await source.endpoint()

        // A telecenter that holds nothing yet: the floor.
        try centre.writeConfig(peers: [], views: false)
        try centre.start()
        try await centre.waitUntilUp()
        let emptyIdle = try await centre.settledRSS()
        try await centre.stop()
        say("telecenter, empty, idle: \(mb(emptyIdle)) MB")

        var figures: [String: String] = ["telecenter_empty_idle_mb": mb(emptyIdle)]
        let sourcePeak = MemorySamples(pid: source.pid)
        for (receiver, label, views) in [(centre, "telecenter", false), (hub, "hub", true)] {
            try receiver.writeConfig(peers: [endpoint], views: views)
            try receiver.start()
            let samples = MemorySamples(pid: receiver.pid)
            let (_, seconds) = try await measure {
                try await receiver.waitUntilUp()
                try await receiver.waitUntil("\(label) holds all \(total) entries", timeout: .seconds(3600)) {
                    (try? await receiver.status().store.entries) ?? 0 >= total
                }
            }
            let (peak, average) = await samples.stop()
            say("\(label): synced \(total) entries in \(String(format: "%.1f", seconds)) s; RSS peak \(mb(peak)) MB, average \(mb(average)) MB")
            try await receiver.stop()
            try receiver.start()
            try await receiver.waitUntilUp()
            let sourceID = network.description
            try await receiver.waitUntil("\(label) is in sync with the source again", timeout: .seconds(600)) {
                (try? await receiver.status())?.peers.contains { $0.node == sourceID && $0.inSync } == true
            }
            let idle = try await receiver.settledRSS()
            say("\(label), \(total) entries, idle: \(mb(idle)) MB")
            try await receiver.stop()
            figures["\(label)_idle_mb"] = mb(idle)
            figures["\(label)_sync_peak_mb"] = mb(peak)
            figures["\(label)_sync_avg_mb"] = mb(average)
            figures["\(label)_sync_s"] = String(format: "%.1f", seconds)
        }
        figures["source_serve_peak_mb"] = mb(await sourcePeak.stop().peak)
        try await source.stop()
        say("targets with 200000 entries: telecenter idle 40 MB, hub idle 120 MB")
        let order = ["telecenter_empty_idle_mb", "telecenter_idle_mb", "telecenter_sync_peak_mb", "telecenter_sync_avg_mb",
                     "hub_idle_mb", "hub_sync_peak_mb", "hub_sync_avg_mb", "source_serve_peak_mb", "telecenter_sync_s", "hub_sync_s"]
        print((order.map { "\($0)=\(figures[$0] ?? "?")" } + ["entries=\(total)"]).joined(separator: " "))
    }

    func mb(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1_048_576) }

    /// Writes the source's database directly, before it starts: admits for
    /// the receivers and `authors` authors, then each author's log.
    static func seed(source dataDir: String, authors: Int, entries: Int, bodyBytes: Int,
                     admit receivers: [(NodeID, Role)]) throws -> Int {
        let directory = DataDirectory(dataDir)
        let key = try directory.openKey()
        let store = try directory.openStore()
        defer { try? store.close() }
        let keys = (0..<authors).map { _ in NodeKey() }
        let admits = receivers + keys.map { ($0.id, Role.telecenter) }
        for chunk in admits.chunked(1000) {
            let drafts: [Entry.Draft] = chunk.enumerated().map { i, admit in
                let body = #"{"node":"\#(admit.0)","role":"\#(admit.1.rawValue)","name":"Telecenter \#(i)","region":"Jawa Timur"}"#
                return .put(kind: "admit", key: admit.0.description, body: body, time: 1_763_798_400_000)
            }
            _ = try store.append(drafts, signer: key)
        }
        for (a, author) in keys.enumerated() {
            let n = entries / authors + (a < entries % authors ? 1 : 0)
            var prev = Bytes32.zero
            var batch: [VerifiedEntry] = []
            for i in 0..<n {
                let e = try Entry.sign(Workload.draft(i, bodyBytes: bodyBytes), seq: UInt64(i + 1), prev: prev, with: author)
                prev = e.entry.id.hash
                batch.append(e)
                if batch.count == 2000 {
                    _ = try store.ingest(batch, from: author.id)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { _ = try store.ingest(batch, from: author.id) }
        }
        return try store.stats().entries
    }
}

/// tcnoded and tcnode, built next to tcbench.
struct BenchTools {
    let tcnoded: String
    let tcnode: String

    init() throws {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let directory = (me as NSString).deletingLastPathComponent
        tcnoded = (directory as NSString).appendingPathComponent("tcnoded")
        tcnode = (directory as NSString).appendingPathComponent("tcnode")
        for path in [tcnoded, tcnode] where !FileManager.default.isExecutableFile(atPath: path) {
            throw Failure("\(path) is missing: build everything first (swift build -c release)")
        }
    }
}

/// A tcnoded process for a benchmark: its own data directory, config and
/// control socket in the scratch directory, listening on 127.0.0.1 port 0.
final class BenchDaemon {
    let name: String
    let tools: BenchTools
    let dataDir: String
    let configPath: String
    let socketPath: String
    let logPath: String
    private(set) var id: NodeID?
    private var process: Process?

    init(name: String, scratch: Scratch, tools: BenchTools) {
        self.name = name
        self.tools = tools
        dataDir = scratch.file(name)
        configPath = scratch.file("\(name).toml")
        socketPath = scratch.file("\(name).sock")
        logPath = scratch.file("\(name).log")
    }

    var pid: Int32 { process?.processIdentifier ?? 0 }

    func initialise(_ arguments: [String]) async throws -> NodeID {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tools.tcnode)
        p.arguments = ["init", "--data-dir", dataDir] + arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        async let errors = readToEnd(err)
        let data = try await readToEnd(out)
        let message = String(decoding: try await errors, as: UTF8.self)
        while p.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        guard p.terminationStatus == 0, let id = NodeID(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Failure("tcnode init for \(name) failed: \(message)")
        }
        self.id = id
        return id
    }

    func writeConfig(peers: [String], views: Bool) throws {
        let list = peers.map { "\"\($0)\"" }.joined(separator: ", ")
        let text = """
            data_dir = "\(dataDir)"
            listen = "127.0.0.1:0"
            peers = [\(list)]
            name = "\(name)"
            metrics = ""
            control_socket = "\(socketPath)"
            log_level = "warning"
            views = \(views)
            views_listen = "127.0.0.1:0"

            """
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tools.tcnoded)
        p.arguments = ["--config", configPath]
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        p.standardOutput = log
        p.standardError = log
        try p.run()
        process = p
    }

    func status() async throws -> StatusReport { try await ControlClient(socketPath: socketPath).status() }

    func waitUntilUp() async throws {
        try await waitUntil("\(name) answers on its control socket", timeout: .seconds(120)) { (try? await self.status()) != nil }
    }

    func endpoint() async throws -> String {
        guard let listen = try await status().listen, let id else { throw Failure("\(name) reports no listen address") }
        return "\(id)@\(listen)"
    }

    /// Polls `condition` (another process cannot notify this one).
    func waitUntil(_ what: String, timeout: Duration, _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !(await condition()) {
            guard process?.isRunning == true else { throw Failure("\(name) exited while waiting until \(what); see \(logPath)") }
            guard ContinuousClock.now < deadline else { throw Failure("timed out after \(timeout) waiting until \(what)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The RSS once it has stayed within 1 MB for two seconds.
    func settledRSS() async throws -> Int {
        var window: [Int] = []
        var settled = 0
        try await waitUntil("\(name)'s memory settles", timeout: .seconds(300)) {
            guard let rss = ProcessRSS.resident(pid) else { return false }
            window.append(rss)
            if window.count > 8 { window.removeFirst() }
            settled = rss
            return window.count == 8 && window.max()! - window.min()! <= 1_048_576
        }
        return settled
    }

    func stop() async throws {
        guard let p = process else { return }
        p.terminate()
        let deadline = ContinuousClock.now + .seconds(30)
        while p.isRunning {
            guard ContinuousClock.now < deadline else { throw Failure("\(name) did not stop within 30 s of SIGTERM") }
            try await Task.sleep(for: .milliseconds(20))
        }
        process = nil
        guard p.terminationStatus == 0 else { throw Failure("\(name) exited with \(p.terminationStatus) on SIGTERM; see \(logPath)") }
    }

    func kill() {
        if let p = process, p.isRunning { Foundation.kill(p.processIdentifier, SIGKILL) }
        process = nil
    }
}

/// Blocking work (the store's synchronous API, a pipe read to its end) on
/// a thread of its own, never on the cooperative pool.
private func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

private func readToEnd(_ pipe: Pipe) async throws -> Data {
    try await onThread { pipe.fileHandleForReading.readDataToEndOfFile() }
}

/// A process's RSS from /proc/PID/status.
enum ProcessRSS {
    static func resident(_ pid: Int32) -> Int? { field("VmRSS", pid) }
    static func peak(_ pid: Int32) -> Int? { field("VmHWM", pid) }

    static func field(_ name: String, _ pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
        }
        return nil
    }
}

/// VmRSS sampled every 50 ms in the background, and VmHWM (the kernel's
/// peak since start, or since it was reset through clear_refs).
final class MemorySamples: Sendable {
    private let task: Task<(peak: Int, total: Int, count: Int), Never>
    private let pid: Int32

    init(pid: Int32) {
        self.pid = pid
        _ = try? "5".write(toFile: "/proc/\(pid)/clear_refs", atomically: false, encoding: .utf8)
        task = Task {
            var (peak, total, count) = (0, 0, 0)
            while !Task.isCancelled, let rss = ProcessRSS.resident(pid) {
                peak = max(peak, rss)
                total += rss
                count += 1
                try? await Task.sleep(for: .milliseconds(50))
            }
            return (peak, total, count)
        }
    }

    func stop() async -> (peak: Int, average: Int) {
        let hwm = ProcessRSS.peak(pid) ?? 0
        task.cancel()
        let samples = await task.value
        return (max(samples.peak, hwm), samples.count == 0 ? 0 : samples.total / samples.count)
    }
}
