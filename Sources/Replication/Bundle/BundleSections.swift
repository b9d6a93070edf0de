import Foundation

/// The payloads of a bundle's sections, read leniently: a damaged section
/// still gives up every record before the damage, because entries verify
/// themselves and photos are checked by hash.
enum BundleSections {
    /// Entries of an ENTRIES payload (`u32 n`, then n × `u32 len | bytes`),
    /// and whether the payload was whole and well-formed.
    static func entries(_ p: [UInt8]) -> (entries: [[UInt8]], wellFormed: Bool) {
        guard p.count >= 4 else { return ([], false) }
        let n = Int(u32(p, 0))
        var out: [[UInt8]] = []
        out.reserveCapacity(min(n, p.count / 159))
        var at = 4
        while out.count < n {
            guard at + 4 <= p.count else { return (out, false) }
            let length = Int(u32(p, at))
            at += 4
            guard length <= Entry.maximumSize, at + length <= p.count else { return (out, false) }
            out.append(Array(p[at..<(at + length)]))
            at += length
        }
        return (out, at == p.count)
    }

    /// Heads of a HEADS payload (`u64 position | u32 n | n × 72 bytes`).
    static func heads(_ p: [UInt8]) -> (position: UInt64, heads: [Head])? {
        guard p.count >= 12 else { return nil }
        let n = Int(u32(p, 8))
        guard n <= Frame.maximumHeadsPerFrame, p.count == 12 + 72 * n else { return nil }
        var heads: [Head] = []
        heads.reserveCapacity(n)
        for i in 0..<n {
            let at = 12 + 72 * i
            let seq = u64(p, at + 32)
            guard seq >= 1, let author = NodeID(keyBytes: p[at..<(at + 32)]), let id = Bytes32(p[(at + 40)..<(at + 72)]) else { return nil }
            heads.append(Head(author: author, seq: seq, id: EntryID(hash: id)))
        }
        return (u64(p, 0), heads)
    }

    /// A BLOB_DATA payload (`[32] sha256 | u64 total | u64 offset | chunk`).
    static func blobChunk(_ p: [UInt8]) -> (sha256: Bytes32, total: UInt64, offset: UInt64, bytes: ArraySlice<UInt8>)? {
        guard p.count >= 48, let sha = Bytes32(p[0..<32]) else { return nil }
        let total = u64(p, 32), offset = u64(p, 40)
        let chunk = p[48...]
        guard chunk.count <= Frame.maximumBlobChunk, offset <= total, UInt64(chunk.count) <= total - offset else { return nil }
        return (sha, total, offset, chunk)
    }

    static func headsPayload(position: UInt64, _ heads: ArraySlice<Head>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(12 + 72 * heads.count)
        out.appendBigEndian(position)
        out.appendBigEndian(UInt32(heads.count))
        for h in heads {
            h.author.key.append(to: &out)
            out.appendBigEndian(h.seq)
            h.id.hash.append(to: &out)
        }
        return out
    }

    static func blobPayload(sha256: Bytes32, total: UInt64, offset: UInt64, bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(48 + bytes.count)
        sha256.append(to: &out)
        out.appendBigEndian(total)
        out.appendBigEndian(offset)
        out.append(contentsOf: bytes)
        return out
    }

    static func u32(_ p: [UInt8], _ at: Int) -> UInt32 {
        UInt32(p[at]) << 24 | UInt32(p[at + 1]) << 16 | UInt32(p[at + 2]) << 8 | UInt32(p[at + 3])
    }

    static func u64(_ p: [UInt8], _ at: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(p[at + i]) }
        return v
    }
}

/// Photo references in a record body (PROTOCOL.md §11.1): the elements of
/// its `photos` array that are objects with a 64-character lowercase hex
/// `sha256` and an integer `size`.
public enum PhotoReferences {
    private static let marker = Array(#""photos""#.utf8)

    public static func of(_ entry: Entry) -> [(sha256: Bytes32, size: Int64)] {
        guard entry.op == .put, contains(entry.body, marker),
            let body = try? JSONDecoder().decode(Body.self, from: Data(entry.body))
        else { return [] }
        return (body.photos ?? []).compactMap { ref in
            guard let hex = ref.sha256, hex.utf8.count == 64, hex == hex.lowercased(), let sha = Bytes32(hex: hex),
                let size = ref.size, size >= 1
            else { return nil }
            return (sha, size)
        }
    }

    private struct Body: Decodable {
        let photos: [Ref]?
    }

    /// Never fails: an element that is not such an object has neither field.
    private struct Ref: Decodable {
        var sha256: String?
        var size: Int64?

        init(from decoder: any Decoder) {
            enum Keys: String, CodingKey { case sha256, size }
            guard let c = try? decoder.container(keyedBy: Keys.self) else { return }
            sha256 = try? c.decode(String.self, forKey: .sha256)
            size = try? c.decode(Int64.self, forKey: .size)
        }
    }

    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count, let first = needle.first else { return false }
        var i = haystack.startIndex
        let last = haystack.endIndex - needle.count
        while i <= last {
            if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
