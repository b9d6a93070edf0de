import NIOCore
import Synchronization

/// A wait on the emulator's counters that did not come true in time.
public struct LinkWaitTimeout: Error, CustomStringConvertible {
    public let timeout: Duration
    public let counters: LinkCounters
    public var description: String { "link emulator: condition not met within \(timeout) (counters: \(counters))" }
}

/// The emulator's counters, readable from any thread, and the tasks
/// waiting for them to reach some state. The event loop writes them.
final class LinkMonitor: Sendable {
    private struct Waiter {
        let condition: @Sendable (LinkCounters) -> Bool
        let continuation: CheckedContinuation<Void, any Error>
        let timer: Scheduled<Void>?
    }

    private struct State {
        var counters = LinkCounters()
        var upSince: ContinuousClock.Instant? = .now
        var upBefore: Duration = .zero
        var nextChange: ContinuousClock.Instant?
        var waiters: [Int: Waiter] = [:]
        /// Waits cancelled before they were registered.
        var cancelled: Set<Int> = []
        var nextWaiter = 0

        func snapshot(at now: ContinuousClock.Instant) -> LinkCounters {
            var c = counters
            c.timeUp = upBefore + (upSince.map { now - $0 } ?? .zero)
            c.timeToNextChange = nextChange.map { max(.zero, $0 - now) }
            return c
        }
    }

    private let state = Mutex(State())

    var snapshot: LinkCounters {
        let now = ContinuousClock.now
        return state.withLock { $0.snapshot(at: now) }
    }

    func update(_ change: (inout LinkCounters) -> Void) {
        state.withLock { change(&$0.counters) }
        wakeWaiters()
    }

    func setUp(_ up: Bool) {
        let now = ContinuousClock.now
        state.withLock { s in
            if up, s.upSince == nil {
                s.upSince = now
            } else if !up, let since = s.upSince {
                s.upBefore += now - since
                s.upSince = nil
            }
            s.counters.isUp = up
        }
        wakeWaiters()
    }

    func setNextChange(in delay: Duration?) {
        let at = delay.map { ContinuousClock.now + $0 }
        state.withLock { $0.nextChange = at }
    }

    /// Conditions run outside the lock, so they may read anything.
    private func wakeWaiters() {
        let (snapshot, waiting) = state.withLock { s in
            (s.snapshot(at: .now), s.waiters.isEmpty ? [] : s.waiters.map { ($0.key, $0.value.condition) })
        }
        guard !waiting.isEmpty else { return }
        let met = waiting.filter { $0.1(snapshot) }.map(\.0)
        guard !met.isEmpty else { return }
        let ready = state.withLock { s in met.compactMap { s.waiters.removeValue(forKey: $0) } }
        for w in ready {
            w.timer?.cancel()
            w.continuation.resume()
        }
    }

    private func fail(_ id: Int, _ error: (LinkCounters) -> any Error) {
        let waiter = state.withLock { s -> Waiter? in
            guard let w = s.waiters.removeValue(forKey: id) else {
                s.cancelled.insert(id)
                return nil
            }
            return w
        }
        guard let waiter else { return }
        waiter.timer?.cancel()
        waiter.continuation.resume(throwing: error(snapshot))
    }

    func wait(timeout: Duration, on loop: any EventLoop, until condition: @escaping @Sendable (LinkCounters) -> Bool) async throws {
        let id = state.withLock { s in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        defer { state.withLock { _ = $0.cancelled.remove(id) } }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if condition(snapshot) {
                    continuation.resume()
                    return
                }
                let timer = loop.scheduleTask(in: .nanoseconds(timeout.nanoseconds)) { [self] in
                    fail(id) { LinkWaitTimeout(timeout: timeout, counters: $0) }
                }
                let cancelled = state.withLock { s in
                    if s.cancelled.remove(id) != nil { return true }
                    s.waiters[id] = Waiter(condition: condition, continuation: continuation, timer: timer)
                    return false
                }
                if cancelled {
                    timer.cancel()
                    continuation.resume(throwing: CancellationError())
                }
                // The counters may have moved between the first check and
                // the registration.
                wakeWaiters()
            }
        } onCancel: {
            fail(id) { _ in CancellationError() }
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
