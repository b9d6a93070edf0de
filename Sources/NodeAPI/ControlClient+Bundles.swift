import Foundation
import NIOCore
import NIOHTTP1
import Replication

/// Bundles through tcnoded: the file is streamed over the control socket,
/// a megabyte at a time, never held whole in memory (a stick's bundle with
/// photos can be large). File reads and writes run off the cooperative pool.
extension ControlClient {
    /// Long enough for a large import (verified and stored by the daemon
    /// before it answers); a stalled daemon still ends the wait.
    static let bundleTimeout: Duration = .seconds(3600)

    /// Sends a bundle (or heads file) to tcnoded, which verifies and stores
    /// it and wakes its connections. `sent` reports bytes sent and the total.
    public func importBundle(from path: String, sent: (@Sendable (Int64, Int64) -> Void)? = nil) async throws -> BundleImportReport {
        let size = try await OffPool.run { () throws -> Int64 in
            guard let n = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber else {
                throw BundleFileError(.unreadable, "cannot read \(path): no such file")
            }
            return n.int64Value
        }
        let (status, body) = try await exchange("/v1/bundle/import", upload: path, size: size, sent: sent, download: nil)
        guard status == 200 else { throw Self.bundleFailure(status, body) }
        var report = try BundleImportReport.decoder.decode(BundleImportReport.self, from: Data(body))
        report.file = path
        return report
    }

    /// Asks tcnoded for a bundle and writes it to `path` (through a
    /// temporary file beside it, synced, then renamed).
    public func exportBundle(to path: String, options: BundleExportOptions, against: String?,
                             received: (@Sendable (Int64) -> Void)? = nil) async throws {
        var size: Int64 = 0
        if let against {
            size = try await OffPool.run { () throws -> Int64 in
                guard let n = (try? FileManager.default.attributesOfItem(atPath: against))?[.size] as? NSNumber else {
                    throw BundleFileError(.unreadable, "cannot read the heads file \(against): no such file")
                }
                return n.int64Value
            }
        }
        let download = try await OffPool.run { try DownloadFile(path: path) }
        do {
            let (status, body) = try await exchange("/v1/bundle/export?\(options.query)", upload: against, size: size, sent: nil,
                                                    download: (download, received))
            guard status == 200 else { throw Self.bundleFailure(status, body) }
            try await OffPool.run { try download.finish() }
        } catch {
            await OffPool.run { download.abandon() }
            throw error
        }
    }

    static func bundleFailure(_ status: Int, _ body: [UInt8]) -> any Error {
        if let e = try? JSONDecoder().decode(BundleErrorBody.self, from: Data(body)) {
            if let code = e.code.flatMap(BundleFileError.Code.init(rawValue:)) { return BundleFileError(code, e.error) }
            return Failure.refused(e.error)
        }
        return Failure.http(status, String(decoding: body, as: UTF8.self))
    }

    /// One POST whose body is a file (or empty) and whose answer is either
    /// collected (an error, a report) or, on 200 with `download`, written to it.
    func exchange(_ uri: String, upload: String?, size: Int64, sent: (@Sendable (Int64, Int64) -> Void)?,
                  download: (DownloadFile, (@Sendable (Int64) -> Void)?)?) async throws -> (Int, [UInt8]) {
        let channel = try await connectToDaemon()
        do {
            return try await Self.within(Self.bundleTimeout) {
                try await channel.executeThenClose { inbound, outbound in
                    var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: uri)
                    head.headers.add(name: "Host", value: "tcnoded")
                    head.headers.add(name: "Connection", value: "close")
                    head.headers.add(name: "Content-Type", value: "application/octet-stream")
                    head.headers.add(name: "Content-Length", value: "\(size)")
                    try await outbound.write(.head(head))
                    if let upload, size > 0 {
                        var offset: Int64 = 0
                        while offset < size {
                            let at = offset
                            let chunk = try await OffPool.run { try FileChunks.read(upload, at: Int(at), count: 1 << 20) }
                            guard !chunk.isEmpty else { throw BundleFileError(.unreadable, "\(upload) became shorter while it was sent") }
                            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
                            offset += Int64(chunk.count)
                            sent?(offset, size)
                        }
                    }
                    try await outbound.write(.end(nil))
                    var status = 0
                    var collected: [UInt8] = []
                    var pending: [UInt8] = []
                    var total: Int64 = 0
                    for try await part in inbound {
                        switch part {
                        case .head(let h):
                            status = Int(h.status.code)
                        case .body(let b):
                            if status == 200, let (file, received) = download {
                                pending.append(contentsOf: b.readableBytesView)
                                total += Int64(b.readableBytes)
                                if pending.count >= 1 << 20 {
                                    let chunk = pending
                                    pending.removeAll(keepingCapacity: true)
                                    try await OffPool.run { try file.write(chunk) }
                                    received?(total)
                                }
                            } else {
                                collected.append(contentsOf: b.readableBytesView)
                            }
                        case .end:
                            if let (file, received) = download, !pending.isEmpty {
                                let chunk = pending
                                try await OffPool.run { try file.write(chunk) }
                                received?(total)
                            }
                            return (status, collected)
                        }
                    }
                    throw Failure.lost("the connection closed before the answer was complete")
                }
            }
        } catch let error as NoAnswer {
            throw Failure.lost("no answer within \(error.after)")
        } catch let error as ChannelError {
            throw Failure.lost(error == .ioOnClosedChannel || error == .eof ? "the connection closed" : "the connection failed: \(error)")
        } catch let error as IOError {
            throw Failure.lost("the connection failed: \(error.description)")
        }
    }
}

/// A file being received: written beside its destination, synced and
/// renamed over it only when complete.
final class DownloadFile: Sendable {
    let path: String
    let temporary: String
    let fd: Int32

    init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        temporary = (directory as NSString).appendingPathComponent(".\(url.lastPathComponent).\(UInt32.random(in: 0 ... .max)).part")
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw BundleFileError(.unreadable, "cannot write in \(directory): \(String(cString: strerror(errno))) (is the stick mounted, full or read-only?)")
        }
    }

    func write(_ bytes: [UInt8]) throws { try FileChunks.writeAll(fd, bytes, path) }

    func finish() throws {
        guard fsync(fd) == 0 else { throw BundleFileError(.unreadable, "cannot sync \(path): \(String(cString: strerror(errno)))") }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(temporary)
            throw BundleFileError(.unreadable, "cannot move the bundle into place as \(path): \(why)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let dfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }

    func abandon() {
        close(fd)
        unlink(temporary)
    }
}
