import ArgumentParser
import DemoData
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NodeRuntime
import Replication
import ServiceLifecycle
import Synchronization
import HubViews
import Telecenter

struct ViewsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "views",
        abstract: "Time to serve the dashboard's main page and /api/v1/summary on a large network.")

    @Option(help: "Centres in the generated network.") var centres = 1000
    @Option(help: "Entries in the generated network (about).") var entries = 1_000_000
    @Option(help: "Requests timed per page.") var requests = 30

    func run() async throws {
        let scratch = Scratch("views")
        defer { scratch.remove() }
        let hub = NodeKey()
        let store = try Store.create(at: scratch.file("hub.sqlite"), network: hub.id, node: hub.id)
        var options = DemoNetwork.Options()
        options.centres = centres
        options.entriesPerCentre = max(4, entries / centres)
        options.photos = false
        say("generating \(centres) centres with about \(entries) signed entries (this takes a few minutes)...")
        let (_, generateSeconds) = try measure { try DemoNetwork.populate(hub: hub, store: store, blobs: nil, options: options, seed: 1) }
        let stats = try await store.stats()
        say("stored \(stats.entries) entries from \(stats.authors) authors in \(String(format: "%.0f", generateSeconds)) s")

        let views = try Views(path: scratch.file("views.sqlite"), store: store)
        let (applied, catchUpSeconds) = try measure { try views.catchUp() }
        say("views built from the log: \(applied) entries in \(String(format: "%.1f", catchUpSeconds)) s (\(rate(applied, catchUpSeconds))/s)")

        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let node = try Node(key: hub, store: store, logger: logger)
        let port = Mutex<Int?>(nil)
        let (portStream, portInput) = AsyncStream<Int>.makeStream()
        let app = ViewsServer.application(node: node, views: views, host: "127.0.0.1", port: 0, token: nil, logger: logger) { p in
            port.withLock { $0 = p }
            portInput.yield(p)
        }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [],
                                                      logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })))
        let line: String = try await withThrowingTaskGroup(of: Void.self) { tasks in
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
            return "dashboard_main_ms=\(String(format: "%.1f", results["main"]!)) summary_ms=\(String(format: "%.1f", results["summary"]!)) centres=\(centres) entries=\(stats.entries)"
        }
        try views.close()
        try store.close()
        print(line)
    }
}
