import Foundation
import Replication

/// What `tcnode bundle export` asks for, as it crosses the control socket
/// (query parameters) or stays in the CLI.
public struct BundleExportOptions: Sendable, Equatable {
    /// `--for`: the destination; nothing it acknowledged is carried.
    public var destination: NodeID?
    public var sinceMs: Int64?
    public var authors: [NodeID]?
    public var kinds: [String]?
    public var photos = true
    /// `tcnode bundle heads`, and acks: HEADS only.
    public var headsOnly = false
    public var acknowledges: String?

    public init() {}

    /// The query string of `POST /v1/bundle/export`.
    public var query: String {
        var items: [(String, String)] = []
        if let destination { items.append(("for", destination.description)) }
        if let sinceMs { items.append(("since_ms", "\(sinceMs)")) }
        if let authors { items.append(("authors", authors.map(\.description).joined(separator: ","))) }
        if let kinds { items.append(("kinds", kinds.joined(separator: ","))) }
        if !photos { items.append(("photos", "0")) }
        if headsOnly { items.append(("heads_only", "1")) }
        if let acknowledges { items.append(("acknowledges", acknowledges)) }
        return items.map { "\($0.0)=\(ControlClient.escape($0.1))" }.joined(separator: "&")
    }

    /// Reads the query parameters; the error names the bad one.
    public init(query value: (String) -> String?) throws {
        func ids(_ text: String, _ name: String) throws -> [NodeID] {
            try text.split(separator: ",").map {
                guard let id = NodeID(String($0)) else { throw BundleFileError(.unreadable, "\(name): '\($0)' is not a node id") }
                return id
            }
        }
        if let f = value("for") {
            guard let id = NodeID(f) else { throw BundleFileError(.unreadable, "for: '\(f)' is not a node id") }
            destination = id
        }
        if let s = value("since_ms") {
            guard let ms = Int64(s) else { throw BundleFileError(.unreadable, "since_ms: '\(s)' is not a number") }
            sinceMs = ms
        }
        if let a = value("authors") { authors = try ids(a, "authors") }
        if let k = value("kinds") { kinds = k.split(separator: ",").map(String.init) }
        photos = value("photos") != "0"
        headsOnly = value("heads_only") == "1"
        acknowledges = value("acknowledges")
    }
}
