import Testing

/// The tests' bounded waits (`withDeadline`, and `RawPeer.within` and
/// `run` on it) must end at their limit even when what they wait for
/// ignores cancellation: CI once spent its whole hour on one such wait.
struct DeadlineTests {
    @Test func aBodyThatIgnoresCancellationStillEndsAtTheDeadline() async throws {
        let parked = Locked<CheckedContinuation<Void, Never>?>(nil)
        let start = ContinuousClock.now
        let late = await #expect(throws: ProcessTestError.self) {
            try await withDeadline(.milliseconds(100), timedOut: { ProcessTestError("the body did not finish") }) {
                // Cancellation does not resume this; only the test does, below.
                await withCheckedContinuation { continuation in parked.withLock { $0 = continuation } }
                return 1
            }
        }
        #expect(late?.description == "the body did not finish")
        #expect(ContinuousClock.now - start < .seconds(30))
        let continuation = try await eventually("the body is parked") { parked.withLock { $0 } }
        continuation.resume()
    }

    @Test func aPromptBodyGivesItsValueOrItsError() async throws {
        let value = try await withDeadline(.seconds(60), timedOut: { ProcessTestError("late") }) { 42 }
        #expect(value == 42)
        let error = await #expect(throws: ProcessTestError.self) {
            try await withDeadline(.seconds(60), timedOut: { ProcessTestError("late") }) { () async throws -> Int in
                throw ProcessTestError("the body's own error")
            }
        }
        #expect(error?.description == "the body's own error")
    }
}
