import Replication
import Testing

/// The connection core alone (`Connection`): events and an injected clock
/// in, actions out. Send order, frame sizes, liveness, the trust re-check
/// and the photo exchange, with no I/O.
@Suite struct ConnectionTests {
    typealias S = SyncSessionTests

    static func connection(timing: ConnectionTiming = ConnectionTiming(), fetchesPhotos: Bool = true,
                           refusal: String? = nil) -> Connection {
        var session = SyncSession.Configuration(network: S.network, local: S.local, peer: S.peer, peerTrusted: true,
                                                agent: "tcnode/test", feed: S.localFeed, checkpoint: nil, refusal: refusal)
        session.name = "test"
        return Connection(.init(session: session, timing: timing, fetchesPhotos: fetchesPhotos, maximumBlobChunk: 16 * 1024))
    }

    /// A connection past HELLO with its first heads sent and written.
    static func established(timing: ConnectionTiming = ConnectionTiming()) -> Connection {
        var c = connection(timing: timing)
        _ = c.handle(.start, now: 0)
        _ = c.handle(.written, now: 0)
        _ = c.handle(.received(.hello(S.peerHello())), now: 10)
        _ = c.handle(.headsLoaded(HeadsSnapshot(position: 0, heads: [])), now: 10)
        _ = c.handle(.compared(request: 1, []), now: 10)
        _ = c.handle(.written, now: 10)
        // The peer's heads: nothing to fetch, so in sync.
        _ = c.handle(.received(.heads(position: 0, heads: [])), now: 10)
        let synced = c.handle(.compared(request: 2, []), now: 10)
        #expect(c.session.isInSync)
        // In sync, it asks for photos to fetch; none yet.
        #expect(synced.contains(.choosePhotos(excluding: [])))
        _ = c.handle(.photosChosen([]), now: 10)
        return c
    }

    static func writes(_ actions: [Connection.Action]) -> [[Frame]] {
        actions.compactMap { if case .write(let frames) = $0 { frames } else { nil } }
    }

    static func entry(seq: UInt64, author: NodeKey) -> [UInt8] {
        var prev = Bytes32.zero
        var bytes: [UInt8] = []
        for n in 1...seq {
            let e = try! Entry.sign(.put(kind: "product", key: "p\(n)", body: #"{"name":"x"}"#, time: 1), seq: n, prev: prev, with: author)
            prev = e.entry.id.hash
            bytes = e.entry.bytes
        }
        return bytes
    }

    @Test func controlFramesOvertakeQueuedPhotoData() throws {
        var c = Self.established()
        let sha = Bytes32(Array(repeating: 7, count: 32))!
        var actions = c.handle(.received(.blobWant([BlobRequest(sha256: sha, offset: 0)])), now: 20)
        guard case .readPhoto(_, 0, let length)? = actions.first else { Issue.record("\(actions)"); return }
        actions = c.handle(.photoRead(sha, total: 100_000, offset: 0, bytes: Array(repeating: 1, count: length)), now: 21)
        // The first chunk goes to the free writer; the next is read ahead.
        #expect(Self.writes(actions).first?.first?.name == "BLOBDATA")
        guard case .readPhoto(_, let next, let length2)? = actions.first(where: { if case .readPhoto = $0 { true } else { false } }) else {
            Issue.record("\(actions)"); return
        }
        _ = c.handle(.photoRead(sha, total: 100_000, offset: next, bytes: Array(repeating: 2, count: length2)), now: 22)
        // While the writer is busy, the peer pings and asks for entries.
        #expect(Self.writes(c.handle(.received(.ping(5)), now: 23)).isEmpty)
        let author = NodeKey()
        actions = c.handle(.received(.want([WantRange(author: author.id, from: 1, to: 1)])), now: 24)
        guard case .readEntries(let ranges, _)? = actions.first else { Issue.record("\(actions)"); return }
        #expect(ranges == [WantRange(author: author.id, from: 1, to: 1)])
        #expect(Self.writes(c.handle(.entriesRead([Self.entry(seq: 1, author: author)]), now: 25)).isEmpty)
        // The writer frees: PONG and the entries go before the queued photo chunk.
        let batch = Self.writes(c.handle(.written, now: 26)).first ?? []
        #expect(batch.map(\.name) == ["PONG", "ENTRIES"])
        #expect(Self.writes(c.handle(.written, now: 27)).first?.map(\.name) == ["BLOBDATA"])
    }

    @Test func dataFramesAreSizedToTheMeasuredLink() {
        var c = Self.established()
        let sha = Bytes32(Array(repeating: 9, count: 32))!
        var actions = c.handle(.received(.blobWant([BlobRequest(sha256: sha, offset: 0)])), now: 0)
        var offset: UInt64 = 0
        var now: Int64 = 0
        var lengths: [Int] = []
        // A link that drains 8,000 bytes per second: each write completes
        // after its size over that rate.
        for _ in 0..<30 {
            guard case .readPhoto(_, _, let length)? = actions.first(where: { if case .readPhoto = $0 { true } else { false } }) else { break }
            lengths.append(length)
            actions = c.handle(.photoRead(sha, total: 10_000_000, offset: offset, bytes: Array(repeating: 0, count: length)), now: now)
            offset += UInt64(length)
            if !Self.writes(actions).isEmpty {
                now += Int64(length) * 1000 / 8000
                actions += c.handle(.written, now: now)
            }
        }
        #expect(lengths.first == 8 * 1024)
        // Once measured, a chunk takes about half a second of this link, never less than the floor.
        #expect(lengths.suffix(10).allSatisfy { $0 >= 3000 && $0 <= 5000 }, "\(lengths)")
    }

    @Test func idleTimersRunOnTheInjectedClock() {
        var timing = ConnectionTiming()
        timing.idleSendMs = 1_000
        timing.idleReceiveMs = 3_000
        var c = Self.established(timing: timing)
        #expect(Self.writes(c.handle(.tick(bytesIn: 100, bytesOut: 100), now: 500)).isEmpty)
        let ping = Self.writes(c.handle(.tick(bytesIn: 100, bytesOut: 100), now: 1_600))
        #expect(ping.first?.first?.name == "PING")
        _ = c.handle(.written, now: 1_600)
        // Bytes still arriving (a large frame on a slow link) keep it alive.
        #expect(!c.handle(.tick(bytesIn: 200, bytesOut: 100), now: 3_200).contains { if case .close = $0 { true } else { false } })
        let actions = c.handle(.tick(bytesIn: 200, bytesOut: 100), now: 6_300)
        guard case .close(_, .timeout)? = actions.last else { Issue.record("\(actions)"); return }
        #expect(c.isClosed)
    }

    @Test func handshakeMustFinishInTime() {
        var timing = ConnectionTiming()
        timing.handshakeMs = 2_000
        var c = Self.connection(timing: timing)
        _ = c.handle(.start, now: 0)
        let actions = c.handle(.tick(bytesIn: 10, bytesOut: 10), now: 2_500)
        guard case .close(_, .timeout)? = actions.last else { Issue.record("\(actions)"); return }
    }

    @Test func aPeerNoLongerTrustedIsRefused() {
        var c = Self.established()
        #expect(c.handle(.trustChanged(trusted: true, refusal: nil), now: 20).isEmpty)
        let actions = c.handle(.trustChanged(trusted: false, refusal: "revoked"), now: 21)
        guard case .close(let farewell, .refusedByUs(let error))? = actions.last else { Issue.record("\(actions)"); return }
        #expect(farewell?.code == "not-a-member" && error.message == "revoked")
    }

    @Test func stalledPhotoRequestsAreReleasedForOtherPeers() {
        var timing = ConnectionTiming()
        timing.photoStallMs = 10_000
        var c = Self.established(timing: timing)
        let sha = Bytes32(Array(repeating: 3, count: 32))!
        // In sync: asking for photos.
        var actions = c.handle(.photosReferenced, now: 100)
        #expect(actions.contains(.choosePhotos(excluding: [])))
        actions = c.handle(.photosChosen([PhotoRequest(sha256: sha, offset: 0)]), now: 100)
        #expect(Self.writes(actions).first?.first == .blobWant([BlobRequest(sha256: sha, offset: 0)]))
        _ = c.handle(.written, now: 100)
        // A chunk keeps it going; then nothing for the stall time.
        actions = c.handle(.received(.blobData(sha256: sha, total: 50_000, offset: 0, bytes: [1, 2, 3])), now: 5_000)
        #expect(actions.contains(.storePhotoChunk(sha, total: 50_000, offset: 0, bytes: [1, 2, 3])))
        #expect(!c.handle(.tick(bytesIn: 1, bytesOut: 1), now: 14_000).contains(.releasePhotos([sha])))
        #expect(c.handle(.tick(bytesIn: 1, bytesOut: 1), now: 15_001).contains(.releasePhotos([sha])))
        #expect(c.photosOutstanding.isEmpty)
    }

    @Test func entriesThePeerWantsButWeLackEndTheConnection() {
        var c = Self.established()
        let author = NodeKey()
        _ = c.handle(.received(.want([WantRange(author: author.id, from: 1, to: 3)])), now: 20)
        let actions = c.handle(.entriesRead([Self.entry(seq: 2, author: author)]), now: 21)
        guard case .close(let farewell, .refusedByUs)? = actions.last else { Issue.record("\(actions)"); return }
        #expect(farewell?.code == "internal")
    }

    @Test func pieceListsAreAskedFirstCheckedAgainstTheReferenceAndServed() {
        var c = Self.established()
        let sha = Bytes32(Array(repeating: 4, count: 32))!
        let hashes = BlobPieces.hashes(of: Array(repeating: 9, count: 20_000))
        _ = c.handle(.photosReferenced, now: 100)
        var actions = c.handle(.photosChosen([PhotoRequest(sha256: sha, offset: 0, pieces: BlobPieces.root(hashes))]), now: 100)
        #expect(Self.writes(actions).first == [.blobPiecesWant([sha]), .blobWant([BlobRequest(sha256: sha, offset: 0)])])
        _ = c.handle(.written, now: 100)
        // The list hashes to the reference's `pieces`: kept.
        actions = c.handle(.received(.blobPieces(sha256: sha, total: 20_000, hashes: hashes)), now: 200)
        #expect(actions.contains(.storePhotoPieces(sha, total: 20_000, hashes: hashes)))
        // It cut the copy back below where the BLOB_WANT asked from: asked again.
        _ = c.handle(.photosChosen([]), now: 200)
        actions = c.handle(.photoPiecesStored(sha, held: 0), now: 210)
        #expect(c.status.photoRejects == 0)
        // A bad piece from this peer: counted, and the photo is released for another peer.
        actions = c.handle(.photoRejected(sha, "piece 1 does not match"), now: 300)
        #expect(actions.contains(.releasePhotos([sha])))
        #expect(c.status.photoRejects == 1)
        #expect(c.photosOutstanding.isEmpty)

        // Serving: a piece list asked for is read and sent in the blob lane.
        actions = c.handle(.received(.blobPiecesWant([sha])), now: 400)
        #expect(actions.contains(.readPhotoPieces(sha)))
        actions = c.handle(.photoPiecesRead(sha, (total: 20_000, hashes: hashes)), now: 401)
        #expect(Self.writes(actions).joined().contains(.blobPieces(sha256: sha, total: 20_000, hashes: hashes)))
    }

    /// A photo answered BLOB_NONE that arrives later is announced once
    /// (BLOB_HELD, PROTOCOL.md §6.13); the side that was refused asks again
    /// at once instead of after its retry time.
    @Test func aPhotoAnsweredNoneIsAnnouncedWhenItArrivesAndAskedForAgainAtOnce() {
        var timing = ConnectionTiming()
        timing.photoStallMs = 60_000
        // Serving side: asked for a photo it does not hold.
        var server = Self.established(timing: timing)
        let sha = Bytes32(Array(repeating: 6, count: 32))!
        var actions = server.handle(.received(.blobWant([BlobRequest(sha256: sha, offset: 0)])), now: 100)
        #expect(actions.contains { if case .readPhoto(let asked, 0, _) = $0 { asked == sha } else { false } })
        actions = server.handle(.photoRead(sha, total: nil, offset: 0, bytes: []), now: 101)
        #expect(Self.writes(actions).joined().contains(.blobNone(sha)))
        _ = server.handle(.written, now: 101)
        // Another photo arriving says nothing; this one, once.
        let other = Bytes32(Array(repeating: 7, count: 32))!
        #expect(Self.writes(server.handle(.photoHeldHere(other), now: 200)).isEmpty)
        #expect(Self.writes(server.handle(.photoHeldHere(sha), now: 300)) == [[.blobHeld(sha)]])
        _ = server.handle(.written, now: 300)
        #expect(Self.writes(server.handle(.photoHeldHere(sha), now: 400)).isEmpty)

        // Fetching side: refused, then told the peer holds it.
        var fetcher = Self.established(timing: timing)
        _ = fetcher.handle(.photosReferenced, now: 100)
        _ = fetcher.handle(.photosChosen([PhotoRequest(sha256: sha, offset: 0)]), now: 100)
        _ = fetcher.handle(.written, now: 100)
        actions = fetcher.handle(.received(.blobNone(sha)), now: 200)
        #expect(actions.contains(.choosePhotos(excluding: [sha])))
        _ = fetcher.handle(.photosChosen([]), now: 200)
        actions = fetcher.handle(.received(.blobHeld(sha)), now: 1_000)
        #expect(actions.contains(.choosePhotos(excluding: [])), "asked again long before the 60 s retry")
        // A BLOB_HELD for a photo never refused changes nothing.
        _ = fetcher.handle(.photosChosen([]), now: 1_000)
        #expect(!fetcher.handle(.received(.blobHeld(other)), now: 1_100).contains { if case .choosePhotos = $0 { true } else { false } })
    }

    @Test func aPieceListThatDoesNotHashToTheReferenceIsRejected() {
        var c = Self.established()
        let sha = Bytes32(Array(repeating: 5, count: 32))!
        let hashes = BlobPieces.hashes(of: Array(repeating: 9, count: 20_000))
        _ = c.handle(.photosReferenced, now: 100)
        _ = c.handle(.photosChosen([PhotoRequest(sha256: sha, offset: 0, pieces: BlobPieces.root(hashes))]), now: 100)
        let forged = [hashes[1], hashes[0]]
        let actions = c.handle(.received(.blobPieces(sha256: sha, total: 20_000, hashes: forged)), now: 200)
        #expect(!actions.contains { if case .storePhotoPieces = $0 { true } else { false } })
        #expect(actions.contains(.releasePhotos([sha])))
        #expect(c.status.photoRejects == 1)
    }
}
