import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NodeRuntime
import Replication
import Telecenter

/// The hub's network-wide views over HTTP: JSON under /api/v1/, CSV
/// exports, photos, and the dashboard. Bound to 127.0.0.1 unless an access
/// token is configured.
public enum ViewsServer {
    public static func application(node: Node, views: Views, host: String, port: Int, token: String?, logger: Logger,
                                   bound: (@Sendable (Int) async -> Void)? = nil) -> some ApplicationProtocol {
        let router = Router()
        if let token, !token.isEmpty { router.add(middleware: TokenMiddleware(token: token)) }

        @Sendable func filter(_ request: Request) throws -> ViewFilter {
            let q = request.uri.queryParameters
            func text(_ name: String) -> String? {
                guard let v = q[Substring(name)].map(String.init)?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
                return v
            }
            if let period = text("period"), !ViewFilter.isValidPeriod(period) {
                throw HTTPError(.badRequest, message: "period must be a year (2026) or a month (2026-03), not '\(period.prefix(40))'")
            }
            // A page holds at most 1000 rows; the CSV exports are not paged.
            let perPage = min(text("per_page").flatMap(Int.init) ?? 50, ViewFilter.maxPerPage)
            return ViewFilter(region: text("region"), period: text("period"), category: text("category"),
                              page: text("page").flatMap(Int.init) ?? 1, perPage: perPage)
        }
        @Sendable func everything(_ f: ViewFilter) -> ViewFilter { f.unpaged }
        @Sendable func freshness() throws -> Freshness {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            var contacts: [NodeID: Int64] = [:]
            for peer in node.peers.snapshot() {
                guard let id = NodeID(peer.node), let seen = peer.connections > 0 ? now : peer.lastSeenMs else { continue }
                contacts[id] = seen
            }
            return try Freshness.of(store: node.store, offered: node.offered, contacts: contacts, nowMs: now)
        }

        let api = router.group("api/v1")
        // How far behind the log the views are, and whether their database answers.
        api.get("views/status") { _, _ in try json(views.health.snapshot, snakeCase: true) }
        api.get("summary") { request, _ in try await OffPool.run { try json(views.summary(filter: filter(request), freshness: freshness())) } }
        api.get("nodes") { request, _ in try await OffPool.run { try json(views.nodes(filter: filter(request), freshness: freshness())) } }
        api.get("products") { request, _ in try await OffPool.run { try json(views.products(filter: filter(request))) } }
        api.get("sales") { request, _ in try await OffPool.run { try json(views.sales(filter: filter(request))) } }
        api.get("trainings") { request, _ in try await OffPool.run { try json(views.trainings(filter: filter(request))) } }
        api.get("monitoring") { request, _ in try await OffPool.run {
            try json(views.monitoring(filter: filter(request), latestOnly: request.uri.queryParameters["latest"] == "1"))
        } }
        api.get("activities") { request, _ in try await OffPool.run { try json(views.activities(filter: filter(request))) } }
        api.get("awards") { request, _ in try await OffPool.run { try json(views.awards(year: year(request))) } }

        api.get("nodes.csv") { request, _ in try await OffPool.run {
            csv("centres", CSVExport.centres(try views.nodes(filter: everything(filter(request)), freshness: freshness()).items))
        } }
        api.get("products.csv") { request, _ in try await OffPool.run { csv("products", CSVExport.products(try views.products(filter: everything(filter(request))).items)) } }
        api.get("sales.csv") { request, _ in try await OffPool.run { csv("sales", CSVExport.sales(try views.sales(filter: everything(filter(request))).items)) } }
        api.get("trainings.csv") { request, _ in try await OffPool.run {
            csv("trainings", CSVExport.trainings(try views.trainings(filter: everything(filter(request))).items))
        } }
        api.get("monitoring.csv") { request, _ in try await OffPool.run {
            csv("monitoring", CSVExport.monitoring(try views.monitoring(filter: everything(filter(request))).items))
        } }
        api.get("activities.csv") { request, _ in try await OffPool.run {
            csv("activities", CSVExport.activities(try views.activities(filter: everything(filter(request))).items))
        } }
        api.get("awards.csv") { request, _ in try await OffPool.run { csv("awards", CSVExport.awards(try views.awards(year: year(request)))) } }

        router.get("photos/:sha") { _, context -> Response in
            let sha = context.parameters.get("sha").flatMap { Bytes32(hex: $0) }
            let photos = node.photos
            let read = await OffPool.run { () -> [UInt8]? in
                guard let sha, let photos else { return nil }
                return photos.blobs.contents(sha)
            }
            guard let bytes = read, let type = BlobStore.isImage(bytes)
            else { return Response(status: .notFound, body: ResponseBody(byteBuffer: ByteBuffer(string: "photo not held here\n"))) }
            return Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=31536000, immutable"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }

        DashboardRoutes.add(to: router, node: node, views: views, freshness: freshness, filter: filter)

        var quiet = logger
        quiet.logLevel = .warning
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
                           onServerRunning: { channel in
                               logger.notice("views and dashboard on http://\(channel.localAddress?.hostAndPort ?? "\(host):\(port)")/")
                               if let port = channel.localAddress?.port { await bound?(port) }
                           },
                           logger: quiet)
    }

    static func year(_ request: Request) -> String {
        if let y = request.uri.queryParameters["year"].map(String.init), y.count == 4, Int(y) != nil { return y }
        return String(Calendar(identifier: .gregorian).component(.year, from: Date()))
    }

    static func json<T: Encodable>(_ value: T, snakeCase: Bool = false) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if snakeCase { encoder.keyEncodingStrategy = .convertToSnakeCase }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    static func csv(_ name: String, _ bytes: [UInt8]) -> Response {
        Response(status: .ok,
                 headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name).csv\""],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Requires the configured token as `Authorization: Bearer`, `?token=` or
/// the cookie a first visit with `?token=` sets.
struct TokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let bearer = request.headers[.authorization].map { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : $0 }
        let query = request.uri.queryParameters["token"].map(String.init)
        let cookie = request.headers[.cookie]?.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("tcnode_token=") }.map { String($0.dropFirst("tcnode_token=".count)) }
        guard [bearer, query, cookie].contains(where: { Self.matches($0, token) }) else {
            return Response(status: .unauthorized, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: "Akses ditolak: token salah atau tidak ada. Access denied: add ?token=... (views_token in the node's config).\n")))
        }
        var response = try await next(request, context)
        if Self.matches(query, token) {
            response.headers[.setCookie] = "tcnode_token=\(token); Path=/; HttpOnly; SameSite=Strict"
        }
        return response
    }

    /// Compares every byte whatever the first difference, so that the time
    /// an answer takes tells nothing of how much of a guess was right.
    static func matches(_ given: String?, _ token: String) -> Bool {
        guard let given else { return false }
        let a = Array(given.utf8), b = Array(token.utf8)
        var difference: UInt8 = a.count == b.count ? 0 : 1
        for i in b.indices { difference |= b[i] ^ (i < a.count ? a[i] : 0) }
        return difference == 0
    }
}
