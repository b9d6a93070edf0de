import Foundation
import Hummingbird
import NIOCore
import NodeRuntime
import Replication
import Telecenter

/// The dashboard's pages: server-rendered HTML (Bahasa Indonesia by
/// default, `?lang=en` for English), no scripts or external resources.
enum DashboardRoutes {
    static func add(to router: Router<BasicRequestContext>, node: Node, views: Views, freshness: @escaping @Sendable () throws -> Freshness,
                    filter: @escaping @Sendable (Request) throws -> ViewFilter) {
        @Sendable func language(_ r: Request) -> String { r.uri.queryParameters["lang"] == "en" ? "en" : "id" }
        // Links carry no access token (`query: ""`): the first request with
        // `?token=` sets a cookie (TokenMiddleware), so the token stays out
        // of addresses, browser history and Referer headers.
        @Sendable func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
        /// A page asked for with a malformed period says so in its own
        /// language (the JSON API answers 400 with the same rule).
        @Sendable func invalidPeriod(_ request: Request) -> Response? {
            guard let period = request.uri.queryParameters["period"].map({ String($0).trimmingCharacters(in: .whitespaces) }),
                  !period.isEmpty, !ViewFilter.isValidPeriod(period) else { return nil }
            var response = html(DashboardPages.invalidPeriod(period, path: request.uri.path, language: language(request)))
            response.status = .badRequest
            return response
        }

        router.get("/") { request, _ in try await OffPool.run {
            let fresh = try freshness()
            let summary = try views.summary(filter: ViewFilter(), freshness: fresh)
            // From the counters, with rows for the 25 centres shown only (not every centre's).
            let (stale, sellers) = try views.overview(freshness: fresh, stale: 15, sellers: 10)
            let latest = try views.monitoring(filter: ViewFilter(perPage: 12), latestOnly: true).items
            let awards = try views.awards(year: ViewsServer.year(request), limit: 5)
            return html(DashboardPages.overview(summary: summary, stale: Array(stale), sellers: Array(sellers), latestSurveys: latest,
                                                awards: awards, language: language(request), nowMs: now(), query: ""))
        } }
        router.get("centres") { request, _ in try await OffPool.run {
            if let invalid = invalidPeriod(request) { return invalid }
            let f = try filter(request)
            return html(DashboardPages.centres(page: try views.nodes(filter: f, freshness: freshness()), filter: f,
                                               language: language(request), nowMs: now(), query: ""))
        } }
        router.get("products") { request, _ in try await OffPool.run {
            if let invalid = invalidPeriod(request) { return invalid }
            let f = try filter(request)
            let summary = try views.summary(filter: ViewFilter(region: f.region, period: f.period), freshness: freshness())
            return html(DashboardPages.products(page: try views.products(filter: f), summary: summary, filter: f,
                                                language: language(request), query: ""))
        } }
        router.get("sales") { request, _ in try await OffPool.run {
            if let invalid = invalidPeriod(request) { return invalid }
            let f = try filter(request)
            return html(DashboardPages.sales(page: try views.sales(filter: f), filter: f, language: language(request), query: ""))
        } }
        router.get("trainings") { request, _ in try await OffPool.run {
            if let invalid = invalidPeriod(request) { return invalid }
            let f = try filter(request)
            let summary = try views.summary(filter: ViewFilter(region: f.region, period: f.period), freshness: freshness())
            return html(DashboardPages.trainings(page: try views.trainings(filter: f), summary: summary, filter: f,
                                                 language: language(request), query: ""))
        } }
        router.get("monitoring") { request, _ in try await OffPool.run {
            if let invalid = invalidPeriod(request) { return invalid }
            let f = try filter(request)
            let summary = try views.summary(filter: ViewFilter(region: f.region), freshness: freshness())
            return html(DashboardPages.monitoring(page: try views.monitoring(filter: f), summary: summary, filter: f,
                                                  language: language(request), query: ""))
        } }
        router.get("activities") { request, _ in try await OffPool.run {
            if let invalid = invalidPeriod(request) { return invalid }
            let f = try filter(request)
            return html(DashboardPages.activities(page: try views.activities(filter: f), filter: f, language: language(request),
                                                  query: ""))
        } }
        router.get("awards") { request, _ in try await OffPool.run {
            let year = ViewsServer.year(request)
            let current = Calendar(identifier: .gregorian).component(.year, from: Date())
            let years = (0..<5).map { String(current - $0) }
            return html(DashboardPages.awards(awards: try views.awards(year: year), years: years, language: language(request),
                                              query: ""))
        } }
    }

    static func html(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
