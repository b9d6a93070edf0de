import Foundation
import Replication

/// A file read and written a chunk at a time, for bundles streamed over the
/// control socket by both of its ends. Blocking: call these off the
/// cooperative pool (`OffPool.run`).
public enum FileChunks {
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], _ path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw BundleFileError(.unreadable, "cannot write \(path): \(String(cString: strerror(errno))) (is the disk full?)") }
            done += n
        }
    }

    public static func read(_ path: String, at offset: Int, count: Int) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw BundleFileError(.unreadable, "\(path) disappeared") }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        return [UInt8](try handle.read(upToCount: count) ?? Data())
    }
}
