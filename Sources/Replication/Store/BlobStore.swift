import Crypto
import Foundation
import Synchronization

/// Photos and other blobs, stored by their SHA-256 under the data directory
/// (blobs/ab/abcdef...). A blob being fetched grows in blobs/partial/ and
/// is moved into place only after its hash and content type check out, so
/// a blob that exists is always whole and correct.
public final class BlobStore: Sendable {
    public let root: String
    public let maxBytes: Int
    /// Whether each received chunk is fsynced before the next is taken
    /// (off only for simulated nodes, see `Store.Durability`).
    let syncsChunks: Bool

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case notAnImage
        case tooLarge(Int, max: Int)
        case hashMismatch(expected: String)
        case offsetMismatch(held: UInt64, offered: UInt64)
        /// A piece did not hash to its entry in the verified piece list: the
        /// partial copy was cut back to the piece's start.
        case badPiece(index: Int, heldAfter: UInt64)
        /// A piece list whose hashes do not hash to the reference's `pieces`,
        /// or whose size disagrees with the chunks'.
        case badPieceList(String)
        case io(String)

        public var description: String {
            switch self {
            case .notAnImage: "not a JPEG or PNG image (checked by content, not by file name)"
            case .tooLarge(let n, let max): "\(n) bytes; the most a photo may be is \(max) bytes (blob_max_bytes)"
            case .hashMismatch(let sha): "the received bytes do not hash to \(sha.prefix(12))...; the partial copy was discarded"
            case .offsetMismatch(let held, let offered): "chunk at offset \(offered) but \(held) bytes are held"
            case .badPiece(let index, let held): "piece \(index) does not match the photo's verified piece list; it was discarded (\(held) bytes kept)"
            case .badPieceList(let why): "piece list refused: \(why)"
            case .io(let why): why
            }
        }
    }

    public init(root: String, maxBytes: Int = 10 * 1024 * 1024, durability: Store.Durability = .crashSafe) {
        self.root = root
        self.maxBytes = maxBytes
        self.syncsChunks = durability == .crashSafe
    }

    public static func isImage<C: Collection>(_ bytes: C) -> String? where C.Element == UInt8 {
        let head = Array(bytes.prefix(8))
        if head.count >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF { return "image/jpeg" }
        if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return "image/png" }
        return nil
    }

    func path(_ sha: Bytes32) -> String {
        let hex = sha.hex
        return "\(root)/\(hex.prefix(2))/\(hex)"
    }

    func partialPath(_ sha: Bytes32) -> String { "\(root)/partial/\(sha.hex).part" }

    /// The verified piece list of a blob being fetched (PROTOCOL.md §11.7):
    /// 8 bytes of total size, then the pieces' hashes.
    func piecesPath(_ sha: Bytes32) -> String { "\(root)/partial/\(sha.hex).pieces" }

    public func has(_ sha: Bytes32) -> Bool { FileManager.default.fileExists(atPath: path(sha)) }

    public func size(_ sha: Bytes32) -> UInt64? {
        (try? FileManager.default.attributesOfItem(atPath: path(sha))[.size] as? NSNumber)?.uint64Value
    }

    /// Bytes already held of a blob being fetched (0 when none).
    public func heldBytes(_ sha: Bytes32) -> UInt64 {
        if let whole = size(sha) { return whole }
        return (try? FileManager.default.attributesOfItem(atPath: partialPath(sha))[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// Adds a local photo; returns its hash and content type.
    @discardableResult
    public func add(_ bytes: [UInt8]) throws(Failure) -> (sha256: Bytes32, type: String) {
        guard bytes.count <= maxBytes else { throw .tooLarge(bytes.count, max: maxBytes) }
        guard let type = Self.isImage(bytes) else { throw .notAnImage }
        let sha = SHA256.hash(data: bytes).withUnsafeBytes { Bytes32(unchecked: $0, at: 0) }
        if !has(sha) { try write(bytes, to: path(sha)) }
        return (sha, type)
    }

    /// Reads up to `length` bytes of a whole blob from `offset`.
    public func read(_ sha: Bytes32, offset: UInt64, length: Int) -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: path(sha)) else { return nil }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: offset)
            return [UInt8](try handle.read(upToCount: length) ?? Data())
        } catch {
            return nil
        }
    }

    public func contents(_ sha: Bytes32) -> [UInt8]? {
        FileManager.default.contents(atPath: path(sha)).map { [UInt8]($0) }
    }

    /// Appends a received chunk. Returns true when the blob is complete,
    /// verified and in place. A hash or type mismatch discards the partial
    /// copy (it will be fetched again from the start).
    public func append(_ sha: Bytes32, total: UInt64, offset: UInt64, bytes: [UInt8]) throws(Failure) -> Bool {
        // Two connections may write the same photo (one gave up on a slow
        // peer while its chunks were still queued): the offset check and the
        // write must not interleave, or the file gets bytes twice.
        try appendLock.withLock { _ throws(Failure) -> Bool in
            try appendUnlocked(sha, total: total, offset: offset, bytes: bytes)
        }
    }

    private let appendLock = Mutex(())

    private func appendUnlocked(_ sha: Bytes32, total: UInt64, offset: UInt64, bytes: [UInt8]) throws(Failure) -> Bool {
        if has(sha) { return true }
        guard total <= UInt64(maxBytes) else { throw .tooLarge(Int(clamping: total), max: maxBytes) }
        let partial = partialPath(sha)
        let held = heldBytes(sha)
        guard offset == held else { throw .offsetMismatch(held: held, offered: offset) }
        let pieces = pieceList(sha)
        if let pieces, pieces.total != total {
            throw .badPieceList("the photo's chunks say \(total) bytes, its piece list \(pieces.total)")
        }
        do {
            try FileManager.default.createDirectory(atPath: "\(root)/partial", withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: partial) {
                guard FileManager.default.createFile(atPath: partial, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                    throw Failure.io("cannot create \(partial)")
                }
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: partial))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: bytes)
            if syncsChunks { try handle.synchronize() }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .io("cannot write \(partial): \(error)")
        }
        let nowHeld = held + UInt64(bytes.count)
        if let pieces {
            try verifyPieces(sha, pieces, from: held, to: nowHeld)
        }
        guard nowHeld >= total else { return false }
        let data = FileManager.default.contents(atPath: partial) ?? Data()
        let digest = SHA256.hash(data: data).withUnsafeBytes { Bytes32(unchecked: $0, at: 0) }
        guard digest == sha, Self.isImage(data) != nil else {
            try? FileManager.default.removeItem(atPath: partial)
            try? FileManager.default.removeItem(atPath: piecesPath(sha))
            throw digest == sha ? .notAnImage : .hashMismatch(expected: sha.hex)
        }
        try? FileManager.default.removeItem(atPath: piecesPath(sha))
        do {
            let final = path(sha)
            try FileManager.default.createDirectory(atPath: (final as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try FileManager.default.moveItem(atPath: partial, toPath: final)
        } catch {
            throw .io("cannot move \(partial) into place: \(error)")
        }
        return true
    }

    private func write(_ bytes: [UInt8], to final: String) throws(Failure) {
        let dir = (final as NSString).deletingLastPathComponent
        let temporary = final + ".tmp"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
            try FileManager.default.moveItem(atPath: temporary, toPath: final)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw .io("cannot store blob in \(dir): \(error)")
        }
    }
}

// MARK: Pieces (PROTOCOL.md §11.7)

extension BlobStore {
    /// Whether a verified piece list is kept for a blob being fetched.
    public func hasPieces(_ sha: Bytes32) -> Bool { FileManager.default.fileExists(atPath: piecesPath(sha)) }

    /// The piece list kept for a blob being fetched.
    public func pieceList(_ sha: Bytes32) -> (total: UInt64, hashes: [Bytes32])? {
        guard let data = FileManager.default.contents(atPath: piecesPath(sha)), data.count >= 8,
              (data.count - 8) % 32 == 0 else { return nil }
        let bytes = [UInt8](data)
        let total = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let hashes = stride(from: 8, to: bytes.count, by: 32).map { i in
            bytes.withUnsafeBytes { Bytes32(unchecked: $0, at: i) }
        }
        guard hashes.count == BlobPieces.count(total: total) else { return nil }
        return (total, hashes)
    }

    /// The piece hashes of a whole blob this node holds, to serve.
    public func pieceHashes(_ sha: Bytes32) -> (total: UInt64, hashes: [Bytes32])? {
        guard let bytes = contents(sha) else { return nil }
        return (UInt64(bytes.count), BlobPieces.hashes(of: bytes))
    }

    /// Keeps a piece list that the caller checked against the reference's
    /// `pieces`, then checks the bytes already held against it (they may
    /// have come from a peer that sent no list, or before a restart) and
    /// cuts the partial copy back to its first bad piece. Returns the bytes
    /// held afterwards: where the transfer resumes.
    public func storePieces(_ sha: Bytes32, total: UInt64, hashes: [Bytes32]) throws(Failure) -> UInt64 {
        guard hashes.count == BlobPieces.count(total: total) else {
            throw .badPieceList("\(hashes.count) hashes for \(total) bytes")
        }
        guard total <= UInt64(maxBytes) else { throw .tooLarge(Int(clamping: total), max: maxBytes) }
        return try appendLock.withLock { _ throws(Failure) -> UInt64 in
            if has(sha) { return total }
            var file = [UInt8](repeating: 0, count: 8)
            for i in 0..<8 { file[i] = UInt8(truncatingIfNeeded: total >> (56 - 8 * i)) }
            for h in hashes { file += h.bytes }
            // A list from an earlier peer, refused since, is replaced.
            try? FileManager.default.removeItem(atPath: piecesPath(sha))
            try write(file, to: piecesPath(sha))
            let held = heldBytes(sha)
            guard held <= total else {
                try truncatePartial(sha, to: 0)
                return 0
            }
            do throws(Failure) {
                try verifyPieces(sha, (total, hashes), from: 0, to: held)
            } catch {
                guard case .badPiece(_, let kept) = error else { throw error }
                return kept
            }
            return held
        }
    }

    /// Checks every piece that ends in `(from, to]` (the pieces the last
    /// write completed); at the first bad one, cuts the partial copy back
    /// to its start and throws.
    func verifyPieces(_ sha: Bytes32, _ pieces: (total: UInt64, hashes: [Bytes32]), from: UInt64, to: UInt64) throws(Failure) {
        let size = UInt64(BlobPieces.size)
        var index = Int(from / size)
        while index < pieces.hashes.count {
            let range = BlobPieces.range(index, total: pieces.total)
            guard range.upperBound <= to else { break }
            let bytes = readPartial(sha, range) ?? []
            if bytes.count != Int(range.count) || BlobPieces.hash(bytes) != pieces.hashes[index] {
                try truncatePartial(sha, to: range.lowerBound)
                throw .badPiece(index: index, heldAfter: range.lowerBound)
            }
            index += 1
        }
    }

    private func readPartial(_ sha: Bytes32, _ range: Range<UInt64>) -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: partialPath(sha)) else { return nil }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: range.lowerBound)
            return [UInt8](try handle.read(upToCount: Int(range.count)) ?? Data())
        } catch {
            return nil
        }
    }

    private func truncatePartial(_ sha: Bytes32, to length: UInt64) throws(Failure) {
        let path = partialPath(sha)
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.truncate(atOffset: length)
            try handle.synchronize()
        } catch {
            throw .io("cannot cut back \(path): \(error)")
        }
    }
}
