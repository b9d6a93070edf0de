/// A store's identity: 16 random bytes, fixed for the life of its database.
/// Peers use it to tell a restored or recreated database from the one whose
/// positions they remember.
public struct FeedID: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    public init?(hex: String) {
        guard hex.utf8.count == 32, let b = Hex.decode(hex) else { return nil }
        self.init(bytes: b)
    }

    public static func random<R: RandomNumberGenerator>(using rng: inout R) -> FeedID {
        FeedID(bytes: (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &rng) })!
    }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }
}
