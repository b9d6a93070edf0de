/// A small, fast, seedable generator (Steele, Lea, Flood 2014), so that a
/// simulation is a function of its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { p > 0 && Double.random(in: 0..<1, using: &self) < p }

    /// An exponentially distributed duration with the given mean.
    mutating func exponential(mean: Double) -> Double {
        -mean * log(1 - Double.random(in: 0..<1, using: &self))
    }

    /// 32 bytes for a deterministic node key.
    mutating func seed32() -> [UInt8] {
        (0..<4).flatMap { _ in withUnsafeBytes(of: next()) { Array($0) } }
    }
}

import Foundation
