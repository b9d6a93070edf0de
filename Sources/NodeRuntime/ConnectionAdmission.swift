import Synchronization

/// Bounds the inbound connections a node takes on (PROTOCOL.md §7.14), so
/// that a storm of connections (centres flapping on bad links, or anyone on
/// the internet: a hub's port is open) slows down and never wedges the node.
/// A connection is *pending* from accept until HELLO is accepted both ways
/// or it ends: that is where the TLS handshakes' CPU and the unidentified
/// peers' buffers go. Connections over a limit are closed at once, counted,
/// and retried by their dialers' backoff.
final class ConnectionAdmission: Sendable {
    struct Limits: Sendable {
        /// Connections in all, pending or established.
        var total = 512
        /// Pending connections at once.
        var pending = 64
        /// Pending connections from one IP address (a NAT may hide many centres).
        var pendingPerAddress = 16
    }

    enum Refusal: String, Sendable {
        case total = "too-many-connections"
        case pending = "too-many-handshakes"
        case address = "too-many-handshakes-from-address"
    }

    struct State {
        var total = 0
        var pending = 0
        var pendingByAddress: [String: Int] = [:]
    }

    let limits: Limits
    private let state = Mutex(State())

    init(limits: Limits = Limits()) { self.limits = limits }

    /// A slot for a new connection from `address` (its IP), or why not.
    func admit(address: String) -> Result<Ticket, RefusalError> {
        let refusal: Refusal? = state.withLock { s in
            let fromAddress = s.pendingByAddress[address] ?? 0
            let why: Refusal? =
                s.total >= limits.total ? .total
                : s.pending >= limits.pending ? .pending
                : fromAddress >= limits.pendingPerAddress ? .address : nil
            if why != nil { return why }
            s.total += 1
            s.pending += 1
            s.pendingByAddress[address] = fromAddress + 1
            return nil
        }
        if let refusal { return .failure(RefusalError(reason: refusal)) }
        return .success(Ticket(admission: self, address: address))
    }

    struct RefusalError: Error {
        let reason: Refusal
    }

    fileprivate func endPending(_ address: String) {
        state.withLock { s in
            s.pending -= 1
            let n = (s.pendingByAddress[address] ?? 1) - 1
            s.pendingByAddress[address] = n > 0 ? n : nil
        }
    }

    fileprivate func endConnection() { state.withLock { $0.total -= 1 } }

    /// One admitted connection's slot: pending until `established()`, held
    /// until `release()`. Both are idempotent.
    final class Ticket: Sendable {
        private let admission: ConnectionAdmission
        private let address: String
        private let phase = Mutex<Int>(0)  // 0 pending, 1 established, 2 released

        fileprivate init(admission: ConnectionAdmission, address: String) {
            self.admission = admission
            self.address = address
        }

        func established() {
            let wasPending = phase.withLock { p in
                defer { if p == 0 { p = 1 } }
                return p == 0
            }
            if wasPending { admission.endPending(address) }
        }

        func release() {
            let before = phase.withLock { p in
                defer { p = 2 }
                return p
            }
            if before == 0 { admission.endPending(address) }
            if before < 2 { admission.endConnection() }
        }

        deinit { release() }
    }
}
