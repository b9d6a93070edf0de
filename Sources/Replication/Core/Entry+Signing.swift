import Crypto

extension Entry {
    /// The fields an author chooses; seq and prev come from the author's log.
    public struct Draft: Sendable {
        public var time: Int64
        public var op: Op
        public var kind: String
        public var key: String
        public var body: [UInt8]

        public init(time: Int64, op: Op, kind: String, key: String, body: [UInt8]) {
            self.time = time
            self.op = op
            self.kind = kind
            self.key = key
            self.body = body
        }

        public static func put(kind: String, key: String, body: String, time: Int64) -> Draft {
            Draft(time: time, op: .put, kind: kind, key: key, body: Array(body.utf8))
        }

        public static func delete(kind: String, key: String, time: Int64) -> Draft {
            Draft(time: time, op: .delete, kind: kind, key: key, body: [])
        }
    }

    /// Encodes and signs a draft as entry `seq` after `prev`, then decodes the
    /// result so that an author can never emit an entry its peers would refuse.
    public static func sign(_ draft: Draft, seq: UInt64, prev: Bytes32, with signer: NodeKey) throws(EntryError) -> VerifiedEntry {
        guard draft.body.count <= maximumBodySize else {
            throw .tooLarge("body is \(draft.body.count) bytes, the most is \(maximumBodySize) (1 MiB); store photos as blobs")
        }
        let kindBytes = Array(draft.kind.utf8)
        let keyBytes = Array(draft.key.utf8)
        guard kindBytes.count >= 1 && kindBytes.count <= maximumKindLength else {
            throw .kind("length must be 1 to 64 bytes, got \(kindBytes.count)")
        }
        guard keyBytes.count >= 1 && keyBytes.count <= maximumKeyLength else {
            throw .key("length must be 1 to 512 bytes, got \(keyBytes.count)")
        }
        var out = [UInt8]()
        out.reserveCapacity(1 + 32 + 8 + 32 + 8 + 1 + 1 + kindBytes.count + 2 + keyBytes.count + 4 + draft.body.count + 64)
        out.append(version)
        signer.id.key.append(to: &out)
        out.appendBigEndian(seq)
        prev.append(to: &out)
        out.appendBigEndian(UInt64(bitPattern: draft.time))
        out.append(draft.op.rawValue)
        out.append(UInt8(kindBytes.count))
        out.append(contentsOf: kindBytes)
        out.appendBigEndian(UInt16(keyBytes.count))
        out.append(contentsOf: keyBytes)
        out.appendBigEndian(UInt32(draft.body.count))
        out.append(contentsOf: draft.body)
        let signature = signer.sign(signatureContext + out)
        out.append(contentsOf: signature)
        return VerifiedEntry(signedLocally: try Entry(decoding: out))
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
