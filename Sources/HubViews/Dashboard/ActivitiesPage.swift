import Telecenter

extension DashboardPages {
    /// Activities of the centres: mentoring, content, ICT deployments,
    /// promotion (path "/activities").
    public static func activities(page: Page<ActivityRow>, filter: ViewFilter, language: String, query: String) -> String {
        let (c, head) = listPage("/activities", page, filter: filter, language: language, query: query, title: .activities,
                                 lede: .activitiesLede, fields: [.region, .period, .category(Vocabulary.activityTypes, title: .type)],
                                 regions: unique(page.items.map(\.region)))
        var h = head
        let rows: [[Markup]] = page.items.map { a in
            [
                nowrap(c.date(a.date)), "\(c.label(a.type))",
                "<strong>\(a.title)</strong>" + (a.place.map { $0.isEmpty ? "" : subline($0) } ?? ""), centreCell(a.centre, a.region),
                "\(c.num(a.count))", a.group.map { "\(c.label($0))" } ?? none,
            ]
        }
        listSection(&h, c, page: page, filter: filter, csv: "activities", noun: .activitiesNoun, columns: [
            .init(c.t(.date)), .init(c.t(.type)), .init(c.t(.title)), .init(c.t(.centre)), .init(c.t(.count), numeric: true),
            .init(c.t(.group)),
        ], rows: rows, caption: .activitiesCaption)
        return document(c, title: c.t(.activities), active: "/activities", generatedMs: nil, network: nil, body: h)
    }
}
