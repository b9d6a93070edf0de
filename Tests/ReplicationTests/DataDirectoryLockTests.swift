import Foundation
import Replication
import Testing

/// While tcnoded runs it is the only writer of its data directory: a command
/// writing the files itself is refused, a second daemon does not start, and
/// a daemon starting during a command's write waits for it. flock(2) locks
/// belong to an open file, so two in one process exclude each other as two
/// processes would.
@Suite struct DataDirectoryLockTests {
    static func node(_ dir: TemporaryDirectory) async throws -> DataDirectory {
        let directory = DataDirectory(dir.file("node"))
        try await OffPool.run { try directory.initialise(network: nil).1.close() }
        return directory
    }

    @Test func aCommandMayNotWriteWhileTheDaemonHoldsTheDirectory() async throws {
        let dir = TemporaryDirectory()
        let directory = try await Self.node(dir)
        let daemon = try await OffPool.run { try directory.openStoreAsDaemon(checkIntegrity: false) {} }
        await #expect(throws: DataDirectory.Lock.Failure.daemonRunning(directory: directory.path)) {
            try await OffPool.run { _ = try directory.openStoreForWriting() }
        }
        await #expect(throws: DataDirectory.Lock.Failure.daemonRunning(directory: directory.path)) {
            try await OffPool.run { _ = try directory.lockForWriting() }
        }
        // Reads of the files stay open to commands (WAL).
        let reader = try await OffPool.run { try directory.openStore() }
        #expect(try await reader.stats().entries == 0)
        try await OffPool.run { try daemon.close() }

        let command = try await OffPool.run { try directory.openStoreForWriting() }
        try await OffPool.run { try command.close() }
    }

    @Test func aSecondDaemonOnTheDirectoryIsRefused() async throws {
        let dir = TemporaryDirectory()
        let directory = try await Self.node(dir)
        let first = try await OffPool.run { try directory.openStoreAsDaemon(checkIntegrity: false) {} }
        let error = await #expect(throws: DataDirectory.Lock.Failure.otherDaemon(directory: directory.path)) {
            try await OffPool.run { _ = try directory.openStoreAsDaemon(checkIntegrity: false) {} }
        }
        #expect(error?.description.contains("another tcnoded is already running on data directory \(directory.path)") == true)
        try await OffPool.run { try first.close() }
        let second = try await OffPool.run { try directory.openStoreAsDaemon(checkIntegrity: false) {} }
        try await OffPool.run { try second.close() }
    }

    @Test(.timeLimit(.minutes(1))) func aDaemonStartingDuringACommandsWriteWaitsForIt() async throws {
        let dir = TemporaryDirectory()
        let directory = try await Self.node(dir)
        let command = try await OffPool.run { try directory.lockForWriting() }
        let (waiting, said) = AsyncStream<Void>.makeStream()
        let daemon = Task {
            try await OffPool.run {
                try directory.openStoreAsDaemon(checkIntegrity: false) {
                    said.yield()
                    said.finish()
                }
            }
        }
        // The daemon says it waits; the command's write ends; the daemon starts.
        for await _ in waiting {}
        command.release()
        let store = try await daemon.value
        await #expect(throws: DataDirectory.Lock.Failure.self) { try await OffPool.run { _ = try directory.lockForWriting() } }
        try await OffPool.run { try store.close() }
    }
}
