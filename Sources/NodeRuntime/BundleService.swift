import Foundation
import Replication

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
