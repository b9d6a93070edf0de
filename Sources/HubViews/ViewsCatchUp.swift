import Foundation
import Replication

/// Where the views live (SQLite now, PostgreSQL later): the only part of
/// catching up that runs SQL. The driver (`ViewsCatchUp`) reads the log,
/// works out each entry's change and hands batches over in log order.
public protocol ViewsBackend: Sendable {
    /// The feed position the views reflect (0 when empty).
    func readAppliedPosition() async throws -> Int64
    /// Applies a batch in one transaction, with the position it reaches, so
    /// that a stop between two batches loses nothing.
    func apply(_ batch: ViewBatch) async throws
    /// What a batch applied earlier asked to be settled and was not yet
    /// (`ViewBatch.settle`, kept with the position by `apply`).
    func pendingSettle() async throws -> SettleNeed
    /// After a catch-up that applied admits or revokes (or started from
    /// empty views): the centres' standing from the roster and, when
    /// `purges`, the rows of authors whose log a revocation cut back.
    /// Clears the pending settle once done.
    func settle(roster: Roster, purges: Bool) async throws
}

/// What the views must do after applying batches, recorded in the same
/// transaction as the batch that needs it: a settle lost with the
/// connection (PostgreSQL gone between the last batch and the settle) is
/// done by the next catch-up, though that one reads no admit or revoke.
public enum SettleNeed: Int, Sendable {
    case none = 0
    /// The centres' standing from the roster (`Views.refreshCentres`).
    case centres = 1
    /// That, and the rows of authors whose log a revocation cut back.
    case centresAndPurges = 2
}

/// Consecutive entries of the log as changes to the views.
public struct ViewBatch: Sendable {
    public let changes: [ViewChange]
    /// The roster as of the batch's last entry.
    public let roster: Roster
    /// The feed position of the batch's last entry.
    public let position: Int64
    /// What the catch-up must settle once this batch is applied: the
    /// roster's standing when the batch holds admits or revokes, or when it
    /// is the first the views apply.
    public let settle: SettleNeed
}

/// Reads the log after a position, a batch at a time, and works out the
/// changes (no views database needed, so it runs beside the backend's
/// writes). Carries the admits and revokes it has read, for the roster.
struct FeedCursor: Sendable {
    let store: Store
    let size: Int
    /// Admits and revokes read in this catch-up that the store's roster did
    /// not know yet when last asked (see `Views.roster(_:including:)`).
    private(set) var unknownNetwork: [Entry] = []

    init(store: Store, size: Int) {
        self.store = store
        self.size = max(1, size)
    }

    /// The next batch after `position`, its changes worked out on this thread.
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    mutating func next(after position: Int64) throws -> ViewBatch? {
        try read(after: position).map {
            ViewBatch(changes: $0.entries.map { ViewChange($0) }, roster: $0.roster, position: $0.position, settle: $0.settle)
        }
    }

    /// The entries after `position` (a batch of them), the roster as of
    /// the last of them and what they need settled; nil at the end of the log.
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    mutating func read(after position: Int64) throws -> (entries: [Entry], roster: Roster, position: Int64, settle: SettleNeed)? {
        let read = try store.entries(after: position, limit: size)
        guard let last = read.last else { return nil }
        let entries = read.map(\.entry)
        let network = entries.filter { Roster.isNetworkKind($0.kind) }
        // Read for each batch, after its entries: members admitted while
        // the views catch up count (a monitor's surveys, a new centre).
        let settle: SettleNeed = !network.isEmpty ? .centresAndPurges : position == 0 ? .centres : .none
        return (entries, roster(adding: network), last.position, settle)
    }

    /// The store's roster with the admits and revokes read so far. Those it
    /// knows are dropped from the list (the store's roster only grows), so
    /// the list stays short however many centres the log admits.
    mutating func roster(adding network: [Entry] = []) -> Roster {
        let base = store.roster
        unknownNetwork = (unknownNetwork + network).filter { !Views.knows(base, $0) }
        return Views.roster(base, including: unknownNetwork)
    }
}

/// Catches the views up with the log: reads and works out batch N+1 on one
/// thread while the backend writes batch N on another, the two cores of a
/// hub's machine each doing half of the work.
public struct ViewsCatchUp<Backend: ViewsBackend>: Sendable {
    public let store: Store
    public let backend: Backend
    public let batchSize: Int

    public init(store: Store, backend: Backend, batchSize: Int = 2000) {
        self.store = store
        self.backend = backend
        self.batchSize = batchSize
    }

    /// Applies every entry stored since the views' position; returns how
    /// many. `stop` is asked between batches; `progress` hears the count
    /// applied so far after each batch.
    public func run(until stop: @escaping @Sendable () -> Bool = { false }, progress: (@Sendable (Int) -> Void)? = nil) async throws -> Int {
        let start = try await backend.readAppliedPosition()
        typealias Read = (batch: ViewBatch, cursor: FeedCursor)?
        @Sendable func read(_ cursor: FeedCursor, after position: Int64) async throws -> Read {
            let read = try await OffPool.run { () -> (entries: [Entry], roster: Roster, position: Int64, settle: SettleNeed, cursor: FeedCursor)? in
                var cursor = cursor
                return try cursor.read(after: position).map { ($0.entries, $0.roster, $0.position, $0.settle, cursor) }
            }
            guard let read else { return nil }
            let changes = await Self.changes(of: read.entries)
            return (ViewBatch(changes: changes, roster: read.roster, position: read.position, settle: read.settle), read.cursor)
        }
        var cursor = FeedCursor(store: store, size: batchSize)
        var total = 0
        var reachedPosition = start
        try await withThrowingTaskGroup(of: Read.self) { group in
            group.addTask { [cursor] in try await read(cursor, after: start) }
            while !stop(), let next = try await group.next(), case let (batch, advanced)? = next {
                group.addTask { try await read(advanced, after: batch.position) }
                try await backend.apply(batch)
                cursor = advanced
                total += batch.changes.count
                reachedPosition = batch.position
                progress?(total)
            }
            // A batch read ahead and not applied is read again next time.
            group.cancelAll()
        }
        let pending = try await backend.pendingSettle()
        if pending != .none || total == 0 && reachedPosition == 0 {
            try await backend.settle(roster: cursor.roster(), purges: pending == .centresAndPurges)
        }
        return total
    }

    /// The entries' changes, worked out in parts side by side: parsing
    /// bodies is most of the work of catching up, and while the backend
    /// writes one batch the other core has room for it.
    static func changes(of entries: [Entry]) async -> [ViewChange] {
        let parts = entries.count < 64 ? 1 : min(4, max(1, ProcessInfo.processInfo.activeProcessorCount))
        let size = (entries.count + parts - 1) / parts
        return await withTaskGroup(of: (Int, [ViewChange]).self) { group in
            for start in stride(from: 0, to: entries.count, by: size) {
                let part = Array(entries[start..<min(start + size, entries.count)])
                group.addTask { (start, await OffPool.run { part.map { ViewChange($0) } }) }
            }
            var done: [(Int, [ViewChange])] = []
            for await part in group { done.append(part) }
            return done.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }
}
