import Telecenter

extension DashboardPages {
    /// Trainings held by the centres (path "/trainings").
    public static func trainings(page: Page<TrainingRow>, summary: Summary, filter: ViewFilter, language: String, query: String) -> String {
        let (c, head) = listPage("/trainings", page, filter: filter, language: language, query: query,
                                 title: .trainings, lede: .trainingsLede,
                                 fields: [.region, .period, .category(Vocabulary.trainingTopics, title: .topic)], regions: regions(summary))
        var h = head
        let t = summary.trainings
        h += "<section class=\"card\">"
        trainingFigures(&h, c, t)
        h += "<div class=\"grid\"><div><h3>\(c.t(.byMonth))</h3>\(monthChart(c, id: "train-month", t.byMonth))</div>"
        h += "<div><h3>\(c.t(.trainingsByTopic))</h3>\(topicBars(c, id: "train-topic", t))"
        h += "<h3>\(c.t(.participantsByTargetGroup))</h3>\(targetGroupBars(c, id: "train-group", t))</div></div></section>"

        var rows: [[Markup]] = []
        for r in page.items {
            var title: Markup = "<strong>\(r.title)</strong>"
            if let place = r.place, !place.isEmpty { title += subline(place) }
            title = withPhotos(c, r.photos, alt: { c.t(.photo($0, of: .trainingPhoto(r.title))) }, title)
            var start = nowrap(c.date(r.start))
            if let end = r.end, !end.isEmpty, end != r.start { start += subline(c.t(.until(c.date(end)))) }
            let groups = r.targetGroups.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { c.label($0.key) }.joined(separator: ", ")
            rows.append([
                start, title, "\(c.label(r.topic))", centreCell(r.centre, r.region),
                r.trainers.isEmpty ? none : r.trainers.map(nowrap).joined(separator: "<br>"),
                "\(c.num(r.participants))", "\(c.num(r.women)) <span class=\"muted\">/</span> \(c.num(r.men))",
                groups.isEmpty ? none : "\(groups)",
            ])
        }
        listSection(&h, c, page: page, filter: filter, csv: "trainings", noun: .trainingsNoun, columns: [
            .init(c.t(.start)), .init(c.t(.title)), .init(c.t(.topic)), .init(c.t(.centre)), .init(c.t(.trainers)),
            .init(c.t(.participants), numeric: true), .init(c.t(.womenMen), numeric: true), .init(c.t(.targetGroups)),
        ], rows: rows, caption: .trainingsCaption)
        return document(c, title: c.t(.trainings), active: "/trainings", generatedMs: summary.generatedMs, network: summary.network,
                        body: h)
    }
}
