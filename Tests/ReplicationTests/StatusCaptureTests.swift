import Foundation
import LinkEmulator
import NIOCore
import NodeRuntime
import Replication
import Testing

/// Opt-in (TCNODE_STATUS_CAPTURE=1, several minutes): real `tcnode status`
/// output from real daemons during a slow, cut-up sync, for
/// docs/OPERATIONS.md. The figures of `tcbench link --rate 64000
/// --latency-ms 300 --up 30 --down 10 --entries 2000 --photo-bytes 500000`:
/// a hub (tcnoded) holding 2,000 entries of 20 authors, a fresh centre
/// (tcnoded) behind the link emulator, which also publishes a 500 KB photo
/// for the hub to fetch. Prints both nodes' status every `TCNODE_STATUS_EVERY`
/// seconds (default 20) until the centre holds everything and the hub the photo.
@Suite struct StatusCaptureTests {
    static let enabled = ProcessInfo.processInfo.environment["TCNODE_STATUS_CAPTURE"] == "1"

    @Test(.enabled(if: enabled, "set TCNODE_STATUS_CAPTURE=1 to capture status output during a slow, cut-up sync"),
          .timeLimit(.minutes(30)))
    func captureStatusDuringASlowCutUpSync() async throws {
        let dir = TemporaryDirectory("tccapture")
        let hub = DaemonProcess(name: "hub", dir: dir)
        try await hub.initialise(["--genesis"])
        let centre = DaemonProcess(name: "tc1", dir: dir)
        try await centre.initialise(["--network", hub.id.description])
        try hub.writeConfig(peers: [], extra: "views = true")
        let admitted = try await hub.cli(["admit", centre.id.description, "--role", "telecenter", "--name", "Telecenter Sumberejo",
                                          "--region", "Jawa Timur"])
        #expect(admitted.status == 0, "\(admitted.stderr)")
        let total = try DaemonProcessTests.preload(hub: hub, authors: 20, entriesEach: 100)
        try hub.start()
        let listen = try #require(try await hub.waitUntilUp().listen)
        let port = try #require(Int(listen.split(separator: ":").last ?? ""))

        let shape = LinkShape(bitsPerSecond: 64_000, latency: .milliseconds(300), queueBytes: 8_000)
        let link = try await LinkEmulator.start(upstream: try SocketAddress(ipAddress: "127.0.0.1", port: port),
                                                configuration: LinkConfiguration(both: shape))
        try await link.startSchedule(up: .seconds(30), down: .seconds(10))

        // The centre's photo: a PNG signature, then noise no link compresses.
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var random = SystemRandomNumberGenerator()
        while png.count < 500_000 { png.append(UInt8.random(in: 0...255, using: &random)) }
        try Data(png).write(to: URL(fileURLWithPath: dir.file("anyaman.png")))
        let (sha, _) = try BlobStore(root: dir.file("scratch-blobs")).add(png)
        try centre.writeConfig(peers: ["\(hub.id!)@127.0.0.1:\(link.port)"])
        try centre.start()
        _ = try await centre.waitUntilUp()
        let added = try await centre.cli(["product", "add", "--name", "Anyaman Bambu", "--category", "kerajinan",
                                          "--photo", dir.file("anyaman.png")])
        #expect(added.status == 0, "\(added.stderr)")

        let every = Double(ProcessInfo.processInfo.environment["TCNODE_STATUS_EVERY"] ?? "") ?? 20
        let start = ContinuousClock.now
        var round = 0
        while ContinuousClock.now - start < .seconds(1_500) {
            let c = link.counters
            let elapsed = Int((ContinuousClock.now - start).components.seconds)
            print("==== \(elapsed) s: link \(c.isUp ? "up" : "down"), \(c.cuts) cuts, \(c.connectionsAccepted) connections, \(c.bytesOnWire) bytes carried")
            print("---- tc1$ tcnode status\(round % 3 == 2 ? " --lang id" : "")")
            print(try await centre.cli(["status"] + (round % 3 == 2 ? ["--lang", "id"] : [])).stdout)
            if round == 4 {
                print("---- tc1$ tcnode status --wide")
                print(try await centre.cli(["status", "--wide"]).stdout)
            }
            if round % 2 == 1 {
                print("---- hub$ tcnode status")
                print(try await hub.cli(["status"]).stdout)
            }
            let centreStatus = try await centre.status()
            let photoHeld = BlobStore(root: DataDirectory(hub.dataDir).blobsPath).has(sha)
            if centreStatus.store.entries >= total + 1 && photoHeld && centreStatus.state == "in-sync" {
                print("---- tc1$ tcnode status (done)")
                print(try await centre.cli(["status"]).stdout)
                print("---- tc1$ tcnode status --json (the hub's row)")
                let json = try await centre.cli(["status", "--json"]).stdout
                print(json)
                break
            }
            round += 1
            try await Task.sleep(for: .seconds(every))
        }
        try await link.stopSchedule()
        for d in [centre, hub] { _ = try await d.stop() }
        try await link.stop()
    }
}
