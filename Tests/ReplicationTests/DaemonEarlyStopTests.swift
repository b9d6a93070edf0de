import Foundation
import NodeRuntime
import Replication
import Testing

/// SIGTERM at any moment of tcnoded's start ends it promptly and cleanly:
/// before its services run, by the signal (systemd counts a stop by SIGTERM
/// as clean) with nothing half-written, since SQLite commits whole
/// transactions or none; once they run, by a graceful stop with exit 0.
/// Never a crash, a hang, or a database the next start cannot use.
@Suite(.serialized, .long) struct DaemonEarlyStopTests {
    /// How a process ended: an exit status, or the signal that ended it.
    enum Ending: Equatable {
        case exit(Int32)
        case signal(Int32)
    }

    static func terminate(_ node: DaemonProcess) async throws -> Ending {
        let p = try #require(node.process)
        p.terminate()
        let start = ContinuousClock.now
        while p.isRunning {
            if ContinuousClock.now - start > .seconds(10) { throw ProcessTestError("\(node.name) did not stop within 10 s of SIGTERM") }
            try await Task.sleep(for: .milliseconds(10))
        }
        node.process = nil
        return p.terminationReason == .uncaughtSignal ? .signal(p.terminationStatus) : .exit(p.terminationStatus)
    }

    @Test func sigtermWhileStartingEndsCleanlyAndTheNextStartWorks() async throws {
        let dir = TemporaryDirectory("tcearly")
        let node = DaemonProcess(name: "n", dir: dir)
        try await node.initialise(["--genesis"])
        // Records for the views to catch up with at the first start.
        let demo = try await run(try Products.path("tcnode"), ["generate-demo", "--data-dir", node.dataDir, "--centres", "8"])
        #expect(demo.status == 0, "\(demo.stderr)")
        try node.writeConfig(peers: [])

        var endings: [String: Ending] = [:]
        // At once (the process may not have read its config yet).
        try node.start()
        endings["at once"] = try await Self.terminate(node)
        // Once it has opened its database and is about to start its services.
        try node.start()
        _ = try await eventually("the daemon says it is starting") { node.log.contains("starting node") ? true : nil }
        endings["starting"] = try await Self.terminate(node)
        // Ready.
        try node.start()
        _ = try await node.waitUntilUp()
        endings["ready"] = try await Self.terminate(node)

        for (when, ending) in endings {
            #expect(ending == .exit(0) || ending == .signal(SIGTERM), "\(when): \(ending)\n\(node.log)")
        }
        #expect(endings["ready"] == .exit(0), "a running daemon stops gracefully")
        #expect(!node.log.contains("Fatal error") && !node.log.contains("Backtrac"), "\(node.log)")

        let check = try await run(try Products.path("tcnode"), ["check", "--data-dir", node.dataDir, "--lang", "en"])
        #expect(check.status == 0 && check.stdout.hasPrefix("ok:"), "\(check.stdout) \(check.stderr)")
        try node.start()
        let status = try await node.waitUntilUp()
        #expect(status.store.entries > 0)
        let (code, _) = try await node.stop()
        #expect(code == 0)
    }
}
