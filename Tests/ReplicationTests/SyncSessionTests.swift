import Replication
import Testing

/// The session machine alone: events in, actions out, no I/O.
@Suite struct SyncSessionTests {
    static let network = NodeKey().id
    static let local = NodeKey().id
    static let peer = NodeKey().id
    static let localFeed = FeedID(bytes: Array(repeating: 1, count: 16))!
    static let peerFeed = FeedID(bytes: Array(repeating: 2, count: 16))!

    static func session(trusted: Bool = true, checkpoint: Checkpoint? = nil) -> SyncSession {
        SyncSession(.init(network: network, local: local, peer: peer, peerTrusted: trusted, agent: "tcnode/test",
                          feed: localFeed, checkpoint: checkpoint))
    }

    static func peerHello(network: NodeID = network, node: NodeID = peer, protocol: Int = 1, since: Checkpoint? = nil) -> Hello {
        Hello(protocol: `protocol`, network: network, node: node, agent: "tcnode/peer", feed: peerFeed, since: since)
    }

    static func refusal(_ actions: [SyncSession.Action]) -> String? {
        for action in actions {
            if case .close(let error, _) = action, let error { return error.code }
        }
        return nil
    }

    @Test func startSendsHelloWithTheCheckpoint() {
        var s = Self.session(checkpoint: Checkpoint(feed: Self.peerFeed, position: 99))
        let actions = s.handle(.start)
        guard case .send(let frames)? = actions.first, case .hello(let hello)? = frames.first else { Issue.record("\(actions)"); return }
        #expect(hello.since == 99 && hello.since_feed == Self.peerFeed.hex && hello.node == Self.local.description)
        #expect(hello.feed == Self.localFeed.hex && hello.protocol == 1)
    }

    @Test func helloProblemsAreRefusedWithTheirCodes() {
        func refusal(_ hello: Hello, trusted: Bool = true) -> String? {
            var s = Self.session(trusted: trusted)
            _ = s.handle(.start)
            let actions = s.handle(.received(.hello(hello)))
            #expect(s.isClosed)
            return Self.refusal(actions)
        }
        #expect(refusal(Self.peerHello(network: NodeKey().id)) == "network-mismatch")
        #expect(refusal(Self.peerHello(protocol: 2)) == "protocol-version")
        #expect(refusal(Self.peerHello(node: NodeKey().id)) == "identity-mismatch")
        #expect(refusal(Self.peerHello(), trusted: false) == "not-a-member")
    }

    @Test func framesOutOfOrderAreBadFrames() {
        var s = Self.session()
        _ = s.handle(.start)
        #expect(Self.refusal(s.handle(.received(.ping(1)))) == "bad-frame")
        var t = Self.session()
        _ = t.handle(.start)
        _ = t.handle(.received(.hello(Self.peerHello())))
        #expect(Self.refusal(t.handle(.received(.hello(Self.peerHello())))) == "bad-frame")
    }

    @Test func unknownFramesAreIgnored() {
        var s = Self.session()
        _ = s.handle(.start)
        #expect(s.handle(.received(.unknown(type: 0x77, payload: [1]))).isEmpty)
        _ = s.handle(.received(.hello(Self.peerHello())))
        #expect(s.handle(.received(.unknown(type: 0x77, payload: [1]))).isEmpty)
        #expect(s.isEstablished)
    }

    @Test func sinceFromAnotherFeedMeansAllHeads() {
        var s = Self.session()
        _ = s.handle(.start)
        let other = FeedID(bytes: Array(repeating: 9, count: 16))!
        let actions = s.handle(.received(.hello(Self.peerHello(since: Checkpoint(feed: other, position: 50)))))
        #expect(actions.contains(.loadHeads(after: 0, excludingPeer: false)))
        var t = Self.session()
        _ = t.handle(.start)
        let mine = t.handle(.received(.hello(Self.peerHello(since: Checkpoint(feed: Self.localFeed, position: 50)))))
        #expect(mine.contains(.loadHeads(after: 50, excludingPeer: true)))
    }

    /// HEADS -> WANT (authorities first) -> ENTRIES -> stored -> checkpoint.
    @Test func wantedHeadsAreRememberedSoTheCheckpointMovesAtOnce() {
        var s = Self.session()
        _ = s.handle(.start)
        _ = s.handle(.received(.hello(Self.peerHello())))
        _ = s.handle(.headsLoaded(HeadsSnapshot(position: 0, heads: [])))
        _ = s.handle(.compared(request: 1, []))

        let member = NodeKey().id, authority = NodeKey().id
        let heads = [Head(author: member, seq: 5, id: EntryID(hash: .zero)), Head(author: authority, seq: 2, id: EntryID(hash: .zero))]
        let actions = s.handle(.received(.heads(position: 40, heads: heads)))
        guard case .compare(let request, _) = actions.first else { Issue.record("\(actions)"); return }
        let wants = s.handle(.compared(request: request, [
            HeadComparison(offered: heads[0], localSeq: 3, localIDAtOfferedSeq: nil, forked: false, acceptedLimit: .max, isAuthority: false),
            HeadComparison(offered: heads[1], localSeq: 0, localIDAtOfferedSeq: nil, forked: false, acceptedLimit: .max, isAuthority: true),
        ]))
        #expect(wants.contains(.send([.want([WantRange(author: authority, from: 1, to: 2), WantRange(author: member, from: 4, to: 5)])])))
        #expect(s.entriesOutstanding == 4)
        #expect(!s.isInSync)
        // The wanted heads are remembered, then the checkpoint moves at once:
        // a cut now resumes from here without these HEADS again.
        let remembered = wants.firstIndex(of: .saveOffered(heads))
        let moved = wants.firstIndex(of: .saveCheckpoint(Checkpoint(feed: Self.peerFeed, position: 40)))
        #expect(remembered != nil && moved != nil && remembered! < moved!, "\(wants)")

        // Entries arrive; in sync once their ingest is done.
        let raw = [fakeEntry(authority, 1), fakeEntry(authority, 2), fakeEntry(member, 4), fakeEntry(member, 5)]
        let ingest = s.handle(.received(.entries(raw)))
        guard case .ingest(let tag, _) = ingest.first else { Issue.record("\(ingest)"); return }
        #expect(s.entriesOutstanding == 0)
        let done = s.handle(.ingested(.init(tag: tag, result: IngestResult(), failure: nil)))
        #expect(done.contains(.synced))
        #expect(s.isInSync)
    }

    @Test func aPushedOrRepeatedEntryDoesNotDrainAWantEarly() {
        var s = establishedSession()
        let author = NodeKey().id
        let head = Head(author: author, seq: 3, id: EntryID(hash: .zero))
        let actions = s.handle(.received(.heads(position: 9, heads: [head])))
        guard case .compare(let request, _) = actions.first else { Issue.record("\(actions)"); return }
        _ = s.handle(.compared(request: request, [
            HeadComparison(offered: head, localSeq: 0, localIDAtOfferedSeq: nil, forked: false, acceptedLimit: .max, isAuthority: false),
        ]))
        #expect(s.entriesOutstanding == 3)
        // Seq 3 pushed live before the stream, then seq 1 twice: two of the
        // three are still owed (seq 2 and 3 of the stream).
        _ = s.handle(.received(.entries([fakeEntry(author, 3)])))
        _ = s.handle(.received(.entries([fakeEntry(author, 1), fakeEntry(author, 1)])))
        #expect(s.entriesOutstanding == 2)
        let rest = s.handle(.received(.entries([fakeEntry(author, 2), fakeEntry(author, 3)])))
        guard case .ingest(let tag, _) = rest.first else { Issue.record("\(rest)"); return }
        #expect(s.entriesOutstanding == 0)
        for t in 1...tag {
            let done = s.handle(.ingested(.init(tag: t, result: IngestResult(), failure: nil)))
            #expect(done.contains(.synced) == (t == tag))
        }
    }

    @Test func differentIDInHeadsAsksForTheEntryAsEvidence() {
        var s = establishedSession()
        let author = NodeKey().id
        let head = Head(author: author, seq: 3, id: EntryID(hash: Bytes32(w0: 1, w1: 0, w2: 0, w3: 0)))
        _ = s.handle(.received(.heads(position: 9, heads: [head])))
        let actions = s.handle(.compared(request: 2, [
            HeadComparison(offered: head, localSeq: 4, localIDAtOfferedSeq: EntryID(hash: .zero), forked: false,
                           acceptedLimit: .max, isAuthority: false)
        ]))
        // Only a signed conflicting entry proves a fork: fetch that one entry.
        #expect(actions.contains(.send([.want([WantRange(author: author, from: 3, to: 3)])])))
    }

    @Test func nonMembersArePendingUntilAdmitted() {
        var s = establishedSession()
        let stranger = NodeKey().id
        let head = Head(author: stranger, seq: 2, id: EntryID(hash: .zero))
        _ = s.handle(.received(.heads(position: 9, heads: [head])))
        let actions = s.handle(.compared(request: 2, [
            HeadComparison(offered: head, localSeq: 0, localIDAtOfferedSeq: nil, forked: false, acceptedLimit: 0, isAuthority: false)
        ]))
        #expect(actions.contains(.savePending([head])))
        // The checkpoint does not wait for pending heads (they are persisted).
        #expect(actions.contains(.saveCheckpoint(Checkpoint(feed: Self.peerFeed, position: 9))))
        // Once admitted, the stored pending head of that author is compared again.
        let admitted = s.handle(.admitted([stranger]))
        #expect(admitted == [.comparePending(request: 3, authors: [stranger])])
    }

    @Test func anAdmitThatOvertakesACompareLooksAtItsPendingHeadsAgain() {
        var s = establishedSession()
        let stranger = NodeKey().id
        let head = Head(author: stranger, seq: 2, id: EntryID(hash: .zero))
        _ = s.handle(.received(.heads(position: 9, heads: [head])))
        // The admit is stored while the compare (made before it) is out.
        let other = NodeKey().id
        #expect(s.handle(.admitted([other])) == [.comparePending(request: 3, authors: [other])])
        let actions = s.handle(.compared(request: 2, [
            HeadComparison(offered: head, localSeq: 0, localIDAtOfferedSeq: nil, forked: false, acceptedLimit: 0, isAuthority: false)
        ]))
        #expect(actions.contains(.savePending([head])))
        #expect(actions.contains(.comparePending(request: 4, authors: [stranger])))
    }

    @Test func revokedAuthorsAreWantedOnlyBelowTheirRevocation() {
        var s = establishedSession()
        let author = NodeKey().id
        let head = Head(author: author, seq: 10, id: EntryID(hash: .zero))
        _ = s.handle(.received(.heads(position: 9, heads: [head])))
        let actions = s.handle(.compared(request: 2, [
            HeadComparison(offered: head, localSeq: 2, localIDAtOfferedSeq: nil, forked: false, acceptedLimit: 6, isAuthority: false)
        ]))
        #expect(actions.contains(.send([.want([WantRange(author: author, from: 3, to: 6)])])))
    }

    @Test func badEntryClosesWithBadEntry() {
        var s = establishedSession()
        let ingest = s.handle(.received(.entries([[1, 2, 3]])))
        guard case .ingest(let tag, _) = ingest.first else { Issue.record("\(ingest)"); return }
        let actions = s.handle(.ingested(.init(tag: tag, result: IngestResult(), failure: (0, .truncated(field: "author")))))
        #expect(Self.refusal(actions) == "bad-entry")
    }

    @Test func livenessPingsAndTimesOut() {
        var s = establishedSession()
        #expect(s.handle(.sendIdle) == [.send([.ping(2)])])
        #expect(s.handle(.received(.ping(7))) == [.send([.pong(7)])])
        #expect(s.handle(.receiveIdle) == [.close(nil, .timeout)])
    }

    @Test func shutdownSaysSoFirst() {
        var s = establishedSession()
        #expect(Self.refusal(s.handle(.shutdown)) == "shutting-down")
    }

    @Test func liveHeadsAreCoalescedWhileALoadIsRunning() {
        var s = establishedSession()
        #expect(s.handle(.feedAdvanced) == [.loadHeads(after: 0, excludingPeer: true)])
        #expect(s.handle(.feedAdvanced).isEmpty)
        let next = s.handle(.headsLoaded(HeadsSnapshot(position: 3, heads: [Head(author: Self.local, seq: 3, id: EntryID(hash: .zero))])))
        #expect(next.contains(.loadHeads(after: 3, excludingPeer: true)))
        let quiet = s.handle(.headsLoaded(HeadsSnapshot(position: 3, heads: [])))
        #expect(!quiet.contains { if case .send = $0 { true } else { false } }, "an empty live HEADS is not sent")
    }

    func establishedSession() -> SyncSession {
        var s = Self.session()
        _ = s.handle(.start)
        _ = s.handle(.received(.hello(Self.peerHello())))
        _ = s.handle(.headsLoaded(HeadsSnapshot(position: 0, heads: [])))
        _ = s.handle(.compared(request: 1, []))
        return s
    }

    /// Bytes with the header fields the session reads (author, seq).
    func fakeEntry(_ author: NodeID, _ seq: UInt64) -> [UInt8] {
        var bytes: [UInt8] = [1]
        author.key.append(to: &bytes)
        withUnsafeBytes(of: seq.bigEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }
}
