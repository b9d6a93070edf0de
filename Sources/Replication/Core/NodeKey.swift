import Crypto
import CryptoExtras
import Foundation

/// The node's Ed25519 signing key. Its description, debug description and
/// reflection show only the public node id, so the secret cannot end up in a
/// log line, `print` or a test failure dump by accident.
public struct NodeKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let privateKey: Curve25519.Signing.PrivateKey
    public let id: NodeID

    public init() {
        self.init(privateKey: Curve25519.Signing.PrivateKey())
    }

    /// From a 32-byte RFC 8032 seed (test vectors, deterministic simulations).
    public init(seed: [UInt8]) throws {
        self.init(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: seed))
    }

    private init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
        self.id = NodeID(keyBytes: privateKey.publicKey.rawRepresentation)!
    }

    public var publicKey: Curve25519.Signing.PublicKey { privateKey.publicKey }

    public func sign(_ message: [UInt8]) -> [UInt8] {
        // Ed25519 signing cannot fail for a valid key; swift-crypto only
        // declares `throws` for other key types sharing the API.
        Array(try! privateKey.signature(for: message))
    }

    public var description: String { "NodeKey(\(id))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["id": id]) }

    /// For code that must hand the key to TLS (the node certificate).
    public var signingKey: Curve25519.Signing.PrivateKey { privateKey }
}

extension NodeKey {
    public enum FileError: Error, CustomStringConvertible, Equatable {
        case missing(path: String)
        case exists(path: String)
        case permissions(path: String, mode: UInt16)
        case notAFile(path: String)
        case corrupt(path: String)
        case io(path: String, message: String)

        public var description: String {
            switch self {
            case .missing(let path):
                "no node key at \(path): run `tcnode init` first (or pass the right --data-dir)"
            case .exists(let path):
                "a node key already exists at \(path); refusing to overwrite it (it is this node's identity)"
            case .permissions(let path, let mode):
                "node key \(path) has mode \(String(mode, radix: 8, uppercase: false).leftPadded(to: 4)), so other users can read it; run `chmod 600 \(path)` and check who could have copied it"
            case .notAFile(let path):
                "node key \(path) is not a regular file"
            case .corrupt(let path):
                "node key \(path) is corrupt (not an Ed25519 private key in PEM form); restore it from a backup, or if it is lost, move the data directory aside and run `tcnode init` to make a new node"
            case .io(let path, let message):
                "cannot use node key \(path): \(message)"
            }
        }
    }

    static let permissionHint =
        "permission denied: the node's files belong to the tcnode user; run `sudo -u tcnode tcnode ...`, or start tcnoded so that tcnode can ask it (members of group tcnode need no sudo)"

    /// Writes a new key readable by its owner only. Fails if a key exists.
    public func write(to path: String) throws(FileError) {
        let pem = Array((privateKey.pemRepresentation + "\n").utf8)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { throw .exists(path: path) }
            throw .io(path: path, message: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        // The umask can only remove bits, but be explicit about the result.
        fchmod(fd, 0o600)
        let written = pem.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == pem.count, fsync(fd) == 0 else {
            throw .io(path: path, message: "could not write the whole key: \(String(cString: strerror(errno)))")
        }
    }

    /// Loads a key, refusing one that group or others can access.
    public static func read(from path: String) throws(FileError) -> NodeKey {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT { throw .missing(path: path) }
            if errno == EACCES { throw .io(path: path, message: Self.permissionHint) }
            throw .io(path: path, message: String(cString: strerror(errno)))
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .notAFile(path: path) }
        let mode = UInt16(st.st_mode & 0o7777)
        guard mode & 0o077 == 0 else { throw .permissions(path: path, mode: mode) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io(path: path, message: Self.permissionHint)
        }
        guard let text = String(data: data, encoding: .utf8),
            let key = try? Curve25519.Signing.PrivateKey(pemRepresentation: text)
        else { throw .corrupt(path: path) }
        return NodeKey(privateKey: key)
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
