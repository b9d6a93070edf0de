import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Replication

/// `tcnode`'s side of the control socket: HTTP/1.1 over a Unix socket with
/// SwiftNIO's HTTP codec.
public struct ControlClient: Sendable {
    public let socketPath: String
    public var timeout: Duration = .seconds(10)

    public init(socketPath: String) { self.socketPath = socketPath }

    public enum Failure: Error, CustomStringConvertible {
        case notRunning(String)
        /// The socket exists but this user may not use it.
        case permission(String)
        case otherDaemon(String)
        case refused(String)
        case http(Int, String)
        /// The connection ended or timed out before the daemon answered.
        case lost(String)

        public var description: String {
            switch self {
            case .notRunning(let path): "tcnoded is not running (nothing answers on \(path))"
            case .permission(let path):
                "permission denied on \(path): operators must be in group tcnode (sudo usermod -aG tcnode $USER, then log in again), or use sudo"
            case .otherDaemon(let path): "another tcnoded is already running on control socket \(path)"
            case .refused(let why): why
            case .http(let code, let body): "tcnoded answered \(code): \(body)"
            case .lost(let why):
                "tcnoded did not answer (\(why)); see `journalctl -u tcnoded`. After a write, `tcnode log` shows whether it was stored"
            }
        }
    }

    /// A write tcnoded refused: its `ControlError` (code, field, words in
    /// both languages), or the answer as text from a daemon that sent none.
    static func refusal(_ code: Int, _ body: [UInt8]) -> any Error {
        if let error = try? JSONDecoder().decode(ControlError.self, from: Data(body)) { return error }
        return Failure.http(code, String(decoding: body, as: UTF8.self))
    }

    /// Stores one entry of this node. A refusal is thrown as the daemon's
    /// `ControlError`.
    public func append(_ ask: AppendRequest) async throws -> AppendResponse {
        let (code, body) = try await request(.POST, "/v1/entries", body: try JSONEncoder().encode(ask))
        guard code == 200 else { throw Self.refusal(code, body) }
        return try JSONDecoder().decode(AppendResponse.self, from: Data(body))
    }

    public func append(batch: [AppendRequest]) async throws -> [AppendResponse] {
        var client = self
        // One transaction of up to `ControlAPI.batchBytes` signed and fsynced.
        client.timeout = max(timeout, .seconds(60))
        let (code, body) = try await client.request(.POST, "/v1/entries/batch", body: try JSONEncoder().encode(batch))
        guard code == 200 else { throw Self.refusal(code, body) }
        return try JSONDecoder().decode([AppendResponse].self, from: Data(body))
    }

    public func addPhoto(_ bytes: [UInt8]) async throws -> PhotoResponse {
        let (code, body) = try await request(.POST, "/v1/photos", body: Data(bytes), contentType: "application/octet-stream")
        guard code == 200 else { throw Self.refusal(code, body) }
        return try JSONDecoder().decode(PhotoResponse.self, from: Data(body))
    }

    /// A read of the control API, decoded from its JSON.
    public func get<T: Decodable>(_ uri: String, as type: T.Type, decoder: JSONDecoder = JSONDecoder()) async throws -> T {
        let (code, body) = try await request(.GET, uri, body: nil)
        guard code == 200 else {
            let message = (try? JSONDecoder().decode(ControlError.self, from: Data(body)))?.message
            throw Failure.http(code, message ?? String(decoding: body, as: UTF8.self))
        }
        return try decoder.decode(T.self, from: Data(body))
    }

    public func identity() async throws -> IdentityInfo { try await get("/v1/identity", as: IdentityInfo.self) }

    public func records(kind: String, author: String?, deleted: Bool) async throws -> [Entry] {
        var uri = "/v1/records?kind=\(Self.escape(kind))"
        if let author { uri += "&author=\(author)" }
        if deleted { uri += "&deleted=1" }
        return try await get(uri, as: EntryList.self).decoded()
    }

    public func record(author: String, kind: String, key: String) async throws -> Entry? {
        try await get("/v1/record?kind=\(Self.escape(kind))&key=\(Self.escape(key))&author=\(author)", as: EntryList.self)
            .decoded().first
    }

    public func log(author: String?, limit: Int) async throws -> [Entry] {
        var uri = "/v1/log?limit=\(limit)"
        if let author { uri += "&author=\(author)" }
        return try await get(uri, as: EntryList.self).decoded()
    }

    /// The network's members as the daemon's roster has them, with the heads it holds of each.
    public func members() async throws -> MemberList { try await get("/v1/members", as: MemberList.self) }

    public func heads() async throws -> [String: UInt64] {
        Dictionary(try await get("/v1/heads", as: HeadList.self).heads.map { ($0.author, $0.seq) }, uniquingKeysWith: max)
    }

    public static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    /// A connection to the control socket, or why there is none in words
    /// (daemon not running, or no permission on the socket).
    func connectToDaemon() async throws -> HTTPExchange.Channel {
        do {
            return try await HTTPExchange.connect(unixDomainSocketPath: socketPath)
        } catch {
            if "\(error)".contains("Permission denied") || "\(error)".contains("EACCES") || "\(error)".contains("errno: 13") {
                throw Failure.permission(socketPath)
            }
            throw Failure.notRunning(socketPath)
        }
    }

    func request(_ method: HTTPMethod, _ uri: String, body: Data?, contentType: String = "application/json") async throws -> (Int, [UInt8]) {
        let channel = try await connectToDaemon()
        do {
            let response = try await Self.within(timeout) {
                try await HTTPExchange.send(on: channel, method, uri, host: "tcnoded", body: body, contentType: contentType)
            }
            return (response.status, response.body)
        } catch let error as NoAnswer {
            throw Failure.lost("no answer within \(error.after)")
        } catch let error as ChannelError {
            // NIO's words ("I/O on closed channel") mean nothing to an operator.
            throw Failure.lost(error == .ioOnClosedChannel || error == .eof ? "the connection closed" : "the connection failed: \(error)")
        } catch let error as IOError {
            throw Failure.lost("the connection failed: \(error.description)")
        }
    }

    /// The daemon did not answer within the client's time.
    struct NoAnswer: Error {
        let after: Duration
    }

    /// Runs `body`, throwing `NoAnswer` if it takes longer than `limit`.
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw NoAnswer(after: limit)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
