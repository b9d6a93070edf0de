import NIOCore
import NIOEmbedded
import NIOTestUtils
import Replication
import Testing

@Suite struct FrameCodecTests {
    static let author = NodeID(key: Bytes32(w0: 1, w1: 2, w2: 3, w3: 4))
    static let id = EntryID(hash: Bytes32(w0: 5, w1: 6, w2: 7, w3: 8))
    static let feed = FeedID(bytes: Array(0..<16))!

    static let samples: [Frame] = [
        .hello(Hello(network: author, node: author, agent: "tcnode/0.1.0", feed: feed, since: Checkpoint(feed: feed, position: 42))),
        .heads(position: 7, heads: [Head(author: author, seq: 3, id: id)]),
        .heads(position: 0, heads: []),
        .want([WantRange(author: author, from: 1, to: 9)]),
        .entries([[1, 2, 3], [], Array(repeating: 9, count: 300)]),
        .ping(77),
        .pong(77),
        .error(ProtocolError(.notAMember, "ask the authority")),
        .blobWant([BlobRequest(sha256: id.hash, offset: 1024)]),
        .blobData(sha256: id.hash, total: 10, offset: 4, bytes: [1, 2, 3]),
        .blobNone(id.hash),
        .blobHeld(id.hash),
        .unknown(type: 0x42, payload: [1, 2]),
    ]

    @Test func everyFrameRoundTrips() throws {
        for frame in Self.samples {
            var buffer = FrameCodec.encode([frame])
            #expect(try FrameCodec.decode(&buffer) == frame)
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test func layoutIsBigEndianLengthTypePayload() {
        let buffer = FrameCodec.encode([.ping(0x0102_0304_0506_0708)])
        #expect(Array(buffer.readableBytesView) == [0, 0, 0, 9, 0x05, 1, 2, 3, 4, 5, 6, 7, 8])
        let heads = FrameCodec.encode([.heads(position: 1, heads: [Head(author: Self.author, seq: 2, id: Self.id)])])
        #expect(heads.readableBytes == 4 + 1 + 8 + 4 + 72)
    }

    @Test func decoderVerifierAcceptsEveryWayOfSplittingTheBytes() throws {
        var pairs: [(ByteBuffer, [Frame])] = []
        for frame in Self.samples {
            pairs.append((FrameCodec.encode([frame]), [frame]))
        }
        pairs.append((FrameCodec.encode(Array(Self.samples.prefix(4))), Array(Self.samples.prefix(4))))
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { FrameDecoder() }
    }

    @Test func malformedInputIsRefusedWithTheRightCode() {
        func code(_ bytes: [UInt8]) -> ErrorCode? {
            var buffer = ByteBuffer(bytes: bytes)
            do {
                _ = try FrameCodec.decode(&buffer)
                return nil
            } catch {
                return error.code
            }
        }
        // Length 0: no type byte.
        #expect(code([0, 0, 0, 0]) == .badFrame)
        // Over 8 MiB, refused before the bytes arrive.
        #expect(code([0, 0x80, 0, 1, 0x04]) == .tooLarge)
        #expect(code([0xff, 0xff, 0xff, 0xff]) == .tooLarge)
        // HEADS whose count does not match its bytes.
        #expect(code([0, 0, 0, 13, 0x02, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]) == .badFrame)
        // WANT with from_seq 0 or from > to.
        var want = FrameCodec.encode([.want([WantRange(author: Self.author, from: 1, to: 1)])])
        want.setInteger(UInt64(0), at: 4 + 1 + 4 + 32)
        #expect(code(Array(want.readableBytesView)) == .badFrame)
        // PING with a truncated nonce; PONG with trailing bytes.
        #expect(code([0, 0, 0, 5, 0x05, 1, 2, 3, 4]) == .badFrame)
        #expect(code([0, 0, 0, 10, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, 9]) == .badFrame)
        // HELLO that is not JSON, or misses fields.
        #expect(code([0, 0, 0, 3, 0x01, 0x7b, 0x7d]) == .badFrame)
        #expect(code([0, 0, 0, 4, 0x01, 0xff, 0xfe, 0x00]) == .badFrame)
        // ENTRIES whose entry length runs past the frame.
        #expect(code([0, 0, 0, 9, 0x04, 0, 0, 0, 1, 0, 0, 0, 9]) == .badFrame)
        // BLOB_DATA running past its total.
        var blob = FrameCodec.encode([.blobData(sha256: Self.id.hash, total: 3, offset: 0, bytes: [1, 2, 3])])
        blob.setInteger(UInt64(2), at: 4 + 1 + 32)
        #expect(code(Array(blob.readableBytesView)) == .badFrame)
        // BLOB_HELD of 31 or 33 bytes.
        #expect(code([0, 0, 0, 32, 0x0D] + Array(repeating: 0x11, count: 31)) == .badFrame)
        #expect(code([0, 0, 0, 34, 0x0D] + Array(repeating: 0x11, count: 33)) == .badFrame)
    }

    /// PROTOCOL.md §6.13's example.
    @Test func blobHeldIsAsDocumented() throws {
        let sha = Bytes32(Array(repeating: 0x11, count: 32))!
        let bytes = Array(FrameCodec.encode([.blobHeld(sha)]).readableBytesView)
        #expect(bytes == [0, 0, 0, 0x21, 0x0D] + Array(repeating: 0x11, count: 32))
    }

    @Test func incompleteFrameWaitsForMoreBytes() throws {
        let whole = FrameCodec.encode([.ping(1)])
        var partial = whole.getSlice(at: 0, length: whole.readableBytes - 1)!
        #expect(try FrameCodec.decode(&partial) == nil)
        #expect(partial.readableBytes == whole.readableBytes - 1)
    }

    @Test func encoderPacksABatchIntoOneWrite() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(FrameEncoder()))
        try channel.writeAndFlush([Frame.ping(1), .pong(2), .ping(3)]).wait()
        let out = try channel.readOutbound(as: ByteBuffer.self)
        #expect(out?.readableBytes == 3 * 13)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        _ = try channel.finish()
    }

    @Test func garbageOnAChannelIsAnErrorNotACrash() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        var garbage = ByteBuffer()
        garbage.writeBytes([0, 0, 0, 0, 1, 2, 3])
        #expect(throws: FrameError.self) { try channel.writeInbound(garbage) }
        _ = try? channel.finish()
    }
}
