import Crypto
import Foundation

/// Writes a bundle into a temporary file beside its destination and moves it
/// into place only once it is complete and on disk: a stick pulled out
/// mid-export leaves the earlier file (or none), never a half-written one
/// under the real name. Synchronous file I/O: run it off the cooperative
/// pool (`OffPool.run`).
final class BundleFileWriter {
    let path: String
    let temporary: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private(set) var offset: UInt64 = 0
    private(set) var sections: [BundleManifest.Section] = []
    private(set) var headerSHA256 = ""
    private static let flushAt = 1 << 20

    init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw BundleFileError(.unreadable, "cannot write \(path): the folder \(directory) does not exist (is the stick mounted?)")
        }
        temporary = (directory as NSString).appendingPathComponent(".\(url.lastPathComponent).\(UInt32.random(in: 0 ... .max)).part")
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw BundleFileError(.unreadable, "cannot write in \(directory): \(String(cString: strerror(errno))) (is the stick full or read-only?)")
        }
        buffer.reserveCapacity(Self.flushAt + Frame.maximumEntriesPayload + 16)
    }

    deinit { abandon() }

    func writeMagic() throws { try append(BundleFormat.magic) }

    /// Writes one frame; sections (HEADS, ENTRIES, BLOB_DATA) are listed for
    /// the manifest with their SHA-256. Returns the frame's offset.
    @discardableResult
    func writeFrame(type: UInt8, payload: [UInt8], records: Int = 0) throws -> UInt64 {
        let start = offset
        let length = UInt32(payload.count + 1)
        let head: [UInt8] = [UInt8(length >> 24), UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8),
                             UInt8(truncatingIfNeeded: length), type]
        var hasher = SHA256()
        hasher.update(data: head)
        hasher.update(data: payload)
        let sha = Hex.encode(Array(hasher.finalize()))
        try append(head)
        try append(payload)
        if type == BundleFormat.FrameType.header.rawValue {
            headerSHA256 = sha
        } else if BundleFormat.sectionTypes.contains(type) {
            sections.append(.init(type: type, offset: start, length: UInt64(payload.count + 5), sha256: sha, records: records))
        }
        return start
    }

    /// Writes the manifest and the end frame, syncs the file and moves it to
    /// `path` (replacing an older bundle there), then syncs the folder.
    func finish(manifestPayload: [UInt8]) throws {
        let manifestOffset = try writeFrame(type: BundleFormat.FrameType.manifest.rawValue, payload: manifestPayload)
        var end: [UInt8] = []
        end.appendBigEndian(manifestOffset)
        try writeFrame(type: BundleFormat.FrameType.end.rawValue, payload: end)
        try flush()
        guard fsync(fd) == 0 else { throw ioError("cannot sync") }
        close(fd)
        fd = -1
        guard rename(temporary, path) == 0 else { throw ioError("cannot move the bundle into place as") }
        let directory = (path as NSString).deletingLastPathComponent
        let dfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }

    /// Removes the temporary file (after a failure or cancellation).
    func abandon() {
        if fd >= 0 {
            close(fd)
            fd = -1
            unlink(temporary)
        }
    }

    private func append(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        offset += UInt64(bytes.count)
        if buffer.count >= Self.flushAt { try flush() }
    }

    private func flush() throws {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("cannot write")
            }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private func ioError(_ what: String) -> BundleFileError {
        BundleFileError(.unreadable, "\(what) \(path): \(String(cString: strerror(errno))) (is the stick full or removed?)")
    }
}

/// Reads a bundle file at given offsets (the manifest says where each
/// section is, so a damaged length field loses one section, not the rest).
final class BundleFileReader: Sendable {
    let path: String
    let size: UInt64
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let why = errno == ENOENT ? "no such file" : String(cString: strerror(errno))
            throw BundleFileError(.unreadable, "cannot read \(path): \(why)")
        }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw BundleFileError(.unreadable, "\(path) is not a regular file")
        }
        size = UInt64(st.st_size)
    }

    deinit { close(fd) }

    /// Up to `count` bytes from `offset` (fewer at the end of the file).
    func read(at offset: UInt64, count: Int) -> [UInt8] {
        guard offset < size, count > 0 else { return [] }
        let n = Int(min(UInt64(count), size - offset))
        var out = [UInt8](repeating: 0, count: n)
        var done = 0
        while done < n {
            let r = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, n - done, off_t(offset) + off_t(done)) }
            if r < 0 && errno == EINTR { continue }
            if r <= 0 { break }
            done += r
        }
        if done < n { out.removeLast(n - done) }
        return out
    }

    /// The length and type of the frame at `offset`, if the file holds them.
    func frameHead(at offset: UInt64) -> (length: UInt32, type: UInt8)? {
        let h = read(at: offset, count: 5)
        guard h.count == 5 else { return nil }
        return (UInt32(h[0]) << 24 | UInt32(h[1]) << 16 | UInt32(h[2]) << 8 | UInt32(h[3]), h[4])
    }
}

/// Where a section is, and the SHA-256 the manifest gives it (if verified).
struct SectionRef: Sendable {
    let index: Int
    let type: UInt8
    let offset: UInt64
    /// The whole frame: 4 + its length field.
    let length: UInt64
    let sha256: String?
}

/// One section as read: the payload may be short when the file ends inside it.
struct SectionRead {
    let index: Int
    let type: UInt8
    let offset: UInt64
    let payload: [UInt8]
    /// False when the file ended before the frame's declared length.
    let complete: Bool
    /// Whether the frame matches the manifest's SHA-256 (nil without a verified manifest).
    let checksumMatches: Bool?
}

/// A bundle file opened and checked as far as its header and manifest: the
/// first steps of every import, `show` and heads read (PROTOCOL.md §13.5).
final class OpenedBundle: Sendable {
    let reader: BundleFileReader
    let header: BundleHeader?
    /// The manifest, only when its signature verified and it names the same bundle.
    let manifest: BundleManifest?
    let headerFrameEnd: UInt64
    let manifestOffset: UInt64?
    let problems: [BundleProblem]
    let manifestState: BundleManifestState

    /// Opens `path`; throws only when nothing of it can be used (not a
    /// bundle, a newer format, a header and manifest both unreadable).
    init(path: String) throws {
        reader = try BundleFileReader(path: path)
        let magic = reader.read(at: 0, count: BundleFormat.magic.count)
        guard magic == BundleFormat.magic else {
            throw BundleFileError(.notABundle, "\(path) is not a tcnode bundle (it does not start with the bundle magic bytes)")
        }
        var problems: [BundleProblem] = []
        let headerOffset = UInt64(BundleFormat.magic.count)
        var headerFrame: [UInt8] = []
        var header: BundleHeader?
        var headerEnd = headerOffset
        if let (length, type) = reader.frameHead(at: headerOffset), type == BundleFormat.FrameType.header.rawValue,
            length >= 1, Int(length) <= BundleFormat.maximumHeaderLength
        {
            headerFrame = reader.read(at: headerOffset, count: 4 + Int(length))
            headerEnd = headerOffset + 4 + UInt64(length)
            if headerFrame.count == 4 + Int(length) {
                header = try? JSONDecoder().decode(BundleHeader.self, from: Data(headerFrame[5...]))
            }
        }
        if header == nil {
            problems.append(.init(.damagedHeader, offset: headerOffset, "the header (at byte \(headerOffset)) is damaged and cannot be read"))
        }
        if let h = header, h.format > BundleFormat.version {
            throw BundleFileError(.newerFormat, "\(path) was made by a newer tcnode (bundle format \(h.format); this one reads format \(BundleFormat.version)); upgrade tcnode to import it")
        }

        // The end frame points at the manifest.
        var manifest: BundleManifest?
        var manifestOffset: UInt64?
        var state = BundleManifestState.missing
        let end = reader.size >= UInt64(BundleFormat.endFrameSize) ? reader.read(at: reader.size - UInt64(BundleFormat.endFrameSize), count: BundleFormat.endFrameSize) : []
        if end.count == BundleFormat.endFrameSize, Array(end[0..<5]) == [0, 0, 0, 9, BundleFormat.FrameType.end.rawValue] {
            let at = end[5...].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if at >= headerEnd, at < reader.size - UInt64(BundleFormat.endFrameSize),
                let (length, type) = reader.frameHead(at: at), type == BundleFormat.FrameType.manifest.rawValue,
                Int(length) <= BundleFormat.maximumManifestLength, at + 4 + UInt64(length) == reader.size - UInt64(BundleFormat.endFrameSize),
                length > 65
            {
                manifestOffset = at
                let frame = reader.read(at: at, count: 4 + Int(length))
                let signature = Array(frame[5..<69])
                let json = Array(frame[69...])
                if let m = try? JSONDecoder().decode(BundleManifest.self, from: Data(json)), let exporter = NodeID(m.exporter),
                    exporter.verifies(signature: signature, over: BundleFormat.signatureContext + json)
                {
                    manifest = m
                    state = .verified
                } else {
                    state = .invalid
                    problems.append(.init(.manifestSignature, offset: at,
                                          "the manifest (at byte \(at)) does not verify: the bundle was changed or damaged after it was made"))
                }
            } else {
                state = .invalid
                problems.append(.init(.manifestDamaged, offset: reader.size - UInt64(BundleFormat.endFrameSize),
                                      "the end of the bundle does not point at a readable manifest"))
            }
        } else {
            problems.append(.init(.truncated, offset: reader.size,
                                  "the bundle ends at byte \(reader.size) without its manifest: it was cut short (copy interrupted, stick pulled out) or is not finished"))
        }
        if let m = manifest {
            if m.header_sha256 != BundleFormat.sha256Hex(headerFrame) {
                problems.append(.init(.damagedHeader, offset: headerOffset,
                                      "the header does not match the manifest's checksum (changed or damaged); the manifest's network and exporter are used"))
                // The signed manifest is the trusted copy of what matters.
                if var h = header {
                    h.network = m.network
                    h.exporter = m.exporter
                    h.bundle = m.bundle
                    h.created_ms = m.created_ms
                    header = h
                }
            }
            if let h = header, h.bundle != m.bundle {
                problems.append(.init(.damagedHeader, offset: headerOffset, "the header names another bundle than the manifest"))
            }
        }
        if header == nil && manifest == nil {
            throw BundleFileError(.damagedHeader, "\(path): the header is damaged and there is no readable manifest, so it cannot tell which network the bundle is of; nothing was imported. Ask for the bundle again.")
        }
        self.header = header
        self.manifest = manifest
        self.headerFrameEnd = headerEnd
        self.manifestOffset = manifestOffset
        self.problems = problems
        self.manifestState = state
    }

    var network: String { manifest?.network ?? header!.network }
    var exporter: String { manifest?.exporter ?? header!.exporter }
    var bundleID: String { manifest?.bundle ?? header!.bundle }
    var createdMs: Int64 { manifest?.created_ms ?? header!.created_ms }
    var isHeadsOnly: Bool { header?.isHeadsOnly ?? ((manifest?.entries ?? 0) == 0 && (manifest?.photos ?? 0) == 0) }

    /// The sections to read, in file order: the manifest's when it
    /// verified (each then checked against its SHA-256), otherwise found
    /// frame after frame until the manifest or the first frame that cannot
    /// be read. Only frame heads are read here.
    func sectionPlan() -> (sections: [SectionRef], problems: [BundleProblem]) {
        if let manifest, sectionsAreOrdered(manifest) {
            return (manifest.sections.enumerated().map {
                SectionRef(index: $0.offset, type: $0.element.type, offset: $0.element.offset, length: $0.element.length, sha256: $0.element.sha256)
            }, [])
        }
        var refs: [SectionRef] = []
        var problems: [BundleProblem] = []
        var offset = headerFrameEnd
        let stop = manifestOffset ?? reader.size
        while offset < stop {
            guard let (length, type) = reader.frameHead(at: offset) else {
                problems.append(.init(.truncated, offset: offset, "the bundle ends inside a frame header at byte \(offset)"))
                break
            }
            if type == BundleFormat.FrameType.manifest.rawValue || type == BundleFormat.FrameType.end.rawValue { break }
            guard length >= 1, Int(length) <= BundleFormat.maximumSectionLength else {
                problems.append(.init(.unreadable, offset: offset,
                                      "the bundle cannot be read on from byte \(offset) (a frame length of \(length)); what came before is kept"))
                break
            }
            refs.append(SectionRef(index: refs.count, type: type, offset: offset, length: 4 + UInt64(length), sha256: nil))
            if offset + 4 + UInt64(length) > reader.size {
                problems.append(.init(.truncated, section: refs.count - 1, offset: offset,
                                      "the bundle ends inside section \(refs.count) (\(Self.name(type)) at byte \(offset)); the entries in it before the cut are kept"))
                break
            }
            offset += 4 + UInt64(length)
        }
        return (refs, problems)
    }

    /// Reads one section; `problem` is set when it does not match the manifest.
    func read(_ ref: SectionRef) -> (section: SectionRead, problem: BundleProblem?) {
        let frame = reader.read(at: ref.offset, count: Int(ref.length))
        let complete = frame.count == Int(ref.length)
        let matches = ref.sha256.map { complete && BundleFormat.sha256Hex(frame) == $0 }
        var problem: BundleProblem?
        if matches == false {
            problem = .init(.sectionChecksum, section: ref.index, offset: ref.offset,
                            "section \(ref.index + 1) (\(Self.name(ref.type)) at byte \(ref.offset)) does not match its checksum: it was changed or damaged; what in it still verifies is kept")
        }
        // The manifest's type wins over a damaged type byte.
        let payload = frame.count > 5 ? Array(frame[5...]) : []
        return (SectionRead(index: ref.index, type: ref.type, offset: ref.offset, payload: payload, complete: complete, checksumMatches: matches), problem)
    }

    /// Reads every section in order (`sectionPlan`, `read`); `body` returns
    /// false to stop. Problems found on the way are passed to `problem`.
    func forEachSection(_ body: (SectionRead) throws -> Bool, problem: (BundleProblem) -> Void) rethrows {
        let (refs, problems) = sectionPlan()
        problems.forEach(problem)
        for ref in refs {
            let (section, p) = read(ref)
            if let p { problem(p) }
            guard try body(section) else { return }
        }
    }

    private func sectionsAreOrdered(_ m: BundleManifest) -> Bool {
        var next = headerFrameEnd
        for s in m.sections {
            guard s.offset >= next, s.length >= 5, s.length <= UInt64(4 + BundleFormat.maximumSectionLength) else { return false }
            next = s.offset + s.length
        }
        return next <= (manifestOffset ?? reader.size)
    }

    static func name(_ type: UInt8) -> String {
        switch type {
        case Frame.Kind.heads.rawValue: "HEADS"
        case Frame.Kind.entries.rawValue: "ENTRIES"
        case Frame.Kind.blobData.rawValue: "BLOB_DATA"
        default: "type 0x\(String(type, radix: 16))"
        }
    }
}

/// Whether a bundle's signed manifest could be used.
public enum BundleManifestState: String, Codable, Sendable {
    /// Signature verified: every section is checked against its SHA-256.
    case verified
    /// Present but it does not verify (changed or damaged).
    case invalid
    /// The file ends before it (cut short or still being written).
    case missing
}

/// Something wrong with a bundle file itself (not with one entry).
public struct BundleProblem: Codable, Sendable, Equatable {
    public enum Code: String, Codable, Sendable {
        case damagedHeader = "damaged-header"
        case manifestSignature = "manifest-signature"
        case manifestDamaged = "manifest-damaged"
        case truncated
        case unreadable
        case sectionChecksum = "section-checksum"
        case sectionDamaged = "section-damaged"
        case countMismatch = "count-mismatch"
    }

    public var code: Code
    /// Section number, from 0, when the problem is in one.
    public var section: Int?
    public var offset: UInt64?
    public var message: String

    public init(_ code: Code, section: Int? = nil, offset: UInt64? = nil, _ message: String) {
        self.code = code
        self.section = section
        self.offset = offset
        self.message = message
    }
}

extension NodeID {
    /// Checks an Ed25519 signature by this node's key.
    func verifies(signature: [UInt8], over message: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}
