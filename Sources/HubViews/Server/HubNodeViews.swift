import Logging
import NodeRuntime
import Replication
import ServiceLifecycle

/// The hub's views as a node's part: what the composition root (tcnoded,
/// the tests' LiveNetwork, tcbench) gives `NodeAssembly.build`, so that the
/// node runtime runs the views without depending on them.
public struct HubViewsOpener: ViewsOpener {
    public init() {}

    @available(*, noasync, message: "opens a database; call it through OffPool.run")
    public func open(path: String, store: Store, blobs: BlobStore) throws -> any NodeViews {
        try Views(path: path, store: store, blobs: blobs)
    }

    /// The views on PostgreSQL when `views_store` names a server, else the
    /// SQLite file at `path`.
    @available(*, noasync, message: "opens a database; call it through OffPool.run")
    public func open(config: NodeConfig, path: String, store: Store, blobs: BlobStore, logger: Logger) throws -> any NodeViews {
        guard let url = config.viewsStore, PostgresViewsLocation.isPostgres(url) else { return try Views(path: path, store: store, blobs: blobs) }
        let location = try PostgresViewsLocation.parse(url, passwordFile: config.viewsPasswordFile)
        logger.info("views on PostgreSQL: \(location) (password from \(location.passwordSource))")
        return try Views(postgres: location, store: store, blobs: blobs, logger: logger)
    }
}

extension Views: NodeViews {
    public var status: ViewsStatus { health.snapshot }

    public func photoPolicy(fetchAll: PhotoFetch.Rule) -> any PhotoPolicy { ViewsPhotoPolicy(views: self, rule: fetchAll) }

    public func follower(node: Node, logger: Logger) -> any Service { ViewsService(node: node, views: self, logger: logger) }

    public func server(node: Node, host: String, port: Int, token: String?, logger: Logger,
                       bound: @escaping @Sendable (Int) async -> Void) -> any Service {
        ViewsServer.application(node: node, views: self, host: host, port: port, token: token, logger: logger, bound: bound)
    }
}

/// Photos a node fetches and serves, read from the views' photo references:
/// a hub fetches every one, a centre those of its own records and of
/// surveys about it; any referenced photo it holds is served.
public struct ViewsPhotoPolicy: PhotoPolicy {
    public let views: Views
    public let rule: PhotoFetch.Rule

    public init(views: Views, rule: PhotoFetch.Rule) {
        self.views = views
        self.rule = rule
    }

    public var fetchesAll: Bool { rule.fetchesAll(roster: views.store.roster) }

    @available(*, noasync, message: "reads the views database; call it through OffPool.run")
    public func missing(node: NodeID, limit: Int) throws -> [(sha256: Bytes32, pieces: Bytes32?)] {
        try views.missingBlobs(all: fetchesAll, node: node, limit: limit).map { ($0.sha256, $0.pieces) }
    }

    @available(*, noasync, message: "reads the views database; call it through OffPool.run")
    public func isReferenced(_ sha: Bytes32) throws -> Bool { try views.isReferenced(sha) }

    @available(*, noasync, message: "writes the views database; call it through OffPool.run")
    public func held(_ sha: Bytes32) throws { try views.markBlobHeld(sha) }
}

extension NodeAssembly {
    /// The node's views database (nil when photos are off).
    public var hubViews: Views? { views as? Views }
}
