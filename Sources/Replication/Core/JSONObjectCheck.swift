/// Checks that bytes are one JSON object as RFC 8259 defines it, in UTF-8.
///
/// Written by hand on purpose: bodies are stored and forwarded as authored,
/// so only validity matters, and every implementation must agree on it.
/// Foundation's JSONSerialization builds a whole object graph (slow on the
/// ingest path) and is lenient in places RFC 8259 is not, which would let two
/// implementations disagree about which entries are valid.
public enum JSONObjectCheck {
    public struct Failure: Error, Equatable, Sendable {
        public let offset: Int
        public let message: String
    }

    /// Nesting deeper than this is refused rather than risking the stack.
    public static let maximumDepth = 128

    public static func validate(_ bytes: UnsafeRawBufferPointer) -> Failure? {
        var p = Parser(bytes: bytes)
        do {
            p.skipWhitespace()
            guard p.peek() == UInt8(ascii: "{") else {
                return Failure(offset: p.i, message: "the top level must be a JSON object ({...})")
            }
            try p.value(depth: 0)
            p.skipWhitespace()
            if p.i != bytes.count {
                return Failure(offset: p.i, message: "unexpected bytes after the JSON object")
            }
            return nil
        } catch {
            return error
        }
    }

    public static func validate(_ bytes: [UInt8]) -> Failure? {
        bytes.withUnsafeBytes { validate($0) }
    }

    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var i = 0

        func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }

        func fail(_ message: String) -> Failure { Failure(offset: i, message: message) }

        mutating func skipWhitespace() {
            while i < bytes.count {
                switch bytes[i] {
                case 0x20, 0x09, 0x0A, 0x0D: i += 1
                default: return
                }
            }
        }

        mutating func expect(_ c: UInt8, _ what: String) throws(Failure) {
            guard peek() == c else { throw fail("expected \(what)") }
            i += 1
        }

        mutating func value(depth: Int) throws(Failure) {
            skipWhitespace()
            guard let c = peek() else { throw fail("unexpected end of JSON") }
            switch c {
            case UInt8(ascii: "{"): try object(depth: depth + 1)
            case UInt8(ascii: "["): try array(depth: depth + 1)
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw fail("unexpected character in JSON")
            }
        }

        mutating func object(depth: Int) throws(Failure) {
            guard depth <= JSONObjectCheck.maximumDepth else { throw fail("JSON nested too deeply") }
            i += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "}") { i += 1; return }
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw fail("expected a string key in JSON object") }
                try string()
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "':' after a JSON object key")
                try value(depth: depth)
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","): i += 1
                case UInt8(ascii: "}"): i += 1; return
                default: throw fail("expected ',' or '}' in JSON object")
                }
            }
        }

        mutating func array(depth: Int) throws(Failure) {
            guard depth <= JSONObjectCheck.maximumDepth else { throw fail("JSON nested too deeply") }
            i += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "]") { i += 1; return }
            while true {
                try value(depth: depth)
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","): i += 1
                case UInt8(ascii: "]"): i += 1; return
                default: throw fail("expected ',' or ']' in JSON array")
                }
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let n = word.utf8CodeUnitCount
            guard i + n <= bytes.count else { throw fail("unexpected end of JSON") }
            for k in 0..<n where bytes[i + k] != word.utf8Start[k] {
                throw fail("invalid JSON literal")
            }
            i += n
        }

        mutating func digits() -> Int {
            let start = i
            while let c = peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { i += 1 }
            return i - start
        }

        mutating func number() throws(Failure) {
            if peek() == UInt8(ascii: "-") { i += 1 }
            if peek() == UInt8(ascii: "0") {
                i += 1
            } else if digits() == 0 {
                throw fail("invalid JSON number")
            }
            if peek() == UInt8(ascii: ".") {
                i += 1
                guard digits() > 0 else { throw fail("invalid JSON number: digits expected after '.'") }
            }
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                i += 1
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { i += 1 }
                guard digits() > 0 else { throw fail("invalid JSON number: digits expected in exponent") }
            }
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard i + 4 <= bytes.count else { throw fail("unexpected end of JSON in \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[i]
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
                default: throw fail("invalid \\u escape in JSON string")
                }
                v = v << 4 | d
                i += 1
            }
            return v
        }

        mutating func string() throws(Failure) {
            i += 1
            while true {
                guard let c = peek() else { throw fail("unterminated JSON string") }
                switch c {
                case UInt8(ascii: "\""):
                    i += 1
                    return
                case UInt8(ascii: "\\"):
                    i += 1
                    guard let e = peek() else { throw fail("unterminated JSON string") }
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                        UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        i += 1
                    case UInt8(ascii: "u"):
                        i += 1
                        let u = try hex4()
                        // A lone surrogate escape cannot be turned into UTF-8; refuse it.
                        if u >= 0xD800 && u <= 0xDBFF {
                            guard i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                                throw fail("unpaired surrogate in JSON string")
                            }
                            i += 2
                            let low = try hex4()
                            guard low >= 0xDC00 && low <= 0xDFFF else { throw fail("unpaired surrogate in JSON string") }
                        } else if u >= 0xDC00 && u <= 0xDFFF {
                            throw fail("unpaired surrogate in JSON string")
                        }
                    default:
                        throw fail("invalid escape in JSON string")
                    }
                case 0x00..<0x20:
                    throw fail("control character in JSON string (must be escaped)")
                case 0x20..<0x80:
                    i += 1
                default:
                    try utf8Scalar()
                }
            }
        }

        /// One multi-byte UTF-8 sequence, strictly (no overlongs, no surrogates).
        mutating func utf8Scalar() throws(Failure) {
            let c = bytes[i]
            let need: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; upper = 0x9F
            case 0xF0: need = 3; lower = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; upper = 0x8F
            default: throw fail("invalid UTF-8 in JSON")
            }
            guard i + need < bytes.count else { throw fail("invalid UTF-8 in JSON") }
            let first = bytes[i + 1]
            guard first >= lower && first <= upper else { throw fail("invalid UTF-8 in JSON") }
            var k = 2
            while k <= need {
                let b = bytes[i + k]
                guard b >= 0x80 && b <= 0xBF else { throw fail("invalid UTF-8 in JSON") }
                k += 1
            }
            i += need + 1
        }
    }
}
