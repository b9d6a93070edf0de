import Foundation
import NodeRuntime
import Replication
import Subprocess
import SystemPackage

/// The built `tcnoded` and `tcnode` executables, next to the test bundle.
enum Products {
    static var directory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    static func path(_ name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw ProcessTestError("\(url.path) is missing: build the products first (scripts/test does)")
        }
        return url.path
    }
}

struct ProcessTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The result of running `tcnode`.
struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs a command to completion (bounded by `timeout`).
///
/// With swift-subprocess, not Foundation's `Process`: on Linux,
/// `Process.run()` (swift-corelibs-foundation up to Swift 6.3.1) reads
/// 256 bytes past each `/proc/self/fd` entry and crashes the whole test
/// process when one sits at the end of a page (swiftlang/
/// swift-corelibs-foundation#5472); the default lane, thousands of CLI runs
/// beside hundreds of open sockets and databases, hit it in CLIStressTests.
/// Subprocess closes descriptors with closefrom and never scans the
/// directory. (`DaemonProcess.start` still uses `Process`: a few dozen long
/// runs per suite, and it needs the process object across calls.)
func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
         timeout: Duration = .seconds(60)) async throws -> CommandResult {
    var env = ProcessInfo.processInfo.environment
    env["LANG"] = "C.UTF-8"
    env["LC_ALL"] = nil
    env["LC_MESSAGES"] = nil
    for (k, v) in environment { env[k] = v }
    let variables = env.map { Array("\($0.key)=\($0.value)".utf8) }
    // Cancelling the run (at the deadline) ends the process.
    return try await withDeadline(timeout, timedOut: { ProcessTestError("\(executable) \(arguments) did not finish within \(timeout)") }) {
        let result = try await Subprocess.run(.path(FilePath(executable)), arguments: Arguments(arguments),
                                              environment: .custom(variables),
                                              output: .string(limit: 64 << 20), error: .string(limit: 64 << 20))
        let status: Int32
        switch result.terminationStatus {
        case .exited(let code): status = code
        case .signaled(let signal): status = 128 + signal
        }
        return CommandResult(status: status, stdout: result.standardOutput ?? "", stderr: result.standardError ?? "")
    }
}

/// A tcnoded process with its own data directory, config and control
/// socket, listening on 127.0.0.1 port 0.
final class DaemonProcess {
    let name: String
    let dir: TemporaryDirectory
    var process: Process?
    var id: NodeID!

    init(name: String, dir: TemporaryDirectory) {
        self.name = name
        self.dir = dir
    }

    var dataDir: String { dir.file(name) }
    var configPath: String { dir.file("\(name).toml") }
    var socketPath: String { dir.file("\(name).sock") }
    var logPath: String { dir.file("\(name).log") }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// `tcnode init` for this node.
    func initialise(_ extra: [String]) async throws {
        let r = try await run(try Products.path("tcnode"), ["init", "--data-dir", dataDir] + extra)
        guard r.status == 0, let id = NodeID(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ProcessTestError("tcnode init failed: \(r.stderr)")
        }
        self.id = id
    }

    func writeConfig(peers: [String], extra: String = "") throws {
        let list = peers.map { "\"\($0)\"" }.joined(separator: ", ")
        let text = """
            data_dir = "\(dataDir)"
            listen = "127.0.0.1:0"
            peers = [\(list)]
            name = "\(name)"
            metrics = ""
            views_listen = "127.0.0.1:0"
            control_socket = "\(socketPath)"
            log_level = "debug"
            \(extra)
            """
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try Products.path("tcnoded"))
        p.arguments = ["--config", configPath]
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        process = p
    }

    /// Waits until the control socket answers; returns the status.
    func waitUntilUp(timeout: Duration = .seconds(30)) async throws -> StatusReport {
        try await eventually("\(name) answers on its control socket", timeout: timeout) {
            try? await ControlClient(socketPath: self.socketPath).status()
        }
    }

    func status() async throws -> StatusReport { try await ControlClient(socketPath: socketPath).status() }

    /// The address peers dial (the daemon reports the port it bound).
    func endpoint() async throws -> String {
        let report = try await status()
        guard let listen = report.listen else { throw ProcessTestError("\(name) reports no listen address") }
        return "\(id!)@\(listen)"
    }

    func cli(_ arguments: [String]) async throws -> CommandResult {
        try await run(try Products.path("tcnode"), arguments + ["--config", configPath])
    }

    /// SIGTERM; returns the exit status and how long the stop took.
    func stop(timeout: Duration = .seconds(15)) async throws -> (Int32, Duration) {
        guard let p = process else { throw ProcessTestError("\(name) is not running") }
        let start = ContinuousClock.now
        p.terminate()
        while p.isRunning {
            if ContinuousClock.now - start > timeout { throw ProcessTestError("\(name) did not stop within \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        process = nil
        return (p.terminationStatus, ContinuousClock.now - start)
    }

    func kill() async throws {
        guard let p = process else { return }
        Foundation.kill(p.processIdentifier, SIGKILL)
        while p.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        process = nil
    }

    deinit {
        if let p = process, p.isRunning { Foundation.kill(p.processIdentifier, SIGKILL) }
    }
}

/// Polls `probe` until it returns a value or `timeout` passes: for other
/// processes, which cannot notify this one, a bounded wait on a condition.
func eventually<T>(_ what: String, timeout: Duration = .seconds(30), interval: Duration = .milliseconds(50),
                   _ probe: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await probe() { return value }
        if ContinuousClock.now > deadline { throw ProcessTestError("timed out after \(timeout) waiting for: \(what)") }
        try await Task.sleep(for: interval)
    }
}
