import Foundation
import NIOCore

/// Why bytes are not a valid frame. A receiver answers with ERROR of the
/// matching code and closes.
public struct FrameError: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: ErrorCode
    public let message: String

    static func bad(_ message: String) -> FrameError { FrameError(code: .badFrame, message: message) }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// Encodes and decodes frames: `u32 length | u8 type | payload`, big-endian,
/// where length counts the type byte and the payload.
public enum FrameCodec {
    public static func encode(_ frame: Frame, into buffer: inout ByteBuffer) {
        let lengthIndex = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(frame.type)
        switch frame {
        case .hello(let hello):
            buffer.writeBytes(try! jsonEncoder.encode(hello))
        case .heads(let position, let heads):
            buffer.writeInteger(position)
            buffer.writeInteger(UInt32(heads.count))
            for head in heads {
                write(head.author.key, to: &buffer)
                buffer.writeInteger(head.seq)
                write(head.id.hash, to: &buffer)
            }
        case .want(let ranges):
            buffer.writeInteger(UInt32(ranges.count))
            for range in ranges {
                write(range.author.key, to: &buffer)
                buffer.writeInteger(range.from)
                buffer.writeInteger(range.to)
            }
        case .entries(let entries):
            buffer.writeInteger(UInt32(entries.count))
            for entry in entries {
                buffer.writeInteger(UInt32(entry.count))
                buffer.writeBytes(entry)
            }
        case .ping(let nonce), .pong(let nonce):
            buffer.writeInteger(nonce)
        case .error(let error):
            buffer.writeBytes(try! jsonEncoder.encode(error))
        case .blobWant(let requests):
            buffer.writeInteger(UInt32(requests.count))
            for r in requests {
                write(r.sha256, to: &buffer)
                buffer.writeInteger(r.offset)
            }
        case .blobData(let sha, let total, let offset, let bytes):
            write(sha, to: &buffer)
            buffer.writeInteger(total)
            buffer.writeInteger(offset)
            buffer.writeBytes(bytes)
        case .blobNone(let sha), .blobHeld(let sha):
            write(sha, to: &buffer)
        case .blobPiecesWant(let shas):
            buffer.writeInteger(UInt32(shas.count))
            for sha in shas { write(sha, to: &buffer) }
        case .blobPieces(let sha, let total, let hashes):
            write(sha, to: &buffer)
            buffer.writeInteger(total)
            for h in hashes { write(h, to: &buffer) }
        case .unknown(_, let payload):
            buffer.writeBytes(payload)
        }
        let length = buffer.writerIndex - lengthIndex - 4
        buffer.setInteger(UInt32(length), at: lengthIndex)
    }

    public static func encode(_ frames: [Frame], allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: frames.reduce(0) { $0 + $1.estimatedSize })
        for frame in frames { encode(frame, into: &buffer) }
        return buffer
    }

    /// Reads one whole frame from the front of `buffer`, or returns nil and
    /// leaves the buffer alone when the frame has not fully arrived.
    /// `limit` is `Frame.maximumFirstLength` for a connection's first frame.
    public static func decode(_ buffer: inout ByteBuffer, limit: Int = Frame.maximumLength) throws(FrameError) -> Frame? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        guard length >= 1 else { throw .bad("frame of length 0 (no type byte)") }
        guard length <= limit else {
            let what = limit < Frame.maximumLength ? "the first frame (HELLO) of a connection" : "a frame"
            throw FrameError(code: .tooLarge, message: "\(what) of \(length) bytes; the most is \(limit)")
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        var payload = buffer.readSlice(length: Int(length))!
        let type: UInt8 = payload.readInteger()!
        return try decodePayload(type: type, &payload)
    }

    static func decodePayload(type: UInt8, _ p: inout ByteBuffer) throws(FrameError) -> Frame {
        guard let kind = Frame.Kind(rawValue: type) else {
            return .unknown(type: type, payload: p.readBytes(length: p.readableBytes) ?? [])
        }
        let name = "\(kind)".uppercased()
        func need(_ n: Int) throws(FrameError) {
            guard p.readableBytes >= n else { throw .bad("\(name) frame is truncated") }
        }
        func done() throws(FrameError) {
            guard p.readableBytes == 0 else { throw .bad("\(name) frame has \(p.readableBytes) unexpected trailing bytes") }
        }
        func count(recordSize: Int, limit: Int) throws(FrameError) -> Int {
            try need(4)
            let n = Int(p.readInteger(as: UInt32.self)!)
            guard n <= limit else { throw .bad("\(name) frame with \(n) records; the most is \(limit)") }
            guard p.readableBytes == n * recordSize else {
                throw .bad("\(name) frame says \(n) records but holds \(p.readableBytes) bytes")
            }
            return n
        }
        switch kind {
        case .hello:
            guard let hello = try? jsonDecoder.decode(Hello.self, from: Data(p.readableBytesView)) else {
                throw .bad("HELLO is not a JSON object with protocol, network, node, agent, feed, since_feed and since")
            }
            return .hello(hello)
        case .heads:
            try need(8)
            let position: UInt64 = p.readInteger()!
            let n = try count(recordSize: 72, limit: Frame.maximumHeadsPerFrame)
            var heads: [Head] = []
            heads.reserveCapacity(n)
            for _ in 0..<n {
                let author = read32(&p)
                let seq: UInt64 = p.readInteger()!
                let id = read32(&p)
                guard seq >= 1 else { throw .bad("HEADS record with seq 0") }
                heads.append(Head(author: NodeID(key: author), seq: seq, id: EntryID(hash: id)))
            }
            return .heads(position: position, heads: heads)
        case .want:
            let n = try count(recordSize: 48, limit: Frame.maximumWantsPerFrame)
            var ranges: [WantRange] = []
            ranges.reserveCapacity(n)
            for _ in 0..<n {
                let author = read32(&p)
                let from: UInt64 = p.readInteger()!
                let to: UInt64 = p.readInteger()!
                guard from >= 1 && from <= to else { throw .bad("WANT range \(from)...\(to) (must have 1 <= from_seq <= to_seq)") }
                ranges.append(WantRange(author: NodeID(key: author), from: from, to: to))
            }
            return .want(ranges)
        case .entries:
            try need(4)
            let n = Int(p.readInteger(as: UInt32.self)!)
            guard n <= p.readableBytes / 4 else { throw .bad("ENTRIES frame says \(n) entries but is too short") }
            var entries: [[UInt8]] = []
            entries.reserveCapacity(n)
            for _ in 0..<n {
                try need(4)
                let length = Int(p.readInteger(as: UInt32.self)!)
                try need(length)
                entries.append(p.readBytes(length: length)!)
            }
            try done()
            return .entries(entries)
        case .ping, .pong:
            try need(8)
            let nonce: UInt64 = p.readInteger()!
            try done()
            return kind == .ping ? .ping(nonce) : .pong(nonce)
        case .error:
            guard let error = try? jsonDecoder.decode(ProtocolError.self, from: Data(p.readableBytesView)) else {
                throw .bad("ERROR is not a JSON object with code and message")
            }
            return .error(error)
        case .blobWant:
            let n = try count(recordSize: 40, limit: Frame.maximumWantsPerFrame)
            var requests: [BlobRequest] = []
            for _ in 0..<n {
                let sha = read32(&p)
                let offset: UInt64 = p.readInteger()!
                requests.append(BlobRequest(sha256: sha, offset: offset))
            }
            return .blobWant(requests)
        case .blobData:
            try need(48)
            let sha = read32(&p)
            let total: UInt64 = p.readInteger()!
            let offset: UInt64 = p.readInteger()!
            let bytes = p.readBytes(length: p.readableBytes)!
            guard bytes.count <= Frame.maximumBlobChunk else {
                throw .bad("BLOB_DATA chunk of \(bytes.count) bytes; the most is \(Frame.maximumBlobChunk)")
            }
            guard offset <= total, UInt64(bytes.count) <= total - offset else {
                throw .bad("BLOB_DATA chunk at \(offset)+\(bytes.count) runs past the blob's \(total) bytes")
            }
            return .blobData(sha256: sha, total: total, offset: offset, bytes: bytes)
        case .blobNone:
            try need(32)
            let sha = read32(&p)
            try done()
            return .blobNone(sha)
        case .blobHeld:
            try need(32)
            let sha = read32(&p)
            try done()
            return .blobHeld(sha)
        case .blobPiecesWant:
            let n = try count(recordSize: 32, limit: Frame.maximumWantsPerFrame)
            return .blobPiecesWant((0..<n).map { _ in read32(&p) })
        case .blobPieces:
            try need(40)
            let sha = read32(&p)
            let total: UInt64 = p.readInteger()!
            guard total <= Frame.maximumPiecedBlob else {
                throw .bad("BLOB_PIECES for a blob of \(total) bytes; the most is \(Frame.maximumPiecedBlob)")
            }
            let n = BlobPieces.count(total: total)
            guard p.readableBytes == n * 32 else {
                throw .bad("BLOB_PIECES for \(total) bytes must carry \(n) hashes (\(n * 32) bytes), not \(p.readableBytes) bytes")
            }
            return .blobPieces(sha256: sha, total: total, hashes: (0..<n).map { _ in read32(&p) })
        }
    }

    static func write(_ value: Bytes32, to buffer: inout ByteBuffer) {
        buffer.writeInteger(value.w0)
        buffer.writeInteger(value.w1)
        buffer.writeInteger(value.w2)
        buffer.writeInteger(value.w3)
    }

    static func read32(_ buffer: inout ByteBuffer) -> Bytes32 {
        Bytes32(w0: buffer.readInteger()!, w1: buffer.readInteger()!, w2: buffer.readInteger()!, w3: buffer.readInteger()!)
    }

    static let jsonEncoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()
    static let jsonDecoder = JSONDecoder()
}

extension Frame {
    /// Bytes this frame takes on the wire, close enough to size buffers.
    public var estimatedSize: Int {
        switch self {
        case .hello: 5 + 320
        case .heads(_, let heads): 5 + 12 + heads.count * 72
        case .want(let ranges): 5 + 4 + ranges.count * 48
        case .entries(let entries): 5 + 4 + entries.reduce(0) { $0 + 4 + $1.count }
        case .ping, .pong: 5 + 8
        case .error(let e): 5 + 40 + e.message.utf8.count
        case .blobWant(let r): 5 + 4 + r.count * 40
        case .blobData(_, _, _, let bytes): 5 + 48 + bytes.count
        case .blobNone, .blobHeld: 5 + 32
        case .blobPiecesWant(let shas): 5 + 4 + shas.count * 32
        case .blobPieces(_, _, let hashes): 5 + 40 + hashes.count * 32
        case .unknown(_, let payload): 5 + payload.count
        }
    }
}
