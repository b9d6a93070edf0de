/// Why bytes are not a valid entry. Each case says what is wrong in words an
/// operator can act on; `reason` is the stable short name used in vectors,
/// metrics and ERROR frames.
public enum EntryError: Error, Equatable, Sendable, CustomStringConvertible {
    case version(UInt8)
    case truncated(field: String)
    case trailing(count: Int)
    case seq
    case prev(String)
    case op(UInt8)
    case kind(String)
    case key(String)
    case body(String)
    case signature
    case tooLarge(String)

    public var reason: String {
        switch self {
        case .version: "version"
        case .truncated: "truncated"
        case .trailing: "trailing"
        case .seq: "seq"
        case .prev: "prev"
        case .op: "op"
        case .kind: "kind"
        case .key: "key"
        case .body: "body"
        case .signature: "signature"
        case .tooLarge: "too-large"
        }
    }

    public var description: String {
        switch self {
        case .version(let v):
            "unknown entry format version \(v) (this node reads version 1); upgrade tcnode if peers run a newer format"
        case .truncated(let field):
            "entry is truncated: the bytes end inside the \(field) field"
        case .trailing(let n):
            "entry has \(n) unexpected byte(s) after the signature"
        case .seq:
            "entry seq must be 1 or more"
        case .prev(let why):
            "entry prev is wrong: \(why)"
        case .op(let op):
            "entry op \(op) is unknown (1 = put, 2 = delete)"
        case .kind(let why):
            "entry kind is invalid: \(why)"
        case .key(let why):
            "entry key is invalid: \(why)"
        case .body(let why):
            "entry body is invalid: \(why)"
        case .signature:
            "entry signature does not verify with its author's key (forged or corrupted)"
        case .tooLarge(let why):
            "entry is too large: \(why)"
        }
    }
}
