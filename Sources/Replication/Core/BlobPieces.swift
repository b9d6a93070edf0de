import Crypto
import Foundation

/// A blob cut into pieces of 16 KiB, each with its SHA-256, so that a photo
/// fetched over a link cut every half minute is verified piece by piece as
/// it arrives: a bad piece costs 16 KiB, not the whole photo
/// (PROTOCOL.md §11.7). The list of piece hashes is committed to by the
/// photo reference's `pieces` member, the SHA-256 of the hashes one after
/// the other, in a signed record.
public enum BlobPieces {
    /// Small enough to arrive whole in one window of a 32 kbit/s link that
    /// is up 30 s at a time (4 s of it).
    public static let size = 16 * 1024

    /// Pieces of a blob of `total` bytes (the last may be shorter).
    public static func count(total: UInt64) -> Int {
        Int((total + UInt64(size) - 1) / UInt64(size))
    }

    /// The byte range of piece `index` in a blob of `total` bytes.
    public static func range(_ index: Int, total: UInt64) -> Range<UInt64> {
        let start = UInt64(index) * UInt64(size)
        return start..<min(total, start + UInt64(size))
    }

    public static func hash<D: DataProtocol>(_ bytes: D) -> Bytes32 {
        SHA256.hash(data: bytes).withUnsafeBytes { Bytes32(unchecked: $0, at: 0) }
    }

    /// The hash of each piece of `bytes`.
    public static func hashes(of bytes: [UInt8]) -> [Bytes32] {
        (0..<count(total: UInt64(bytes.count))).map { i in
            let r = range(i, total: UInt64(bytes.count))
            return hash(bytes[Int(r.lowerBound)..<Int(r.upperBound)])
        }
    }

    /// What the `pieces` member commits to: SHA-256 of the hashes, in order.
    public static func root(_ hashes: [Bytes32]) -> Bytes32 {
        var hasher = SHA256()
        for h in hashes { hasher.update(data: h.bytes) }
        return hasher.finalize().withUnsafeBytes { Bytes32(unchecked: $0, at: 0) }
    }

    public static func root(of bytes: [UInt8]) -> Bytes32 { root(hashes(of: bytes)) }
}
