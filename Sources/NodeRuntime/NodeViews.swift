import Logging
import Replication
import ServiceLifecycle

/// Opens the views a node keeps beside its store when photos are on. The
/// node runtime does not know what the views hold: HubViews provides them
/// (`HubViewsOpener`: the hub's views database, its follower and its HTTP
/// server), and the composition root (tcnoded, the tests' LiveNetwork,
/// tcbench) hands the opener to `NodeAssembly.build`.
public protocol ViewsOpener: Sendable {
    @available(*, noasync, message: "opens a database; call it through OffPool.run")
    func open(path: String, store: Store, blobs: BlobStore) throws -> any NodeViews
    /// Opens the views where the config keeps them (`views_store`); by
    /// default the file at `path`.
    @available(*, noasync, message: "opens a database; call it through OffPool.run")
    func open(config: NodeConfig, path: String, store: Store, blobs: BlobStore, logger: Logger) throws -> any NodeViews
}

extension ViewsOpener {
    @available(*, noasync, message: "opens a database; call it through OffPool.run")
    public func open(config: NodeConfig, path: String, store: Store, blobs: BlobStore, logger: Logger) throws -> any NodeViews {
        try open(path: path, store: store, blobs: blobs)
    }
}

/// The views of a running node, as its assembly uses them.
public protocol NodeViews: Sendable {
    /// Which photos the node fetches and serves; `fetchAll` on a hub.
    func photoPolicy(fetchAll: PhotoFetch.Rule) -> any PhotoPolicy
    /// Keeps the views up to date with the node's log while it runs.
    func follower(node: Node, logger: Logger) -> any Service
    /// The views' HTTP server; it calls `bound` with its port once it runs.
    func server(node: Node, host: String, port: Int, token: String?, logger: Logger,
                bound: @escaping @Sendable (Int) async -> Void) -> any Service
    /// How far behind the log the views are, as of their last catch-up.
    var status: ViewsStatus { get }
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    func releaseMemory()
    /// Closes the database (as `Store.close`, also at the end of a run).
    func close() throws
}

/// A service known only by its protocol, for the generic server wrappers.
struct AnyService: Service {
    let base: any Service
    func run() async throws { try await base.run() }
}
