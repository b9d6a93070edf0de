import Foundation

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
}
