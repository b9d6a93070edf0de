import Foundation
import Logging
import NIOCore
import NIOPosix
import Replication
import ServiceLifecycle
import Synchronization

/// A configured peer: NODEID@HOST:PORT.
public struct PeerEndpoint: Sendable, Hashable, CustomStringConvertible {
    public let node: NodeID
    public let host: String
    public let port: Int

    public init(node: NodeID, host: String, port: Int) {
        self.node = node
        self.host = host
        self.port = port
    }

    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    public var description: String { "\(node)@\(address)" }

    public enum ParseError: Error, CustomStringConvertible {
        case malformed(String)
        /// The part before '@' is not a node id as typed (a typo the checked form catches).
        case nodeID(String, NodeIDTypo)
        public var description: String {
            switch self {
            case .malformed(let text):
                "'\(text)' is not NODEID@HOST:PORT (NODEID is the id `tcnode id` prints, checked with dashes or the 52 plain characters; PORT 1-65535)"
            case .nodeID(let text, let typo):
                "the node id in '\(text)' is mistyped: \(typo). Copy it again from `tcnode id` on that node"
            }
        }
    }

    /// Parses NODEID@HOST:PORT (IPv6 hosts in brackets); NODEID in the
    /// checked form (verified) or the plain 52 characters.
    public init(parsing text: String) throws {
        guard let at = text.firstIndex(of: "@"), at > text.startIndex else { throw ParseError.malformed(text) }
        let node: NodeID
        do {
            node = try NodeID(typed: String(text[..<at]))
        } catch {
            throw ParseError.nodeID(text, error)
        }
        let rest = text[text.index(after: at)...]
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else {
            throw ParseError.malformed(text)
        }
        var host = String(rest[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ParseError.malformed(text) }
        self.init(node: node, host: host, port: port)
    }
}

/// Keeps one dialer per configured peer: connect, sync until the connection
/// ends, back off (1 s doubling to 10 min, with jitter), repeat. The peer
/// set can be replaced while running (SIGHUP).
public final class PeerDialers: Service, Sendable {
    let node: Node
    private let updates: AsyncStream<Set<PeerEndpoint>>
    private let updatesInput: AsyncStream<Set<PeerEndpoint>>.Continuation
    private let current = Mutex<Set<PeerEndpoint>>([])

    public init(node: Node, peers: [PeerEndpoint]) {
        self.node = node
        (updates, updatesInput) = AsyncStream<Set<PeerEndpoint>>.makeStream()
        updatesInput.yield(Set(peers))
    }

    public var peers: Set<PeerEndpoint> { current.withLock { $0 } }

    /// Replaces the dialled peers: removed ones are disconnected, new ones dialled.
    public func setPeers(_ peers: [PeerEndpoint]) { updatesInput.yield(Set(peers)) }

    public func run() async throws {
        let node = self.node
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                var stops: [PeerEndpoint: AsyncStream<Void>.Continuation] = [:]
                for await peers in updates.cancelOnGracefulShutdown() {
                    current.withLock { $0 = peers }
                    for (endpoint, stop) in stops where !peers.contains(endpoint) {
                        // Its row goes once its dialer has stopped (below):
                        // forgotten now, a connect attempt still under way
                        // would bring it back for a moment (a scrape then
                        // showed a removed peer's series).
                        stop.finish()
                        stops[endpoint] = nil
                        node.logger.info("stopped dialling \(endpoint.node.short) (removed from config)")
                    }
                    for endpoint in peers where stops[endpoint] == nil {
                        let (stopped, stop) = AsyncStream<Void>.makeStream()
                        stops[endpoint] = stop
                        group.addTask {
                            await withTaskGroup(of: Void.self) { inner in
                                inner.addTask { await PeerDialer(node: node, endpoint: endpoint).run() }
                                inner.addTask { for await _ in stopped {} }
                                await inner.next()
                                inner.cancelAll()
                            }
                            // A removed peer leaves status for good (unless it
                            // was added again meanwhile, at any address).
                            if !self.current.withLock({ $0.contains { $0.node == endpoint.node } }) { node.peers.forget(endpoint.node) }
                        }
                    }
                }
                // On graceful shutdown the dialers finish by themselves: their
                // connections say `shutting-down` and they do not redial.
            }
        } onGracefulShutdown: {
            node.closeConnections()
        }
    }
}

/// One peer's connect / sync / back off loop.
struct PeerDialer {
    let node: Node
    let endpoint: PeerEndpoint

    func run() async {
        var backoff = Backoff(initial: node.timing.backoffInitial, maximum: node.timing.backoffMaximum)
        var rng = SystemRandomNumberGenerator()
        var logger = node.logger
        logger[metadataKey: "peer"] = "\(endpoint.node.short)"
        let peer = endpoint.node
        let address = endpoint.address
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            node.peers.update(peer, direction: "outbound", address: address) {
                $0.state = .connecting
                $0.retryAtMs = nil
            }
            var reason: String
            do {
                let tls = node.tls
                let peerChannel = try await ClientBootstrap(group: node.group)
                    .connectTimeout(.nanoseconds(Int64(node.timing.connectTimeout.components.seconds * 1_000_000_000)))
                    .channelOption(.socketOption(.so_keepalive), value: 1)
                    .connect(host: endpoint.host, port: endpoint.port) { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try PeerChannel.configure(channel, tls: tls, server: false, expecting: peer)
                        }
                    }
                if Task.isShuttingDownGracefully {
                    await peerChannel.abandon()
                    return
                }
                let result = await PeerConnection(node: node, peerChannel: peerChannel, dialedAddress: address).run()
                // A refusal (not a member, wrong network) keeps backing off;
                // only a connection that synced earns a fresh start.
                if result.established && !result.ending.isRefusal { backoff.reset() }
                if case .shutdown = result.ending { return }
                if case .handshakeFailed(let raw) = result.ending {
                    // Status and the journal get the cause and what to do, never BoringSSL's stack.
                    let why = TLSFailureText.plain(raw)
                    node.peers.update(peer, direction: "outbound", address: address) {
                        $0.state = .backingOff
                        $0.detail = "TLS handshake failed: \(why)"
                    }
                    logger.warning("cannot connect to \(address): TLS handshake failed: \(why)")
                }
                reason = result.ending.description
            } catch {
                reason = "cannot connect to \(address): \(Self.plain(error))"
                node.peers.update(peer, direction: "outbound", address: address) {
                    $0.state = .backingOff
                    $0.detail = reason
                }
                logger.info("\(reason)")
            }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            let delay = backoff.next(using: &rng)
            let retryAt = Int64((Date().timeIntervalSince1970 + Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18) * 1000)
            node.peers.update(peer, direction: "outbound", address: address) {
                if $0.state != .refused { $0.state = .backingOff }
                $0.retryAtMs = retryAt
                if $0.detail == nil { $0.detail = reason }
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            } catch {
                return
            }
        }
    }

    /// Connection errors in words an operator can act on.
    static func plain(_ error: Error) -> String {
        let text = "\(error)"
        if text.contains("connection refused") || text.contains("Connection refused") {
            return "connection refused (is tcnoded running there, and the port right?)"
        }
        if text.contains("timeout") || text.contains("Timeout") || text.contains("timed out") {
            return "no answer (link down, firewall, or wrong address)"
        }
        let lower = text.lowercased()
        if lower.contains("dns error") || lower.contains("resolve") || lower.contains("lookup") {
            return "cannot resolve the host name (check its spelling and the DNS, or use an IP address)"
        }
        if lower.contains("no route to host") || lower.contains("unreachable") {
            return "no route to the peer (unreachable: check this PC's network connection and the address)"
        }
        // The system's words for the failure ("Connection reset by peer"), not Swift's dump of the error around them.
        if let match = text.firstMatch(of: /: ([A-Za-z][A-Za-z ]+) \(errno: \d+\)/) {
            return "the connection failed: \(match.1.lowercased())"
        }
        return "the connection failed; this node retries by itself"
    }
}
