import Foundation
import NodeRuntime
import Replication
import Synchronization

/// Members and strangers reconnecting in loops against a node, as in issue
/// 9: TLS, HELLO, read the node's HELLO and HEADS (a stranger: its ERROR),
/// close, again, until a deadline.
struct Storm: Sendable {
    struct Counts: Sendable, CustomStringConvertible {
        /// Connections attempted.
        var attempts = 0
        /// Member connections that got the node's HELLO and HEADS.
        var served = 0
        /// Stranger connections refused with `not-a-member`.
        var refused = 0
        /// Connections the node closed (or failed) before answering: what
        /// an admission cap does to a storm.
        var cut = 0
        /// Connections that got no answer within `connectionLimit`.
        var stuck = 0
        /// The slowest member connection that was served.
        var slowestServed: Duration = .zero

        var description: String {
            "\(attempts) connections: \(served) members served (slowest \(slowestServed)), \(refused) strangers refused, \(cut) cut, \(stuck) stuck"
        }
    }

    let port: Int
    let network: NodeID
    let members: [ManualPeer.Credentials]
    let strangers: [ManualPeer.Credentials]
    /// Each loop connects from its own loopback address (127.0.0.2 on), so
    /// that the node sees many remote addresses, as a hub on the internet does.
    var distinctSources = true
    var connectionLimit: Duration = .seconds(10)

    init(port: Int, network: NodeID, members: Int, strangers: Int, admitted: [NodeKey]) throws {
        precondition(admitted.count >= members)
        self.port = port
        self.network = network
        self.members = try admitted.prefix(members).map { try ManualPeer.Credentials(key: $0) }
        self.strangers = try (0..<strangers).map { _ in try ManualPeer.Credentials(key: NodeKey()) }
    }

    /// Runs every loop until `deadline`; `counts` is updated as it goes.
    func run(until deadline: ContinuousClock.Instant, counts: Locked<Counts>) async {
        let loops = members.map { ($0, true) } + strangers.map { ($0, false) }
        await withTaskGroup(of: Void.self) { group in
            for (i, (credentials, isMember)) in loops.enumerated() {
                let source = distinctSources ? "127.0.0.\(2 + i % 250)" : nil
                group.addTask {
                    while ContinuousClock.now < deadline {
                        await self.once(credentials, member: isMember, from: source, counts: counts)
                    }
                }
            }
        }
    }

    private enum Outcome { case served, refused, cut }

    private func once(_ credentials: ManualPeer.Credentials, member: Bool, from source: String?, counts: Locked<Counts>) async {
        counts.withLock { $0.attempts += 1 }
        let start = ContinuousClock.now
        let (port, network) = (self.port, self.network)
        do {
            let outcome = try await RawPeer.within(connectionLimit, "a storm connection") {
                try await ManualPeer.connect(using: credentials, host: "127.0.0.1", port: port, from: source) { _, reader, writer in
                    try await writer.send([RawPeer.hello(credentials.key, network: network, agent: "storm/1")])
                    var sawHello = false
                    while let frame = try await reader.next() {
                        switch frame {
                        case .hello: sawHello = true
                        case .heads where sawHello: return Outcome.served
                        case .error(let e) where e.code == ErrorCode.notAMember.rawValue: return .refused
                        case .error: return .cut
                        default: continue
                        }
                    }
                    return .cut
                }
            }
            let took = ContinuousClock.now - start
            counts.withLock { c in
                switch outcome {
                case .served:
                    c.served += 1
                    c.slowestServed = max(c.slowestServed, took)
                case .refused: c.refused += 1
                case .cut: c.cut += 1
                }
            }
        } catch let error as ProcessTestError where error.description.contains("did not happen") {
            counts.withLock { $0.stuck += 1 }
        } catch {
            counts.withLock { $0.cut += 1 }
        }
    }
}

/// A value shared between tasks, behind a lock (a class, so escaping
/// closures can capture it, which a noncopyable `Mutex` cannot be).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
    var value: Value { mutex.withLock { $0 } }
}
