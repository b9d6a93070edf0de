import ArgumentParser
import Foundation
import Replication

struct ResetSync: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-sync",
        abstract: "After restoring a backup: make peers send everything again.",
        discussion: """
            A restored database is older than what peers remember of it. This gives it a new feed id and
            forgets all peer checkpoints, so peers offer every entry again, this node's own included.
            Run it with tcnoded stopped, before the node writes anything new.
            """)

    @OptionGroup var data: DataOptions

    func run() throws {
        let store = try data.openStore()
        let feed = try store.resetSyncState()
        print("sync state reset (new feed \(feed.hex.prefix(8))); start tcnoded and let it sync before writing new records")
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the database for damage (SQLite integrity check; slow on large databases).")

    @OptionGroup var data: DataOptions

    func run() throws {
        let store: Store
        do { store = try data.directory.openStore(checkIntegrity: true) } catch { throw Failure(message: "\(error)") }
        let result = try store.integrityCheck()
        guard result == ["ok"] else {
            throw Failure(message: "database \(store.path) is damaged: \(result.prefix(5).joined(separator: "; ")). Restore it from a backup, then run `tcnode reset-sync`.")
        }
        let stats = try store.stats()
        print("ok: \(stats.entries) entries from \(stats.authors) authors, \(stats.forks) forks recorded")
    }
}
