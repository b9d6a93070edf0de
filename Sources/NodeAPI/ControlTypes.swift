import Foundation
import Replication

/// What one request of the control socket may carry, shared by tcnoded
/// (which refuses more) and `tcnode` (which sends imports in batches that fit).
public enum ControlLimits {
    /// The largest request body the socket reads. A request carries one
    /// entry body of up to 1 MiB as a JSON string: escaping at most doubles
    /// a body that is JSON (`\"` becomes `\\\"`), and at most multiplies
    /// by six one that is not (a control byte becomes `\u0000`); 8 MiB holds
    /// either with the other fields.
    public static let maxRequestBytes = 8 * Entry.maximumBodySize

    /// What `tcnode` puts in one batch request, so that a batch always fits.
    public static let batchBytes = 4 * Entry.maximumBodySize
}

/// A write asked of the daemon: one entry of this node.
public struct AppendRequest: Codable, Sendable {
    public var kind: String
    public var key: String
    /// "put" or "delete".
    public var op: String
    /// The body as JSON text, kept byte for byte (absent for a delete).
    public var body: String?

    public init(kind: String, key: String, op: String, body: String?) {
        self.kind = kind
        self.key = key
        self.op = op
        self.body = body
    }
}

public struct AppendResponse: Codable, Sendable {
    public var author: String
    public var seq: UInt64
    public var id: String

    public init(author: String, seq: UInt64, id: String) {
        self.author = author
        self.seq = seq
        self.id = id
    }
}

public struct PhotoResponse: Codable, Sendable {
    public var sha256: String
    public var size: Int
    public var type: String

    public init(sha256: String, size: Int, type: String) {
        self.sha256 = sha256
        self.size = size
        self.type = type
    }
}

/// Entries as the control API returns them: exact bytes, base64, so that
/// the client holds the signed entry itself and decodes it (`decoded()`).
public struct EntryList: Codable, Sendable {
    public var entries: [String]

    public init(_ entries: [Entry]) { self.entries = entries.map { Data($0.bytes).base64EncodedString() } }

    public func decoded() throws -> [Entry] {
        try entries.map { text in
            guard let data = Data(base64Encoded: text) else { throw ControlClient.Failure.refused("bad entry encoding from the daemon") }
            return try Entry(decoding: [UInt8](data))
        }
    }
}

public struct IdentityInfo: Codable, Sendable {
    public var node: String
    public var network: String

    public init(node: String, network: String) {
        self.node = node
        self.network = network
    }
}

public struct HeadList: Codable, Sendable {
    public struct Item: Codable, Sendable {
        public var author: String
        public var seq: UInt64

        public init(author: String, seq: UInt64) {
            self.author = author
            self.seq = seq
        }
    }
    public var heads: [Item]

    public init(heads: [Item]) { self.heads = heads }
}

/// An error about a bundle, with its stable code (`other-network`, ...).
public struct BundleErrorBody: Codable, Sendable {
    public var error: String
    public var code: String?

    public init(error: String, code: String?) {
        self.error = error
        self.code = code
    }
}
