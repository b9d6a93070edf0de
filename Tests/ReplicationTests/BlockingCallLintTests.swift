import Foundation
import Testing

/// Keeps the rule that wedged a hub once from coming back (issue: both of
/// the cooperative pool's threads blocked in synchronous database reads).
/// The compiler refuses `@available(*, noasync)` methods in async code; this
/// checks that every synchronous method of the store and the views carries
/// that mark, and that no source waits synchronously on the pool's work.
@Suite struct BlockingCallLintTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func sources(_ directory: String) throws -> [(String, String)] {
        let base = root.appendingPathComponent(directory)
        let names = try FileManager.default.subpathsOfDirectory(atPath: base.path).filter { $0.hasSuffix(".swift") }
        return try names.sorted().map { ($0, try String(contentsOf: base.appendingPathComponent($0), encoding: .utf8)) }
    }

    @Test func synchronousStoreAndViewsMethodsAreNoasync() throws {
        var unmarked: [String] = []
        let files = try Self.sources("Sources/Replication").filter { ($0.0 as NSString).lastPathComponent.hasPrefix("Store") }
            + Self.sources("Sources/HubViews").filter { ($0.0 as NSString).lastPathComponent.hasPrefix("Views") }
        #expect(files.count >= 6, "the store and views sources were not found under \(Self.root.path)")
        for (name, text) in files {
            let lines = text.components(separatedBy: "\n")
            for (i, line) in lines.enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                guard code.hasPrefix("public func") || code.hasPrefix("public static func of("), !code.contains(" async "),
                    !code.contains("func close()")
                else { continue }
                let above = lines[max(0, i - 3)..<i].joined(separator: "\n")
                if !above.contains("noasync") { unmarked.append("\(name):\(i + 1): \(code)") }
            }
        }
        #expect(unmarked.isEmpty, "synchronous database methods must be @available(*, noasync):\n\(unmarked.joined(separator: "\n"))")
    }

    @Test func noSourceWaitsSynchronously() throws {
        var found: [String] = []
        let modules = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Sources").path)
        #expect(modules.count >= 5, "the sources were not found under \(Self.root.path)")
        for directory in modules.filter({ !$0.hasPrefix(".") }).sorted().map({ "Sources/" + $0 }) {
            for (name, text) in try Self.sources(directory) {
                let lines = text.components(separatedBy: "\n")
                for (i, line) in lines.enumerated() {
                    let code = line.components(separatedBy: "//").first ?? ""
                    // `.wait()` on a future, a semaphore, a condition lock
                    // waited for (how a future is waited for by hand), or a
                    // detached task running synchronous work on the
                    // cooperative pool.
                    let blocks = code.contains(".wait()") || code.contains("DispatchSemaphore") || code.contains("lock(whenValue:")
                    if code.contains("Task.detached") || (blocks && !Self.inNoasyncFunction(lines, line: i)) {
                        found.append("\(directory)/\(name):\(i + 1): \(line.trimmingCharacters(in: .whitespaces))")
                    }
                }
            }
        }
        #expect(found.isEmpty, "blocking waits in async code; use async APIs or OffPool.run:\n\(found.joined(separator: "\n"))")
    }

    /// Whether line `i` is in a function marked `@available(*, noasync)`,
    /// which the compiler keeps out of async code: there a blocking wait
    /// runs only on OffPool's threads (the PostgreSQL views' one wait for
    /// the server is such a function, `blockingResult`).
    static func inNoasyncFunction(_ lines: [String], line i: Int) -> Bool {
        guard let declaration = lines[..<i].lastIndex(where: { line in
            let code = line.trimmingCharacters(in: .whitespaces)
            return ["func ", "public func ", "static func ", "public static func ", "init(", "public init("].contains { code.hasPrefix($0) }
        }) else { return false }
        return lines[max(0, declaration - 3)..<declaration].contains { $0.contains("@available(*, noasync") }
    }

    @Test func aBlockingWaitOutsideANoasyncFunctionIsFound() {
        let source = """
            @available(*, noasync, message: "blocks")
            func allowed() {
                done.lock(whenValue: true)
            }
            func refused() async {
                done.lock(whenValue: true)
            }
            """.components(separatedBy: "\n")
        #expect(Self.inNoasyncFunction(source, line: 2))
        #expect(!Self.inNoasyncFunction(source, line: 5))
    }
}
