import Foundation

/// What an import did, for the operator and for scripts (`--json`, stable:
/// fields are only ever added).
public struct BundleImportReport: Sendable, Codable, Equatable {
    public var file: String
    public var bundle: String
    public var network: String
    public var exporter: String
    public var exporterName: String?
    public var createdMs: Int64
    /// "bundle" or "heads" (a heads file or an ack).
    public var contents: String
    public var manifest: BundleManifestState
    /// The manifest verified, every section matched its checksum and
    /// nothing was found missing: the whole bundle was read.
    public var complete: Bool
    public var problems: [BundleProblem] = []
    public var entriesRead = 0
    /// Entries new to this node, stored.
    public var entriesNew = 0
    /// Entries this node already held (importing again changes nothing).
    public var entriesHeld = 0
    /// Authors with new entries.
    public var authorsNew = 0
    public var photosNew = 0
    public var photosHeld = 0
    /// Entries and photos not stored, by reason and author.
    public var rejected: [Rejection] = []
    /// The exporter's heads were recorded: `export --for` it leaves them out.
    public var headsRecorded = false
    /// The heads were older than what was already recorded for the exporter.
    public var headsStale = false
    /// The exporter was recorded as heard from by bundle.
    public var sourceRecorded = false

    public struct Rejection: Sendable, Codable, Equatable {
        /// A stable code: an entry check's reason (`signature`, `truncated`,
        /// ...), `revoked`, `not-a-member`, `forked-author`, `fork`, `gap`,
        /// or for photos `photo-hash`, `photo-not-image`, `photo-too-large`,
        /// `photo-incomplete`, `photo-unreferenced`, `photo-storage`.
        public var reason: String
        /// The author (as the entry says, when it could be read).
        public var author: String?
        /// The first seq concerned.
        public var seq: UInt64?
        public var photo: String?
        public var count: Int
        public var message: String

        public var isPhoto: Bool { photo != nil }
    }

    public var entriesRejected: Int { rejected.filter { !$0.isPhoto }.reduce(0) { $0 + $1.count } }
    public var photosRejected: Int { rejected.filter(\.isPhoto).reduce(0) { $0 + $1.count } }
    public var rejectedTotal: Int { entriesRejected + photosRejected }

    public static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }

    public static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }

    /// Counts one rejected entry or photo, grouped with others of the same
    /// reason and author.
    mutating func reject(_ reason: String, author: NodeID?, seq: UInt64?, photo: Bytes32? = nil, count: Int = 1, _ message: String) {
        let a = author?.description
        if photo == nil, let i = rejected.firstIndex(where: { $0.reason == reason && $0.author == a && $0.photo == nil }) {
            rejected[i].count += count
            if let seq, seq < rejected[i].seq ?? .max { rejected[i].seq = seq }
            return
        }
        rejected.append(Rejection(reason: reason, author: a, seq: seq, photo: photo?.hex, count: count, message: message))
    }
}
