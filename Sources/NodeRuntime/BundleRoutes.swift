import Foundation
import Hummingbird
import NIOCore
import NodeAPI
import Replication

/// The control API's bundle routes. The CLI streams the file both ways:
/// operators in group tcnode cannot reach the data directory, and the
/// daemon (user tcnode) usually cannot read the operator's stick. The file
/// is kept in `bundles.tmp` of the data directory while it is worked on.
///
/// - `POST /v1/bundle/import`: the body is a bundle (or heads file); the
///   answer is the import report (`BundleImportReport`, snake_case JSON).
/// - `POST /v1/bundle/export?for=&since_ms=&authors=&kinds=&photos=0&heads_only=1&acknowledges=`:
///   the body is empty or a heads file (`--against`); the answer is the bundle.
enum BundleRoutes {
    static func add(to router: Router<ControlContext>, node: Node, name: String?) {
        let work = ((node.store.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("bundles.tmp")
        let service = BundleService(store: node.store, key: node.key, blobs: node.photos?.blobs, name: name, node: node)

        router.post("/v1/bundle/import") { request, _ -> Response in
            let file = try await receive(request, into: work, suffix: "import")
            do {
                var report = try await service.importBundle(path: file)
                await discard(file)
                report.file = ""
                node.logger.notice(
                    "bundle imported: \(report.entriesNew) new entries, \(report.photosNew) photos, \(report.rejectedTotal) rejected",
                    metadata: ["bundle": "\(report.bundle)", "exporter": "\(report.exporter.prefix(8))"])
                return try json(report, encoder: BundleImportReport.encoder)
            } catch {
                await discard(file)
                return try failure(error)
            }
        }

        router.post("/v1/bundle/export") { request, _ -> Response in
            let options: BundleExportOptions
            do {
                options = try BundleExportOptions { request.uri.queryParameters[Substring($0)].map(String.init) }
            } catch {
                return try ControlAPI.jsonResponse(BundleErrorBody(error: "\(error)", code: "bad-request"), status: .badRequest)
            }
            let against = try await receive(request, into: work, suffix: "heads")
            let againstSize = await OffPool.run { ((try? FileManager.default.attributesOfItem(atPath: against))?[.size] as? Int) ?? 0 }
            let out = (work as NSString).appendingPathComponent("export-\(UInt32.random(in: 0 ... .max)).tcb")
            let size: Int
            do {
                _ = try await service.export(to: out, options: options, against: againstSize > 0 ? against : nil)
                await discard(against)
                size = try await OffPool.run { (try FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0 }
            } catch {
                await discard(against)
                await discard(out)
                return try failure(error)
            }
            // Streamed from the file, a chunk at a time, then removed.
            let body = ResponseBody(contentLength: size) { writer in
                do {
                    var offset = 0
                    while offset < size {
                        let at = offset
                        let chunk = try await OffPool.run { try FileChunks.read(out, at: at, count: 1 << 20) }
                        guard !chunk.isEmpty else { break }
                        try await writer.write(ByteBuffer(bytes: chunk))
                        offset += chunk.count
                    }
                    try await writer.finish(nil)
                } catch {
                    await discard(out)
                    throw error
                }
                await discard(out)
            }
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
        }
    }

    static func json<T: Encodable>(_ value: T, encoder: JSONEncoder) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    static func failure(_ error: any Error) throws -> Response {
        if let e = error as? BundleFileError {
            return try ControlAPI.jsonResponse(BundleErrorBody(error: e.message, code: e.code.rawValue), status: .unprocessableContent)
        }
        return try ControlAPI.jsonResponse(BundleErrorBody(error: "\(error)", code: nil), status: .unprocessableContent)
    }

    /// Writes the request body to a new file in `directory`, off the
    /// cooperative pool, and returns its path.
    static func receive(_ request: Request, into directory: String, suffix: String) async throws -> String {
        let path = (directory as NSString).appendingPathComponent("\(suffix)-\(UInt32.random(in: 0 ... .max)).part")
        let fd = try await OffPool.run { () throws -> Int32 in
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            sweep(directory)
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw BundleFileError(.unreadable, "cannot write in \(directory): \(String(cString: strerror(errno)))") }
            return fd
        }
        do {
            var pending: [UInt8] = []
            for try await part in request.body {
                pending.append(contentsOf: part.readableBytesView)
                if pending.count >= 1 << 20 {
                    let chunk = pending
                    pending.removeAll(keepingCapacity: true)
                    try await OffPool.run { try FileChunks.writeAll(fd, chunk, path) }
                }
            }
            let chunk = pending
            try await OffPool.run {
                try FileChunks.writeAll(fd, chunk, path)
                close(fd)
            }
        } catch {
            await OffPool.run {
                close(fd)
                unlink(path)
            }
            throw error
        }
        return path
    }

    static func discard(_ path: String) async {
        await OffPool.run { _ = unlink(path) }
    }

    /// Removes files left by a daemon that stopped mid-transfer (older than a day).
    static func sweep(_ directory: String) {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] {
            let path = (directory as NSString).appendingPathComponent(name)
            if let modified = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified.timeIntervalSinceNow < -86_400 {
                try? fm.removeItem(atPath: path)
            }
        }
    }
}
