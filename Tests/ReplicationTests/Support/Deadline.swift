import Foundation

/// The result of `body`, or `timedOut()` thrown once `limit` passes.
///
/// Not a task group racing a sleep: a group waits for every child before
/// it returns, so a body blocked in something that ignores cancellation (a
/// future's `get()`, a child process that will not die) would hold the test
/// past its limit, and the whole CI run with it. Here the body runs in a task
/// of its own; at the limit it is cancelled and the caller goes on without
/// waiting for it, so the test fails with a message instead of hanging.
func withDeadline<T: Sendable>(_ limit: Duration, timedOut: @escaping @Sendable () -> any Error,
                               _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let work = Task { try await body() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let resumed = Locked(false)
            let finish: @Sendable (Result<T, any Error>) -> Void = { result in
                let first = resumed.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(with: result) }
            }
            let timer = Task {
                do { try await Task.sleep(for: limit) } catch { return }  // the body finished first
                work.cancel()
                finish(.failure(timedOut()))
            }
            Task {
                let result = await work.result
                timer.cancel()
                finish(result)
            }
        }
    } onCancel: {
        work.cancel()
    }
}
