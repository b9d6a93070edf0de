import Foundation
import Replication
import Testing

@Suite struct NodeKeyTests {
    @Test func newKeyFileIsOwnerOnlyAndReadsBack() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("node.key")
        let key = NodeKey()
        try key.write(to: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! Int
        #expect(mode == 0o600)
        #expect(try NodeKey.read(from: path).id == key.id)
        #expect(throws: NodeKey.FileError.exists(path: path)) { try NodeKey().write(to: path) }
    }

    @Test func looseModeIsRefused() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("node.key")
        try NodeKey().write(to: path)
        chmod(path, 0o644)
        #expect(throws: NodeKey.FileError.permissions(path: path, mode: 0o644)) { try NodeKey.read(from: path) }
        #expect("\(NodeKey.FileError.permissions(path: path, mode: 0o644))".contains("chmod 600"))
    }

    @Test func corruptKeyIsRefused() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("node.key")
        _ = FileManager.default.createFile(atPath: path, contents: Data("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".utf8),
                                       attributes: [.posixPermissions: 0o600])
        #expect(throws: NodeKey.FileError.corrupt(path: path)) { try NodeKey.read(from: path) }
    }

    @Test func keyFileNeverContainsTheSeedInTheClearOrLeaksThroughDescription() throws {
        let seed = (0..<32).map { UInt8($0) }
        let key = try NodeKey(seed: seed)
        // Neither the value nor its dump shows the secret.
        #expect(!String(describing: key).contains(Hex.encode(seed)))
        #expect(!String(reflecting: key).contains(Hex.encode(seed)))
    }
}
