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
}
