import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// `tcnode`'s side of the control socket: HTTP/1.1 over a Unix socket with
/// SwiftNIO's HTTP codec.
public struct ControlClient: Sendable {
    public let socketPath: String
    public var timeout: Duration = .seconds(10)

    public init(socketPath: String) { self.socketPath = socketPath }

    public enum Failure: Error, CustomStringConvertible {
        case notRunning(String)
        case otherDaemon(String)
        case refused(String)
        case http(Int, String)

        public var description: String {
            switch self {
            case .notRunning(let path): "tcnoded is not running (nothing answers on \(path))"
            case .otherDaemon(let path): "another tcnoded is already running on control socket \(path)"
            case .refused(let why): why
            case .http(let code, let body): "the daemon answered \(code): \(body)"
            }
        }
    }

    public func status() async throws -> StatusReport {
        let (code, body) = try await request(.GET, "/v1/status", body: nil)
        guard code == 200 else { throw Failure.http(code, String(decoding: body, as: UTF8.self)) }
        return try JSONDecoder().decode(StatusReport.self, from: Data(body))
    }

    public func append(_ ask: AppendRequest) async throws -> AppendResponse {
        let (code, body) = try await request(.POST, "/v1/entries", body: try JSONEncoder().encode(ask))
        guard code == 200 else {
            let message = (try? JSONDecoder().decode(ControlErrorBody.self, from: Data(body)))?.error
            throw Failure.refused(message ?? String(decoding: body, as: UTF8.self))
        }
        return try JSONDecoder().decode(AppendResponse.self, from: Data(body))
    }

    func request(_ method: HTTPMethod, _ uri: String, body: Data?) async throws -> (Int, [UInt8]) {
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: socketPath) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw Failure.notRunning(socketPath)
        }
        let limit = timeout
        return try await withTimeout(limit) {
            try await channel.executeThenClose { inbound, outbound in
                var head = HTTPRequestHead(version: .http1_1, method: method, uri: uri)
                head.headers.add(name: "Host", value: "tcnoded")
                head.headers.add(name: "Connection", value: "close")
                if let body {
                    head.headers.add(name: "Content-Type", value: "application/json")
                    head.headers.add(name: "Content-Length", value: "\(body.count)")
                }
                try await outbound.write(.head(head))
                if let body { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
                try await outbound.write(.end(nil))
                var status = 0
                var bytes: [UInt8] = []
                for try await part in inbound {
                    switch part {
                    case .head(let h): status = Int(h.status.code)
                    case .body(let b): bytes.append(contentsOf: b.readableBytesView)
                    case .end: return (status, bytes)
                    }
                }
                return (status, bytes)
            }
        }
    }
}
