import Foundation
import NIOCore
import NIOPosix
import NodeRuntime
import Replication
import Testing

/// A node is put together in one place, `NodeAssembly.build`: tcnoded, the
/// tests' LiveNetwork and tcbench's nodes all call it, and it says when its
/// servers are running from their own callbacks.
@Suite struct NodeAssemblyTests {
    /// The parts a node runs with are made by the assembly alone, so that a
    /// test or a benchmark cannot drift from what the daemon runs.
    @Test func onlyTheAssemblyMakesTheNodesServices() throws {
        var found: [String] = []
        var callers: Set<String> = []
        for directory in ["Sources", "Tests"] {
            for (name, text) in try BlockingCallLintTests.sources(directory) {
                let path = "\(directory)/\(name)"
                for (i, line) in text.components(separatedBy: "\n").enumerated() {
                    let code = line.components(separatedBy: "//").first ?? ""
                    if code.contains("NodeAssembly.build(") { callers.insert(path) }
                    guard path != "Sources/NodeRuntime/NodeAssembly.swift" else { continue }
                    // The views' follower is made by HubViews when the assembly
                    // asks (`NodeViews.follower`); HubViews' own tests make one
                    // to test it alone (retries against a PostgreSQL that goes away).
                    let followerMakers = ["Sources/HubViews/Server/HubNodeViews.swift", "Tests/HubViewsTests/PostgresFaultTests.swift"]
                    let made = followerMakers.contains(path) ? ["PeerListener", "PeerDialers"] : ["PeerListener", "PeerDialers", "ViewsService"]
                    for construction in made.map({ $0 + "(" }) where code.contains(construction) {
                        found.append("\(path):\(i + 1): \(line.trimmingCharacters(in: .whitespaces))")
                    }
                }
            }
        }
        #expect(found.isEmpty, "build nodes with NodeAssembly.build, not by hand:\n\(found.joined(separator: "\n"))")
        // The daemon, the tests' network and the benchmarks' nodes.
        for caller in ["Sources/NodeRuntime/Daemon.swift", "Tests/ReplicationTests/Support/LiveNetwork.swift",
                       "Sources/tcbench/BenchServices.swift"] {
            #expect(callers.contains(caller), "\(caller) no longer builds its nodes with NodeAssembly.build")
        }
    }

    /// With every server on (port 0), `ready()` returns once each has said
    /// it is running, and each answers at once: no polling anywhere.
    @Test func readyWhenEveryServerSaysItIsRunning() async throws {
        let net = LiveNetwork()
        let socket = net.dir.file("control.sock")
        let hub = try await net.add("hub", photos: true) { config in
            config.controlSocket = socket
            config.metricsHost = "127.0.0.1"
            config.metricsPort = 0
            config.views = true
        }
        try await net.run {
            let listening = try await hub.assembly.ready()
            #expect(listening.controlSocket == socket)
            let status = try await ControlClient(socketPath: socket).status()
            #expect(status.listen?.hasSuffix(":\(listening.peers.port!)") == true, "\(status.listen ?? "no listen address")")
            let metricsPort = try #require(listening.metricsPort)
            let metrics = try await HTTPExchange.get(port: metricsPort, "/metrics")
            #expect(metrics.status == 200 && String(decoding: metrics.body, as: UTF8.self).contains("tcnode_build_info"))
            let viewsPort = try #require(listening.viewsPort)
            #expect(try await HTTPExchange.get(port: viewsPort, "/api/v1/summary").status == 200)
            try await net.wait("the node logs that it is ready") { net.logs.contains("ready; peers can connect on") }
        }
    }

    /// A server that cannot bind fails `ready()` with the daemon's words
    /// for it, instead of leaving the caller waiting.
    @Test func aServerThatCannotStartFailsReadiness() async throws {
        let taken = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(taken.localAddress?.port)
        let net = LiveNetwork()
        let node = try await net.add("node") { config in
            config.metricsHost = "127.0.0.1"
            config.metricsPort = port
        }
        let error = await #expect(throws: Daemon.StartupError.self) {
            try await net.run { _ = try await node.assembly.ready() }
        }
        #expect(error?.description.contains("cannot listen on metrics 127.0.0.1:\(port): the address is in use") == true,
                "\(error.map { "\($0)" } ?? "no error")")
        try await taken.close()
    }
}
