import Replication
import Testing

/// What a misbehaving member can make a session do, and how it is bounded
/// (PROTOCOL.md §7.5, §7.8, §7.2 roster-only connections).
@Suite struct SessionBoundsTests {
    typealias S = SyncSessionTests

    static func established(rosterOnlyFor: Set<NodeID>? = nil, trusted: Bool = true) -> SyncSession {
        var s = SyncSession(.init(network: S.network, local: S.local, peer: S.peer, peerTrusted: trusted, agent: "tcnode/test",
                                  feed: S.localFeed, checkpoint: nil, rosterOnlyFor: rosterOnlyFor))
        _ = s.handle(.start)
        _ = s.handle(.received(.hello(S.peerHello())))
        return s
    }

    static func served(_ actions: [SyncSession.Action]) -> [WantRange] {
        actions.flatMap { action -> [WantRange] in
            if case .serve(let ranges) = action { return ranges }
            return []
        }
    }

    @Test func aWantRepeatingOneEntryServesItOnce() {
        var s = Self.established()
        let author = NodeKey().id
        let one = WantRange(author: author, from: 7, to: 7)
        let actions = s.handle(.received(.want(Array(repeating: one, count: 100_000))))
        #expect(Self.served(actions) == [one])
        #expect(s.counters.entriesWantedTwice == 99_999)
        // Asked again on a later WANT: nothing more is served.
        #expect(Self.served(s.handle(.received(.want([one, one])))).isEmpty)
        #expect(s.counters.entriesServedRequested == 1)
    }

    @Test func overlappingRangesAreCutAndTheOrderIsKept() {
        var s = Self.established()
        let a = NodeKey().id, b = NodeKey().id
        let actions = s.handle(.received(.want([
            WantRange(author: b, from: 5, to: 10),
            WantRange(author: a, from: 1, to: 3),
            WantRange(author: b, from: 8, to: 12),
            WantRange(author: b, from: 1, to: 20),
        ])))
        // Where ranges of one author overlap, the entries go with the range
        // that starts lowest; ranges stay in the order the peer gave them.
        #expect(Self.served(actions) == [
            WantRange(author: a, from: 1, to: 3),
            WantRange(author: b, from: 1, to: 20),
        ])
        var t = Self.established()
        let partly = t.handle(.received(.want([
            WantRange(author: b, from: 5, to: 10),
            WantRange(author: a, from: 1, to: 3),
            WantRange(author: b, from: 8, to: 12),
        ])))
        #expect(Self.served(partly) == [
            WantRange(author: b, from: 5, to: 10),
            WantRange(author: a, from: 1, to: 3),
            WantRange(author: b, from: 11, to: 12),
        ])
        // A later WANT gets only what is new: 21...25 of b.
        #expect(Self.served(s.handle(.received(.want([WantRange(author: b, from: 3, to: 25)])))) == [
            WantRange(author: b, from: 21, to: 25)
        ])
    }

    @Test func servedRangesStayFastOnHostileShapes() {
        // 100,000 disjoint one-entry ranges in descending order, then again.
        var served = ServedRanges()
        let author = NodeKey().id
        let ranges: [WantRange] = (0..<100_000).reversed().map { (i: Int) -> WantRange in
            let seq = UInt64(i) * 2 + 1
            return WantRange(author: author, from: seq, to: seq)
        }
        #expect(served.admit(ranges).count == 100_000)
        #expect(served.admit(ranges).isEmpty)
        #expect(served.entriesAsked == 100_000)
        #expect(served.duplicateEntries == 100_000)
    }

    @Test func pendingHeadsOfInventedAuthorsAreBoundedAndHoldTheCheckpoint() {
        var s = Self.established()
        let id = EntryID(hash: Bytes32(Array(repeating: 1, count: 32))!)
        var serial: UInt32 = 0
        func invented(_ n: Int) -> [Head] {
            (0..<n).map { _ in
                serial += 1
                let key = [UInt8](repeating: 9, count: 28) + withUnsafeBytes(of: serial.bigEndian, Array.init)
                return Head(author: NodeID(keyBytes: key)!, seq: 3, id: id)
            }
        }
        /// Offers heads of non-members; returns the actions of the answer.
        func offer(_ heads: [Head], at position: UInt64, member: Bool = false) -> [SyncSession.Action] {
            let actions = s.handle(.received(.heads(position: position, heads: heads)))
            guard case .compare(let request, let offered)? = actions.first(where: { if case .compare = $0 { true } else { false } }) else {
                Issue.record("no compare: \(actions)")
                return []
            }
            return s.handle(.compared(request: request, offered.map {
                HeadComparison(offered: $0, localSeq: member ? 3 : 0, localIDAtOfferedSeq: member ? id : nil, forked: false,
                               acceptedLimit: member ? .max : 0, isAuthority: false)
            }))
        }
        func saved(_ actions: [SyncSession.Action]) -> [Head] {
            actions.flatMap { action -> [Head] in
                if case .savePending(let heads) = action { return heads }
                return []
            }
        }
        let checkpoint = { (position: Int64) in SyncSession.Action.saveCheckpoint(Checkpoint(feed: S.peerFeed, position: position)) }
        // A whole network's worth of heads before the roster: all kept.
        let first = invented(SyncSession.maximumPending)
        var actions = offer(first, at: 10)
        #expect(saved(actions) == first)
        #expect(actions.contains(checkpoint(10)))
        #expect(s.counters.pendingDropped == 0)
        // Beyond the bound the store forgets the oldest, so the checkpoint
        // stays before this frame: the next connection offers them again.
        actions = offer(invented(5_000), at: 20)
        #expect(s.counters.pendingDropped == 5_000)
        #expect(!actions.contains(checkpoint(20)))
        // And it stays there for the rest of this connection.
        actions = offer(invented(3), at: 30, member: true)
        #expect(!actions.contains(checkpoint(30)))
        #expect(s.checkpoint == Checkpoint(feed: S.peerFeed, position: 10))
    }

    @Test func aRevokedPeerIsOfferedOnlyTheRoster() {
        let authority = NodeKey().id, member = NodeKey().id
        var s = Self.established(rosterOnlyFor: [authority], trusted: false)
        #expect(s.isEstablished && s.isRosterOnly)
        let id = EntryID(hash: Bytes32(Array(repeating: 2, count: 32))!)
        let actions = s.handle(.headsLoaded(HeadsSnapshot(
            position: 9, heads: [Head(author: member, seq: 4, id: id), Head(author: authority, seq: 6, id: id)], positions: [3, 9])))
        guard case .send(let frames)? = actions.first, case .heads(_, let offered)? = frames.first else {
            Issue.record("\(actions)")
            return
        }
        #expect(offered.map(\.author) == [authority])
        // Its WANTs are served only for the roster's authors; its HEADS and ENTRIES are ignored.
        #expect(Self.served(s.handle(.received(.want([WantRange(author: member, from: 1, to: 4),
                                                     WantRange(author: authority, from: 1, to: 6)])))) ==
            [WantRange(author: authority, from: 1, to: 6)])
        #expect(s.handle(.received(.heads(position: 3, heads: [Head(author: S.peer, seq: 2, id: id)]))).isEmpty)
        #expect(s.handle(.received(.entries([[1, 2, 3]]))).isEmpty)
        // The driver ends it after the grace period.
        #expect(S.refusal(s.handle(.peerNoLongerTrusted(nil))) == "not-a-member")
    }

    @Test func anUnknownPeerIsStillRefusedAtHello() {
        var s = SyncSession(.init(network: S.network, local: S.local, peer: S.peer, peerTrusted: false, agent: "tcnode/test",
                                  feed: S.localFeed, checkpoint: nil))
        _ = s.handle(.start)
        #expect(S.refusal(s.handle(.received(.hello(S.peerHello())))) == "not-a-member")
    }
}
