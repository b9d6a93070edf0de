import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP/1.1 request and its whole response over a fresh connection, with
/// SwiftNIO's HTTP codec. The control client speaks it over the Unix socket;
/// the views benchmark and the dashboard tests over loopback TCP.
public enum HTTPExchange {
    public typealias Channel = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>

    public struct Response: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: [UInt8]
    }

    public static func connect(host: String, port: Int) async throws -> Channel {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: host, port: port) { wrap($0) }
    }

    public static func connect(unixDomainSocketPath path: String) async throws -> Channel {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(unixDomainSocketPath: path) { wrap($0) }
    }

    private static func wrap(_ channel: any NIOCore.Channel) -> EventLoopFuture<Channel> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHTTPClientHandlers()
            return try Channel(wrappingChannelSynchronously: channel)
        }
    }

    /// Sends one request on `channel`, reads the response to its end and closes the channel.
    public static func send(
        on channel: Channel, _ method: HTTPMethod, _ uri: String, host: String,
        body: Data? = nil, contentType: String = "application/json"
    ) async throws -> Response {
        try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: method, uri: uri)
            head.headers.add(name: "Host", value: host)
            head.headers.add(name: "Connection", value: "close")
            if let body {
                head.headers.add(name: "Content-Type", value: contentType)
                head.headers.add(name: "Content-Length", value: "\(body.count)")
            }
            // One write for the whole request: the server answers as soon as
            // it has the head (a GET) and closes (`Connection: close`), and a
            // separate later write of `.end` then failed with "I/O on closed
            // channel" although the answer had arrived. A write that fails
            // anyway is reported only if no complete answer came back.
            var parts: [HTTPClientRequestPart] = [.head(head)]
            if let body { parts.append(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
            parts.append(.end(nil))
            var writeError: (any Error)?
            do { try await outbound.write(contentsOf: parts) } catch { writeError = error }
            var response = Response(status: 0, headers: [:], body: [])
            do {
                for try await part in inbound {
                    switch part {
                    case .head(let h):
                        response.status = Int(h.status.code)
                        response.headers = h.headers
                    case .body(let b): response.body.append(contentsOf: b.readableBytesView)
                    case .end: return response
                    }
                }
            } catch {
                if writeError != nil, response.status != 0 { return response }
                throw writeError ?? error
            }
            // The server answered (an early 401 or 413) and closed before it
            // read the whole request: the answer wins over the failed write.
            if let writeError, response.status == 0 { throw writeError }
            return response
        }
    }

    /// GET over loopback TCP.
    public static func get(port: Int, _ path: String, host: String = "127.0.0.1") async throws -> Response {
        try await send(on: try await connect(host: host, port: port), .GET, path, host: host)
    }
}
