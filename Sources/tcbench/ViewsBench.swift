import ArgumentParser
import DemoData
import Foundation
import HubViews
import Logging
import NodeRuntime
import Replication
import ServiceLifecycle
import Synchronization
import Telecenter

/// The issue-15 figures: how fast the views catch up with a big log next to
/// how fast the same log is ingested (both in this run, on this machine),
/// whether that rate holds from the first tenth of the log to the last, and
/// how long the dashboard's main page and the summary take afterwards.
struct ViewsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "views",
        abstract: "Views catch-up rate against the ingest rate, and dashboard times, on a large generated network.")

    @Option(help: "Views backend: sqlite or postgresql.") var backend = "sqlite"
    @Option(help: "With --backend postgresql: the server, postgresql://USER@HOST:PORT/DATABASE (a new schema is made there and dropped after).")
    var postgres: String?
    @Option(help: "With --backend postgresql: a file holding the password (else PGPASSWORD).") var passwordFile: String?
    @Option(help: "Centres in the generated network.") var centres = 1000
    @Option(help: "Entries in the generated network (about).") var entries = 1_000_000
    @Option(help: "Requests timed per page.") var requests = 30
    @Flag(help: "Give products, trainings and surveys photos, as tcnode generate-demo does.") var photos = false

    func validate() throws {
        guard backend == "sqlite" || backend == "postgresql" else { throw ValidationError("--backend must be sqlite or postgresql") }
        if backend == "postgresql" {
            guard let postgres, PostgresViewsLocation.isPostgres(postgres) else {
                throw ValidationError("--backend postgresql needs --postgres postgresql://USER@HOST:PORT/DATABASE "
                                      + "(scripts/postgres-test-server starts a private one: see docs/OPERATIONS.md)")
            }
        }
        guard centres >= 1 else { throw ValidationError("--centres must be at least 1") }
        guard entries >= 4 * centres else { throw ValidationError("--entries must be at least 4 per centre (\(4 * centres) for \(centres) centres)") }
    }

    func run() async throws {
        let scratch = Scratch("views")
        defer { scratch.remove() }

        // 1. The log, as the centres and the hub wrote it.
        let hub = NodeKey()
        let source = try Store.create(at: scratch.file("source.sqlite"), network: hub.id, node: hub.id)
        let blobs = photos ? BlobStore(root: scratch.file("blobs")) : nil
        var options = DemoNetwork.Options()
        options.centres = centres
        options.entriesPerCentre = max(4, entries / centres)
        options.photos = photos
        say("generating \(centres) centres with about \(entries) signed entries (this takes a while)...")
        let (_, generateSeconds) = try measure { try DemoNetwork.populate(hub: hub, store: source, blobs: blobs, options: options, seed: 1) }
        let total = Int(try await source.position())
        say("generated \(total) entries in \(String(format: "%.0f", generateSeconds)) s")

        // 2. Ingest: the hub receiving that log (decode + verify + store,
        // pipelined as in a sync), into the store the views then follow.
        let replicaKey = NodeKey()
        let store = try Store.create(at: scratch.file("hub.sqlite"), network: hub.id, node: replicaKey.id)
        let pipeline = IngestPipeline(store: store, origin: hub.id)
        var stored = 0
        let ingestCPU = cpuSeconds()
        let (_, ingestSeconds) = try await measure {
            try await pipeline.run(LogBatches(store: source, size: 1000)) { outcome in
                stored += outcome.result.stored
                if let failure = outcome.failure { throw Failure("entry \(failure.index): \(failure.error)") }
                if let rejection = outcome.result.rejection { throw Failure("ingest refused a batch: \(rejection)") }
            }
        }
        guard stored == total else { throw Failure("ingested \(stored) of \(total) entries") }
        try source.close()
        let ingestRate = Double(total) / ingestSeconds
        let ingestMicros = (cpuSeconds() - ingestCPU) / Double(total) * 1e6
        say("ingest (decode + verify + store, pipelined): \(Int(ingestRate))/s, \(String(format: "%.0f", ingestMicros)) µs of CPU an entry")

        // 3. Views catch-up from an empty views database.
        let views: Views
        if backend == "postgresql", let postgres {
            var location = try PostgresViewsLocation.parse(postgres, passwordFile: passwordFile)
            location.schema = "bench_\(UInt32.random(in: 0...UInt32.max))"
            views = try await OffPool.run { [location] in
                try Views(postgres: location, store: store, blobs: blobs, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
            }
        } else {
            views = try Views(path: scratch.file("views.sqlite"), store: store, blobs: blobs)
        }
        let progress = CatchUpProgress()
        progress.note(0)
        let catchUpCPU = cpuSeconds()
        let (applied, catchUpSeconds) = try await measure {
            try await views.catchUp(progress: { progress.note($0) })
        }
        let catchUpMicros = (cpuSeconds() - catchUpCPU) / Double(max(1, applied)) * 1e6
        let catchUpRate = Double(applied) / catchUpSeconds
        let (first, last) = progress.tenthRates(total: total)
        say("views built from the log: \(applied) entries in \(String(format: "%.1f", catchUpSeconds)) s (\(Int(catchUpRate))/s), "
            + "\(String(format: "%.0f", catchUpMicros)) µs of CPU an entry; first tenth \(Int(first))/s, last tenth \(Int(last))/s")
        for line in progress.deciles(total: total) { say("  \(line)") }

        // 4. The dashboard's main page and the summary, served as the daemon serves them.
        let (mainMs, summaryMs) = try await serve(views: views, store: store, key: replicaKey)
        let viewsBytes: Int
        if backend == "postgresql" {
            // Tables, their indexes and TOAST, as the server stores them.
            viewsBytes = try await OffPool.run {
                Int(try views.strings("""
                    SELECT sum(pg_total_relation_size(c.oid))::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = current_schema() AND c.relkind = 'r'
                    """).first ?? "0") ?? 0
            }
            try await OffPool.run { try views.dropSchema() }
        } else {
            viewsBytes = ["", "-wal"].reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: views.path + $1)[.size] as? Int) ?? 0) }
        }
        try views.close()
        try store.close()
        print(String(format: "catchup_vs_ingest=%.2f catchup_last_vs_first=%.2f dashboard_main_ms=%.1f summary_ms=%.1f", catchUpRate / ingestRate,
                     last / first, mainMs, summaryMs)
            + " catchup_per_s=\(Int(catchUpRate)) ingest_per_s=\(Int(ingestRate)) backend=\(backend) centres=\(centres) entries=\(total)"
            + " views_mb=\(viewsBytes / 1_000_000)")
    }

    func serve(views: Views, store: Store, key: NodeKey) async throws -> (main: Double, summary: Double) {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let node = try Node(key: key, store: store, logger: logger)
        let (portStream, portInput) = AsyncStream<Int>.makeStream()
        let app = ViewsServer.application(node: node, views: views, host: "127.0.0.1", port: 0, token: nil, logger: logger) { p in
            portInput.yield(p)
        }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [],
                                                      logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var it = portStream.makeAsyncIterator()
            guard let bound = await it.next() else { throw Failure("the views server did not start") }
            var results: [String: Double] = [:]
            for (name, path) in [("main", "/"), ("summary", "/api/v1/summary")] {
                _ = try await HTTPExchange.get(port: bound, path)  // warm up
                var times: [Double] = []
                var size = 0
                for _ in 0..<requests {
                    let start = ContinuousClock.now
                    let response = try await HTTPExchange.get(port: bound, path)
                    times.append((ContinuousClock.now - start).seconds * 1000)
                    guard response.status == 200 else { throw Failure("\(path) answered \(response.status)") }
                    size = response.body.count
                }
                times.sort()
                results[name] = times[times.count / 2]
                say("\(path): median \(String(format: "%.1f", times[times.count / 2])) ms, slowest \(String(format: "%.1f", times.last!)) ms, \(size) bytes")
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return (results["main"]!, results["summary"]!)
        }
    }
}

/// CPU time this process has used (user and system), in seconds.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// A store's log in position order, read a batch at a time as the ingest
/// pipeline asks for it (so a big log is never held in memory at once).
struct LogBatches: AsyncSequence, Sendable {
    let store: Store
    let size: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let store: Store
        let size: Int
        var position: Int64 = 0
        var tag = 0

        mutating func next() async throws -> (tag: Int, raw: [[UInt8]])? {
            let (from, size) = (position, self.size)
            let batch = try await store.offPool { try $0.entries(after: from, limit: size) }
            guard let last = batch.last else { return nil }
            position = last.position
            tag += 1
            return (tag, batch.map(\.entry.bytes))
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(store: store, size: size) }
}

/// When each batch of the catch-up ended: the rate over any stretch of the log.
final class CatchUpProgress: Sendable {
    private let samples = Mutex<[(applied: Int, seconds: Double)]>([])
    private let start = ContinuousClock.now

    func note(_ applied: Int) {
        let seconds = (ContinuousClock.now - start).seconds
        samples.withLock { $0.append((applied, seconds)) }
    }

    /// When `count` entries had been applied, between the samples around it.
    func time(at count: Int) -> Double {
        samples.withLock { s in
            guard let i = s.firstIndex(where: { $0.applied >= count }) else { return s.last?.seconds ?? 0 }
            guard i > 0 else { return s[i].seconds }
            let (a, b) = (s[i - 1], s[i])
            guard b.applied > a.applied else { return b.seconds }
            return a.seconds + (b.seconds - a.seconds) * Double(count - a.applied) / Double(b.applied - a.applied)
        }
    }

    func rate(from: Int, to: Int) -> Double { Double(to - from) / max(1e-9, time(at: to) - time(at: from)) }

    func tenthRates(total: Int) -> (first: Double, last: Double) {
        (rate(from: 0, to: total / 10), rate(from: total - total / 10, to: total))
    }

    func deciles(total: Int) -> [String] {
        (0..<10).map { d in
            let (a, b) = (total * d / 10, total * (d + 1) / 10)
            return "entries \(a)-\(b): \(Int(rate(from: a, to: b)))/s"
        }
    }
}
