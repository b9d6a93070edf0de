extension DashboardPages {
    /// The yearly award rankings (path "/awards"); `years`: the years to
    /// offer, any order.
    public static func awards(awards: Awards, years: [String], language: String, query: String) -> String {
        let c = Context(language: language, path: "/awards", query: query, current: [("year", awards.year)])
        var h: Markup = ""
        pageTitle(&h, c.t(.yearlyAwards(awards.year)), lede: c.t(.awardsLede))
        h += "<nav class=\"years\" aria-label=\"\(c.t(.year))\"><span class=\"muted\">\(c.t(.year)):</span>"
        for year in unique(years + [awards.year]).sorted(by: >) {
            if year == awards.year {
                h += "<span class=\"pill cur\" aria-current=\"page\">\(year)</span>"
            } else {
                h += "<a class=\"pill\" href=\"\(c.href("/awards", [("year", year)]))\">\(year)</a>"
            }
        }
        h += "<a class=\"btn secondary csv\" href=\"\(c.href("/api/v1/awards.csv", [("year", awards.year)], withLanguage: false))\" download>"
        h += "\(c.t(.downloadCSV))</a></nav>"
        h += "<section class=\"card\">"
        awardLists(&h, c, awards, top: nil)
        h += "</section>"
        return document(c, title: c.t(.awards), active: "/awards", generatedMs: nil, network: nil, body: h)
    }

    /// The four rankings: compact lists (`top` given, the overview) or
    /// full tables (the awards page).
    static func awardLists(_ h: inout Markup, _ c: Context, _ awards: Awards, top: Int?) {
        let lists: [(title: Phrase, measure: Phrase, rows: [RankRow], key: String)] = [
            (.topTrainers, .trainingsLed, awards.trainers, "trainers"),
            (.trainingsHeld, .trainingsNoun, awards.trainings, "trainings"),
            (.contentPublished, .contentItems, awards.content, "content"),
            (.ictDeployments, .deployments, awards.ictDeployments, "ict"),
        ]
        h += top == nil ? "<div class=\"ranks wide\">" : "<div class=\"ranks\">"
        for list in lists {
            let shown = top.map { Array(list.rows.prefix($0)) } ?? list.rows
            let best = shown.map(\.value).max() ?? 1
            h += "<div class=\"rank\" id=\"rank-\(list.key)\"><h3>\(c.t(list.title))"
            if top != nil { h += " <span class=\"measure\">\(c.t(list.measure))</span>" }
            h += "</h3>"
            if shown.isEmpty {
                h += "<p class=\"muted\">\(c.t(.noDataThisYear))</p></div>"
                continue
            }
            // Equal values share a rank (1, 1, 3).
            var ranks: [Int] = []
            for (i, row) in shown.enumerated() { ranks.append(i > 0 && shown[i - 1].value == row.value ? ranks[i - 1] : i + 1) }
            func meter(_ value: Double) -> Markup {
                let share = best > 0 && value.isFinite ? min(100, max(2, value / best * 100)) : 0
                return "<span class=\"meter\" aria-hidden=\"true\"><span style=\"width:\(Int(share))%\"></span></span>"
            }
            func centre(_ row: RankRow) -> String? {
                guard list.key == "trainers", let centre = row.centre, !centre.isEmpty, centre != row.name else { return nil }
                return centre
            }
            func position(_ i: Int) -> Markup { "<span class=\"pos p\(min(ranks[i], 4))\">\(ranks[i])</span>" }
            if top != nil {
                h += "<ol>"
                for (i, row) in shown.enumerated() {
                    h += "<li>\(position(i))<div class=\"who\"><span class=\"name\">\(row.name)</span>"
                    if let centre = centre(row) { h += "<span class=\"small muted\">\(centre)</span>" }
                    h += "\(meter(row.value))</div><span class=\"val\">\(c.num(row.value))</span></li>"
                }
                h += "</ol></div>"
            } else {
                let rows: [[Markup]] = shown.enumerated().map { i, row in
                    [position(i), "<span class=\"name\">\(row.name)</span>" + (centre(row).map(subline) ?? ""),
                     "<strong>\(c.num(row.value))</strong>\(meter(row.value))"]
                }
                table(&h, c, columns: [.init("#", cls: "w-pos"), .init(c.t(list.key == "trainers" ? .trainer : .centre)),
                                       .init(c.t(list.measure), numeric: true, cls: "w-val")],
                      rows: rows, caption: c.t(list.title), compact: true)
                h += "</div>"
            }
        }
        h += "</div>"
    }
}
