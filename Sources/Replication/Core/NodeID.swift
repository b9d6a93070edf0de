/// A node's identity: its Ed25519 public key. Spelled as lowercase base32 of
/// the key without padding (52 characters); the short form is the first 8.
public struct NodeID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let key: Bytes32

    public init(key: Bytes32) { self.key = key }

    public init?<C: Collection>(keyBytes: C) where C.Element == UInt8 {
        guard let key = Bytes32(keyBytes) else { return nil }
        self.key = key
    }

    /// Parses the 52-character lowercase spelling; nil for anything else
    /// (uppercase too: every id has exactly one spelling, so that keys of
    /// admit and revoke entries compare as bytes).
    public init?(_ text: String) {
        guard text.utf8.count == 52, !text.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }),
            let bytes = Base32.decode(text), let key = Bytes32(bytes)
        else {
            return nil
        }
        self.key = key
    }

    public var description: String { Base32.encode(key.bytes) }
    public var short: String { String(description.prefix(8)) }
    public var bytes: [UInt8] { key.bytes }

    public static func < (a: NodeID, b: NodeID) -> Bool { a.key < b.key }
}

/// SHA-256 of an entry's bytes, signature included.
public struct EntryID: Hashable, Sendable, CustomStringConvertible {
    public let hash: Bytes32
    public init(hash: Bytes32) { self.hash = hash }
    public var description: String { hash.hex }
    public var bytes: [UInt8] { hash.bytes }
}
