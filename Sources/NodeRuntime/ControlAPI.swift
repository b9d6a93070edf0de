import Foundation
import Hummingbird
import Logging
import NIOCore
import Replication

/// A write asked of the daemon: one entry of this node.
public struct AppendRequest: Codable, Sendable {
    public var kind: String
    public var key: String
    /// "put" or "delete".
    public var op: String
    /// The body as JSON text, kept byte for byte (absent for a delete).
    public var body: String?

    public init(kind: String, key: String, op: String, body: String?) {
        self.kind = kind
        self.key = key
        self.op = op
        self.body = body
    }
}

public struct AppendResponse: Codable, Sendable {
    public var author: String
    public var seq: UInt64
    public var id: String
}

public struct PhotoResponse: Codable, Sendable {
    public var sha256: String
    public var size: Int
    public var type: String
}

public struct ControlErrorBody: Codable, Sendable {
    public var error: String
}

/// Entries as the control API returns them: exact bytes, base64.
public struct EntryList: Codable, Sendable {
    public var entries: [String]

    public init(_ entries: [Entry]) { self.entries = entries.map { Data($0.bytes).base64EncodedString() } }

    public func decoded() throws -> [Entry] {
        try entries.map { text in
            guard let data = Data(base64Encoded: text) else { throw ControlClient.Failure.refused("bad entry encoding from the daemon") }
            return try Entry(decoding: [UInt8](data))
        }
    }
}

public struct IdentityInfo: Codable, Sendable {
    public var node: String
    public var network: String
}

public struct HeadList: Codable, Sendable {
    public struct Item: Codable, Sendable {
        public var author: String
        public var seq: UInt64
    }
    public var heads: [Item]
}

/// The daemon's local API: HTTP/JSON on a Unix socket, for `tcnode`.
/// GET /v1/status, POST /v1/entries. Access is the socket file's: owner
/// and group `tcnode` (mode 0660).
public enum ControlAPI {
    public static func application(node: Node, socketPath: String, name: String?, region: String?, listener: PeerListener?,
                                   logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.get("/v1/status") { _, _ -> Response in
            let bound = try? await listener?.boundAddress()
            let report = try StatusReport.make(store: node.store, node: node.id, name: name, region: region, running: node,
                                               listen: bound.map(PeerChannel.describe))
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try StatusReport.encoder.encode(report))))
        }
        router.post("/v1/entries") { request, context -> Response in
            let ask: AppendRequest
            do {
                ask = try await request.decode(as: AppendRequest.self, context: context)
            } catch {
                return try jsonResponse(ControlErrorBody(error: "the request is not an entry to append: \(error)"), status: .badRequest)
            }
            guard let op = ask.op == "put" ? Op.put : ask.op == "delete" ? Op.delete : nil else {
                return try jsonResponse(ControlErrorBody(error: "op must be put or delete"), status: .badRequest)
            }
            let body = Array((ask.body ?? "").utf8)
            let draft = Entry.Draft(time: Int64(Date().timeIntervalSince1970 * 1000), op: op, kind: ask.kind, key: ask.key, body: body)
            do {
                let entry = try await node.append([draft])[0]
                return try jsonResponse(AppendResponse(author: entry.author.description, seq: entry.seq, id: entry.id.description))
            } catch {
                return try jsonResponse(ControlErrorBody(error: "\(error)"), status: .unprocessableContent)
            }
        }
        // Several entries in one transaction (a spreadsheet import): all or none.
        router.post("/v1/entries/batch") { request, context -> Response in
            let asks: [AppendRequest]
            do {
                asks = try await request.decode(as: [AppendRequest].self, context: context)
            } catch {
                return try jsonResponse(ControlErrorBody(error: "the request is not a list of entries: \(error)"), status: .badRequest)
            }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            var drafts: [Entry.Draft] = []
            for ask in asks {
                guard let op = ask.op == "put" ? Op.put : ask.op == "delete" ? Op.delete : nil else {
                    return try jsonResponse(ControlErrorBody(error: "op must be put or delete"), status: .badRequest)
                }
                drafts.append(Entry.Draft(time: now, op: op, kind: ask.kind, key: ask.key, body: Array((ask.body ?? "").utf8)))
            }
            do {
                let entries = try await node.append(drafts)
                return try jsonResponse(entries.map { AppendResponse(author: $0.author.description, seq: $0.seq, id: $0.id.description) })
            } catch {
                return try jsonResponse(ControlErrorBody(error: "\(error)"), status: .unprocessableContent)
            }
        }
        // A photo for a record about to be written: stored by its hash.
        router.post("/v1/photos") { request, _ -> Response in
            guard let photos = node.photos else {
                return try jsonResponse(ControlErrorBody(error: "this node keeps no photos"), status: .unprocessableContent)
            }
            let body = try await request.body.collect(upTo: photos.blobs.maxBytes + 1)
            do {
                let (sha, type) = try photos.blobs.add(Array(body.readableBytesView))
                try? photos.views.markBlobHeld(sha)
                return try jsonResponse(PhotoResponse(sha256: sha.hex, size: body.readableBytes, type: type))
            } catch {
                return try jsonResponse(ControlErrorBody(error: "\(error)"), status: .unprocessableContent)
            }
        }
        router.get("/v1/identity") { _, _ -> Response in
            try jsonResponse(IdentityInfo(node: node.id.description, network: node.network.description))
        }
        // Reads for the CLI, so that operators in group tcnode need no access
        // to the data directory itself.
        router.get("/v1/records") { request, _ -> Response in
            let q = request.uri.queryParameters
            guard let kind = q["kind"].map(String.init) else { return try jsonResponse(ControlErrorBody(error: "kind is required"), status: .badRequest) }
            let author = q["author"].flatMap { NodeID(String($0)) }
            let entries = try node.store.records(kind: kind, author: author, includeDeleted: q["deleted"] == "1")
            return try jsonResponse(EntryList(entries))
        }
        router.get("/v1/record") { request, _ -> Response in
            let q = request.uri.queryParameters
            guard let kind = q["kind"].map(String.init), let key = q["key"].map(String.init),
                let author = q["author"].flatMap({ NodeID(String($0)) })
            else { return try jsonResponse(ControlErrorBody(error: "kind, key and author are required"), status: .badRequest) }
            let entry = try node.store.record(author: author, kind: kind, key: key)
            return try jsonResponse(EntryList(entry.map { [$0] } ?? []))
        }
        router.get("/v1/log") { request, _ -> Response in
            let q = request.uri.queryParameters
            let limit = q["limit"].flatMap { Int(String($0)) } ?? 50
            let author = q["author"].flatMap { NodeID(String($0)) }
            return try jsonResponse(EntryList(try node.store.log(author: author, limit: max(1, limit))))
        }
        router.get("/v1/network-entries") { _, _ -> Response in
            try jsonResponse(EntryList(try node.store.networkEntries()))
        }
        router.get("/v1/heads") { _, _ -> Response in
            let heads = try node.store.heads(movedAfter: 0).heads
            return try jsonResponse(HeadList(heads: heads.map { .init(author: $0.author.description, seq: $0.seq) }))
        }
        var apiLogger = logger
        apiLogger.logLevel = .warning
        return Application(
            router: router,
            configuration: .init(address: .unixDomainSocket(path: socketPath), serverName: nil),
            onServerRunning: { _ in
                // Owner and group only: the API writes entries signed by this node.
                chmod(socketPath, 0o660)
                logger.info("control socket ready", metadata: ["path": "\(socketPath)"])
            },
            logger: apiLogger)
    }

    static func jsonResponse<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Removes a socket file left by a daemon that died, unless a daemon
    /// still answers on it (then this one must not start).
    public static func prepareSocket(at path: String) async throws {
        guard FileManager.default.fileExists(atPath: path) else {
            let dir = (path as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            return
        }
        if (try? await ControlClient(socketPath: path).status()) != nil {
            throw ControlClient.Failure.otherDaemon(path)
        }
        try FileManager.default.removeItem(atPath: path)
    }
}
