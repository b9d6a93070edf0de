import Crypto
import Foundation

/// Bundle files (docs/PROTOCOL.md §13): a recorded one-way sync carried on
/// a stick. Magic bytes, then frames exactly as on the wire (`u32 length |
/// u8 type | payload`): a BUNDLE_HEADER, HEADS, ENTRIES and BLOB_DATA
/// frames, a signed BUNDLE_MANIFEST and a BUNDLE_END that points back at
/// the manifest, so a reader finds it without scanning.
public enum BundleFormat {
    /// PNG-style: a high byte, a name, CR LF, ^Z, LF, so that a text-mode
    /// copy or a 7-bit channel is caught at the first look.
    public static let magic: [UInt8] = [0x89, 0x54, 0x43, 0x42, 0x0D, 0x0A, 0x1A, 0x0A]
    public static let version = 1
    /// Domain separation: a manifest signature can never pass for an entry's
    /// (`tcnode entry v1`) or the other way round.
    public static let signatureContext: [UInt8] = Array("tcnode bundle v1".utf8)
    public static let fileExtension = "tcb"

    /// Frame types only bundle files use; never sent on a connection.
    public enum FrameType: UInt8, Sendable {
        case header = 0x40
        case manifest = 0x41
        case end = 0x42
    }

    /// Frame types a bundle's sections may have (the wire's own).
    public static let sectionTypes: Set<UInt8> = [Frame.Kind.heads.rawValue, Frame.Kind.entries.rawValue, Frame.Kind.blobData.rawValue]

    /// Frame length limits (type byte included), so a reader's memory stays bounded.
    public static let maximumHeaderLength = 64 * 1024
    public static let maximumSectionLength = Frame.maximumLength
    public static let maximumManifestLength = 64 * 1024 * 1024
    /// `00 00 00 09 42` and the manifest's offset (u64).
    public static let endFrameSize = 13

    static let jsonEncoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        Hex.encode(Array(SHA256.hash(data: bytes)))
    }
}

/// BUNDLE_HEADER (0x40): who made the bundle, for which network, and what
/// was asked for. Read first, so a bundle of another network is refused
/// before anything else is looked at.
public struct BundleHeader: Codable, Sendable, Equatable {
    public var format: Int
    /// 16 random bytes, 32 lowercase hex: names this bundle in reports and acks.
    public var bundle: String
    public var network: String
    public var exporter: String
    /// The exporter's human name, for display only (like HELLO `name`).
    public var name: String?
    public var agent: String
    /// The exporter's clock, ms since the Unix epoch.
    public var created_ms: Int64
    /// "bundle" (entries and photos) or "heads" (a heads file or an ack: HEADS only).
    public var contents: String
    public var covers: Covers
    /// For an ack: the bundle whose import it follows.
    public var acknowledges: String?

    public struct Covers: Codable, Sendable, Equatable {
        /// The destination node, when the export was made for one.
        public var `for`: String?
        /// The bundle id of the heads file the export was made against.
        public var against: String?
        public var since_ms: Int64?
        public var authors: [String]?
        public var kinds: [String]?
        public var photos: Bool

        public init(for node: String? = nil, against: String? = nil, since_ms: Int64? = nil, authors: [String]? = nil,
                    kinds: [String]? = nil, photos: Bool = true) {
            self.for = node
            self.against = against
            self.since_ms = since_ms
            self.authors = authors
            self.kinds = kinds
            self.photos = photos
        }
    }

    public static let contentsBundle = "bundle"
    public static let contentsHeads = "heads"

    public var isHeadsOnly: Bool { contents == Self.contentsHeads }
}

/// BUNDLE_MANIFEST (0x41): every section with its place and SHA-256, the
/// totals and ranges, signed by the exporter. The payload is the 64-byte
/// Ed25519 signature, then this JSON; the signature covers
/// `"tcnode bundle v1" || JSON`.
public struct BundleManifest: Codable, Sendable, Equatable {
    public var format: Int
    public var bundle: String
    public var network: String
    public var exporter: String
    public var created_ms: Int64
    /// SHA-256 of the complete BUNDLE_HEADER frame (length and type included).
    public var header_sha256: String
    public var sections: [Section]
    public var entries: Int
    /// Sum of the entries' own lengths (the raw entry bytes carried).
    public var entry_bytes: Int64
    public var heads: Int
    public var photos: Int
    public var photo_bytes: Int64
    /// Photos the entries refer to that the exporter did not hold.
    public var missing_photos: Int
    public var ranges: [Range]
    public var photo_list: [Photo]

    public struct Section: Codable, Sendable, Equatable {
        public var type: UInt8
        /// Where the frame starts in the file, and its whole size (4 + length).
        public var offset: UInt64
        public var length: UInt64
        /// SHA-256 of the whole frame.
        public var sha256: String
        /// Entries, heads or chunk bytes the frame holds.
        public var records: Int
    }

    /// One author's entries carried: seqs `from` through `to`, all of them.
    public struct Range: Codable, Sendable, Equatable {
        public var author: String
        public var from: UInt64
        public var to: UInt64
        /// Entry id of the entry at `to`.
        public var to_id: String
    }

    public struct Photo: Codable, Sendable, Equatable {
        public var sha256: String
        public var size: Int64
    }
}

/// Why a file cannot be read as a bundle at all (nothing is imported).
public struct BundleFileError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Code: String, Sendable {
        case unreadable, notABundle = "not-a-bundle", newerFormat = "newer-format", otherNetwork = "other-network"
        case damagedHeader = "damaged-header", notHeads = "not-heads", unverified
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
