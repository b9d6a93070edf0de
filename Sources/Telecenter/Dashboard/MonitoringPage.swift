extension DashboardPages {
    /// Monitoring surveys of the centres (path "/monitoring").
    public static func monitoring(page: Page<MonitoringRow>, summary: Summary, filter: ViewFilter, language: String, query: String) -> String {
        let c = Context(language: language, path: "/monitoring", query: query, current: filterParams(filter, paging: page),
                        nowMs: summary.generatedMs)
        var h: Markup = ""
        pageTitle(&h, c.t(.monitoring), lede: c.t(.monitoringLede))
        filterForm(&h, c, path: "/monitoring", filter: filter, fields: [.region, .period, .category], regions: regions(summary),
                   categories: Vocabulary.classifications, categoryTitle: c.t(.classification))
        h += "<section class=\"card\"><h2>\(c.t(.latestClassificationPerCentre))</h2>"
        distribution(&h, c, summary.monitoring, id: "mon-donut")
        h += "</section>"

        h += "<section class=\"card\">"
        listHead(&h, c, page: page, csv: "monitoring", filter: filter, noun: .surveysNoun)
        var rows: [[Markup]] = []
        for m in page.items {
            rows.append([
                nowrap(c.date(m.date)) + subline(m.period),
                withThumb(c, photo: m.photo, alt: surveyAlt(c, m), "<strong>\(m.subjectName)</strong>\(subline(m.region))"),
                badge(c, m.classification), "\(HTML.fixed(m.score, c.language, digits: 1))", "\(m.assessor)",
                m.notes.map { "<span class=\"notes\">\($0)</span>" } ?? none,
            ])
        }
        table(&h, c, columns: [
            .init(c.t(.date)), .init(c.t(.centre)), .init(c.t(.classification)), .init(c.t(.score), numeric: true),
            .init(c.t(.assessor)), .init(c.t(.notes)),
        ], rows: rows, caption: c.t(.surveysCaption), empty: noMatch(c, filter))
        pager(&h, c, page: page, filter: filter)
        h += "</section>"
        return document(c, title: c.t(.monitoring), active: "/monitoring", generatedMs: summary.generatedMs, network: summary.network,
                        body: h)
    }

    /// The text of a survey's photo.
    static func surveyAlt(_ c: Context, _ m: MonitoringRow) -> String { c.t(.monitoringPhoto(of: m.subjectName, c.date(m.date))) }
}
