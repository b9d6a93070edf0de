import Foundation
import HubViews
import Replication
import Telecenter
import Testing
import TestSupport

/// The dashboard shows text other nodes wrote. Records of every kind with
/// script, attribute-breaking text, `javascript:` links, `</style>` and
/// spreadsheet formulas in every text field: no page in any variant lets
/// any of it out of its text or attribute, and no CSV export hands a
/// spreadsheet a formula.
@Suite struct DashboardEscapingTests {
    static let nowMs: Int64 = 1_790_000_000_000

    /// Every page in every variant and every export, straight from the
    /// page functions: nothing gets out, and every field reaches a page or
    /// an export (so that the check has something to catch).
    @Test func noPageOrExportLetsRecordTextOut() throws {
        let n = try HostileNetwork()
        var reached = Set<String>()
        let pages = try Self.pages(n.views, store: n.store, region: HostileNetwork.region, categories: HostileNetwork.categories,
                                   nowMs: Self.nowMs, year: HostileNetwork.year)
        for (name, html) in pages {
            for problem in Self.problems(html) { Issue.record("\(name): \(problem)") }
            reached.formUnion(Self.markers(html))
        }
        #expect(pages.count == 2 * 2 * (2 + 2 + 4 * 6))
        #expect(HostileNetwork.pageFields.subtracting(reached).isEmpty, "fields no page shows: \(HostileNetwork.pageFields.subtracting(reached).sorted())")
        for (name, csv) in try Self.exports(n.views, store: n.store, year: HostileNetwork.year) {
            let text = String(decoding: csv, as: UTF8.self)
            for problem in Self.csvProblems(text) { Issue.record("\(name): \(problem)") }
            reached.formUnion(Self.markers(text))
        }
        #expect(Set(HostileNetwork.fields).subtracting(reached).isEmpty,
                "fields no page or export shows: \(Set(HostileNetwork.fields).subtracting(reached).sorted())")
    }

    /// The same records served: every route the dashboard answers, with
    /// hostile filters in the query, and every CSV route.
    @Test func noServedPageOrExportLetsRecordTextOut() async throws {
        try await DashboardTests.withServer(populate: HostileNetwork.populate) { s in
            let region = HTML.urlEncode(HostileNetwork.region)
            var paths = ["/", "/awards?year=\(HostileNetwork.year)", "/products?period=" + HTML.urlEncode(HostileNetwork.payload("query.period", lead: "="))]
            for (page, category) in [("centres", nil), ("products", "products"), ("sales", nil), ("trainings", "trainings"),
                                     ("monitoring", "monitoring"), ("activities", "activities")] {
                paths.append("/\(page)")
                paths.append("/\(page)?region=\(region)&period=\(HostileNetwork.year)&per_page=1&page=2"
                             + (category.map { "&category=" + HTML.urlEncode(HostileNetwork.categories[$0]!) } ?? ""))
            }
            for path in paths {
                for language in ["", "&lang=en"] {
                    let r = try await DashboardTests.get(s.port, path + (path.contains("?") ? language : language.replacingOccurrences(of: "&", with: "?")))
                    #expect(r.status == 200 || (r.status == 400 && path.contains("period=%3D")), "\(path)")
                    for problem in Self.problems(String(decoding: r.body, as: UTF8.self)) { Issue.record("\(path)\(language): \(problem)") }
                }
            }
            for name in ["nodes", "products", "sales", "trainings", "monitoring", "activities", "awards"] {
                let r = try await DashboardTests.get(s.port, "/api/v1/\(name).csv?year=\(HostileNetwork.year)")
                for problem in Self.csvProblems(String(decoding: r.body, as: UTF8.self)) { Issue.record("\(name).csv: \(problem)") }
            }
        }
    }

    /// Text put into markup is escaped for content and quoted attributes
    /// alike; literals and numbers stay; an unquoted attribute value traps.
    @Test func markupEscapesWhatIsNotWrittenInTheSource() async {
        let name = "<b>\"Bu Sri\" & 'anak'</b>"
        let markup: Markup = "<p title=\"\(name)\">\(name) \(3)</p>"
        let escaped = "&lt;b&gt;&quot;Bu Sri&quot; &amp; &#39;anak&#39;&lt;/b&gt;"
        #expect(markup.html == "<p title=\"\(escaped)\">\(escaped) 3</p>")
        #expect(Markup(text: name).html == escaped && Markup.trusted(name).html == name)
        #expect(([markup, Markup(text: "&")] as [Markup]).joined(separator: "<br>").html == markup.html + "<br>&amp;")
        await #expect(processExitsWith: .failure) {
            let value = "x onmouseover=alert(1)"
            let _: Markup = "<p title=\(value)>"
        }
    }

    /// The checker itself: each way out it must see.
    @Test func theCheckerSeesEachWayOut() {
        let page = "<!doctype html>\n<html lang=\"en\"><head><style>b{}</style></head><body><p title=\"a &amp; &#39;b&#39;\">x</p></body></html>"
        #expect(Self.problems(page).isEmpty)
        for bad in ["<script>alert(1)</script>", "<p title=\"\"><img src=x onerror=alert(1)>\">", "<p title=\"x\" onmouseover=\"x\">",
                    "<p title='x' onmouseover='x'>", "<a href=\"javascript:alert(1)\">", "<a href=\"&#x6A;avascript:alert(1)\">",
                    "<img src=\"data:image/png,x\">", "<p title=\"'\">", "<p title=x>", "</style><p>", "<p>F:x</style>"] {
            let spoiled = page.replacingOccurrences(of: "<p title", with: bad + "<p title")
            #expect(!Self.problems(spoiled).isEmpty, "\(bad)")
        }
        #expect(Self.csvProblems("a,b\r\n'=x,-7.5\r\n").isEmpty)
        for bad in ["=x", "+x", "-x", "@x", "\"\tx\"", "\"\rx\"", "  =x"] { #expect(!Self.csvProblems("a,b\r\n\(bad),1\r\n").isEmpty, "\(bad)") }
    }

    // MARK: Checks

    static let tags: Set<String> = [
        "html", "head", "meta", "title", "style", "body", "a", "header", "div", "svg", "circle", "path", "span", "time", "nav", "main", "p",
        "footer", "h1", "h2", "h3", "section", "strong", "form", "input", "label", "datalist", "option", "select", "button", "table",
        "caption", "thead", "tr", "th", "tbody", "td", "tfoot", "br", "img", "ul", "li", "ol", "text", "rect", "g", "line", "desc",
    ]
    static let attributes: Set<String> = [
        "lang", "charset", "name", "content", "class", "href", "viewbox", "width", "height", "aria-hidden", "cx", "cy", "r", "fill", "d",
        "stroke", "stroke-width", "datetime", "hreflang", "aria-label", "aria-current", "id", "aria-labelledby", "role", "title", "method",
        "action", "type", "value", "list", "placeholder", "autocomplete", "pattern", "inputmode", "size", "selected", "download", "scope",
        "colspan", "data-label", "src", "loading", "alt", "rel", "target", "style", "preserveaspectratio", "xmlns", "x", "y", "font-size",
        "text-anchor", "font-weight", "rx", "x1", "y1", "x2", "y2", "stroke-dasharray", "stroke-dashoffset", "transform",
    ]

    /// What lets text out of its place in `html`: a tag or attribute the
    /// dashboard does not write (script, event handlers), an unquoted or
    /// single-quoted attribute value, a quote or `<` inside a value, a link
    /// that is not http(s) or this server's, a second style element.
    static func problems(_ html: String) -> [String] {
        var out: [String] = []
        let s = Array(html.unicodeScalars)
        var i = 0
        func word(_ stop: (Unicode.Scalar) -> Bool) -> String {
            var w = ""
            while i < s.count, !stop(s[i]) { w.unicodeScalars.append(s[i]); i += 1 }
            return w
        }
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\n" || c == "\t" || c == "\r" || c == "\u{0C}" }
        var styles = 0
        while i < s.count {
            guard s[i] == "<" else { i += 1; continue }
            i += 1
            if s.count - i >= 8, String(String.UnicodeScalarView(s[i..<(i + 8)])).lowercased() == "!doctype" {
                _ = word { $0 == ">" }
                continue
            }
            let closing = i < s.count && s[i] == "/"
            if closing { i += 1 }
            let tag = word { isSpace($0) || $0 == ">" || $0 == "/" }.lowercased()
            guard tags.contains(tag) else {
                out.append("a <\(closing ? "/" : "")\(tag.prefix(20))> tag")
                continue
            }
            // Attributes, up to the tag's end.
            while i < s.count {
                while i < s.count, isSpace(s[i]) || s[i] == "/" { i += 1 }
                if i >= s.count || s[i] == ">" { break }
                let name = word { isSpace($0) || $0 == "=" || $0 == ">" || $0 == "/" }.lowercased()
                if !attributes.contains(name) { out.append("attribute \(name.prefix(30)) on <\(tag)>") }
                guard i < s.count, s[i] == "=" else { continue }
                i += 1
                guard i < s.count, s[i] == "\"" else {
                    out.append("unquoted value of \(name) on <\(tag)>: \(word { isSpace($0) || $0 == ">" }.prefix(30))")
                    continue
                }
                i += 1
                let value = word { $0 == "\"" }
                i += 1
                if value.contains("<") || value.contains("'") || value.contains(">") { out.append("\(name)=\"\(value.prefix(40))\" on <\(tag)>") }
                if ["href", "src", "action"].contains(name) {
                    // Browsers drop spaces and controls from a URL before its scheme.
                    let url = String(String.UnicodeScalarView(decoded(value).unicodeScalars.filter { $0.value > 0x20 })).lowercased()
                    let ok = name == "src" ? url.hasPrefix("/photos/") : ["/", "#", "https://", "http://"].contains { url.hasPrefix($0) }
                    if !ok || url.hasPrefix("//") { out.append("\(name)=\"\(value.prefix(40))\" on <\(tag)>") }
                }
                if name == "style", value.wholeMatch(of: /width:[0-9]+%/) == nil { out.append("style=\"\(value.prefix(40))\"") }
            }
            i += 1
            if tag == "style" && !closing {
                styles += 1
                // The style sheet ends at the first "</style": it must be the dashboard's own, whole.
                let rest = String(String.UnicodeScalarView(s[i...]))
                let sheet = rest.range(of: "</style").map { String(rest[..<$0.lowerBound]) } ?? rest
                if sheet.contains("F:") || sheet.contains("<") { out.append("text inside the style sheet") }
            }
        }
        if styles > 1 { out.append("\(styles) style elements") }
        if html.lowercased().components(separatedBy: "</style").count > 2 { out.append("more than one </style") }
        return out
    }

    /// `text` with the character references the dashboard writes, and
    /// numeric ones, decoded.
    static func decoded(_ text: String) -> String {
        var out = text
        for match in text.matches(of: /&#(x?)([0-9a-fA-F]+);/).reversed() {
            let value = UInt32(match.2, radix: match.1.isEmpty ? 10 : 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) } ?? ""
            out.replaceSubrange(match.range, with: value)
        }
        return out.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Cells a spreadsheet would run as a formula: text that starts with
    /// = + - @, a tab or a carriage return (after spaces) and is not a
    /// plain number.
    static func csvProblems(_ text: String) -> [String] {
        var out: [String] = []
        for (line, row) in csvRows(text).enumerated() {
            for (column, cell) in row.enumerated() {
                guard let first = cell.unicodeScalars.first(where: { $0 != " " }), "=+-@\t\r".unicodeScalars.contains(first) else { continue }
                if cell.wholeMatch(of: /-?[0-9]+(\.[0-9]+)?/) == nil { out.append("row \(line + 1), column \(column + 1): \(cell.prefix(30))") }
            }
        }
        return out
    }

    /// RFC 4180 rows, each cell exactly as written (nothing trimmed, as a
    /// spreadsheet reads it).
    static func csvRows(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], cell = "", quoted = false, atStart = true
        var s = Substring(text)
        if s.hasPrefix("\u{FEFF}") { s = s.dropFirst() }
        var it = Array(s.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        while let c = pending ?? it.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    let next = it.next()
                    if next == "\"" { cell += "\"" } else { quoted = false; pending = next }
                } else {
                    cell.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where atStart: quoted = true; atStart = false
            case ",": row.append(cell); cell = ""; atStart = true
            case "\r", "\n":
                if c == "\r" { if let next = it.next(), next != "\n" { pending = next } }
                row.append(cell); rows.append(row); row = []; cell = ""; atStart = true
            default: cell.unicodeScalars.append(c); atStart = false
            }
        }
        if !cell.isEmpty || !row.isEmpty { row.append(cell); rows.append(row) }
        return rows
    }

    /// The fields whose payload `text` holds, escaped or not.
    static func markers(_ text: String) -> Set<String> {
        Set(text.matches(of: /F:([a-z]+\.[a-z]+)/).map { String($0.1) })
    }

    /// A hub's views whose records are all hostile: each text field holds
    /// `payload(field:lead:)`, each centre's fields start with a different
    /// formula character.
    struct HostileNetwork {
        static let year = "2026"
        static let leads = ["=", "+", "-", "@", "\t", " ="]

        let dir: TemporaryDirectory
        let hub: NodeKey
        let store: Store
        let blobs: BlobStore
        let views: Views

        /// What a hostile node writes in `field`: a formula, a script, text
        /// that leaves a double-quoted then a single-quoted attribute,
        /// `</style>` and a `javascript:` link. The field's name inside
        /// (`F:product.name`, at both ends: a region is cut at its last "/")
        /// tells which field reached a page.
        static func payload(_ field: String, lead: String) -> String {
            lead + "cmd|' /C calc'!A0 <script>alert('F:\(field)')</script>\"><img src=x onerror=alert(1)>' onmouseover='x </style> javascript:alert('F:\(field)')"
        }

        /// Every text field the views keep, by the name `payload` marks it with.
        static let fields = [
            "admit.name", "admit.region", "profile.name", "profile.type", "profile.provinsi", "profile.kabupaten", "profile.kecamatan",
            "profile.desa", "profile.address", "product.key", "product.name", "product.category", "product.unit", "product.producer",
            "product.link", "product.photo", "sale.key", "sale.product", "sale.date", "sale.channel", "training.key", "training.title", "training.topic",
            "training.start", "training.place", "training.trainer", "training.group", "activity.key", "activity.type", "activity.title",
            "activity.date", "activity.group", "monitoring.key", "monitoring.date", "monitoring.period", "monitoring.assessor",
            "monitoring.classification", "monitoring.notes", "monitoring.photo", "product.description", "product.contact", "training.end",
            "activity.place", "profile.phone", "profile.email", "profile.hours", "profile.service", "profile.expertise",
        ]
        /// The fields the pages show (keys, photo hashes, the province, the
        /// address and whole links are in the exports only).
        static let pageFields = Set(fields).subtracting([
            "product.key", "sale.key", "training.key", "activity.key", "monitoring.key", "product.photo", "monitoring.photo",
            "profile.provinsi", "profile.address", "product.link",
        ])

        init() throws {
            dir = TemporaryDirectory("tcescape")
            hub = try NodeKey(seed: Array(repeating: 1, count: 32))
            store = try Store.create(at: dir.file("hub.sqlite"), network: hub.id, node: hub.id)
            blobs = BlobStore(root: dir.file("blobs"))
            try Self.populate(hub: hub, store: store, blobs: blobs)
            views = try ViewsUnderTest.open(path: dir.file("views.sqlite"), store: store, blobs: blobs)
            try views.catchUp()
        }

        static let region = payload("profile.kabupaten", lead: "=")
        /// A category, topic, classification and activity type the records hold, by page.
        static let categories = [
            "products": payload("product.category", lead: "="), "trainings": payload("training.topic", lead: "+"),
            "monitoring": payload("monitoring.classification", lead: "-"), "activities": payload("activity.type", lead: "@"),
        ]

        /// Writes the records: the hub admits one centre per lead and
        /// surveys them all; each centre but one writes its profile and
        /// records of every kind.
        static func populate(hub: NodeKey, store: Store, blobs: BlobStore) throws {
            let png = TinyPNG.make(width: 8, height: 8) { x, y in (UInt8(x * 30), UInt8(y * 30), 90) }
            let photo = try blobs.add(png).sha256.hex
            let time: Int64 = 1_780_000_000_000
            var hubDrafts: [Entry.Draft] = [
                .put(kind: "node", key: "profile", body: profile(lead: "\r"), time: time),
            ]
            var centres: [(NodeKey, String)] = []
            for (i, lead) in leads.enumerated() {
                let key = try NodeKey(seed: Array(repeating: UInt8(i + 2), count: 32))
                centres.append((key, lead))
                hubDrafts.append(.put(kind: "admit", key: key.id.description, body: json([
                    "node": key.id.description, "role": "telecenter", "name": payload("admit.name", lead: lead),
                    "region": "Jawa Timur / " + payload("admit.region", lead: lead),
                ]), time: time))
            }
            try store.append(hubDrafts, signer: hub)
            var surveys: [Entry.Draft] = []
            for (i, (key, lead)) in centres.enumerated() {
                func p(_ field: String) -> String { payload(field, lead: lead) }
                // One centre has no profile: the dashboard shows its admission's name and region.
                var drafts: [Entry.Draft] = i == 1 ? [] : [.put(kind: "node", key: "profile", body: profile(lead: lead), time: time)]
                for (n, date) in ["\(year)-03-04", p("sale.date")].enumerated() {
                    drafts.append(.put(kind: "product", key: p("product.key") + "\(n)", body: json([
                        "name": p("product.name"), "category": p("product.category"), "price_idr": 15_000 + n, "unit": p("product.unit"),
                        "producer": n == 0 ? p("product.producer") as Any : ["name": p("product.producer"), "contact": p("product.contact")],
                        "description": p("product.description"), "available": n == 0,
                        "online_links": ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
                                         "https://x.example/" + p("product.link"), "https://x.example/a?b=\"c\"&d='e'"],
                        "photos": [["sha256": n == 0 ? photo : p("product.photo"), "size": png.count, "type": "image/png"]],
                    ]), time: time))
                    drafts.append(.put(kind: "sale", key: p("sale.key") + "\(n)", body: json([
                        "product": p("sale.product"), "date": date, "quantity": 2, "amount_idr": 30_000, "fee_idr": 1500,
                        "channel": p("sale.channel"),
                    ]), time: time))
                    drafts.append(.put(kind: "training", key: p("training.key") + "\(n)", body: json([
                        "title": p("training.title"), "topic": p("training.topic"),
                        "start": n == 0 ? "\(year)-03-05" : p("training.start"), "end": p("training.end"), "place": p("training.place"),
                        "trainers": [p("training.trainer")], "participants": ["perempuan": 3, "laki_laki": 2],
                        "target_groups": [p("training.group")],
                    ]), time: time))
                    for type in ["content", "ict-deployment", p("activity.type")] {
                        drafts.append(.put(kind: "activity", key: p("activity.key") + type + "\(n)", body: json([
                            "type": type, "title": p("activity.title"), "date": n == 0 ? "\(year)-04-01" : p("activity.date"),
                            "count": 2, "group": p("activity.group"), "place": p("activity.place"),
                        ]), time: time))
                    }
                    surveys.append(.put(kind: "monitoring", key: p("monitoring.key") + "\(n)", body: json([
                        "subject": key.id.description, "date": n == 0 ? "\(year)-05-10" : p("monitoring.date"),
                        "period": p("monitoring.period"), "assessor": p("monitoring.assessor"),
                        "classification": i == 0 ? "optimal" : p("monitoring.classification"), "scores": ["internet": 4],
                        "notes": p("monitoring.notes"),
                        "photos": [["sha256": n == 0 ? photo : p("monitoring.photo"), "size": png.count, "type": "image/png"]],
                    ]), time: time))
                }
                var prev: Head?
                var signed: [VerifiedEntry] = []
                for draft in drafts {
                    let e = try Entry.sign(draft, seq: (prev?.seq ?? 0) + 1, prev: prev?.id.hash ?? .zero, with: key)
                    prev = Head(author: key.id, seq: e.entry.seq, id: e.entry.id)
                    signed.append(e)
                }
                if !signed.isEmpty { _ = try store.ingest(signed, from: key.id) }
            }
            try store.append(surveys, signer: hub)
        }

        static func profile(lead: String) -> String {
            func p(_ field: String) -> String { payload(field, lead: lead) }
            return json([
                "name": p("profile.name"), "type": p("profile.type"), "address": p("profile.address"),
                "region": ["provinsi": p("profile.provinsi"), "kabupaten": p("profile.kabupaten"), "kecamatan": p("profile.kecamatan"),
                           "desa": p("profile.desa")],
                "location": ["lat": -7.25, "lon": 112.75],
                "contact": ["phone": p("profile.phone"), "email": p("profile.email")], "opening_hours": p("profile.hours"),
                "services": [p("profile.service")], "expertise": [p("profile.expertise")],
            ])
        }

        static func json(_ object: [String: Any]) -> String {
            String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
    }

    /// Every page in every variant (both languages; unfiltered, filtered by
    /// region, period and category, paged, and filtered by text that
    /// matches nothing; a query carried over into links and forms), by name.
    static func pages(_ views: Views, store: Store, region: String, categories: [String: String], nowMs: Int64, year: String)
        throws -> [(name: String, html: String)] {
        let fresh = try Freshness.of(store: store, nowMs: nowMs)
        let unmatched = "<script>alert('F:query')</script>\"><img src=x onerror=alert(1)>' onmouseover='x"
        var out: [(String, String)] = []
        for language in ["id", "en"] {
            for query in ["", "?token=" + HTML.urlEncode(unmatched) + "&lang=x&" + HTML.urlEncode(unmatched) + "=1"] {
                let q = query.isEmpty ? "" : "+query"
                let all = try views.nodes(filter: ViewFilter().unpaged, freshness: fresh).items
                let latest = try views.monitoring(filter: ViewFilter().unpaged, latestOnly: true).items
                let awards = try views.awards(year: year)
                for filter in [ViewFilter(), ViewFilter(region: region, period: year)] {
                    let f = filter.region == nil ? "" : "+filtered"
                    out.append(("/\(f)\(q) \(language)", DashboardPages.overview(
                        summary: try views.summary(filter: filter, freshness: fresh), stale: all, sellers: all, latestSurveys: latest,
                        awards: awards, language: language, nowMs: nowMs, query: query)))
                }
                out.append(("/awards\(q) \(language)", DashboardPages.awards(awards: awards, years: [year, "2025"], language: language, query: query)))
                out.append(("/invalid-period\(q) \(language)", DashboardPages.invalidPeriod(unmatched, path: "/products", language: language)))
                let filters: [(String, (String?) -> ViewFilter)] = [
                    ("", { _ in ViewFilter() }),
                    ("+filtered", { ViewFilter(region: region, period: year, category: $0) }),
                    ("+paged", { _ in ViewFilter(region: region, page: 2, perPage: 1) }),
                    ("+unmatched", { ViewFilter(region: unmatched, period: year, category: $0.map { _ in unmatched }) }),
                ]
                for (name, make) in filters {
                    let v = "\(name)\(q) \(language)"
                    var f = make(nil)
                    out.append(("/centres\(v)", DashboardPages.centres(page: try views.nodes(filter: f, freshness: fresh), filter: f,
                                                                      language: language, nowMs: nowMs, query: query)))
                    let summary = try views.summary(filter: ViewFilter(region: f.region, period: f.period), freshness: fresh)
                    f = make(categories["products"])
                    out.append(("/products\(v)", DashboardPages.products(page: try views.products(filter: f), summary: summary, filter: f,
                                                                        language: language, query: query)))
                    f = make(nil)
                    out.append(("/sales\(v)", DashboardPages.sales(page: try views.sales(filter: f), filter: f, language: language, query: query)))
                    f = make(categories["trainings"])
                    out.append(("/trainings\(v)", DashboardPages.trainings(page: try views.trainings(filter: f), summary: summary, filter: f,
                                                                          language: language, query: query)))
                    f = make(categories["monitoring"])
                    out.append(("/monitoring\(v)", DashboardPages.monitoring(page: try views.monitoring(filter: f), summary: summary,
                                                                            filter: f, language: language, query: query)))
                    f = make(categories["activities"])
                    out.append(("/activities\(v)", DashboardPages.activities(page: try views.activities(filter: f), filter: f,
                                                                            language: language, query: query)))
                }
            }
        }
        return out
    }

    /// Every CSV export, by name.
    static func exports(_ views: Views, store: Store, year: String) throws -> [(name: String, csv: [UInt8])] {
        let all = ViewFilter().unpaged
        return [
            ("nodes.csv", CSVExport.centres(try views.nodes(filter: all, freshness: try Freshness.of(store: store)).items)),
            ("products.csv", CSVExport.products(try views.products(filter: all).items)),
            ("sales.csv", CSVExport.sales(try views.sales(filter: all).items)),
            ("trainings.csv", CSVExport.trainings(try views.trainings(filter: all).items)),
            ("monitoring.csv", CSVExport.monitoring(try views.monitoring(filter: all).items)),
            ("activities.csv", CSVExport.activities(try views.activities(filter: all).items)),
            ("awards.csv", CSVExport.awards(try views.awards(year: year))),
        ]
    }
}
