import Foundation

/// The hub's server-rendered dashboard: whole HTML documents, Bahasa
/// Indonesia by default ("id") or English ("en"), with inline CSS and SVG
/// (no script, nothing fetched but `/photos/…`), readable on a laptop or a
/// phone and printable. One file per page; pages are built as `Markup`, so
/// every text from the records is escaped.
///
/// `query` is what every link must carry ("" or "?name=value&…", already
/// URL-encoded); the server passes "", as its access token travels in a
/// cookie rather than in links. Pages add their own
/// parameters after it: `lang` ("en"; Indonesian when absent), `region`,
/// `period`, `category`, `page`, `per_page` and, on /awards, `year`. Those
/// names are dropped from `query` if the server passes them there too.
/// CSV links go to `/api/v1/<view>.csv` with the page's filters (the
/// centres' view is `nodes`).
public enum DashboardPages {
    /// The pages in the main menu.
    static let navigation: [(path: String, title: Phrase)] = [
        ("/", .overview), ("/centres", .centres), ("/products", .products), ("/sales", .sales),
        ("/trainings", .trainings), ("/monitoring", .monitoring), ("/activities", .activities), ("/awards", .awards),
    ]

    /// A whole page around `body`: head, style, header with the menu and the
    /// language switch, footer.
    static func document(_ c: Context, title: String, active: String, generatedMs: Int64?, network: String?, body: Markup) -> String {
        let network = network.flatMap { $0.isEmpty ? nil : $0 }
        let generated = generatedMs ?? Int64(Date().timeIntervalSince1970 * 1000)
        let siteTitle = c.t(.siteTitle)
        let other = c.en ? "id" : "en"
        var h: Markup = "<!doctype html>\n<html lang=\"\(c.language)\"><head><meta charset=\"utf-8\">"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        h += "<meta name=\"referrer\" content=\"no-referrer\"><meta name=\"robots\" content=\"noindex, nofollow\">"
        h += "<title>\(title) · \(siteTitle)</title><style>\(DashboardStyle.css)</style></head><body>"
        h += "<a class=\"skip\" href=\"\(Link.fragment("isi"))\">\(c.t(.skipToContent))</a>"
        h += "<header class=\"top\"><div class=\"bar\"><a class=\"brand\" href=\"\(c.href("/"))\">"
        h += "<svg class=\"logo\" viewBox=\"0 0 24 24\" width=\"24\" height=\"24\" aria-hidden=\"true\"><circle cx=\"12\" cy=\"12\" r=\"3\" fill=\"#fff\"/>"
        h += "<circle cx=\"4\" cy=\"6\" r=\"2\" fill=\"#9cc7f0\"/><circle cx=\"20\" cy=\"6\" r=\"2\" fill=\"#9cc7f0\"/><circle cx=\"12\" cy=\"21\" r=\"2\" fill=\"#9cc7f0\"/>"
        h += "<path d=\"M5.5 7l4.3 3.3M18.5 7l-4.3 3.3M12 15v4\" stroke=\"#9cc7f0\" stroke-width=\"1.6\"/></svg>"
        h += "\(siteTitle)</a>"
        h += "<div class=\"meta\"><span>\(c.t(.generated)) <time datetime=\"\(ISOTime.string(generated))\">"
        h += "\(HTML.dateTime(generated, c.language))</time></span>"
        h += "<a class=\"lang\" href=\"\(c.switchLanguageHref())\" hreflang=\"\(other)\" lang=\"\(other)\">"
        h += c.en ? "Bahasa Indonesia" : "English"
        h += "</a></div></div><nav class=\"main\" aria-label=\"\(c.t(.mainMenu))\">"
        for (path, title) in navigation {
            let current: Markup = path == active ? " aria-current=\"page\"" : ""
            h += "<a href=\"\(c.href(path))\"\(current)>\(c.t(title))</a>"
        }
        h += "</nav></header><main id=\"isi\">"
        h += body
        h += "</main><footer><p>\(siteTitle) · \(c.t(.footerNote))</p><p>"
        if let network {
            h += "\(c.t(.network)) <span class=\"mono\" title=\"\(network)\">\(network.prefix(12))</span> · "
        }
        h += "\(c.t(.timesIn)) WIB (UTC+7) · tcnode</p></footer></body></html>\n"
        return h.html
    }
}
