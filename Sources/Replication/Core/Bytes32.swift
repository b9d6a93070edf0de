import Foundation

/// Thirty-two bytes held as four big-endian words, so that keys and hashes are
/// cheap to hash, compare and keep in dictionaries by the hundred thousand.
/// Ordering is the ordering of the bytes (memcmp), which the protocol relies
/// on wherever it sorts by author id.
public struct Bytes32: Hashable, Sendable, Comparable {
    public var w0: UInt64
    public var w1: UInt64
    public var w2: UInt64
    public var w3: UInt64

    public static let zero = Bytes32(w0: 0, w1: 0, w2: 0, w3: 0)

    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// Reads 32 bytes; returns nil when the collection does not hold exactly 32.
    public init?<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        guard bytes.count == 32 else { return nil }
        var words: [UInt64] = [0, 0, 0, 0]
        var i = 0
        for b in bytes {
            words[i >> 3] = (words[i >> 3] << 8) | UInt64(b)
            i += 1
        }
        self.init(w0: words[0], w1: words[1], w2: words[2], w3: words[3])
    }

    /// Reads 32 bytes at `offset` of a raw buffer the caller has bounds-checked.
    @inlinable
    init(unchecked buffer: UnsafeRawBufferPointer, at offset: Int) {
        func word(_ o: Int) -> UInt64 {
            UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: offset + o, as: UInt64.self))
        }
        self.init(w0: word(0), w1: word(8), w2: word(16), w3: word(24))
    }

    public var isZero: Bool { self == .zero }

    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(32)
        for w in [w0, w1, w2, w3] {
            for shift in stride(from: 56, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: w >> UInt64(shift)))
            }
        }
        return out
    }

    public var data: Data { Data(bytes) }

    public var hex: String { Hex.encode(bytes) }

    public init?(hex: String) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes)
    }

    public static func < (a: Bytes32, b: Bytes32) -> Bool {
        (a.w0, a.w1, a.w2, a.w3) < (b.w0, b.w1, b.w2, b.w3)
    }

    /// Appends the 32 bytes to a byte array, for encoders.
    public func append(to out: inout [UInt8]) {
        for w in [w0, w1, w2, w3] {
            withUnsafeBytes(of: w.bigEndian) { out.append(contentsOf: $0) }
        }
    }
}

/// Lowercase hexadecimal, as used for entry ids, feeds and blob names.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Accepts upper and lower case; nil for odd length or a non-hex character.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
