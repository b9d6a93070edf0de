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

/// Export and import of bundles on a node's own store: what the daemon's
/// routes run, and what `tcnode` runs itself when no daemon does.
public struct BundleService: Sendable {
    public let store: Store
    public let key: NodeKey?
    public let blobs: BlobStore?
    public var name: String?
    /// The running node, to wake its connections after an import.
    public var node: Node?

    public init(store: Store, key: NodeKey?, blobs: BlobStore?, name: String? = nil, node: Node? = nil) {
        self.store = store
        self.key = key
        self.blobs = blobs
        self.name = name
        self.node = node
    }

    /// Writes a bundle to `path`. `against` is a heads file made at the
    /// destination: it names the destination, and nothing it holds is carried.
    public func export(to path: String, options: BundleExportOptions, against: String?,
                       progress: (@Sendable (BundleProgress) -> Void)? = nil) async throws -> BundleExportSummary {
        guard let key else { throw BundleFileError(.unreadable, "this node's key is needed to sign a bundle") }
        var selection = BundleSelection()
        selection.destination = options.destination
        selection.sinceMs = options.sinceMs
        selection.authors = options.authors.map(Set.init)
        selection.kinds = options.kinds.map(Set.init)
        selection.photos = options.photos
        selection.headsOnly = options.headsOnly
        selection.acknowledges = options.acknowledges
        if let destination = options.destination, !options.headsOnly {
            selection.known = try await store.acknowledgedHeads(of: destination)
        }
        if let against, !options.headsOnly {
            let network = store.network
            let (node, heads, id) = try await OffPool.run { try BundleImporter.heads(of: against, network: network) }
            if let destination = options.destination, destination != node {
                throw BundleFileError(.notHeads, "the heads file is of node \(node.short), not of \(destination.short) (--for); use the destination's own heads file")
            }
            selection.destination = node
            selection.against = id
            for h in heads { selection.known[h.author] = max(selection.known[h.author] ?? 0, h.seq) }
        }
        var exporter = BundleExporter(store: store, key: key, blobs: blobs, name: name)
        exporter.agent = TCNodeVersion.agent
        let (ready, chosen) = (exporter, selection)
        return try await OffPool.run { try ready.write(to: path, selection: chosen, progress: progress) }
    }

    /// Imports a bundle (or a heads file or ack); with a running node, its
    /// connections are woken after each stored batch so peers get the
    /// entries at once, and photos are marked held in its views.
    public func importBundle(path: String, progress: (@Sendable (BundleProgress) -> Void)? = nil) async throws -> BundleImportReport {
        var importer = BundleImporter(store: store, blobs: blobs)
        importer.progress = progress
        if let node {
            importer.afterIngest = { result, origin in node.noteIngest(result, from: origin ?? node.id) }
            importer.photoStored = { sha in await node.notePhotoHeld(sha) }
        }
        return try await importer.run(path: path)
    }
}
