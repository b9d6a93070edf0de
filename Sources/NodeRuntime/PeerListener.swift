import Logging
import NIOCore
import NIOPosix
import Replication
import ServiceLifecycle

/// Accepts peer connections. One bad connection (garbage, a refused key, a
/// dead TLS handshake) ends only itself: each runs in its own child task and
/// its failure is logged and counted, never thrown out of the listener.
public final class PeerListener: Service, Sendable {
    let node: Node
    let host: String
    let port: Int
    private let bound = ServerStart<SocketAddress>()

    public struct BindError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(node: Node, host: String, port: Int) {
        self.node = node
        self.host = host
        self.port = port
    }

    /// The address the listener is bound to (useful with port 0), once
    /// the bind has returned; throws if it failed.
    public func boundAddress() async throws -> SocketAddress { try await bound.value() }

    public func run() async throws {
        let node = self.node
        let server: NIOAsyncChannel<PeerChannel, Never>
        do {
            server = try await ServerBootstrap(group: node.group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.so_keepalive), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try PeerChannel.configure(channel, tls: node.tls, server: true, expecting: nil)
                    }
                }
        } catch {
            let message = "cannot listen on \(host):\(port): \(error). Is another tcnoded running, or the address wrong?"
            bound.failed(BindError(description: message))
            throw BindError(description: message)
        }
        let address = server.channel.localAddress!
        bound.started(address)
        node.logger.info("listening for peers", metadata: ["address": "\(PeerChannel.describe(address))"])
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                do {
                    try await server.executeThenClose { inbound in
                        var refusedSinceWarning = 0
                        var lastWarning: ContinuousClock.Instant?
                        for try await peerChannel in inbound.cancelOnGracefulShutdown() {
                            let address = peerChannel.channel.channel.remoteAddress?.ipAddress ?? "unknown"
                            switch node.admission.admit(address: address) {
                            case .success(let ticket):
                                group.addTask {
                                    _ = await PeerConnection(node: node, peerChannel: peerChannel, dialedAddress: nil, ticket: ticket).run()
                                    ticket.release()
                                }
                            case .failure(let refusal):
                                // Closed before TLS starts: the cheapest answer to a storm.
                                node.metrics.connectionRefused(refusal.reason.rawValue)
                                group.addTask { await peerChannel.abandon() }
                                refusedSinceWarning += 1
                                let now = ContinuousClock.now
                                if lastWarning.map({ now - $0 >= .seconds(60) }) ?? true {
                                    node.logger.warning(
                                        "too many connections at once (\(refusal.reason.rawValue)); \(refusedSinceWarning) closed at once since the last warning; peers retry",
                                        metadata: ["address": "\(address)"])
                                    lastWarning = now
                                    refusedSinceWarning = 0
                                }
                            }
                        }
                    }
                } catch {
                    node.logger.error("peer listener stopped accepting: \(error)")
                }
            }
        } onGracefulShutdown: {
            node.closeConnections()
        }
    }
}
