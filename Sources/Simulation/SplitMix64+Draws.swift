import Foundation
import Replication

/// Draws the simulation needs from its seeded generator.
extension SplitMix64 {
    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { p > 0 && Double.random(in: 0..<1, using: &self) < p }

    /// An exponentially distributed duration with the given mean.
    public mutating func exponential(mean: Double) -> Double {
        -mean * log(1 - Double.random(in: 0..<1, using: &self))
    }

    /// 32 bytes for a deterministic node key.
    public mutating func seed32() -> [UInt8] {
        (0..<4).flatMap { _ in withUnsafeBytes(of: next()) { Array($0) } }
    }
}
