import DemoData
import Foundation
import HubViews
import Replication
import Telecenter
import TestSupport
import Testing

/// The dashboard's main page reads the counters and each centre's name, not
/// every centre's full row: it must show what sorting the whole centre list
/// showed.
@Suite struct ViewsOverviewTests {
    @Test func theOverviewListsWhatTheWholeCentreListSorted() throws {
        let dir = TemporaryDirectory("tcoverview")
        let hub = NodeKey()
        let store = try Store.create(at: dir.file("hub.sqlite"), network: hub.id, node: hub.id)
        var options = DemoNetwork.Options()
        options.centres = 60
        options.entriesPerCentre = 12
        options.photos = false
        let centres = try DemoNetwork.populate(hub: hub, store: store, blobs: nil, options: options, seed: 5)
        let views = try ViewsUnderTest.open(path: dir.file("views.sqlite"), store: store)
        try views.catchUp()
        let now: Int64 = 1_800_000_000_000
        // Some centres heard from at different times, some never, some at the same time (ties).
        var contacts: [NodeID: Int64] = [:]
        for (i, c) in centres.enumerated() where i % 3 != 0 { contacts[c.key.id] = now - Int64(i % 7) * 86_400_000 }
        for fresh in [try Freshness.of(store: store, nowMs: now), try Freshness.of(store: store, contacts: contacts, nowMs: now)] {
            let all = try views.nodes(filter: ViewFilter().unpaged, freshness: fresh).items
            let stale = all.sorted { ($0.lastHeardMs ?? 0, $0.name) < ($1.lastHeardMs ?? 0, $1.name) }.prefix(15)
            let sellers = all.filter { $0.productsOnline > 0 || $0.feesIdr > 0 }
                .sorted { ($0.feesIdr, $0.salesIdr) > ($1.feesIdr, $1.salesIdr) }.prefix(10)
            let overview = try views.overview(freshness: fresh, stale: 15, sellers: 10)
            #expect(overview.stale == Array(stale))
            #expect(overview.sellers == Array(sellers))
            #expect(sellers.count == 10 && stale.count == 15)
        }
        try views.close()
    }

    /// The summary and the main page keep the member centres between
    /// requests (ten thousand in a nation): a centre admitted, renamed or
    /// revoked since the last request shows in the next one.
    @Test func theMainPageSeesCentresChangedSinceItWasLastAsked() async throws {
        let dir = TemporaryDirectory("tcoverviewcache")
        let hub = NodeKey()
        let store = try Store.create(at: dir.file("hub.sqlite"), network: hub.id, node: hub.id)
        var options = DemoNetwork.Options()
        options.centres = 5
        options.entriesPerCentre = 4
        options.photos = false
        let centres = try DemoNetwork.populate(hub: hub, store: store, blobs: nil, options: options, seed: 8)
        let views = try ViewsUnderTest.open(path: dir.file("views.sqlite"), store: store)
        try await views.catchUp()
        func look() async throws -> (total: Int, names: Set<String>) {
            try await OffPool.run {
                let fresh = try Freshness.of(store: store)
                let summary = try views.summary(freshness: fresh)
                return (summary.centres.total, Set(try views.overview(freshness: fresh, stale: 50).stale.map(\.name)))
            }
        }
        let before = try await look()
        #expect(before.total == 6 && before.names.contains(centres[0].name))

        let newcomer = NodeKey()
        _ = try await store.append([.put(kind: "admit", key: newcomer.id.description,
                                         body: #"{"node":"\#(newcomer.id)","role":"telecenter","name":"Telecenter Baru"}"#, time: 50)],
                                   signer: hub)
        // The centre's own new profile, as it arrives from the network.
        let head = try await store.offPool { try $0.head(of: centres[0].key.id) }
        let renamed = try Entry.sign(.put(kind: "node", key: "profile", body: #"{"name":"Telecenter Ganti Nama","type":"telecenter"}"#, time: 51),
                                     seq: (head?.seq ?? 0) + 1, prev: head?.id.hash ?? .zero, with: centres[0].key)
        #expect(try await store.ingest([renamed], from: centres[0].key.id).stored == 1)
        try await views.catchUp()
        let after = try await look()
        #expect(after.total == 7)
        #expect(after.names.contains("Telecenter Baru") && after.names.contains("Telecenter Ganti Nama"))
        #expect(!after.names.contains(centres[0].name))

        _ = try await store.append([.put(kind: "revoke", key: centres[1].key.id.description,
                                         body: #"{"node":"\#(centres[1].key.id)","from_seq":1,"reason":"tutup"}"#, time: 52)], signer: hub)
        try await views.catchUp()
        let revoked = try await look()
        #expect(revoked.total == 6 && !revoked.names.contains(centres[1].name))
        try views.close()
    }
}
