import Foundation
import Hummingbird
import Logging
import NIOCore
import NodeAPI
import Replication

/// The control socket's request context: a request may be as large as the
/// largest valid write needs (`ControlAPI.maxRequestBytes`), not Hummingbird's
/// 2 MiB default, which refused valid imports and 1 MiB bodies of escaped text.
public struct ControlContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public init(source: Source) { coreContext = .init(source: source) }
    public var maxUploadSize: Int { ControlAPI.maxRequestBytes }
}

/// The daemon's local API: HTTP/JSON on a Unix socket, for `tcnode`. Access
/// is the socket file's: owner and group `tcnode` (mode 0660). While it
/// runs, tcnoded is the only writer of its data directory (it holds the
/// directory's lock), so every write of the node comes through here:
/// POST /v1/entries, /v1/entries/batch, /v1/photos and the bundle routes.
/// Each record is checked as `tcnode` checks it (`RecordCheck`) before it
/// is signed, whatever client sent it; a refusal is a `ControlError` (code,
/// field, words in English and Bahasa Indonesia), counted in
/// `tcnode_writes_refused_total`, and stores nothing. Reads: GET
/// /v1/status, /v1/identity, /v1/records, /v1/record, /v1/log, /v1/heads
/// and /v1/members (the roster, as the store keeps it).
///
/// Every database or file read here runs off Swift's cooperative pool
/// (`store.offPool`, `OffPool.run`): a handler blocking one of its two
/// threads is how a busy hub stopped answering.
public enum ControlAPI {
    /// The largest request body the socket reads (`ControlLimits`).
    public static let maxRequestBytes = ControlLimits.maxRequestBytes

    /// What `tcnode` puts in one batch request, so that a batch always fits.
    public static let batchBytes = ControlLimits.batchBytes

    public static func application(node: Node, socketPath: String, name: String?, region: String?, listener: PeerListener?,
                                   views: (any NodeViews)? = nil, logger: Logger,
                                   running: (@Sendable () async -> Void)? = nil) -> some ApplicationProtocol {
        let router = Router(context: ControlContext.self)
        let figures = StatusFigures(store: node.store)
        router.get("/v1/status") { _, _ -> Response in
            let bound = try? await listener?.boundAddress()
            let current = try await figures.current()
            var report = StatusReport.make(store: node.store, figures: current, node: node.id, name: name, region: region, running: node,
                                           listen: bound.map(PeerChannel.describe))
            if let views, let position = try? await node.store.position() { report.views = views.status.at(storePosition: position) }
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try StatusReport.encoder.encode(report))))
        }
        router.post("/v1/entries") { request, _ -> Response in
            guard let bytes = try await body(of: request, limit: maxRequestBytes) else { return refuse(requestTooLarge(), node: node) }
            let ask: AppendRequest
            do {
                ask = try JSONDecoder().decode(AppendRequest.self, from: bytes)
            } catch {
                return refuse(ControlError(.badRequest, en: "the request is not an entry to append (\(plain(error)))",
                                           id: "permintaan ini bukan entri untuk ditambahkan (\(plain(error)))"), node: node)
            }
            let draft: Entry.Draft
            switch checked(ask, nowMs: Int64(Date().timeIntervalSince1970 * 1000)) {
            case .success(let d): draft = d
            case .failure(let refusal): return refuse(refusal, node: node)
            }
            do {
                let entry = try await node.append([draft])[0]
                return try jsonResponse(AppendResponse(author: entry.author.description, seq: entry.seq, id: entry.id.description))
            } catch {
                return refuse(storeRefusal(error), node: node)
            }
        }
        // Several entries in one transaction (a spreadsheet import): all or
        // none; the first record refused names its place in the batch.
        router.post("/v1/entries/batch") { request, _ -> Response in
            guard let bytes = try await body(of: request, limit: maxRequestBytes) else { return refuse(requestTooLarge(), node: node) }
            let asks: [AppendRequest]
            do {
                asks = try JSONDecoder().decode([AppendRequest].self, from: bytes)
            } catch {
                return refuse(ControlError(.badRequest, en: "the request is not a list of entries (\(plain(error)))",
                                           id: "permintaan ini bukan daftar entri (\(plain(error)))"), node: node)
            }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            var drafts: [Entry.Draft] = []
            for (i, ask) in asks.enumerated() {
                switch checked(ask, nowMs: now) {
                case .success(let d): drafts.append(d)
                case .failure(let refusal):
                    return refuse(refusal.prefixed(en: "record \(i + 1) of \(asks.count) (key '\(ask.key)'): ",
                                                   id: "rekaman ke-\(i + 1) dari \(asks.count) (kunci '\(ask.key)'): "), node: node)
                }
            }
            do {
                let entries = try await node.append(drafts)
                return try jsonResponse(entries.map { AppendResponse(author: $0.author.description, seq: $0.seq, id: $0.id.description) })
            } catch {
                return refuse(storeRefusal(error), node: node)
            }
        }
        // A photo for a record about to be written: stored by its hash.
        router.post("/v1/photos") { request, _ -> Response in
            guard let photos = node.photos else {
                return refuse(ControlError(.noPhotos, en: "this node keeps no photos (photos = false in its config)",
                                           id: "node ini tidak menyimpan foto (photos = false di konfigurasinya)"), node: node)
            }
            let limit = photos.blobs.maxBytes
            guard let bytes = try await body(of: request, limit: limit) else {
                return refuse(ControlError(.photoTooLarge,
                                           en: "the photo is larger than this node accepts (\(limit) bytes, blob_max_bytes in the config); make it smaller",
                                           id: "foto lebih besar dari yang diterima node ini (\(limit) byte, blob_max_bytes di konfigurasi); perkecil fotonya"),
                              node: node)
            }
            do {
                let stored = try await OffPool.run { () throws -> PhotoResponse in
                    let (sha, type) = try photos.blobs.add(Array(bytes))
                    photos.noteHeld(sha)
                    return PhotoResponse(sha256: sha.hex, size: bytes.count, type: type)
                }
                return try jsonResponse(stored)
            } catch let failure as BlobStore.Failure {
                let code: ControlError.Code = switch failure {
                case .notAnImage: .notAnImage
                case .tooLarge: .photoTooLarge
                default: .photoFailed
                }
                return refuse(ControlError(code, en: failure.description, id: failure.indonesian), node: node)
            } catch {
                return refuse(ControlError(.photoFailed, en: "the photo was not stored: \(error)", id: "foto tidak disimpan: \(error)"), node: node)
            }
        }
        router.get("/v1/identity") { _, _ -> Response in
            try jsonResponse(IdentityInfo(node: node.id.description, network: node.network.description))
        }
        // Reads for the CLI, so that operators in group tcnode need no access
        // to the data directory itself.
        router.get("/v1/records") { request, _ -> Response in
            let q = request.uri.queryParameters
            guard let kind = q["kind"].map(String.init) else {
                return try jsonResponse(ControlError(.badRequest, field: "kind", en: "kind is required", id: "kind wajib diisi"), status: .badRequest)
            }
            let author = q["author"].flatMap { NodeID(String($0)) }
            let deleted = q["deleted"] == "1"
            let entries = try await node.store.offPool { try $0.records(kind: kind, author: author, includeDeleted: deleted) }
            return try jsonResponse(EntryList(entries))
        }
        router.get("/v1/record") { request, _ -> Response in
            let q = request.uri.queryParameters
            guard let kind = q["kind"].map(String.init), let key = q["key"].map(String.init),
                let author = q["author"].flatMap({ NodeID(String($0)) })
            else {
                return try jsonResponse(ControlError(.badRequest, en: "kind, key and author are required", id: "kind, key dan author wajib diisi"),
                                        status: .badRequest)
            }
            let entry = try await node.store.offPool { try $0.record(author: author, kind: kind, key: key) }
            return try jsonResponse(EntryList(entry.map { [$0] } ?? []))
        }
        router.get("/v1/log") { request, _ -> Response in
            let q = request.uri.queryParameters
            let limit = max(1, q["limit"].flatMap { Int(String($0)) } ?? 50)
            let author = q["author"].flatMap { NodeID(String($0)) }
            return try jsonResponse(EntryList(try await node.store.offPool { try $0.log(author: author, limit: limit) }))
        }
        router.get("/v1/members") { _, _ -> Response in
            let heads = try await node.store.heads(movedAfter: 0).heads
            return try jsonResponse(MemberList(roster: node.store.roster,
                                               heads: Dictionary(heads.map { ($0.author, $0.seq) }, uniquingKeysWith: max)))
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

    static func requestTooLarge() -> ControlError {
        ControlError(.requestTooLarge,
                     en: "the request is larger than the control socket accepts (\(maxRequestBytes / 1_048_576) MiB); "
                        + "a record body may be at most 1 MiB, and imports are sent in batches by tcnode",
                     id: "permintaan lebih besar dari yang diterima soket kendali (\(maxRequestBytes / 1_048_576) MiB); "
                        + "isi rekaman paling besar 1 MiB, dan impor dikirim tcnode per kelompok")
    }

    /// The draft of an asked write, or why it may not be written: the
    /// checks `tcnode` runs before it asks (`RecordCheck`).
    static func checked(_ ask: AppendRequest, nowMs: Int64) -> Result<Entry.Draft, ControlError> {
        guard let op = ask.op == "put" ? Op.put : ask.op == "delete" ? Op.delete : nil else {
            return .failure(ControlError(.badOp, field: "op", en: "op must be put or delete (got '\(ask.op)')",
                                         id: "op harus put atau delete (isinya '\(ask.op)')"))
        }
        let body = Array((ask.body ?? "").utf8)
        if let refusal = RecordCheck.refusal(op: op, kind: ask.kind, key: ask.key, body: body, nowMs: nowMs) { return .failure(refusal) }
        return .success(Entry.Draft(time: nowMs, op: op, kind: ask.kind, key: ask.key, body: body))
    }

    /// A write the store refused, in words (the node revoked, the disk).
    static func storeRefusal(_ error: any Error) -> ControlError {
        switch error {
        case let e as StoreError:
            switch e {
            case .revokedAuthor: return ControlError(.revoked, en: e.description, id: e.indonesian)
            case .invalid(let entry):
                return ControlError(.invalidEntry, en: "invalid entry: \(entry.description)", id: "entri tidak sah: \(entry.description)")
            default: return ControlError(.storeFailed, en: e.description, id: e.indonesian)
            }
        case let e as EntryError:
            return ControlError(.invalidEntry, en: "invalid entry: \(e.description)", id: "entri tidak sah: \(e.description)")
        default:
            return ControlError(.storeFailed, en: "the write was not stored: \(error)", id: "tulisan tidak disimpan: \(error)")
        }
    }

    /// Answers a refused write and counts it by its code: a client that
    /// keeps sending what the node refuses shows in the metrics.
    static func refuse(_ error: ControlError, node: Node) -> Response {
        node.metrics.registry.makeCounter(name: "tcnode_writes_refused_total", labels: [("code", error.code)],
                                          help: "Writes asked of the control socket and refused (nothing stored), by code.").increment()
        let status: HTTPResponse.Status = switch ControlError.Code(rawValue: error.code) {
        case .requestTooLarge?, .bodyTooLarge?, .photoTooLarge?: .contentTooLarge
        case .badRequest?, .badOp?: .badRequest
        default: .unprocessableContent
        }
        return (try? jsonResponse(error, status: status)) ?? Response(status: status)
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

extension ControlClient {
    /// What `tcnode status` shows, as the daemon reports it.
    public func status() async throws -> StatusReport {
        try await get("/v1/status", as: StatusReport.self, decoder: StatusReport.decoder)
    }
}
