/// The list pages' filter form, heading with the CSV link, and pager.
extension DashboardPages {
    enum Field {
        case region, period
        /// A category, topic, classification or type: its vocabulary and its name.
        case category([String], title: Phrase)
    }

    static func filterParams(_ f: ViewFilter, paging: (page: Int, perPage: Int)? = nil) -> [(String, String)] {
        var out: [(String, String)] = []
        if let region = f.region, !region.isEmpty { out.append(("region", region)) }
        if let period = f.period, !period.isEmpty { out.append(("period", period)) }
        if let category = f.category, !category.isEmpty { out.append(("category", category)) }
        if let paging {
            if paging.page > 1 { out.append(("page", String(paging.page))) }
            if paging.perPage != ViewFilter().perPage { out.append(("per_page", String(paging.perPage))) }
        }
        return out
    }

    static func filterParams<T>(_ f: ViewFilter, paging page: Page<T>) -> [(String, String)] {
        filterParams(f, paging: (page.page, page.perPage))
    }

    static func optional(_ params: [(String, String)]) -> [(String, String?)] { params.map { ($0.0, Optional($0.1)) } }

    static func isFiltered(_ f: ViewFilter) -> Bool { f.region != nil || f.period != nil || f.category != nil }

    /// A list page's context, and its title, lede and filter form.
    static func listPage<T>(_ path: String, _ page: Page<T>, filter: ViewFilter, language: String, query: String,
                            title: Phrase, lede: Phrase, fields: [Field], regions: [String]) -> (Context, Markup) {
        let c = Context(language: language, path: path, query: query, current: filterParams(filter, paging: page))
        var h: Markup = ""
        pageTitle(&h, c.t(title), lede: c.t(lede))
        filterForm(&h, c, filter: filter, fields: fields, regions: regions)
        return (c, h)
    }

    /// A GET form for the page's filters; hidden fields carry the token and
    /// the language.
    static func filterForm(_ h: inout Markup, _ c: Context, filter: ViewFilter, fields: [Field], regions: [String]) {
        let path = c.path
        h += "<form class=\"filters\" method=\"get\" action=\"\(Link.path(path))\" role=\"search\">"
        for (name, value) in c.base { h += "<input type=\"hidden\" name=\"\(name)\" value=\"\(value)\">" }
        if c.en { h += "<input type=\"hidden\" name=\"lang\" value=\"en\">" }
        let listID = "regions-\(path == "/" ? "overview" : String(path.dropFirst()))"
        for field in fields {
            switch field {
            case .region:
                h += "<label>\(c.t(.region))<input type=\"text\" name=\"region\" list=\"\(listID)\" value=\"\(filter.region ?? "")\" "
                h += "placeholder=\"\(c.t(.regionPlaceholder))\" autocomplete=\"off\"></label>"
                if !regions.isEmpty {
                    h += "<datalist id=\"\(listID)\">"
                    for region in regions.sorted() { h += "<option value=\"\(region)\">" }
                    h += "</datalist>"
                }
            case .period:
                h += "<label>\(c.t(.period))<input type=\"text\" name=\"period\" value=\"\(filter.period ?? "")\" "
                h += "placeholder=\"2026 / 2026-11\" pattern=\"[0-9]{4}(-(0[1-9]|1[0-2]))?\" inputmode=\"numeric\" size=\"10\" "
                h += "title=\"\(c.t(.periodHint))\"></label>"
            case .category(let categories, let title):
                h += "<label>\(c.t(title))<select name=\"category\"><option value=\"\">\(c.t(.all))</option>"
                var options = categories
                if let current = filter.category, !current.isEmpty, !options.contains(current) { options.append(current) }
                for value in options {
                    let selected: Markup = value == filter.category ? " selected" : ""
                    h += "<option value=\"\(value)\"\(selected)>\(c.label(value))</option>"
                }
                h += "</select></label>"
            }
        }
        h += "<label>\(c.t(.perPage))<select name=\"per_page\">"
        var sizes = [25, 50, 100, 200]
        if !sizes.contains(filter.perPage) { sizes = (sizes + [filter.perPage]).sorted() }
        for size in sizes {
            let selected: Markup = size == filter.perPage ? " selected" : ""
            h += "<option\(selected)>\(size)</option>"
        }
        h += "</select></label>"
        h += "<div class=\"actions\"><button class=\"btn\" type=\"submit\">\(c.t(.apply))</button>"
        if isFiltered(filter) {
            h += " <a class=\"btn secondary\" href=\"\(c.href(path))\">\(c.t(.clearFilters))</a>"
        }
        h += "</div></form>"
    }

    /// A list page's card: "51–100 of 312 products" with the CSV link,
    /// the table of `rows`, the pager.
    static func listSection<T>(_ h: inout Markup, _ c: Context, page: Page<T>, filter: ViewFilter, csv: String, noun: Phrase,
                               columns: [Column], rows: [[Markup]], footer: [Markup]? = nil, caption: Phrase) {
        h += "<section class=\"card\">"
        listHead(&h, c, page: page, csv: csv, filter: filter, noun: noun)
        table(&h, c, columns: columns, rows: rows, footer: footer, caption: c.t(caption), empty: noMatch(c, filter))
        pager(&h, c, page: page, filter: filter)
        h += "</section>"
    }

    /// "51–100 of 312 products" and the CSV link.
    static func listHead<T>(_ h: inout Markup, _ c: Context, page: Page<T>, csv: String, filter: ViewFilter, noun: Phrase) {
        h += "<div class=\"section-head\"><h2>\(showing(c, page: page, noun: c.t(noun)))</h2>"
        h += "<a class=\"btn secondary csv\" href=\"\(c.href("/api/v1/\(csv).csv", optional(filterParams(filter)), withLanguage: false))\" download>"
        h += "\(c.t(.downloadCSV))</a></div>"
    }

    static func showing<T>(_ c: Context, page: Page<T>, noun: String) -> String {
        guard page.total > 0, !page.items.isEmpty else { return c.t(.noItems(noun)) }
        let first = min(ViewFilter.offset(page: page.page, perPage: page.perPage), Int.max - page.items.count) + 1
        let last = first + page.items.count - 1
        return c.t(.range(c.num(first), c.num(last), of: c.num(page.total), noun))
    }

    static func pager<T>(_ h: inout Markup, _ c: Context, page: Page<T>, filter: ViewFilter) {
        let perPage = max(1, page.perPage)
        let pages = max(1, (page.total + perPage - 1) / perPage)
        guard pages > 1 else { return }
        let current = min(max(1, page.page), pages)
        func link(_ p: Int) -> Link {
            var params = optional(filterParams(filter))
            if p > 1 { params.append(("page", String(p))) }
            if page.perPage != ViewFilter().perPage { params.append(("per_page", String(page.perPage))) }
            return c.href(c.path, params)
        }
        h += "<nav class=\"pager\" aria-label=\"\(c.t(.pages))\">"
        h += "<span class=\"info\">\(c.t(.pageOf(c.num(current), c.num(pages))))</span>"
        if current > 1 { h += "<a href=\"\(link(current - 1))\" rel=\"prev\">‹ \(c.t(.previous))</a>" }
        var shown = Set([1, pages])
        for p in (current - 2)...(current + 2) where p >= 1 && p <= pages { shown.insert(p) }
        var last = 0
        for p in shown.sorted() {
            if p > last + 1 { h += "<span class=\"gap\">…</span>" }
            h += p == current ? "<span class=\"cur\" aria-current=\"page\">\(c.num(p))</span>" : "<a href=\"\(link(p))\">\(c.num(p))</a>"
            last = p
        }
        if current < pages { h += "<a href=\"\(link(current + 1))\" rel=\"next\">\(c.t(.next)) ›</a>" }
        h += "</nav>"
    }
}
