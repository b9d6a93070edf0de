import Foundation
import Replication
import Testing

/// The entry format must match the independent implementation's vectors
/// byte for byte (docs/PROTOCOL.md, "Entry format v1").
@Suite struct EntryVectorTests {
    static let vectors = Vectors.shared

    @Test func signatureContextIsTheSpecifiedString() {
        #expect(Self.vectors.signature_context_ascii == "tcnode entry v1")
        #expect(Entry.signatureContext == Array("tcnode entry v1".utf8))
    }

    @Test(arguments: vectors.valid.map(\.label))
    func validVectorIsReproducedByteForByte(label: String) throws {
        let v = Self.vectors.valid.first { $0.label == label }!
        let key = try NodeKey(seed: bytes(hex: v.seed_hex))
        #expect(Hex.encode(key.id.bytes) == v.public_key_hex)
        #expect(key.id.description == v.node_id)
        #expect(key.id.description.count == 52)
        #expect(NodeID(v.node_id) == key.id)

        let draft = Entry.Draft(time: v.time_ms, op: Op(rawValue: v.op)!, kind: v.kind, key: v.key, body: Array(v.body_utf8.utf8))
        let signed = try Entry.sign(draft, seq: v.seq, prev: Bytes32(hex: v.prev_hex)!, with: key).entry
        #expect(Hex.encode(signed.bytes) == v.entry_hex)
        #expect(signed.id.description == v.entry_id_hex)
        #expect(Hex.encode(signed.signature) == v.signature_hex)

        let decoded = try Entry(decoding: bytes(hex: v.entry_hex))
        #expect(decoded.author == key.id)
        #expect(decoded.seq == v.seq)
        #expect(decoded.prev.hex == v.prev_hex)
        #expect(decoded.time == v.time_ms)
        #expect(decoded.op.rawValue == v.op)
        #expect(decoded.kind == v.kind)
        #expect(decoded.key == v.key)
        #expect(decoded.bodyString == v.body_utf8)
        #expect(decoded.id.description == v.entry_id_hex)
        _ = try decoded.verified()
    }

    @Test(arguments: vectors.invalid.map(\.label))
    func invalidVectorIsRejectedForItsReason(label: String) {
        let v = Self.vectors.invalid.first { $0.label == label }!
        let reason: String?
        do {
            _ = try Entry(decoding: bytes(hex: v.entry_hex)).verified()
            reason = nil
        } catch {
            reason = error.reason
        }
        #expect(reason == v.reason, "\(v.label)")
    }

    @Test func chainVectorIsRejectedAsAPrevMismatch() throws {
        for v in Self.vectors.invalid_in_chain {
            let first = try Entry(decoding: bytes(hex: v.after_entry_hex)).verified().entry
            let second = try Entry(decoding: bytes(hex: v.entry_hex)).verified().entry
            var reason: String?
            do { try second.checkLink(after: first) } catch { reason = error.reason }
            #expect(reason == v.reason, "\(v.label)")
        }
    }

    @Test func nodeIDsRoundTripAndRejectNonsense() throws {
        let key = NodeKey()
        #expect(NodeID(key.id.description) == key.id)
        #expect(NodeID(key.id.description.uppercased()) == nil, "one spelling per id")
        #expect(NodeID("") == nil)
        #expect(NodeID(String(key.id.description.dropLast())) == nil)
        #expect(NodeID(String(repeating: "1", count: 52)) == nil)
        #expect(key.id.short.count == 8)
    }

    @Test func base32MatchesRFC4648TestVectors() {
        // RFC 4648 section 10, lowercased and without padding.
        let cases = ["": "", "f": "my", "fo": "mzxq", "foo": "mzxw6", "foob": "mzxw6yq", "fooba": "mzxw6ytb", "foobar": "mzxw6ytboi"]
        for (plain, encoded) in cases {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            #expect(Base32.decode(encoded) == Array(plain.utf8))
        }
    }
}
