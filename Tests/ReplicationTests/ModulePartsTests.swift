import Foundation
import Replication
import Testing

/// A module's folders are its parts (Replication: Core, Wire, Sync, Store,
/// Bundle; HubViews: the views database, Dashboard, Server), and the
/// references between them go one way (docs/ARCHITECTURE.md). SwiftPM
/// refuses a cycle between modules; nothing refuses one between the parts
/// of a module, so this test does: a type declared in one part and named in
/// another is an arrow, and the arrows must not close a circle.
@Suite struct ModulePartsTests {
    /// Files grouped by part: the first folder under the module, "." for
    /// files at its top.
    typealias Parts = [String: [(file: String, text: String)]]

    static func parts(of module: String) throws -> Parts {
        var parts: Parts = [:]
        for (name, text) in try BlockingCallLintTests.sources("Sources/\(module)") {
            let part = name.contains("/") ? String(name.split(separator: "/")[0]) : "."
            parts[part, default: []].append((name, text))
        }
        return parts
    }

    /// Arrows between parts: part -> parts whose top-level types it names,
    /// with one example each (file and type).
    static func arrows(_ parts: Parts) -> [String: [String: String]] {
        let declaration = try! Regex(#"(?m)^(?:public |package |internal |private |fileprivate |final |indirect )*(?:struct|enum|class|actor|protocol|typealias) +([A-Z][A-Za-z0-9_]*)"#)
        var owner: [String: String] = [:]
        for (part, files) in parts {
            for file in files {
                for match in file.text.matches(of: declaration) {
                    if let name = match.output[1].substring, owner[String(name)] == nil { owner[String(name)] = part }
                }
            }
        }
        let word = try! Regex(#"[A-Za-z_][A-Za-z0-9_]*"#)
        var arrows: [String: [String: String]] = [:]
        for (part, files) in parts {
            for file in files {
                // Comments may name anything.
                let code = file.text.split(separator: "\n", omittingEmptySubsequences: false)
                    .map { line in line.range(of: "//").map { line[..<$0.lowerBound] } ?? line[...] }
                    .joined(separator: "\n")
                for match in code.matches(of: word) {
                    let name = String(code[match.range])
                    guard let other = owner[name], other != part, arrows[part]?[other] == nil else { continue }
                    arrows[part, default: [:]][other] = "\(file.file) names \(name)"
                }
            }
        }
        return arrows
    }

    /// A circle of arrows, if there is one, as the parts along it.
    static func circle(_ arrows: [String: [String: String]]) -> [String]? {
        var state: [String: Int] = [:]  // 1: on the path, 2: done
        var path: [String] = []
        func visit(_ part: String) -> [String]? {
            state[part] = 1
            path.append(part)
            for next in (arrows[part] ?? [:]).keys.sorted() {
                if state[next] == 1 { return Array(path[path.firstIndex(of: next)!...]) + [next] }
                if state[next] == nil, let found = visit(next) { return found }
            }
            path.removeLast()
            state[part] = 2
            return nil
        }
        for part in arrows.keys.sorted() where state[part] == nil {
            if let found = visit(part) { return found }
        }
        return nil
    }

    @Test func thePartsOfEveryModuleReferToEachOtherOneWay() throws {
        let modules = try FileManager.default.contentsOfDirectory(atPath: BlockingCallLintTests.root.appendingPathComponent("Sources").path)
        #expect(modules.contains("Replication") && modules.contains("HubViews"), "the sources were not found")
        for module in modules.sorted() {
            let arrows = Self.arrows(try Self.parts(of: module))
            if let circle = Self.circle(arrows) {
                let steps = zip(circle, circle.dropFirst()).map { "\($0) -> \($1) (\(arrows[$0]![$1]!))" }
                Issue.record("\(module): its parts refer to each other in a circle:\n\(steps.joined(separator: "\n"))")
            }
        }
    }

    /// The layering docs/ARCHITECTURE.md draws for Replication: Core below
    /// everything; the wire format knows only Core; the store returns data
    /// and knows neither frames nor sessions; the session makes frames and
    /// drives the store; bundles use the wire format, the store and Core.
    @Test func replicationIsLayeredAsDocumented() throws {
        let arrows = Self.arrows(try Self.parts(of: "Replication")).mapValues { Set($0.keys) }
        #expect(arrows["Core", default: []].isEmpty, "\(arrows["Core", default: []])")
        #expect(arrows["Wire", default: []] == ["Core"])
        #expect(arrows["Store", default: []] == ["Core"])
        #expect(arrows["Sync", default: []].isSubset(of: ["Core", "Wire", "Store"]))
        #expect(arrows["Bundle", default: []].isSubset(of: ["Core", "Wire", "Store"]))
    }

    @Test func aCircleBetweenPartsIsFound() {
        let parts: Parts = [
            "Core": [("Core/Head.swift", "public struct Head {}\n")],
            "Store": [("Store/Store.swift", "public final class Store { let s: Session? = nil; let h: Head? = nil }\n")],
            "Sync": [("Sync/Session.swift", "struct Session { // Head\n let store: Store }\n")],
        ]
        let arrows = Self.arrows(parts)
        #expect(arrows["Sync"]?["Core"] == nil, "a name in a comment is not an arrow")
        #expect(Self.circle(arrows).map(Set.init) == ["Store", "Sync"])
        var oneWay = parts
        oneWay["Store"] = [("Store/Store.swift", "public final class Store { let h: Head? = nil }\n")]
        #expect(Self.circle(Self.arrows(oneWay)) == nil)
    }

    /// The store keeps as many pending heads per peer as one HEADS frame
    /// carries (PROTOCOL.md §7.8); the two live in different parts.
    @Test func theStoresPendingBoundIsOneHeadsFrame() {
        #expect(Store.maximumPendingPerPeer == Frame.maximumHeadsPerFrame)
        #expect(SyncSession.maximumPending == Store.maximumPendingPerPeer)
    }
}
