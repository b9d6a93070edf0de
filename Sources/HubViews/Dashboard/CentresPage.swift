extension DashboardPages {
    /// All centres with their replication state and figures (path "/centres").
    public static func centres(page: Page<CentreRow>, filter: ViewFilter, language: String, nowMs: Int64, query: String) -> String {
        let (c, head) = listPage("/centres", page, filter: filter, language: language, query: query, title: .centres,
                                 lede: .centresLede, fields: [.region], regions: unique(page.items.map(\.region)))
        var h = head
        var rows: [[Markup]] = []
        for r in page.items {
            var name: Markup = "<strong>\(r.name)</strong><div class=\"small muted\">"
            if let type = r.type, !type.isEmpty { name += "\(type) · " }
            name += "<span class=\"mono\" title=\"\(r.node)\">\(r.node.prefix(8))</span></div>"
            let local = [r.desa, r.kecamatan].compactMap { $0 }.filter { !$0.isEmpty }
            var place = nowrap(r.region)
            if let first = local.last { place += "<div class=\"small muted\" title=\"\(local.joined(separator: ", "))\">\(first)</div>" }
            let map = coordinates(c, lat: r.lat, lon: r.lon)
            if !map.isEmpty { place += "<div>\(map)</div>" }
            let survey = r.latestClassification.map { badge(c, $0) + (r.latestSurveyDate.map { subline(c.date($0)) } ?? "") }
                ?? "<span class=\"muted\">\(c.t(.notSurveyed))</span>"
            var products: Markup = "\(c.num(r.products))"
            if r.productsOnline > 0 { products += subline("\(c.num(r.productsOnline)) online") }
            var contact: Markup = ""
            for line in [r.phone, r.email, r.openingHours.map { c.t(.openingHours) + ": " + $0 }] {
                if let line, !line.isEmpty { contact += "<div class=\"nowrap\">\(line)</div>" }
            }
            for (title, list) in [(Phrase.services, r.services), (.expertise, r.expertise)] where !list.isEmpty {
                contact += subline(c.t(title) + ": " + list.joined(separator: ", "))
            }
            rows.append([
                "<span class=\"nowrap\">\(statusDot(c, r.lastHeardMs, nowMs: nowMs))\(HTML.relativeTime(r.lastHeardMs, nowMs: nowMs, c.language))</span>",
                name, place, "\(c.num(r.entries))", behind(c, r.entriesBehind), products, money(c, r.salesIdr), money(c, r.feesIdr),
                "\(c.num(r.trainings))", survey, contact.isEmpty ? none : contact,
            ])
        }
        listSection(&h, c, page: page, filter: filter, csv: "nodes", noun: .centresNoun, columns: [
            .init(c.t(.lastHeard)), .init(c.t(.name), cls: "w-name"), .init(c.t(.region)), .init(c.t(.entries), numeric: true),
            .init(c.t(.behind), numeric: true), .init(c.t(.products), numeric: true), .init(c.t(.sales), numeric: true),
            .init(c.t(.fees), numeric: true), .init(c.t(.trainings), numeric: true), .init(c.t(.latestMonitoring)),
            .init(c.t(.contact)),
        ], rows: rows, caption: .centresCaption)
        return document(c, title: c.t(.centres), active: "/centres", generatedMs: nowMs, network: nil, body: h)
    }
}
