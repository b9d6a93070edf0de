import Dispatch

/// Runs synchronous, blocking work (SQLite through GRDB's synchronous API,
/// file reads of photos) on threads of its own, never on Swift's cooperative
/// pool. That pool has as many threads as cores (two on a centre's PC): a
/// task that blocks one of them waiting for a database connection, while the
/// connection's holder waits for that same pool to resume, wedges the whole
/// daemon (this happened: docs/OPERATIONS.md, "the hub stops answering").
///
/// GRDB's async `read`/`write` already run their bodies off the pool; this is
/// for the synchronous store and views API, whose methods are marked
/// `@available(*, noasync)` so the compiler refuses to call them from async
/// code directly. Written by hand because neither GRDB nor SwiftNIO offers
/// a "run this blocking closure elsewhere and await it" that is not tied to
/// one database (NIOThreadPool is, but it would make Replication depend on
/// NIOPosix for one function).
public enum OffPool {
    /// Concurrent: independent reads run side by side. libdispatch keeps
    /// these threads apart from the cooperative pool's.
    private static let queue = DispatchQueue(label: "tcnode.blocking", qos: .userInitiated, attributes: .concurrent)

    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }
}

extension Store {
    /// Runs synchronous store calls off the cooperative pool:
    /// `try await store.offPool { try $0.stats() }`.
    public func offPool<T: Sendable>(_ body: @escaping @Sendable (Store) throws -> T) async throws -> T {
        try await OffPool.run { try body(self) }
    }

    public func position() async throws -> Int64 { try await read(Store.position) }
    public func head(of author: NodeID) async throws -> Head? { try await offPool { try $0.head(of: author) } }
    public func stats() async throws -> StoreStats { try await offPool { try $0.stats() } }
    public func entry(author: NodeID, seq: UInt64) async throws -> Entry? { try await offPool { try $0.entry(author: author, seq: seq) } }
    public func checkpoint(for peer: NodeID) async throws -> Checkpoint? { try await offPool { try $0.checkpoint(for: peer) } }
    public func checkpoint(for peer: NodeID, wanting interest: Interest?) async throws -> Checkpoint? {
        try await offPool { try $0.checkpoint(for: peer, wanting: interest) }
    }
    public func bootstrapPeers() async throws -> [(node: NodeID, address: String)] { try await offPool { try $0.bootstrapPeers() } }
    public func initRegion() async throws -> String? { try await offPool { try $0.initRegion() } }
    public func records(kind: String, author: NodeID? = nil, includeDeleted: Bool = false) async throws -> [Entry] {
        try await offPool { try $0.records(kind: kind, author: author, includeDeleted: includeDeleted) }
    }
    public func log(author: NodeID? = nil, limit: Int = 100, newestFirst: Bool = true) async throws -> [Entry] {
        try await offPool { try $0.log(author: author, limit: limit, newestFirst: newestFirst) }
    }
    public func forks() async throws -> [ForkRecord] { try await offPool { try $0.forks() } }
    public func forkedAuthors() async throws -> Set<NodeID> { try await offPool { try $0.forkedAuthors() } }
    public func integrityCheck() async throws -> [String] { try await offPool { try $0.integrityCheck() } }
}
