extension DashboardPages {
    /// Activities of the centres: mentoring, content, ICT deployments,
    /// promotion (path "/activities").
    public static func activities(page: Page<ActivityRow>, filter: ViewFilter, language: String, query: String) -> String {
        let c = Context(language: language, path: "/activities", query: query, current: filterParams(filter, paging: page), nowMs: nil)
        var h: Markup = ""
        pageTitle(&h, c.t(.activities), lede: c.t(.activitiesLede))
        filterForm(&h, c, path: "/activities", filter: filter, fields: [.region, .period, .category], regions: unique(page.items.map(\.region)),
                   categories: Vocabulary.activityTypes, categoryTitle: c.t(.type))
        h += "<section class=\"card\">"
        listHead(&h, c, page: page, csv: "activities", filter: filter, noun: .activitiesNoun)
        let rows: [[Markup]] = page.items.map { a in
            [
                nowrap(c.date(a.date)), "\(c.label(a.type))", "<strong>\(a.title)</strong>", centreCell(a.centre, a.region),
                "\(c.num(a.count))", a.group.map { "\(c.label($0))" } ?? none,
            ]
        }
        table(&h, c, columns: [
            .init(c.t(.date)), .init(c.t(.type)), .init(c.t(.title)), .init(c.t(.centre)), .init(c.t(.count), numeric: true),
            .init(c.t(.group)),
        ], rows: rows, caption: c.t(.activitiesCaption), empty: noMatch(c, filter))
        pager(&h, c, page: page, filter: filter)
        h += "</section>"
        return document(c, title: c.t(.activities), active: "/activities", generatedMs: nil, network: nil, body: h)
    }
}
