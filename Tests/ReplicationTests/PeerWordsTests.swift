import Foundation
import NIOCore
import NIOPosix
import NodeRuntime
import Replication
import Testing

/// Peers as operators type them and as status tells of them: a peer's id
/// in the checked form (or plain) in tcnode.toml; a failed TLS handshake as
/// a cause and what to do, never BoringSSL's error stack or a build path.
@Suite struct PeerWordsTests {
    @Test func peerEndpointsTakeTheCheckedFormAndCatchATypo() throws {
        let id = NodeKey().id
        let plain = try PeerEndpoint(parsing: "\(id)@10.0.0.1:7447")
        let checked = try PeerEndpoint(parsing: "\(id.checked)@10.0.0.1:7447")
        let upper = try PeerEndpoint(parsing: "\(id.checked.uppercased())@[::1]:7447")
        #expect(plain == checked && checked.node == id && upper.node == id && upper.host == "::1")
        #expect(checked.description == "\(id)@10.0.0.1:7447", "written back in the plain form the protocol uses")

        // One wrong character in the checked form.
        var chars = Array(id.checked)
        chars[3] = chars[3] == "a" ? "b" : "a"
        #expect {
            try PeerEndpoint(parsing: "\(String(chars))@10.0.0.1:7447")
        } throws: { error in
            "\(error)".contains("is mistyped: the check character of blocks 1-2 does not match") && "\(error)".contains("`tcnode id`")
        }
        #expect(throws: PeerEndpoint.ParseError.self) { try PeerEndpoint(parsing: "@10.0.0.1:7447") }
        #expect(throws: PeerEndpoint.ParseError.self) { try PeerEndpoint(parsing: "\(id.checked)@10.0.0.1:0") }
    }

    @Test func handshakeFailuresAreWordedWithoutBoringSSLsStack() {
        let path = "/work/main/.build/checkouts/swift-nio-ssl/Sources/CNIOBoringSSL/ssl/tls_record.cc:231"
        let cases: [(String, String)] = [
            ("handshakeFailed(NIOSSL.BoringSSLError.sslError([Error: 268435703 error:100000f7:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER at \(path)]))",
             "not as a tcnode node (another program on that port?): check the port"),
            ("handshakeFailed(NIOSSL.BoringSSLError.sslError([Error: 268435703 error:1000045c:SSL routines:OPENSSL_internal:TLSV1_ALERT_CERTIFICATE_REQUIRED at \(path)]))",
             "did not accept this node's key"),
            ("handshakeFailed(NIOSSL.BoringSSLError.sslError([Error: 1 error:10000410:SSL routines:OPENSSL_internal:SSLV3_ALERT_HANDSHAKE_FAILURE at \(path)]))",
             "update tcnode on both sides"),
            ("uncleanShutdown", "closed the connection during the TLS handshake"),
            ("timed out after 15.0 seconds", "took too long"),
            ("the peer did not negotiate ALPN tcnode/1 (got none); it is not a tcnode peer", "does not speak this version's protocol"),
        ]
        for (raw, words) in cases {
            let text = TLSFailureText.plain(raw)
            #expect(text.contains(words), "\(raw) -> \(text)")
            #expect(!text.contains("/") || text.contains("tcnode/1"), "no path: \(text)")
            #expect(!text.contains("Error: ") && !text.contains("BoringSSL") && !text.contains("OPENSSL"), "\(text)")
            #expect(TLSFailureText.plain(text) == text, "asked again, the same words: \(text)")
        }
        #expect(TLSFailureText.plain(cases[0].0).hasSuffix("(TLS: WRONG_VERSION_NUMBER)"), "the reason code stays, for a search")
        let expected = "expected node abcdefgh at this address but found ijklmnop; check the peer's node id in the config"
        #expect(TLSFailureText.plain(expected) == expected)
    }

    /// A peer address where something other than tcnoded answers: status
    /// and the journal say so plainly.
    @Test(.long) func aPeerThatIsNotTcnodedIsReportedPlainly() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    var reply = channel.allocator.buffer(capacity: 64)
                    reply.writeString("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                    channel.writeAndFlush(reply, promise: nil)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let port = try #require(server.localAddress?.port)

        let dir = TemporaryDirectory("tcpeerwords")
        let node = DaemonProcess(name: "n", dir: dir)
        try await node.initialise(["--genesis"])
        let stranger = NodeKey().id
        try node.writeConfig(peers: ["\(stranger.checked)@127.0.0.1:\(port)"])
        try node.start()
        _ = try await node.waitUntilUp()
        let detail = try await eventually("the dial to the HTTP port has failed") { () -> String? in
            try await node.status().peers.first { $0.node == stranger.description }?.detail
        }
        #expect(detail.contains("not as a tcnode node") && detail.contains("(TLS: "), "\(detail)")
        let (code, _) = try await node.stop()
        #expect(code == 0)
        for text in [detail, node.log] {
            #expect(!text.contains(".cc:") && !text.contains("/checkouts/") && !text.contains("BoringSSLError"), "\(text)")
        }
        #expect(node.log.contains("TLS handshake failed: the address answers, but not as a tcnode node"), "\(node.log)")
    }
}
