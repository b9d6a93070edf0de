import Foundation
import Synchronization

/// A node's files: its key, its database and its blobs, in one directory.
public struct DataDirectory: Sendable {
    public let path: String

    public static let defaultPath = "/var/lib/tcnode"
    public static let environmentVariable = "TCNODE_DATA_DIR"

    public init(_ path: String) { self.path = path }

    /// `--data-dir` if given, else `TCNODE_DATA_DIR`, else /var/lib/tcnode.
    public static func resolve(_ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> DataDirectory {
        if let explicit, !explicit.isEmpty { return DataDirectory(explicit) }
        if let env = environment[environmentVariable], !env.isEmpty { return DataDirectory(env) }
        return DataDirectory(defaultPath)
    }

    public var keyPath: String { (path as NSString).appendingPathComponent("node.key") }
    public var databasePath: String { (path as NSString).appendingPathComponent("node.sqlite") }
    public var blobsPath: String { (path as NSString).appendingPathComponent("blobs") }

    public enum InitError: Error, CustomStringConvertible {
        case alreadyInitialised(path: String)
        case cannotCreate(path: String, detail: String)

        public var description: String {
            switch self {
            case .alreadyInitialised(let path):
                "\(path) already holds a node (node.key exists); nothing was changed. Use another --data-dir for a new node."
            case .cannotCreate(let path, let detail):
                "cannot create data directory \(path): \(detail)"
            }
        }
    }

    /// Creates the directory (0700), a new key and a new database. A node's
    /// network is its own id when `network` is nil (a new network).
    public func initialise(network: NodeID?, key: NodeKey = NodeKey()) throws -> (NodeKey, Store) {
        let fm = FileManager.default
        if fm.fileExists(atPath: keyPath) || fm.fileExists(atPath: databasePath) {
            throw InitError.alreadyInitialised(path: path)
        }
        do {
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw InitError.cannotCreate(path: path, detail: (error as NSError).localizedDescription)
        }
        try key.write(to: keyPath)
        do {
            let store = try Store.create(at: databasePath, network: network ?? key.id, node: key.id)
            return (key, store)
        } catch {
            // Leave no half-made node behind: a key without a database would
            // make the next `init` refuse.
            try? fm.removeItem(atPath: keyPath)
            throw error
        }
    }

    public func openKey() throws -> NodeKey { try NodeKey.read(from: keyPath) }

    @available(*, noasync, message: "checks and migrates the database file; call it through OffPool.run")
    public func openStore(checkIntegrity: Bool = false) throws -> Store {
        try Store.open(at: databasePath, checkIntegrity: checkIntegrity)
    }

    /// The lock file: held by tcnoded while it runs (`Lock`).
    public var lockPath: String { (path as NSString).appendingPathComponent("tcnoded.lock") }

    /// Opens the store for tcnoded, as the only writer of this directory: the
    /// directory's lock is taken first and kept until the store is closed.
    /// `waiting` is called if commands writing the files must finish first;
    /// another tcnoded on the directory is `Lock.Failure.otherDaemon`.
    @available(*, noasync, message: "checks the database and may wait for a command's write; call it through OffPool.run")
    public func openStoreAsDaemon(checkIntegrity: Bool = true, waiting: () -> Void) throws -> Store {
        let lock = try Lock.daemon(self, waiting: waiting)
        return try Store.open(at: databasePath, checkIntegrity: checkIntegrity, holding: lock)
    }

    /// Opens the store for a command that writes the node's files itself,
    /// once other such commands have finished, holding the directory's lock
    /// until the store is closed; `Lock.Failure.daemonRunning` while tcnoded runs.
    @available(*, noasync, message: "checks and migrates the database file; call it through OffPool.run")
    public func openStoreForWriting() throws -> Store {
        let lock = try Lock.offlineWrite(self)
        return try Store.open(at: databasePath, holding: lock)
    }

    /// The directory's lock for a command that writes files other than the
    /// database (photos); released by `release()` or when the lock is freed.
    @available(*, noasync, message: "may wait for another command's write; call it through OffPool.run")
    public func lockForWriting() throws(Lock.Failure) -> Lock { try Lock.offlineWrite(self) }
}

extension DataDirectory {
    /// The data directory's lock: flock(2) on `tcnoded.lock` in it. tcnoded
    /// holds it exclusively for its whole life, so that while it runs it is
    /// the only writer of the node's files (peers learn every write from it,
    /// and nothing changes under its roster). A `tcnode` command that writes
    /// the files itself holds it shared, which a running daemon refuses at
    /// once, and `tcnode-write.lock` exclusively: such commands write one
    /// after the other, each opening the database once the one before has
    /// finished (so each reads the roster as it is). The kernel releases both
    /// when the process ends, however it ends. flock(2) locks belong to an
    /// open file: a process takes the lock once, not once per store it opens.
    public final class Lock: Sendable {
        public let path: String
        /// The open lock files; empty once released.
        private let files: Mutex<[Int32]>

        public enum Failure: Error, Equatable, CustomStringConvertible {
            /// A tcnoded holds the directory: a command may not write it.
            case daemonRunning(directory: String)
            /// Another tcnoded holds the directory: this one may not start.
            case otherDaemon(directory: String)
            case io(path: String, detail: String)

            public var description: String {
                switch self {
                case .daemonRunning(let directory):
                    "tcnoded is running on \(directory) and is its only writer while it runs: write through it, or stop it first"
                case .otherDaemon(let directory):
                    "another tcnoded is already running on data directory \(directory) (it holds \(directory)/tcnoded.lock); "
                        + "stop it first, or give this one its own data_dir"
                case .io(let path, let detail): "cannot use \(path): \(detail)"
                }
            }
        }

        private init(path: String) {
            self.path = path
            files = Mutex([])
        }

        /// Takes the lock for tcnoded. When only commands writing the files
        /// hold it, `waiting` is called once and the lock is taken when they
        /// have finished (a write takes seconds at most); when another tcnoded
        /// holds it, `Failure.otherDaemon`.
        @available(*, noasync, message: "may wait for a command's write; call it through OffPool.run")
        static func daemon(_ directory: DataDirectory, waiting: () -> Void) throws(Failure) -> Lock {
            let lock = Lock(path: directory.lockPath)
            let fd = try lock.open(directory.lockPath)
            if try lock.take(fd, LOCK_EX | LOCK_NB) { return lock }
            // Held. Shared holders are commands writing; an exclusive holder is a daemon.
            guard try lock.take(fd, LOCK_SH | LOCK_NB) else {
                lock.release()
                throw .otherDaemon(directory: directory.path)
            }
            waiting()
            // Converting to exclusive waits for the shared holders to let go.
            _ = try lock.take(fd, LOCK_EX)
            return lock
        }

        /// Takes the lock for a command that writes the node's files itself,
        /// after any other such command has finished; `Failure.daemonRunning`
        /// while a tcnoded runs on them.
        @available(*, noasync, message: "may wait for another command's write; call it through OffPool.run")
        static func offlineWrite(_ directory: DataDirectory) throws(Failure) -> Lock {
            let lock = Lock(path: directory.lockPath)
            guard try lock.take(try lock.open(directory.lockPath), LOCK_SH | LOCK_NB) else {
                lock.release()
                throw .daemonRunning(directory: directory.path)
            }
            let writers = (directory.path as NSString).appendingPathComponent("tcnode-write.lock")
            _ = try lock.take(try lock.open(writers), LOCK_EX)
            return lock
        }

        private func open(_ path: String) throws(Failure) -> Int32 {
            // Read-only is enough for flock, so a lock file a root command
            // made (0644, empty) never keeps tcnoded from its own directory.
            let fd = Foundation.open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                let code = errno
                release()
                throw .io(path: path, detail: code == EACCES ? NodeKey.permissionHint : String(cString: strerror(code)))
            }
            files.withLock { $0.append(fd) }
            return fd
        }

        /// True when taken, false when another process holds it in a way that
        /// excludes `operation` (only with LOCK_NB).
        private func take(_ fd: Int32, _ operation: Int32) throws(Failure) -> Bool {
            while flock(fd, operation) != 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EWOULDBLOCK { return false }
                release()
                throw .io(path: path, detail: String(cString: strerror(code)))
            }
            return true
        }

        /// Lets the lock go (closing the files releases it). Idempotent.
        public func release() {
            for fd in files.withLock({ files in
                defer { files = [] }
                return files
            }) { close(fd) }
        }

        deinit { release() }
    }
}
