import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NodeRuntime
import Replication
import ServiceLifecycle
import Synchronization
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
        let stats = try store.stats()
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
                _ = try await HTTPProbe.get(port: bound, path: path)  // warm up
                var times: [Double] = []
                var size = 0
                for _ in 0..<requests {
                    let start = ContinuousClock.now
                    let (status, bytes) = try await HTTPProbe.get(port: bound, path: path)
                    times.append((ContinuousClock.now - start).seconds * 1000)
                    guard status == 200 else { throw Failure("\(path) answered \(status)") }
                    size = bytes
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

/// One HTTP/1.1 GET over loopback with SwiftNIO's HTTP codec.
enum HTTPProbe {
    static func get(port: Int, path: String) async throws -> (Int, Int) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
            head.headers.add(name: "Host", value: "127.0.0.1")
            head.headers.add(name: "Connection", value: "close")
            try await outbound.write(.head(head))
            try await outbound.write(.end(nil))
            var status = 0, bytes = 0
            for try await part in inbound {
                switch part {
                case .head(let h): status = Int(h.status.code)
                case .body(let b): bytes += b.readableBytes
                case .end: return (status, bytes)
                }
            }
            return (status, bytes)
        }
    }
}
