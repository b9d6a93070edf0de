import Foundation
import Testing

/// The test lanes. `swift test` (and scripts/test, so CI) runs everything.
/// With TCNODE_FAST=1 the long scenarios are skipped (tests that start
/// processes, run live nodes over TLS, or simulate a big network), so that a
/// developer changing code gets an answer in under a minute:
/// `scripts/test --fast`. The soak lane (TCNODE_SOAK=1) is separate.
enum Lane {
    static var fast: Bool { ProcessInfo.processInfo.environment["TCNODE_FAST"] == "1" }
}

extension Trait where Self == ConditionTrait {
    /// A long scenario: skipped in the fast lane.
    static var long: Self { .enabled(if: !Lane.fast, "long scenario: skipped in the fast lane (TCNODE_FAST=1)") }
}
