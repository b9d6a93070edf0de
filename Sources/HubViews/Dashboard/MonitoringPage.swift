import Telecenter

extension DashboardPages {
    /// Monitoring surveys of the centres (path "/monitoring").
    public static func monitoring(page: Page<MonitoringRow>, summary: Summary, filter: ViewFilter, language: String, query: String) -> String {
        let (c, head) = listPage("/monitoring", page, filter: filter, language: language, query: query,
                                 title: .monitoring, lede: .monitoringLede,
                                 fields: [.region, .period, .category(Vocabulary.classifications, title: .classification)], regions: regions(summary))
        var h = head
        h += "<section class=\"card\"><h2>\(c.t(.latestClassificationPerCentre))</h2>"
        distribution(&h, c, summary.monitoring, id: "mon-donut")
        h += "</section>"

        var rows: [[Markup]] = []
        for m in page.items {
            var centre: Markup = "<strong>\(m.subjectName)</strong>\(subline(m.region))"
            let place = coordinates(c, lat: m.lat, lon: m.lon)
            if !place.isEmpty { centre += "<div class=\"small muted\">\(c.t(.visitedAt))\(place)</div>" }
            var score: Markup = "<strong>\(HTML.fixed(m.score, c.language, digits: 1))</strong>"
            for criterion in Vocabulary.scoreCriteria {
                guard let value = m.scores[criterion] else { continue }
                score += "<div class=\"small muted nowrap\">\(c.label(criterion)) \(HTML.decimal(value, c.language, digits: 1))</div>"
            }
            rows.append([
                nowrap(c.date(m.date)) + subline(m.period),
                withPhotos(c, m.photos, alt: { c.t(.photo($0, of: .monitoringPhoto(of: m.subjectName, c.date(m.date)))) }, centre),
                badge(c, m.classification), score, "\(m.assessor)",
                m.notes.map { "<span class=\"notes\">\($0)</span>" } ?? none,
            ])
        }
        listSection(&h, c, page: page, filter: filter, csv: "monitoring", noun: .surveysNoun, columns: [
            .init(c.t(.date)), .init(c.t(.centre)), .init(c.t(.classification)), .init(c.t(.score), numeric: true),
            .init(c.t(.assessor)), .init(c.t(.notes)),
        ], rows: rows, caption: .surveysCaption)
        return document(c, title: c.t(.monitoring), active: "/monitoring", generatedMs: summary.generatedMs, network: summary.network,
                        body: h)
    }

    /// The text of a survey's photo.
    static func surveyAlt(_ c: Context, _ m: MonitoringRow) -> String { c.t(.monitoringPhoto(of: m.subjectName, c.date(m.date))) }
}
