import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import NIOTLS
import Replication

/// TLS 1.3 contexts for peer connections, both directions. Package-wide
/// (with `NodeCertificate`, `PeerChannel` and `PeerIdentity`): the tests'
/// hand-driven peer (`ManualPeer`) connects with them.
package struct PeerTLS: Sendable {
    static let alpn = "tcnode/1"

    let server: NIOSSLContext
    let client: NIOSSLContext

    package init(certificate: NodeCertificate) throws {
        func configure(_ c: inout TLSConfiguration) {
            c.minimumTLSVersion = .tlsv13
            c.maximumTLSVersion = .tlsv13
            // Chains and names mean nothing here; the custom callback takes the
            // key. `.none` would also skip the callback and, on a server, not
            // ask for a client certificate at all (NIOSSL's behaviour, checked
            // by TransportTests' unknown-peer tests).
            c.certificateVerification = .noHostnameVerification
            c.trustRoots = .certificates([])
            c.applicationProtocols = [PeerTLS.alpn]
            // BoringSSL leaves Ed25519 out of its default list.
            c.verifySignatureAlgorithms = [.ed25519]
            c.signingSignatureAlgorithms = [.ed25519]
            // X25519 only: BoringSSL's default also offers the post-quantum
            // hybrid X25519MLKEM768, whose key shares add about 2.3 KB to
            // every handshake; on 2G/3G links a reconnect must stay small.
            c.curves = [.x25519]
            // After our ERROR and close_notify, wait at most 1 s for the
            // peer's close_notify (NIOSSL waits 5 s by default). A peer
            // still sending ENTRIES that this side no longer reads never
            // gets its close_notify through, and every stop would take 5 s
            // more than systemd allows. What we wrote before still goes out.
            c.shutdownTimeout = .seconds(1)
        }
        var server = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(certificate.certificate)], privateKey: .privateKey(certificate.privateKey))
        configure(&server)
        var client = TLSConfiguration.makeClientConfiguration()
        client.certificateChain = [.certificate(certificate.certificate)]
        client.privateKey = .privateKey(certificate.privateKey)
        configure(&client)
        self.server = try NIOSSLContext(configuration: server)
        self.client = try NIOSSLContext(configuration: client)
    }

    /// The verification callback: any Ed25519 leaf passes TLS (BoringSSL has
    /// already checked that the peer holds its key), and its node id is kept.
    /// A dialer that expects a particular node refuses any other key here.
    /// Trust by membership is decided after HELLO, so that a refused peer
    /// gets an ERROR frame that says why rather than a bare TLS alert.
    static func verifier(into identity: PeerIdentity, expecting expected: NodeID?) -> NIOSSLCustomVerificationCallback {
        { certificates, promise in
            guard let leaf = certificates.first, let node = NodeCertificate.nodeID(of: leaf) else {
                identity.set(.failure(.notEd25519))
                promise.succeed(.failed)
                return
            }
            if let expected, expected != node {
                identity.set(.failure(.unexpectedNode(expected: expected, found: node)))
                promise.succeed(.failed)
                return
            }
            identity.set(.success(node))
            promise.succeed(.certificateVerified)
        }
    }
}

/// What the TLS handshake proved about the peer.
package final class PeerIdentity: Sendable {
    package enum Problem: Error, Sendable, CustomStringConvertible {
        case notEd25519
        case unexpectedNode(expected: NodeID, found: NodeID)

        package var description: String {
            switch self {
            case .notEd25519:
                "the peer's certificate does not carry an Ed25519 node key"
            case .unexpectedNode(let expected, let found):
                "expected node \(expected.short) at this address but found \(found.short); check the peer's node id in the config"
            }
        }
    }

    private let box = NIOLockedValueBox<Result<NodeID, Problem>?>(nil)
    func set(_ value: Result<NodeID, Problem>) { box.withLockedValue { $0 = value } }
    package var value: Result<NodeID, Problem>? { box.withLockedValue { $0 } }
}

/// Reports when the TLS handshake finishes, and closes the connection
/// without a frame when the peer did not agree on ALPN `tcnode/1`.
final class HandshakeGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    enum Failure: Error, CustomStringConvertible {
        case alpn(String?)
        case closedDuringHandshake

        var description: String {
            switch self {
            case .alpn(let offered):
                "the peer did not negotiate ALPN tcnode/1 (got \(offered ?? "none")); it is not a tcnode peer"
            case .closedDuringHandshake:
                "the connection closed during the TLS handshake (the peer refused our key, or is not a tcnode node)"
            }
        }
    }

    let done: EventLoopPromise<Void>

    init(done: EventLoopPromise<Void>) { self.done = done }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted(let negotiated) = event {
            if negotiated == PeerTLS.alpn {
                done.succeed(())
            } else {
                done.fail(Failure.alpn(negotiated))
                context.close(promise: nil)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        done.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.fail(Failure.closedDuringHandshake)
        context.fireChannelInactive()
    }

    /// A channel whose connect failed never becomes active; the promise must
    /// still be completed (completing it twice is a no-op).
    func handlerRemoved(context: ChannelHandlerContext) {
        done.fail(Failure.closedDuringHandshake)
    }
}

/// A failed TLS handshake in words an operator can act on: the cause and
/// what to do. BoringSSL's error stack (with the build's source paths) and
/// Swift's error dumps never reach status or the journal; its reason codes
/// stay at the end, "(TLS: WRONG_VERSION_NUMBER)", for a search and for
/// `tcnode status`, which words them in the operator's language.
public enum TLSFailureText {
    public static func plain(_ text: String) -> String {
        let reasons = reasonCodes(in: text)
        let code = reasons.isEmpty ? "" : " (TLS: \(reasons.joined(separator: ", ")))"
        let upper = text.uppercased()
        func any(_ words: [String]) -> Bool { words.contains { upper.contains($0) } }
        // The identity check's own words are already plain, and so is what this returned (it may be asked again).
        if (["expected node ", "the peer's certificate"] + sentences).contains(where: text.hasPrefix) { return text }
        if any(["WRONG_VERSION_NUMBER", "HTTP_REQUEST", "HTTPS_PROXY_REQUEST", "UNKNOWN_PROTOCOL", "UNEXPECTED_RECORD",
                "PACKET_LENGTH_TOO_LONG", "RECORD_TOO_LARGE", "DECODE_ERROR", "UNEXPECTED_MESSAGE"]) {
            return sentences[0] + ", but not as a tcnode node (another program on that port?): check the port, it is tcnoded's `listen` port (7447 by default)" + code
        }
        if any(["ALPN", "NO_APPLICATION_PROTOCOL", "APPLICATION PROTOCOL"]) {
            return sentences[1] + " this version's protocol (tcnode/1): update tcnode on both sides" + code
        }
        if any(["PROTOCOL_VERSION", "UNSUPPORTED_PROTOCOL", "NO_SHARED_CIPHER", "NO_SHARED_GROUP", "NO_COMMON_SIGNATURE_ALGORITHMS",
                "HANDSHAKE_FAILURE"]) {
            return sentences[2] + " this node's (an old tcnode, or another program): update tcnode on both sides" + code
        }
        if any(["CERTIFICATE", "BAD_SIGNATURE", "DECRYPT_ERROR", "NO PEER KEY", "PEER_DID_NOT_RETURN"]) {
            return sentences[3] + " during TLS, or its own key is not a node key: check the node ids on both sides (the `peers` entry here, and that the peer lets this node in)" + code
        }
        if any(["TIMED OUT", "TIMEOUT"]) {
            return sentences[4] + " (a slow or broken link); this node retries by itself" + code
        }
        if any(["EOF", "UNCLEANSHUTDOWN", "CLOSED DURING", "IOONCLOSEDCHANNEL", "CONNECTION RESET", "BROKEN PIPE"]) {
            return sentences[5] + " (it may not accept this node, or it is not a tcnode node); this node retries by itself" + code
        }
        return sentences[6] + ": check that the address is a tcnode node of the same version; this node retries by itself" + code
    }

    /// How each of this type's explanations starts.
    static let sentences = [
        "the address answers", "the peer does not speak", "the peer's TLS does not match", "the peer did not accept this node's key",
        "the TLS handshake took too long", "the peer closed the connection during the TLS handshake", "the secure connection could not be set up",
    ]

    /// BoringSSL's reason codes in an error's text: the last part of each
    /// "error:100000f7:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER".
    static func reasonCodes(in text: String) -> [String] {
        var out: [String] = []
        for match in text.matches(of: /error:[0-9A-Fa-f]+:[^:\]]*:[^:\]]*:([A-Z0-9_]+)/) where !out.contains(String(match.1)) {
            out.append(String(match.1))
        }
        return out
    }
}
