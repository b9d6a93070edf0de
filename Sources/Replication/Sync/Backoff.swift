/// Reconnect delays: exponential from 1 s up to 10 min, with jitter so that
/// a hub coming back is not hit by every centre in the same second. After a
/// connection that worked, the next `quickAttempts` tries come within a
/// second or two each: a link that drops every half minute comes back for
/// a few seconds at most, and waiting 8 s for it would waste a quarter of
/// its window (PROTOCOL.md §7.13). The random source is a parameter, so
/// simulations replay exactly.
public struct Backoff: Sendable {
    public let initial: Duration
    public let maximum: Duration
    public private(set) var failures = 0
    /// Tries left at the quick pace since the last connection that worked.
    public private(set) var quick = 0
    public static let quickAttempts = 40

    public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(600)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay before the next attempt: `initial * 2^failures`, capped,
    /// then scaled by a random factor in [0.5, 1.0] ("equal jitter").
    public mutating func next<R: RandomNumberGenerator>(using rng: inout R) -> Duration {
        if quick > 0 {
            quick -= 1
            return initial * Double.random(in: 0.5...1.0, using: &rng)
        }
        let exponent = min(failures, 30)
        failures += 1
        let ceiling = min(maximum, initial * (1 << exponent))
        let factor = Double.random(in: 0.5...1.0, using: &rng)
        return ceiling * factor
    }

    /// After a connection that worked.
    public mutating func reset() {
        failures = 0
        quick = Self.quickAttempts
    }
}
