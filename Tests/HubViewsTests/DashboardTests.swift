import DemoData
import Foundation
import HubViews
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NodeRuntime
import Replication
import ServiceLifecycle
import Synchronization
import Telecenter
import Testing
import TestSupport

/// The views' HTTP server on a generated network: every page answers and
/// shows the figures the views compute.
@Suite(.serialized) struct DashboardTests {
    struct Served {
        let port: Int
        let views: Views
        let store: Store
        let blobs: BlobStore
    }

    /// A hub's views server on port 0 over a demo network, or over what
    /// `populate` writes into the hub's store.
    static func withServer(token: String? = nil, entriesPerCentre: Int = 40,
                           populate: (@Sendable (NodeKey, Store, BlobStore) throws -> Void)? = nil,
                           _ body: @Sendable (Served) async throws -> Void) async throws {
        let dir = TemporaryDirectory("tcdash")
        let hub = NodeKey()
        let store = try Store.create(at: dir.file("hub.sqlite"), network: hub.id, node: hub.id)
        let blobs = BlobStore(root: dir.file("blobs"))
        try await OffPool.run {
            if let populate { return try populate(hub, store, blobs) }
            var options = DemoNetwork.Options()
            options.centres = 10
            options.year = 2026
            options.entriesPerCentre = entriesPerCentre
            try DemoNetwork.populate(hub: hub, store: store, blobs: blobs, options: options, seed: 11)
        }
        let views = try ViewsUnderTest.open(path: dir.file("views.sqlite"), store: store, blobs: blobs)
        _ = try await OffPool.run { try views.catchUp() }
        var logger = Logger(label: "dash")
        logger.logLevel = .error
        let node = try Node(key: hub, store: store, logger: logger, photos: Photos(blobs: blobs, policy: views.photoPolicy(fetchAll: .fixed(true))))
        let (ports, portInput) = AsyncStream<Int>.makeStream()
        let app = ViewsServer.application(node: node, views: views, host: "127.0.0.1", port: 0, token: token, logger: logger) {
            portInput.yield($0)
        }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [],
                                                      logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var it = ports.makeAsyncIterator()
            let port = await it.next()!
            do {
                try await body(Served(port: port, views: views, store: store, blobs: blobs))
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        _ = dir
    }

    static func get(_ port: Int, _ path: String) async throws -> (status: Int, type: String, body: [UInt8]) {
        let r = try await HTTPExchange.get(port: port, path)
        return (r.status, r.headers.first(name: "Content-Type") ?? "", r.body)
    }

    @Test func everyPageAnswersWithTheViewsFigures() async throws {
        try await Self.withServer { s in
            let summary = try await OffPool.run { try s.views.summary(freshness: Freshness.of(store: s.store)) }
            for path in ["/", "/centres", "/products", "/sales", "/trainings", "/monitoring", "/activities", "/awards?year=2026"] {
                for lang in ["", path.contains("?") ? "&lang=en" : "?lang=en"] {
                    let r = try await Self.get(s.port, path + lang)
                    #expect(r.status == 200, "\(path)\(lang)")
                    #expect(r.type.hasPrefix("text/html"))
                    let html = String(decoding: r.body, as: UTF8.self)
                    #expect(!html.contains("http://") || !html.contains("<script src"), "no external resources")
                    #expect(html.contains("<svg") || path != "/", "charts are inline SVG")
                }
            }
            let main = String(decoding: try await Self.get(s.port, "/").body, as: UTF8.self)
            #expect(main.contains("Telecenter Blitar"))
            #expect(main.contains(String(summary.products.total)))
            #expect(main.contains("lang=en"), "an English switch")
            let english = String(decoding: try await Self.get(s.port, "/?lang=en").body, as: UTF8.self)
            #expect(english != main)

            // JSON and CSV.
            let json = try await Self.get(s.port, "/api/v1/summary")
            #expect(json.type.hasPrefix("application/json"))
            let served = try JSONDecoder().decode(Summary.self, from: Data(json.body))
            #expect(served.products == summary.products && served.trainings == summary.trainings)
            let filtered = try JSONDecoder().decode(Page<ProductRow>.self,
                                                    from: Data(try await Self.get(s.port, "/api/v1/products?category=makanan&per_page=5").body))
            #expect(filtered.items.count <= 5 && filtered.items.allSatisfy { $0.category == "makanan" })
            for name in ["nodes", "products", "sales", "trainings", "monitoring", "activities", "awards"] {
                let csv = try await Self.get(s.port, "/api/v1/\(name).csv?year=2026")
                #expect(csv.status == 200 && csv.type.hasPrefix("text/csv") && Array(csv.body.prefix(3)) == [0xEF, 0xBB, 0xBF], "\(name).csv")
            }
            let productsCSV = try CSVImport.read(String(decoding: try await Self.get(s.port, "/api/v1/products.csv").body, as: UTF8.self))
            #expect(productsCSV.rows.count == summary.products.total)

            // A survey's photo is served as the image it is.
            let latest = try await OffPool.run { try s.views.monitoring(filter: ViewFilter(perPage: 1), latestOnly: true) }.items.first!
            let photo = try await Self.get(s.port, "/photos/\(latest.photo!)")
            #expect(photo.status == 200 && photo.type == "image/png" && photo.body == s.blobs.contents(Bytes32(hex: latest.photo!)!))
            #expect(try await Self.get(s.port, "/photos/\(String(repeating: "ab", count: 32))").status == 404)
        }
    }

    /// CSV exports are not paged: every row, past the 1000 a JSON page holds.
    @Test func csvExportsHoldEveryRowAndPagesStayWithinBounds() async throws {
        try await Self.withServer(entriesPerCentre: 400) { s in
            let total = try await OffPool.run { try s.views.summary(freshness: Freshness.of(store: s.store)) }.products.total
            #expect(total > 1000)
            let csv = try CSVImport.read(String(decoding: try await Self.get(s.port, "/api/v1/products.csv").body, as: UTF8.self))
            #expect(csv.rows.count == total)
            let json = try await Self.get(s.port, "/api/v1/products?per_page=5000")
            let capped = try JSONDecoder().decode(Page<ProductRow>.self, from: Data(json.body))
            #expect(capped.items.count == 1000 && capped.perPage == 1000 && capped.total == total)
            // Page numbers up to the largest integer answer (an empty page), not a crash.
            for path in ["/api/v1/products?page=9223372036854775807", "/api/v1/nodes?page=9223372036854775807&per_page=1000",
                         "/products?page=9223372036854775807", "/centres?page=9223372036854775807&per_page=200", "/sales?page=99999999999999999999"] {
                #expect(try await Self.get(s.port, path).status == 200, "\(path)")
            }
            #expect(try await Self.get(s.port, "/api/v1/summary").status == 200, "the server is still up")
            // A period is a year or a month; "2026-1" would match October to December.
            for bad in ["/api/v1/products?period=2026-1", "/api/v1/summary?period=bulan-ini"] {
                let r = try await Self.get(s.port, bad)
                #expect(r.status == 400, "\(bad)")
                #expect(String(decoding: r.body, as: UTF8.self).contains("period must be a year (2026) or a month (2026-03)"), "\(bad)")
            }
            // The pages say it as a page, in their language.
            let page = try await Self.get(s.port, "/trainings?period=2026-13")
            #expect(page.status == 400 && page.type.hasPrefix("text/html"))
            #expect(String(decoding: page.body, as: UTF8.self).contains("Periode harus berupa tahun (2026) atau bulan (2026-03)"))
            let english = try await Self.get(s.port, "/products?period=2026-1&lang=en")
            #expect(String(decoding: english.body, as: UTF8.self).contains("The period must be a year (2026) or a month (2026-03)"))
            for good in ["/api/v1/products?period=2026", "/api/v1/sales?period=2026-10", "/trainings?period=2026-03"] {
                #expect(try await Self.get(s.port, good).status == 200, "\(good)")
            }
        }
    }

    @Test func anAccessTokenGuardsEveryPage() async throws {
        try await Self.withServer(token: "rahasia-jawa-timur-2026") { s in
            #expect(try await Self.get(s.port, "/").status == 401)
            #expect(try await Self.get(s.port, "/api/v1/summary").status == 401)
            #expect(try await Self.get(s.port, "/api/v1/summary?token=wrong").status == 401)
            #expect(try await Self.get(s.port, "/api/v1/summary?token=rahasia-jawa-timur-2026").status == 200)
            #expect(try await Self.get(s.port, "/api/v1/summary?token=rahasia-jawa-timur-202").status == 401, "a prefix is not the token")
            #expect(try await Self.get(s.port, "/api/v1/summary?token=rahasia-jawa-timur-20266").status == 401, "nor a longer one")
            // A first visit with the token sets a cookie; the links do not
            // carry the token, the cookie does.
            let page = try await HTTPExchange.get(port: s.port, "/products?token=rahasia-jawa-timur-2026")
            #expect(page.status == 200)
            #expect(page.headers.first(name: "Set-Cookie")?.hasPrefix("tcnode_token=rahasia-jawa-timur-2026;") == true)
            #expect(!String(decoding: page.body, as: UTF8.self).contains("rahasia"), "no token in the page's links")
            #expect(try await Self.get(s.port, "/sales?page=2", cookie: "tcnode_token=rahasia-jawa-timur-2026").status == 200)
            #expect(try await Self.get(s.port, "/sales", cookie: "lang=en; tcnode_token=rahasia-jawa-timur-2026").status == 200)
            #expect(try await Self.get(s.port, "/sales", cookie: "tcnode_token=rahasia").status == 401)
        }
    }

    /// A GET with a Cookie header.
    static func get(_ port: Int, _ path: String, cookie: String) async throws -> (status: Int, body: [UInt8]) {
        let channel = try await HTTPExchange.connect(host: "127.0.0.1", port: port)
        return try await channel.executeThenClose { inbound, outbound -> (status: Int, body: [UInt8]) in
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
            head.headers.add(name: "Host", value: "127.0.0.1")
            head.headers.add(name: "Connection", value: "close")
            head.headers.add(name: "Cookie", value: cookie)
            try await outbound.write(.head(head))
            try await outbound.write(.end(nil))
            var status = 0
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let h): status = Int(h.status.code)
                case .body(let b): body.append(contentsOf: b.readableBytesView)
                case .end: return (status, body)
                }
            }
            return (status, body)
        }
    }
}
