import Foundation
import LinkEmulator
import Logging
import NodeRuntime
import Replication
import ServiceLifecycle
import Testing

/// Metrics an alert can be written on (issue 13): `# HELP` for every
/// family, units in the names, per-peer series labelled by short node id,
/// build info, database size, and on the hub when each centre was last
/// heard from. Scraped over HTTP from live nodes on 127.0.0.1 port 0.
@Suite(.long) struct MonitoringTests {
    /// Runs the metrics endpoints of `nodes` (port 0) around `body`.
    static func serving(_ nodes: [Node], _ body: @Sendable ([Int]) async throws -> Void) async throws {
        let (ports, input) = AsyncStream<(Int, Int)>.makeStream()
        let logger = Logger(label: "metrics", factory: { _ in SwiftLogNoOpLogHandler() })
        let apps: [any Service] = nodes.enumerated().map { i, node in
            MetricsEndpoint.application(registry: nil, node: node, host: "127.0.0.1", port: 0, logger: logger) { input.yield((i, $0)) }
        }
        let group = ServiceGroup(configuration: .init(services: apps, gracefulShutdownSignals: [], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var bound: [Int: Int] = [:]
            for await (i, port) in ports {
                bound[i] = port
                if bound.count == nodes.count { break }
            }
            do {
                try await body(nodes.indices.map { bound[$0]! })
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    static func scrape(_ port: Int) async throws -> String {
        let r = try await HTTPExchange.get(port: port, "/metrics")
        #expect(r.status == 200 && (r.headers.first(name: "Content-Type") ?? "").hasPrefix("text/plain"))
        return String(decoding: r.body, as: UTF8.self)
    }

    /// The value of the sample `series` (name and labels as printed), if present.
    static func value(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    /// Every family has a HELP line before its TYPE line, and its name ends
    /// in a unit or says what it counts.
    static func checkFamilies(_ text: String) {
        let lines = text.split(separator: "\n").map(String.init)
        let typed = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(!typed.isEmpty)
        for name in typed {
            #expect(lines.contains { $0.hasPrefix("# HELP \(name) ") && $0.count > "# HELP \(name) ".count + 10 }, "no HELP for \(name)")
            let suffixes = ["_total", "_bytes", "_seconds", "_entries", "_info", "_connected", "_reconnecting", "_attempts",
                            "_fetching", "_authors", "_forks", "_known", "_unresolved", "_heard"]
            #expect(suffixes.contains { name.hasSuffix($0) }, "\(name): a unit or what it counts at the end of the name")
        }
    }

    /// promtool, from Debian's `prometheus` package, if installed.
    static let promtool: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        .map { "\($0)/promtool" }.first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The shipped alerting rules parse, and each alert fires on the series
    /// of its unit test (Deploy/prometheus/tcnode-rules.test.yml).
    @Test(.enabled(if: promtool != nil, "promtool is not installed (Debian: sudo apt-get install prometheus): the alerting rules are not checked"))
    func alertingRulesPassPromtool() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let r = try await run(root.appendingPathComponent("scripts/check-rules").path, [])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("SUCCESS: 4 rules found") && r.stdout.contains("Unit Testing"), "\(r.stdout)")
    }

    @Test func aScrapeHasHelpUnitsBuildInfoAndBoundedPerPeerSeries() async throws {
        let net = LiveNetwork()
        let hub = try await net.add("hub")
        let centre = try await net.add("tc1", network: hub.node.id, pinned: [hub])
        try await TransportTests.admit(centre.node.id, by: hub)
        let entry = try await TransportTests.put(centre, "keripik")
        try await net.run {
            let link = try await LinkEmulator.start(upstream: try await hub.listener.boundAddress())
            centre.dialers.setPeers([PeerEndpoint(node: hub.node.id, host: "127.0.0.1", port: link.port)])
            try await net.wait("the centre is in sync and the hub holds its entry") {
                let held = try await hub.node.store.entry(author: entry.author, seq: entry.seq) != nil
                return held && centre.node.peers.status(of: hub.node.id)?.inSync == true
            }
            // A stranger's key that connected is in the hub's status table,
            // never in its metrics: anyone can make keys.
            let stranger = NodeKey()
            _ = try await ManualPeer.connect(as: stranger, host: "127.0.0.1", port: try await net.endpoint(of: hub).port) { _, reader, writer in
                try await writer.send([.hello(Hello(network: hub.node.id, node: stranger.id, agent: "stranger/1",
                                                    feed: FeedID(bytes: Array(repeating: 3, count: 16))!, since: nil))])
                return try await reader.drain()
            }
            try await net.wait("the stranger is in the hub's status table") { hub.node.peers.status(of: stranger.id)?.state == .refused }

            try await Self.serving([hub.node, centre.node]) { ports in
                let (hubPort, centrePort) = (ports[0], ports[1])
                let text = try await Self.scrape(centrePort)
                Self.checkFamilies(text)
                let peer = "peer=\"\(hub.node.id.short)\""
                #expect(Self.value(text, "tcnode_build_info{version=\"\(TCNodeVersion.current)\"}") == 1, "\(text)")
                #expect((Self.value(text, "tcnode_store_database_bytes") ?? 0) > 0)
                #expect((Self.value(text, "tcnode_start_time_seconds") ?? 0) > 1_700_000_000)
                #expect(Self.value(text, "tcnode_peer_connected{\(peer)}") == 1, "\(text)")
                #expect(Self.value(text, "tcnode_peer_reconnecting{\(peer)}") == 0)
                #expect(Self.value(text, "tcnode_peer_behind_entries{\(peer)}") == 0)
                #expect((Self.value(text, "tcnode_peer_received_bytes_total{\(peer)}") ?? 0) > 0)
                #expect((Self.value(text, "tcnode_peer_sent_bytes_total{\(peer)}") ?? 0) > 0)
                #expect(Self.value(text, "tcnode_peer_resent_bytes_total{\(peer)}") == 0)
                let contact = Self.value(text, "tcnode_peer_last_contact_timestamp_seconds{\(peer)}") ?? 0
                #expect(abs(contact - Date().timeIntervalSince1970) < 60, "last contact \(contact)")
                #expect(Self.value(text, "tcnode_forks_unresolved") == 0)

                // The hub: the centre's series, when it was last heard from, none for the stranger.
                let atHub = try await Self.scrape(hubPort)
                Self.checkFamilies(atHub)
                // Prometheus's own linter (names, units, counters), where installed.
                if let promtool = Self.promtool {
                    let dir = TemporaryDirectory("tcmetrics")
                    for (name, scraped) in [("centre", text), ("hub", atHub)] {
                        try scraped.write(toFile: dir.file(name), atomically: true, encoding: .utf8)
                        let lint = try await run("/bin/sh", ["-c", "\"$0\" check metrics < \"$1\"", promtool, dir.file(name)])
                        #expect(lint.status == 0 && lint.stdout.isEmpty && lint.stderr.isEmpty, "\(name): \(lint.stdout)\(lint.stderr)")
                    }
                }
                #expect(Self.value(atHub, "tcnode_peer_connected{peer=\"\(centre.node.id.short)\"}") == 1, "\(atHub)")
                #expect(!atHub.contains(stranger.id.short), "a stranger has no series: \(atHub)")
                let heard = Self.value(atHub, "tcnode_centre_last_heard_timestamp_seconds{centre=\"\(centre.node.id.short)\",name=\"Centre\"}")
                    ?? Self.value(atHub, "tcnode_centre_last_heard_timestamp_seconds{name=\"Centre\",centre=\"\(centre.node.id.short)\"}")
                #expect(heard.map { abs($0 - Date().timeIntervalSince1970) < 60 } == true, "\(atHub)")
                #expect(Self.value(atHub, "tcnode_centres_never_heard") == 0)
                // A centre has no per-centre series.
                #expect(!text.contains("tcnode_centre_last_heard_timestamp_seconds{"))

                // The link drops and stays down: the centre is reconnecting.
                try await link.cut()
                try await net.wait("the centre is reconnecting to the hub") {
                    let row = centre.node.peers.status(of: hub.node.id)
                    return row?.reconnecting == true && (row?.connectAttempts ?? 0) >= 1 && row?.state == .backingOff
                }
                let cut = try await Self.scrape(centrePort)
                #expect(Self.value(cut, "tcnode_peer_connected{\(peer)}") == 0, "\(cut)")
                #expect(Self.value(cut, "tcnode_peer_reconnecting{\(peer)}") == 1, "\(cut)")
                #expect((Self.value(cut, "tcnode_peer_connect_attempts{\(peer)}") ?? 0) >= 1)
                let status = try await StatusReport.make(store: centre.node.store, node: centre.node.id, name: "tc1", region: nil,
                                                         running: centre.node, listen: nil)
                #expect(status.peers.first?.reconnecting == true && status.state == "not-connected", "\(status.peers)")

                // Removed from the config: its series go too.
                centre.dialers.setPeers([])
                try await net.wait("the hub's row is forgotten") { centre.node.peers.status(of: hub.node.id) == nil }
                let removed = try await Self.scrape(centrePort)
                #expect(!removed.contains(peer), "\(removed)")
            }
            try await link.stop()
        }
    }
}
