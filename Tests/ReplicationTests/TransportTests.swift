import Foundation
import HubViews
import NIOCore
import NIOPosix
import NodeRuntime
import Replication
import Testing

/// Real nodes over mutual TLS on 127.0.0.1 (port 0), in one process.
@Suite(.long) struct TransportTests {
    /// A hub (genesis) that has admitted `names`, which pin the hub.
    static func hubAnd(_ names: [String], in net: LiveNetwork) async throws -> (LiveNetwork.LiveMember, [LiveNetwork.LiveMember]) {
        let hub = try await net.add("hub")
        var centres: [LiveNetwork.LiveMember] = []
        for name in names {
            let c = try await net.add(name, network: hub.node.id, pinned: [hub])
            try await admit(c.node.id, by: hub)
            centres.append(c)
        }
        return (hub, centres)
    }

    static func admit(_ subject: NodeID, by authority: LiveNetwork.LiveMember, role: Role = .telecenter) async throws {
        let body = #"{"node":"\#(subject)","role":"\#(role.rawValue)","name":"Centre","region":"Jawa Timur"}"#
        try await authority.node.append([.put(kind: "admit", key: subject.description, body: body, time: 1)])
    }

    static func put(_ member: LiveNetwork.LiveMember, _ key: String) async throws -> Entry {
        try await member.node.append([.put(kind: "product", key: key, body: #"{"name":"\#(key)"}"#, time: 2)])[0]
    }

    @Test func hubAndTwoCentresConverge() async throws {
        let net = LiveNetwork()
        let (hub, centres) = try await Self.hubAnd(["tc1", "tc2"], in: net)
        for c in centres { for i in 0..<5 { _ = try await Self.put(c, "\(c.name)-\(i)") } }
        _ = try await Self.put(hub, "pengumuman")
        try await net.run {
            let hubEndpoint = try await net.endpoint(of: hub)
            for c in centres { c.dialers.setPeers([hubEndpoint]) }
            try await net.wait("all three hold the same heads") {
                let h = try net.heads(hub)
                return try h.count == 3 && centres.allSatisfy { try net.heads($0) == h }
            }
            // A new entry travels live, without reconnecting.
            let live = try await Self.put(centres[0], "baru")
            try await net.wait("the live entry reaches the other centre") {
                try await centres[1].node.store.entry(author: live.author, seq: live.seq) == live
            }
            #expect(hub.node.peers.snapshot().allSatisfy { $0.state == .connected })
        }
        // Graceful shutdown left every store readable and intact.
        for m in net.members { #expect(try await m.node.store.integrityCheck() == ["ok"]) }
    }

    @Test func nonMemberIsRefusedWithNotAMember() async throws {
        let net = LiveNetwork()
        let hub = try await net.add("hub")
        try await net.run {
            let endpoint = try await net.endpoint(of: hub)
            let stranger = NodeKey()
            let frames = try await ManualPeer.connect(as: stranger, host: "127.0.0.1", port: endpoint.port) { peer, reader, writer in
                try await writer.send([.hello(Hello(network: hub.node.id, node: stranger.id, agent: "stranger/1",
                                                    feed: FeedID(bytes: Array(repeating: 3, count: 16))!, since: nil))])
                return try await reader.drain()
            }
            let errors = frames.compactMap { if case .error(let e) = $0 { e } else { nil } }
            #expect(errors.map(\.code) == ["not-a-member"], "\(frames)")
            #expect(errors.first?.message.contains("tcnode admit") == true)
            // drain() returned: the hub closed the connection.
            try await net.wait("the refusal is visible in status") {
                hub.node.peers.status(of: stranger.id)?.state == .refused
            }
        }
    }

    @Test func silentClientIsClosedAfterTheHandshakeTimeout() async throws {
        let net = LiveNetwork()
        var timing = LiveNetwork.fastTiming
        timing.handshakeTimeout = .milliseconds(300)
        let hub = try await net.add("hub", timing: timing)
        try await net.run {
            let endpoint = try await net.endpoint(of: hub)
            // TCP only: never sends a TLS ClientHello.
            let silent = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: endpoint.port).get()
            let closedByHub = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask { try? await silent.closeFuture.get(); return true }
                group.addTask { try await Task.sleep(for: .seconds(20)); return false }
                let first = try await group.next()!
                silent.close(promise: nil)  // ends the other child when the deadline won
                group.cancelAll()
                return first
            }
            #expect(closedByHub, "the hub kept a connection that never did TLS past its handshake timeout")
            #expect(hub.node.peers.snapshot().isEmpty)
        }
    }

    @Test func strangersDoNotGrowThePeerTableNorPushOutMembers() async throws {
        let net = LiveNetwork()
        let (hub, centres) = try await Self.hubAnd(["tc1"], in: net)
        try await net.run {
            let endpoint = try await net.endpoint(of: hub)
            // A member connects, syncs and goes away: its row must stay.
            centres[0].dialers.setPeers([endpoint])
            try await net.wait("tc1 is connected") { hub.node.peers.status(of: centres[0].node.id)?.state == .connected }
            centres[0].dialers.setPeers([])
            try await net.wait("tc1 has left") { hub.node.peers.status(of: centres[0].node.id)?.state == .disconnected }
            try await net.wait("tc1 no longer lists the hub") { centres[0].node.peers.status(of: hub.node.id) == nil }
            #expect(hub.node.peers.status(of: centres[0].node.id)?.detail?.contains("no longer dials you") == true,
                    "\(String(describing: hub.node.peers.status(of: centres[0].node.id)?.detail))")
            // Many strangers at once.
            // Eight at a time: more at once from one address would be closed
            // before TLS by the listener's admission bound (tested elsewhere).
            let count = PeerRegistryLimits.strangers + 8
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<count {
                    if i >= 8 { try await group.next() }
                    group.addTask {
                        let stranger = NodeKey()
                        _ = try await ManualPeer.connect(as: stranger, host: "127.0.0.1", port: endpoint.port) { _, reader, writer in
                            try await writer.send([.hello(Hello(network: hub.node.id, node: stranger.id, agent: "stranger/1",
                                                                feed: FeedID(bytes: Array(repeating: 3, count: 16))!, since: nil))])
                            return try await reader.drain()
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await net.wait("the hub has recorded the refusals") {
                hub.node.peers.snapshot().filter { $0.state == .refused }.count == PeerRegistryLimits.strangers
            }
            let rows = hub.node.peers.snapshot()
            #expect(rows.count == PeerRegistryLimits.strangers + 1, "\(rows.count) rows")
            #expect(rows.contains { $0.node == centres[0].node.id.description })
        }
    }

    @Test func forgedEntryGetsBadEntryAndEarlierEntriesStay() async throws {
        let net = LiveNetwork()
        let hub = try await net.add("hub")
        let centreKey = NodeKey()
        try await Self.admit(centreKey.id, by: hub)
        // The centre's log, signed properly, then one entry forged in transit.
        var log: [Entry] = []
        var prev = Bytes32.zero
        for i in 1...4 {
            let e = try Entry.sign(.put(kind: "product", key: "p\(i)", body: "{}", time: Int64(i)), seq: UInt64(i), prev: prev,
                                   with: centreKey).entry
            log.append(e)
            prev = e.id.hash
        }
        var forgedBytes = log[2].bytes
        forgedBytes[forgedBytes.count - 1] ^= 0x01
        let (signed, forged) = (log, forgedBytes)
        try await net.run {
            let endpoint = try await net.endpoint(of: hub)
            let frames = try await ManualPeer.connect(as: centreKey, host: "127.0.0.1", port: endpoint.port) { _, reader, writer in
                try await writer.send([.hello(Hello(network: hub.node.id, node: centreKey.id, agent: "forger/1",
                                                    feed: FeedID(bytes: Array(repeating: 4, count: 16))!, since: nil))])
                try await writer.send([.entries([signed[0].bytes, signed[1].bytes, forged, signed[3].bytes])])
                return try await reader.drain()
            }
            let errors = frames.compactMap { if case .error(let e) = $0 { e } else { nil } }
            #expect(errors.map(\.code) == ["bad-entry"], "\(frames)")
            #expect(errors.first?.message.contains("signature") == true)
        }
        #expect(try await hub.node.store.head(of: centreKey.id)?.seq == 2)
        #expect(try await hub.node.store.entry(author: centreKey.id, seq: 2) == log[1])
    }

    /// Entries that arrive whole just before the link drops are stored
    /// after the connection's loop has ended; the node must still hear of
    /// them, or its views (and other connections) sit unaware until the next
    /// entry: on a field link the centre's photo was never fetched.
    @Test func entriesStoredAfterThePeerHangsUpStillWakeTheNode() async throws {
        let net = LiveNetwork()
        let hub = try await net.add("hub", photos: true)
        let centreKey = NodeKey()
        try await Self.admit(centreKey.id, by: hub)
        // Enough entries that verifying and storing them outlasts the hang-up.
        var log: [Entry] = []
        var prev = Bytes32.zero
        for i in 1...400 {
            let e = try Entry.sign(.put(kind: "product", key: "p\(i)", body: #"{"name":"Produk \#(i)","category":"makanan"}"#, time: Int64(i)),
                                   seq: UInt64(i), prev: prev, with: centreKey).entry
            log.append(e)
            prev = e.id.hash
        }
        let bytes = log.map(\.bytes)
        let views = try #require(hub.assembly.views as? Views)
        let store = hub.node.store
        try await net.run {
            let endpoint = try await net.endpoint(of: hub)
            try await ManualPeer.connect(as: centreKey, host: "127.0.0.1", port: endpoint.port) { _, _, writer in
                try await writer.send([.hello(Hello(network: hub.node.id, node: centreKey.id, agent: "hangs-up/1",
                                                    feed: FeedID(bytes: Array(repeating: 5, count: 16))!, since: nil))])
                try await writer.send([.entries(bytes)])
                writer.finish()
            }
            try await net.wait("the hub's views take the entries stored after the hang-up", timeout: .seconds(90)) {
                guard try await store.head(of: centreKey.id)?.seq == 400 else { return false }
                return try await views.readAppliedPosition() == store.position()
            }
        }
    }

    @Test func revokedNodeIsCutOffAndItsLaterEntriesRefused() async throws {
        let net = LiveNetwork()
        let (hub, centres) = try await Self.hubAnd(["tc1", "tc2"], in: net)
        let (tc1, tc2) = (centres[0], centres[1])
        _ = try await Self.put(tc2, "sebelum")
        try await net.run {
            let hubEndpoint = try await net.endpoint(of: hub)
            let tc1Endpoint = try await net.endpoint(of: tc1)
            tc1.dialers.setPeers([hubEndpoint])
            tc2.dialers.setPeers([hubEndpoint, tc1Endpoint])
            try await net.wait("tc2's entry reaches tc1") { try await tc1.node.store.head(of: tc2.node.id)?.seq == 1 }

            let from = try await hub.node.store.head(of: tc2.node.id)!.seq + 1
            let body = #"{"node":"\#(tc2.node.id)","from_seq":\#(from),"reason":"laptop stolen"}"#
            try await hub.node.append([.put(kind: "revoke", key: tc2.node.id.description, body: body, time: 3)])
            try await net.wait("tc1 learns of the revocation") { tc1.node.store.roster.revokedFrom(tc2.node.id) == from }
            // Peers no longer refuse a revoked node at HELLO before it has
            // had the roster entries: it learns of its own revocation.
            try await net.wait("tc2 learns it was revoked") { tc2.node.store.roster.revokedFrom(tc2.node.id) == from }
            try await net.wait("both peers cut tc2 off") {
                hub.node.peers.status(of: tc2.node.id)?.state == .refused
                    && tc1.node.peers.status(of: tc2.node.id)?.state == .refused
                    && tc2.node.peers.snapshot().allSatisfy { $0.state != .connected }
            }
            // tc2 can no longer write: what it wrote could never leave it.
            await #expect(throws: StoreError.self) { try await Self.put(tc2, "sesudah") }
            try await net.wait("tc2's dialers are refused again") {
                tc2.node.peers.snapshot().allSatisfy { $0.state == .refused && ($0.detail ?? "").contains("not-a-member") }
            }
        }
        // Its entries before the revocation stay valid everywhere.
        #expect(try await hub.node.store.head(of: tc2.node.id)?.seq == 1)
        #expect(try await tc2.node.store.head(of: tc2.node.id)?.seq == 1)
        // And a late entry signed with its key, arriving by any route, is refused by the store.
        let first = try await tc2.node.store.entry(author: tc2.node.id, seq: 1)!
        let late = try Entry.sign(.put(kind: "product", key: "sesudah", body: #"{"name":"x"}"#, time: 4), seq: 2, prev: first.id.hash,
                                  with: tc2.node.key)
        let result = try await tc1.node.store.ingest([late], from: hub.node.id)
        #expect(result.stored == 0 && result.refused.first?.reason == .revoked)
    }

    @Test func forkIsDetectedAndReportedNotMerged() async throws {
        let net = LiveNetwork()
        let hub = try await net.add("hub")
        let stolen = NodeKey()
        try await Self.admit(stolen.id, by: hub)
        let original = try await net.add("original", network: hub.node.id, key: stolen, pinned: [hub])
        let copy = try await net.add("copy", network: hub.node.id, key: stolen, pinned: [hub])
        let kept = try await Self.put(original, "asli")
        _ = try await Self.put(copy, "palsu")
        try await net.run {
            let hubEndpoint = try await net.endpoint(of: hub)
            original.dialers.setPeers([hubEndpoint])
            try await net.wait("the hub holds the original entry") { try await hub.node.store.head(of: stolen.id)?.seq == 1 }
            copy.dialers.setPeers([hubEndpoint])
            try await net.wait("the hub reports the fork") { try await hub.node.store.forks().count == 1 }
            #expect(hub.node.peers.snapshot().reduce(0) { $0 + $1.forks } >= 1)
        }
        #expect(try await hub.node.store.head(of: stolen.id)?.id == kept.id)
        #expect(try await hub.node.store.forkedAuthors() == [stolen.id])
        #expect(try await hub.node.store.forks().first?.seq == 1)
    }
}
