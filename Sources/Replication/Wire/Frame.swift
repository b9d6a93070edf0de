import Foundation

/// HELLO: the first frame each way.
public struct Hello: Sendable, Equatable, Codable {
    public var `protocol`: Int
    public var network: String
    public var node: String
    public var agent: String
    public var feed: String
    /// The receiver's feed id as the sender last saw it ("" when unknown).
    public var since_feed: String
    /// Position in the receiver's feed up to which the sender holds
    /// everything the receiver offered (0 when unknown).
    public var since: UInt64
    /// Optional: the sender's human name ("Telecenter Kab. Blitar"), for
    /// status displays only. Older peers leave it out.
    public var name: String?
    /// Optional: which authors the sender wants offered (PROTOCOL.md
    /// §7.16); absent means everything.
    public var interest: Interest?

    public init(protocol: Int = 1, network: NodeID, node: NodeID, agent: String, feed: FeedID, since: Checkpoint?,
                name: String? = nil, interest: Interest? = nil) {
        self.protocol = `protocol`
        self.network = network.description
        self.node = node.description
        self.agent = agent
        self.feed = feed.hex
        self.since_feed = since?.feed.hex ?? ""
        self.since = UInt64(max(0, since?.position ?? 0))
        self.name = name
        self.interest = interest
    }
}

/// ERROR codes (docs/PROTOCOL.md, "ERROR").
public enum ErrorCode: String, Sendable, Codable, CaseIterable {
    case networkMismatch = "network-mismatch"
    case protocolVersion = "protocol-version"
    case notAMember = "not-a-member"
    case identityMismatch = "identity-mismatch"
    case badFrame = "bad-frame"
    case badEntry = "bad-entry"
    case tooLarge = "too-large"
    case shuttingDown = "shutting-down"
    case `internal`
}

public struct ProtocolError: Sendable, Equatable, Codable, Error, CustomStringConvertible {
    /// Kept as a string: a peer may send codes this version does not know.
    public let code: String
    public let message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code.rawValue
        self.message = message
    }

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var known: ErrorCode? { ErrorCode(rawValue: code) }
    public var description: String { "\(code): \(message)" }
}

/// A request for a blob from `offset` on.
public struct BlobRequest: Sendable, Hashable {
    public let sha256: Bytes32
    public let offset: UInt64
    public init(sha256: Bytes32, offset: UInt64) {
        self.sha256 = sha256
        self.offset = offset
    }
}

/// The frames of sync protocol v1.
public enum Frame: Sendable, Equatable {
    case hello(Hello)
    case heads(position: UInt64, heads: [Head])
    case want([WantRange])
    case entries([[UInt8]])
    case ping(UInt64)
    case pong(UInt64)
    case error(ProtocolError)
    case blobWant([BlobRequest])
    case blobData(sha256: Bytes32, total: UInt64, offset: UInt64, bytes: [UInt8])
    case blobNone(Bytes32)
    /// Asks for the piece lists of blobs (PROTOCOL.md §6.11).
    case blobPiecesWant([Bytes32])
    /// The piece hashes of a blob of `total` bytes (PROTOCOL.md §6.12).
    case blobPieces(sha256: Bytes32, total: UInt64, hashes: [Bytes32])
    /// The sender now holds a blob it answered BLOB_NONE for on this
    /// connection (PROTOCOL.md §6.13).
    case blobHeld(Bytes32)
    /// A frame type this version does not know; receivers ignore it.
    case unknown(type: UInt8, payload: [UInt8])

    public enum Kind: UInt8, Sendable, CaseIterable {
        case hello = 0x01, heads = 0x02, want = 0x03, entries = 0x04, ping = 0x05, pong = 0x06, error = 0x07
        case blobWant = 0x08, blobData = 0x09, blobNone = 0x0A, blobPiecesWant = 0x0B, blobPieces = 0x0C, blobHeld = 0x0D
    }

    public var type: UInt8 {
        switch self {
        case .hello: Kind.hello.rawValue
        case .heads: Kind.heads.rawValue
        case .want: Kind.want.rawValue
        case .entries: Kind.entries.rawValue
        case .ping: Kind.ping.rawValue
        case .pong: Kind.pong.rawValue
        case .error: Kind.error.rawValue
        case .blobWant: Kind.blobWant.rawValue
        case .blobData: Kind.blobData.rawValue
        case .blobNone: Kind.blobNone.rawValue
        case .blobPiecesWant: Kind.blobPiecesWant.rawValue
        case .blobPieces: Kind.blobPieces.rawValue
        case .blobHeld: Kind.blobHeld.rawValue
        case .unknown(let type, _): type
        }
    }

    /// The photo exchange, beside the sync.
    public var isBlobFrame: Bool {
        switch self {
        case .blobWant, .blobData, .blobNone, .blobPiecesWant, .blobPieces, .blobHeld: true
        default: false
        }
    }

    public var name: String {
        Kind(rawValue: type).map { "\($0)".uppercased() } ?? "type 0x\(String(type, radix: 16))"
    }

    /// Limits (docs/PROTOCOL.md, "Frames").
    public static let maximumLength = 8 * 1024 * 1024
    /// The first frame of a connection (HELLO, or ERROR) is small: a peer
    /// not yet identified by HELLO cannot make a node buffer megabytes.
    public static let maximumFirstLength = 64 * 1024
    public static let maximumEntriesPayload = 4 * 1024 * 1024
    public static let maximumHeadsPerFrame = 100_000
    public static let maximumWantsPerFrame = 100_000
    public static let maximumBlobChunk = 256 * 1024
    /// The largest blob a BLOB_PIECES can describe: 65,536 pieces of 16 KiB
    /// (a list of 2 MiB).
    public static let maximumPiecedBlob: UInt64 = 65_536 * UInt64(BlobPieces.size)
}
