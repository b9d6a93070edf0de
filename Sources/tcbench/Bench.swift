import ArgumentParser
import Foundation

@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcbench",
        abstract: "Measure tcnode on this machine (build with -c release).",
        discussion: "Each benchmark prints its figures and ends with one key=value line.",
        subcommands: [IngestBench.self, SyncBench.self, ViewsBench.self, MemoryBench.self, BundleBench.self, LinkBench.self,
                      FederationBench.self])
}

/// Wall-clock seconds of a block.
func measure<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let value = try body()
    return (value, (ContinuousClock.now - start).seconds)
}

func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let value = try await body()
    return (value, (ContinuousClock.now - start).seconds)
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}

func rate(_ count: Int, _ seconds: Double) -> Int { Int((Double(count) / seconds).rounded()) }

func say(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// A fresh directory for a benchmark's databases, removed afterwards.
struct Scratch {
    let path: String
    init(_ label: String) {
        path = NSTemporaryDirectory() + "tcbench-\(label)-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
