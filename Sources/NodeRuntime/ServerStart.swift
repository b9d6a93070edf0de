import ServiceLifecycle
import Synchronization

/// Whether one server has started, told by the server itself (the peer
/// listener once NIO's bind has returned, Hummingbird's `onServerRunning`
/// for the HTTP servers), or why it could not. Set once; any number of
/// tasks wait for it, and a waiter whose task is cancelled stops waiting.
final class ServerStart<Value: Sendable>: Sendable {
    private let state = Mutex<State>(State())

    private struct State {
        var outcome: Result<Value, any Error>?
        var waiters: [UInt64: CheckedContinuation<Value, any Error>] = [:]
        var nextWaiter: UInt64 = 0
    }

    struct NeverStarted: Error, CustomStringConvertible {
        var description: String { "the server stopped before it started" }
    }

    func started(_ value: Value) { settle(.success(value)) }

    func failed(_ error: any Error) { settle(.failure(error)) }

    /// The first outcome wins: a server that fails after it started stays started.
    private func settle(_ outcome: Result<Value, any Error>) {
        let waiters = state.withLock { s -> [CheckedContinuation<Value, any Error>] in
            guard s.outcome == nil else { return [] }
            s.outcome = outcome
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume(with: outcome) }
    }

    /// What the server bound, once it is running.
    func value() async throws -> Value {
        let id = state.withLock { s in
            defer { s.nextWaiter += 1 }
            return s.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let now = state.withLock { s -> Result<Value, any Error>? in
                    if let outcome = s.outcome { return outcome }
                    // Cancelled before this waiter was registered: onCancel found nothing to resume.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    s.waiters[id] = continuation
                    return nil
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }
}

/// Runs a server and tells its `ServerStart` when it could not start (its
/// own callback tells when it did), so that nobody waits for a server that
/// failed.
struct StartReportingServer<Server: Service, Value: Sendable>: Service {
    let server: Server
    let start: ServerStart<Value>

    func run() async throws {
        do {
            try await server.run()
        } catch {
            start.failed(error)
            throw error
        }
        start.failed(ServerStart<Value>.NeverStarted())
    }
}
