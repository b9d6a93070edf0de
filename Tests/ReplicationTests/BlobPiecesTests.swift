import Foundation
import NIOCore
import Replication
import Testing

/// Photos checked piece by piece (PROTOCOL.md §11.7): the worked example,
/// the frames, and the blob store cutting back only a bad piece.
@Suite struct BlobPiecesTests {
    /// PROTOCOL.md §11.7's example: 40,000 bytes, byte i = i mod 251.
    static let example = (0..<40_000).map { UInt8($0 % 251) }

    @Test func workedExampleMatchesTheProtocolDocument() throws {
        let hashes = BlobPieces.hashes(of: Self.example)
        #expect(hashes.map(\.hex) == [
            "4348e3b98e8a327b34ced39c1da9e67cdb4cd5e48e4d7960607a3ae403d35f0c",
            "f7c9045c2a79a8a2a587efbf5b310652685b292e6fbb0b08c1df857500da2699",
            "8ec99c0fa906ccb81a4c7b869839283e273b596b824b31007f6649d31281db63",
        ])
        #expect(BlobPieces.root(hashes).hex == "2d9734668988a4c3b9ea9f8bf293049584fb7ebd0625617f2e5400005e877fff")
        #expect(BlobPieces.count(total: 0) == 0)
        #expect(BlobPieces.count(total: 16_384) == 1)
        #expect(BlobPieces.count(total: 16_385) == 2)
    }

    @Test func framesRoundTripAndMatchTheDocumentedBytes() throws {
        let sha = try #require(Bytes32(hex: String(repeating: "11", count: 32)))
        let hashes = BlobPieces.hashes(of: Self.example)
        let want = Frame.blobPiecesWant([sha])
        let list = Frame.blobPieces(sha256: sha, total: 40_000, hashes: hashes)
        for frame in [want, list] {
            var buffer = FrameCodec.encode([frame])
            #expect(try FrameCodec.decode(&buffer) == frame)
        }
        #expect(Array(FrameCodec.encode([want]).readableBytesView.prefix(9)) == [0, 0, 0, 0x25, 0x0B, 0, 0, 0, 1])
        // length 137 = type + 32 + 8 + 3 x 32; total 40,000 = 0x9C40.
        #expect(Array(FrameCodec.encode([list]).readableBytesView.prefix(5)) == [0, 0, 0, 0x89, 0x0C])
        #expect(Array(FrameCodec.encode([list]).readableBytesView[37..<45]) == [0, 0, 0, 0, 0, 0, 0x9C, 0x40])
    }

    @Test func malformedPieceListsAreBadFrames() throws {
        func decode(_ payload: [UInt8], type: UInt8 = 0x0C) throws(FrameError) -> Frame? {
            let length = UInt32(payload.count + 1)
            var buffer = ByteBuffer(bytes: (0..<4).map { UInt8(truncatingIfNeeded: length >> (24 - 8 * UInt32($0))) } + [type] + payload)
            return try FrameCodec.decode(&buffer)
        }
        let sha = [UInt8](repeating: 7, count: 32)
        func total(_ n: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: n >> (56 - 8 * UInt64($0))) } }
        // Two hashes for 40,000 bytes (three pieces).
        #expect(throws: FrameError.self) { try decode(sha + total(40_000) + [UInt8](repeating: 0, count: 64)) }
        #expect(throws: FrameError.self) { try decode(sha + [0, 0, 0]) }
        // Over 65,536 pieces.
        #expect(throws: FrameError.self) { try decode(sha + total(Frame.maximumPiecedBlob + 1)) }
        #expect(try decode(sha + total(0)) == .blobPieces(sha256: Bytes32(hex: String(repeating: "07", count: 32))!, total: 0, hashes: []))
        #expect(throws: FrameError.self) { try decode([0, 0, 0, 2] + sha, type: 0x0B) }
    }

    static func photo(_ count: Int) -> [UInt8] {
        [0xFF, 0xD8, 0xFF, 0xE0] + (4..<count).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) }
    }

    static func sha(_ bytes: [UInt8]) -> Bytes32 { BlobPieces.hash(bytes) }

    /// Appends `bytes` from `from` in chunks of `chunk` bytes; returns whether the blob completed.
    @discardableResult
    static func feed(_ blobs: BlobStore, _ sha: Bytes32, _ bytes: [UInt8], from: Int, to: Int, chunk: Int) throws -> Bool {
        var offset = from
        var complete = false
        while offset < to {
            let end = min(to, offset + chunk)
            complete = try blobs.append(sha, total: UInt64(bytes.count), offset: UInt64(offset), bytes: Array(bytes[offset..<end]))
            offset = end
        }
        return complete
    }

    @Test func aBadPieceCostsOnlyThatPieceAndTheRestIsKept() throws {
        let dir = try TemporaryDirectory()
        let blobs = BlobStore(root: dir.file("blobs"))
        let photo = Self.photo(100_000)
        let sha = Self.sha(photo)
        let hashes = BlobPieces.hashes(of: photo)
        #expect(try blobs.storePieces(sha, total: 100_000, hashes: hashes) == 0)
        // Chunks of 5,000 bytes (not aligned to pieces): two good pieces and a bit.
        try Self.feed(blobs, sha, photo, from: 0, to: 35_000, chunk: 5_000)
        #expect(blobs.heldBytes(sha) == 35_000)
        // A peer sends a damaged chunk inside piece 2 (bytes 32,768..49,151).
        var bad = Array(photo[35_000..<40_000])
        bad[100] ^= 0xFF
        _ = try blobs.append(sha, total: 100_000, offset: 35_000, bytes: bad)
        #expect(blobs.heldBytes(sha) == 40_000, "the piece is not complete yet, so not yet checked")
        #expect(throws: BlobStore.Failure.badPiece(index: 2, heldAfter: 32_768)) {
            try Self.feed(blobs, sha, photo, from: 40_000, to: 50_000, chunk: 5_000)
        }
        #expect(blobs.heldBytes(sha) == 32_768, "cut back to the bad piece's start; pieces 0 and 1 kept")
        // Another peer resumes from there.
        #expect(try Self.feed(blobs, sha, photo, from: 32_768, to: 100_000, chunk: 7_000))
        #expect(blobs.contents(sha) == photo)
        #expect(!blobs.hasPieces(sha), "the piece list goes once the photo is whole")
    }

    @Test func aPieceListChecksBytesHeldBeforeItAndSurvivesARestart() throws {
        let dir = try TemporaryDirectory()
        let photo = Self.photo(60_000)
        let sha = Self.sha(photo)
        do {
            // Bytes from a peer that sent no list, one of them wrong (in piece 1).
            let blobs = BlobStore(root: dir.file("blobs"))
            var held = Array(photo[0..<40_000])
            held[20_000] ^= 1
            _ = try blobs.append(sha, total: 60_000, offset: 0, bytes: held)
            #expect(try blobs.storePieces(sha, total: 60_000, hashes: BlobPieces.hashes(of: photo)) == 16_384)
            try Self.feed(blobs, sha, photo, from: 16_384, to: 30_000, chunk: 4_000)
        }
        // The daemon restarts: the list and the bytes are still there.
        let blobs = BlobStore(root: dir.file("blobs"))
        #expect(blobs.hasPieces(sha))
        #expect(blobs.heldBytes(sha) == 30_000)
        #expect(try Self.feed(blobs, sha, photo, from: 30_000, to: 60_000, chunk: 4_000))
        #expect(blobs.has(sha))
    }

    @Test func aListThatDisagreesWithTheChunksIsRefused() throws {
        let dir = try TemporaryDirectory()
        let blobs = BlobStore(root: dir.file("blobs"))
        let photo = Self.photo(20_000)
        let sha = Self.sha(photo)
        #expect(throws: BlobStore.Failure.self) { try blobs.storePieces(sha, total: 20_000, hashes: []) }
        _ = try blobs.storePieces(sha, total: 20_000, hashes: BlobPieces.hashes(of: photo))
        #expect(throws: BlobStore.Failure.self) { try blobs.append(sha, total: 30_000, offset: 0, bytes: Array(photo[0..<100])) }
        #expect(blobs.heldBytes(sha) == 0)
    }
}
