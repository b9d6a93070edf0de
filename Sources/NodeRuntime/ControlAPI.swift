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

/// The control socket's request context: a request may be as large as the
/// largest valid write needs (`ControlAPI.maxRequestBytes`), not Hummingbird's
/// 2 MiB default, which refused valid imports and 1 MiB bodies of escaped text.
public struct ControlContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public init(source: Source) { coreContext = .init(source: source) }
    public var maxUploadSize: Int { ControlAPI.maxRequestBytes }
}

/// The daemon's local API: HTTP/JSON on a Unix socket, for `tcnode`.
/// GET /v1/status, POST /v1/entries. Access is the socket file's: owner
/// and group `tcnode` (mode 0660).
///
/// Every database or file read here runs off Swift's cooperative pool
/// (`store.offPool`, `OffPool.run`): a handler blocking one of its two
/// threads is how a busy hub stopped answering.
public enum ControlAPI {
    /// The largest request body the socket reads. A request carries one
    /// entry body of up to 1 MiB as a JSON string: escaping at most doubles
    /// a body that is JSON (`\"` becomes `\\\"`), and at most multiplies
    /// by six one that is not (a control byte becomes `\u0000`); 8 MiB holds
    /// either with the other fields. `tcnode` sends imports in batches of
    /// at most `batchBytes`.
    public static let maxRequestBytes = 8 * Entry.maximumBodySize

    /// What `tcnode` puts in one batch request, so that a batch always fits.
    public static let batchBytes = 4 * Entry.maximumBodySize

    public static func application(node: Node, socketPath: String, name: String?, region: String?, listener: PeerListener?,
                                   logger: Logger, running: (@Sendable () async -> Void)? = nil) -> some ApplicationProtocol {
        let router = Router(context: ControlContext.self)
        let figures = StatusFigures(store: node.store)
        router.get("/v1/status") { _, _ -> Response in
            let bound = try? await listener?.boundAddress()
            let current = try await figures.current()
            let report = StatusReport.make(store: node.store, figures: current, node: node.id, name: name, region: region, running: node,
                                           listen: bound.map(PeerChannel.describe))
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try StatusReport.encoder.encode(report))))
        }
        router.post("/v1/entries") { request, _ -> Response in
            guard let bytes = try await body(of: request, limit: maxRequestBytes) else { return tooLarge() }
            let ask: AppendRequest
            do {
                ask = try JSONDecoder().decode(AppendRequest.self, from: bytes)
            } catch {
                return try jsonResponse(ControlErrorBody(error: "the request is not an entry to append (\(plain(error)))"), status: .badRequest)
            }
            guard let op = ask.op == "put" ? Op.put : ask.op == "delete" ? Op.delete : nil else {
                return try jsonResponse(ControlErrorBody(error: "op must be put or delete"), status: .badRequest)
            }
            let body = Array((ask.body ?? "").utf8)
            guard body.count <= Entry.maximumBodySize else { return try jsonResponse(ControlErrorBody(error: bodyTooLarge(body.count)), status: .contentTooLarge) }
            let draft = Entry.Draft(time: Int64(Date().timeIntervalSince1970 * 1000), op: op, kind: ask.kind, key: ask.key, body: body)
            do {
                let entry = try await node.append([draft])[0]
                return try jsonResponse(AppendResponse(author: entry.author.description, seq: entry.seq, id: entry.id.description))
            } catch {
                return try jsonResponse(ControlErrorBody(error: "\(error)"), status: .unprocessableContent)
            }
        }
        // Several entries in one transaction (a spreadsheet import): all or none.
        router.post("/v1/entries/batch") { request, _ -> Response in
            guard let bytes = try await body(of: request, limit: maxRequestBytes) else { return tooLarge() }
            let asks: [AppendRequest]
            do {
                asks = try JSONDecoder().decode([AppendRequest].self, from: bytes)
            } catch {
                return try jsonResponse(ControlErrorBody(error: "the request is not a list of entries (\(plain(error)))"), status: .badRequest)
            }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            var drafts: [Entry.Draft] = []
            for ask in asks {
                guard let op = ask.op == "put" ? Op.put : ask.op == "delete" ? Op.delete : nil else {
                    return try jsonResponse(ControlErrorBody(error: "op must be put or delete"), status: .badRequest)
                }
                let body = Array((ask.body ?? "").utf8)
                guard body.count <= Entry.maximumBodySize else {
                    return try jsonResponse(ControlErrorBody(error: "\(ask.kind)/\(ask.key): " + bodyTooLarge(body.count)), status: .contentTooLarge)
                }
                drafts.append(Entry.Draft(time: now, op: op, kind: ask.kind, key: ask.key, body: body))
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
            let limit = photos.blobs.maxBytes
            guard let bytes = try await body(of: request, limit: limit) else {
                return try jsonResponse(
                    ControlErrorBody(error: "the photo is larger than this node accepts (\(limit) bytes, blob_max_bytes in the config); make it smaller"),
                    status: .contentTooLarge)
            }
            do {
                let stored = try await OffPool.run { () throws -> PhotoResponse in
                    let (sha, type) = try photos.blobs.add(Array(bytes))
                    photos.noteHeld(sha)
                    return PhotoResponse(sha256: sha.hex, size: bytes.count, type: type)
                }
                return try jsonResponse(stored)
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
            let deleted = q["deleted"] == "1"
            let entries = try await node.store.offPool { try $0.records(kind: kind, author: author, includeDeleted: deleted) }
            return try jsonResponse(EntryList(entries))
        }
        router.get("/v1/record") { request, _ -> Response in
            let q = request.uri.queryParameters
            guard let kind = q["kind"].map(String.init), let key = q["key"].map(String.init),
                let author = q["author"].flatMap({ NodeID(String($0)) })
            else { return try jsonResponse(ControlErrorBody(error: "kind, key and author are required"), status: .badRequest) }
            let entry = try await node.store.offPool { try $0.record(author: author, kind: kind, key: key) }
            return try jsonResponse(EntryList(entry.map { [$0] } ?? []))
        }
        router.get("/v1/log") { request, _ -> Response in
            let q = request.uri.queryParameters
            let limit = max(1, q["limit"].flatMap { Int(String($0)) } ?? 50)
            let author = q["author"].flatMap { NodeID(String($0)) }
            return try jsonResponse(EntryList(try await node.store.offPool { try $0.log(author: author, limit: limit) }))
        }
        router.get("/v1/network-entries") { _, _ -> Response in
            try jsonResponse(EntryList(try await node.store.offPool { try $0.networkEntries() }))
        }
        router.get("/v1/heads") { _, _ -> Response in
            let heads = try await node.store.heads(movedAfter: 0).heads
            return try jsonResponse(HeadList(heads: heads.map { .init(author: $0.author.description, seq: $0.seq) }))
        }
        BundleRoutes.add(to: router, node: node, name: name)
        var apiLogger = logger
        apiLogger.logLevel = .warning
        return Application(
            router: router,
            configuration: .init(address: .unixDomainSocket(path: socketPath), serverName: nil),
            onServerRunning: { _ in
                // Owner and group only: the API writes entries signed by this node.
                chmod(socketPath, 0o660)
                logger.info("control socket ready", metadata: ["path": "\(socketPath)"])
                await running?()
            },
            logger: apiLogger)
    }

    /// The request body, or nil when it is larger than `limit`. An oversized
    /// body is still read to its end, and dropped as it arrives: the client
    /// is then reading when the 413 comes, instead of finding the socket
    /// closed under its write ("I/O on closed channel").
    static func body(of request: Request, limit: Int) async throws -> Data? {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            for try await _ in request.body {}
            return nil
        }
        var data = Data()
        var total = 0
        for try await part in request.body {
            total += part.readableBytes
            if total <= limit { data.append(contentsOf: part.readableBytesView) }
        }
        return total <= limit ? data : nil
    }

    static func tooLarge() -> Response {
        (try? jsonResponse(
            ControlErrorBody(error: "the request is larger than the control socket accepts (\(maxRequestBytes / 1_048_576) MiB); "
                + "a record body may be at most 1 MiB, and imports are sent in batches by tcnode"),
            status: .contentTooLarge)) ?? Response(status: .contentTooLarge)
    }

    static func bodyTooLarge(_ count: Int) -> String {
        "the record body is larger than 1 MiB (\(count) bytes, the most is \(Entry.maximumBodySize)): "
            + "make it smaller, or store photos and other files with --photo instead of inside the record"
    }

    /// A decoding error in words, not Swift's debug form.
    static func plain(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): c.debugDescription
        case DecodingError.keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            "field '\(c.codingPath.map(\.stringValue).joined(separator: "."))': \(c.debugDescription)"
        default: "\(error)"
        }
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
