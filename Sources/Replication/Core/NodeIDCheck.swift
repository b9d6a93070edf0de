/// The checked form of a node id, for people: the 52 characters in four
/// groups of 13, each followed by a Luhn mod 32 check character, shown as
/// eight blocks of seven joined by '-' (PROTOCOL §1.4). One wrong character
/// in a group, or most swaps of two neighbours, changes that group's check
/// character; a missing or extra character changes the length. The plain
/// 52-character spelling stays the only one the protocol uses.
extension NodeID {
    /// Characters per group of the plain id, and groups per id.
    static let checkGroup = 13
    static let checkGroups = 4

    /// "zhzv6a6-t4svhsy-..." (63 characters).
    public var checked: String {
        let plain = Array(description.utf8)
        var compact: [UInt8] = []
        for g in 0..<Self.checkGroups {
            let group = plain[g * Self.checkGroup..<(g + 1) * Self.checkGroup]
            compact += group
            compact.append(Self.checkCharacter(group))
        }
        var out: [UInt8] = []
        for (i, c) in compact.enumerated() {
            if i > 0 && i % 7 == 0 { out.append(UInt8(ascii: "-")) }
            out.append(c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The Luhn mod 32 check character of base32 characters (lowercase).
    /// From the rightmost character leftwards, values are weighted 2, 1, 2,
    /// 1 ...; a weighted value v becomes v / 32 + v % 32; the check value is
    /// (32 - sum % 32) % 32.
    static func checkCharacter<C: Collection>(_ group: C) -> UInt8 where C.Element == UInt8 {
        var factor = 2
        var sum = 0
        for c in group.reversed() {
            let addend = factor * Int(Base32.value(of: c) ?? 0)
            factor = factor == 2 ? 1 : 2
            sum += addend / 32 + addend % 32
        }
        return Base32.character((32 - sum % 32) % 32)
    }

    /// A node id as a person typed it: the checked form (verified) or the
    /// plain 52-character form; upper or lower case, with or without '-'
    /// and spaces between blocks.
    public init(typed text: String) throws(NodeIDTypo) {
        let compact = NodeIDTypo.compact(text)
        if let bad = compact.unicodeScalars.first(where: { !$0.isASCII || Base32.value(of: UInt8($0.value)) == nil }) {
            throw NodeIDTypo(.notBase32(Character(bad)))
        }
        let bytes = Array(compact.utf8)
        switch bytes.count {
        case 52:
            guard let id = NodeID(compact) else { throw NodeIDTypo(.trailingBits) }
            self = id
        case 56:
            var plain: [UInt8] = []
            for g in 0..<Self.checkGroups {
                let start = g * (Self.checkGroup + 1)
                let group = bytes[start..<start + Self.checkGroup]
                guard Self.checkCharacter(group) == bytes[start + Self.checkGroup] else { throw NodeIDTypo(.checkFailed(group: g + 1)) }
                plain += group
            }
            guard let id = NodeID(String(decoding: plain, as: UTF8.self)) else { throw NodeIDTypo(.trailingBits) }
            self = id
        default:
            throw NodeIDTypo(.length(bytes.count))
        }
    }
}

/// Why a typed node id was refused. The CLI words it per language.
public struct NodeIDTypo: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Problem: Equatable, Sendable {
        /// Neither 52 (plain) nor 56 (checked) characters, not counting '-'.
        case length(Int)
        /// A check character does not match: a wrong or swapped character in
        /// that group (1-4; blocks 2g-1 and 2g of the checked form).
        case checkFailed(group: Int)
        case notBase32(Character)
        /// 52 characters whose last one has unused bits set: no id has it.
        case trailingBits
    }

    public let problem: Problem
    public init(_ problem: Problem) { self.problem = problem }

    /// Lowercase, without the separators people type between blocks.
    public static func compact(_ text: String) -> String {
        String(text.lowercased().unicodeScalars.filter { $0 != "-" && $0 != " " && $0 != "\t" && $0 != "\n" && $0 != "\r" }
            .map(Character.init))
    }

    public var description: String {
        switch problem {
        case .length(let n): "it has \(n) characters without the dashes; a node id has 56 (52 without check characters)"
        case .checkFailed(let g): "the check character of blocks \(2 * g - 1)-\(2 * g) does not match: a character there is mistyped"
        case .notBase32(let c): "'\(c)' cannot appear in a node id (only a-z and 2-7)"
        case .trailingBits: "its last character is not possible in a node id"
        }
    }
}

extension Base32 {
    static func value(of c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): c - UInt8(ascii: "a")
        case UInt8(ascii: "2")...UInt8(ascii: "7"): c - UInt8(ascii: "2") + 26
        default: nil
        }
    }

    static func character(_ value: Int) -> UInt8 {
        value < 26 ? UInt8(ascii: "a") + UInt8(value) : UInt8(ascii: "2") + UInt8(value - 26)
    }
}
