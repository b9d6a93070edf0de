import Crypto

/// What an entry does to its record.
public enum Op: UInt8, Sendable, Codable {
    case put = 1
    case delete = 2
}

/// One signed, hash-chained log entry, kept as the exact bytes its author
/// signed (entry format v1; docs/PROTOCOL.md, "Entry format"). The decoded
/// fields are views of those bytes: nothing is ever re-serialised.
public struct Entry: Sendable, Hashable {
    public static let version: UInt8 = 1
    public static let signatureContext: [UInt8] = Array("tcnode entry v1".utf8)
    public static let maximumBodySize = 1_048_576
    public static let maximumKindLength = 64
    public static let maximumKeyLength = 512
    /// Fixed fields plus the largest kind, key and body.
    public static let maximumSize = 1 + 32 + 8 + 32 + 8 + 1 + 1 + 64 + 2 + 512 + 4 + maximumBodySize + 64
    static let signatureLength = 64

    public let bytes: [UInt8]
    public let author: NodeID
    public let seq: UInt64
    public let prev: Bytes32
    public let time: Int64
    public let op: Op
    public let kind: String
    public let key: String
    public let id: EntryID
    let bodyRange: Range<Int>

    public var body: ArraySlice<UInt8> { bytes[bodyRange] }
    public var bodyString: String { String(decoding: body, as: UTF8.self) }
    public var signature: ArraySlice<UInt8> { bytes[(bytes.count - Entry.signatureLength)...] }
    public var isTombstone: Bool { op == .delete }

    public static func == (a: Entry, b: Entry) -> Bool { a.id == b.id }
    public func hash(into h: inout Hasher) { h.combine(id) }

    /// Decodes and checks everything but the signature (see `verified()`).
    /// Checks run in field order, so the first defect is the one reported.
    public init(decoding bytes: [UInt8]) throws(EntryError) {
        guard bytes.count <= Entry.maximumSize else {
            throw .tooLarge("\(bytes.count) bytes, the most an entry can be is \(Entry.maximumSize)")
        }
        var r = ByteReader(bytes)
        let version = try r.u8("version")
        guard version == Entry.version else { throw .version(version) }
        let author = try r.bytes32("author")
        let seq = try r.u64("seq")
        guard seq >= 1 else { throw .seq }
        let prev = try r.bytes32("prev")
        if seq == 1 && !prev.isZero { throw .prev("must be all zeros at seq 1") }
        if seq > 1 && prev.isZero { throw .prev("must be the id of entry \(seq - 1), not all zeros") }
        let time = Int64(bitPattern: try r.u64("time"))
        let opByte = try r.u8("op")
        guard let op = Op(rawValue: opByte) else { throw .op(opByte) }
        let kindLength = Int(try r.u8("kind length"))
        guard kindLength >= 1 && kindLength <= Entry.maximumKindLength else {
            throw .kind("length must be 1 to 64 bytes, got \(kindLength)")
        }
        let kindBytes = try r.take(kindLength, "kind")
        guard let kind = Entry.kindString(kindBytes) else {
            throw .kind("only lowercase letters, digits, '.', '_' and '-' are allowed")
        }
        let keyLength = Int(try r.u16("key length"))
        guard keyLength >= 1 && keyLength <= Entry.maximumKeyLength else {
            throw .key("length must be 1 to 512 bytes, got \(keyLength)")
        }
        let keyBytes = try r.take(keyLength, "key")
        guard let key = String(validating: keyBytes, as: UTF8.self) else {
            throw .key("not valid UTF-8")
        }
        let bodyLength = Int(try r.u32("body length"))
        guard bodyLength <= Entry.maximumBodySize else {
            throw .tooLarge("body is \(bodyLength) bytes, the most is \(Entry.maximumBodySize) (1 MiB); store photos as blobs")
        }
        let bodyStart = r.offset
        _ = try r.take(bodyLength, "body")
        let bodyRange = bodyStart..<(bodyStart + bodyLength)
        switch op {
        case .delete:
            guard bodyLength == 0 else { throw .body("a delete must have an empty body") }
        case .put:
            let failure = bytes.withUnsafeBytes { raw in
                JSONObjectCheck.validate(UnsafeRawBufferPointer(rebasing: raw[bodyRange]))
            }
            if let failure {
                throw .body("not a JSON object: \(failure.message) at byte \(failure.offset)")
            }
        }
        _ = try r.take(Entry.signatureLength, "signature")
        guard r.remaining == 0 else { throw .trailing(count: r.remaining) }

        self.bytes = bytes
        self.author = NodeID(key: author)
        self.seq = seq
        self.prev = prev
        self.time = time
        self.op = op
        self.kind = kind
        self.key = key
        self.bodyRange = bodyRange
        self.id = EntryID(hash: SHA256.hash(data: bytes).withUnsafeBytes { Bytes32(unchecked: $0, at: 0) })
    }

    /// Checks the author's Ed25519 signature (RFC 8032, as BoringSSL
    /// implements it: cofactorless, S must be below the group order).
    public func verified() throws(EntryError) -> VerifiedEntry {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: author.bytes) else {
            throw .signature
        }
        var message = Entry.signatureContext
        message.reserveCapacity(Entry.signatureContext.count + bytes.count - Entry.signatureLength)
        message.append(contentsOf: bytes[..<(bytes.count - Entry.signatureLength)])
        guard key.isValidSignature(signature, for: message) else { throw .signature }
        return VerifiedEntry(entry: self)
    }

    static func kindString<C: Collection>(_ bytes: C) -> String? where C.Element == UInt8 {
        for c in bytes {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            default:
                return nil
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Checks a kind the way decoding does, for authoring tools.
    public static func isValidKind(_ kind: String) -> Bool {
        let n = kind.utf8.count
        return n >= 1 && n <= maximumKindLength && kindString(kind.utf8) != nil
    }
}

/// An entry whose signature has been checked. Only `Entry.verified()` and the
/// signing path make one, so the store can require proof of verification in
/// its types while verification runs on another core.
public struct VerifiedEntry: Sendable, Hashable {
    public let entry: Entry
    fileprivate init(entry: Entry) { self.entry = entry }

    /// For entries this process has just signed itself.
    init(signedLocally entry: Entry) { self.entry = entry }
}

/// Reads big-endian fields, throwing `truncated` with the field name.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func take(_ n: Int, _ field: String) throws(EntryError) -> ArraySlice<UInt8> {
        guard remaining >= n else { throw .truncated(field: field) }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    mutating func u8(_ field: String) throws(EntryError) -> UInt8 {
        try take(1, field).first!
    }

    mutating func u16(_ field: String) throws(EntryError) -> UInt16 {
        let s = try take(2, field)
        return s.reduce(0) { $0 << 8 | UInt16($1) }
    }

    mutating func u32(_ field: String) throws(EntryError) -> UInt32 {
        let s = try take(4, field)
        return s.reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func u64(_ field: String) throws(EntryError) -> UInt64 {
        let s = try take(8, field)
        return s.reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func bytes32(_ field: String) throws(EntryError) -> Bytes32 {
        Bytes32(try take(32, field))!
    }
}

extension Entry {
    /// Checks that this entry follows `previous` in its author's log.
    public func checkLink(after previous: Entry) throws(EntryError) {
        guard previous.author == author else { throw .prev("follows an entry of another author") }
        guard seq == previous.seq + 1 else { throw .prev("seq \(seq) does not follow seq \(previous.seq)") }
        guard prev == previous.id.hash else {
            throw .prev("does not match the id of entry \(previous.seq) (\(previous.id.description.prefix(12))...)")
        }
    }
}
