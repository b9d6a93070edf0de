extension DashboardPages {
    /// How many latest-survey cards the overview shows.
    static let overviewSurveyCards = 12

    /// The network at a glance (path "/"). `stale`: centres, most stale
    /// first; `sellers`: centres selling online; `latestSurveys`: each
    /// centre's latest survey.
    public static func overview(summary: Summary, stale: [CentreRow], sellers: [CentreRow], latestSurveys: [MonitoringRow],
                                awards: Awards, language: String, nowMs: Int64, query: String) -> String {
        let filter = ViewFilter(region: summary.filter["region"], period: summary.filter["period"], category: summary.filter["category"])
        let c = Context(language: language, path: "/", query: query, current: filterParams(filter))
        var h: Markup = ""
        pageTitle(&h, c.t(.networkOverview), lede: c.t(.overviewLede))
        // The overview shows the summary it is given; a filtered one says so.
        if isFiltered(filter) {
            let words = [filter.region.map { c.t(.regionWord) + $0 }, filter.period.map { c.t(.periodWord) + $0 },
                         filter.category.map { c.t(.categoryWord) + c.label($0) }].compactMap { $0 }
            h += "<p class=\"filter-note\">\(c.t(.filtered)): \(words.joined(separator: " · ")) · "
            h += "<a href=\"\(c.href("/"))\">\(c.t(.showEverything))</a></p>"
        }
        let byRegion = filterParams(ViewFilter(region: filter.region))
        let byRegionAndPeriod = filterParams(ViewFilter(region: filter.region, period: filter.period))

        // Headline figures.
        let centres = summary.centres, t = summary.trainings
        let optimal = summary.monitoring.distribution.first { $0.name == "optimal" }?.value ?? 0
        let surveyedTotal = summary.monitoring.distribution.reduce(0) { $0 + $1.value }
        h += "<div class=\"kpis\">"
        kpi(&h, c.t(.centres), c.num(centres.total), c.t(.inRegions(c.num(centres.byRegion.count))))
        kpi(&h, c.t(.heardLast7Days), c.num(centres.heardLast7Days),
            c.t(.ofAllCentres(c.pct(Double(centres.heardLast7Days), of: Double(centres.total)))), tone: "ok")
        kpi(&h, c.t(.silentOver30Days), c.num(centres.silentOver30Days), c.t(.neverHeardCount(c.num(centres.neverHeard))),
            tone: centres.silentOver30Days > 0 ? "bad" : "ok")
        kpi(&h, c.t(.productsUMKM), c.num(summary.products.total), c.t(.soldOnlineCount(c.num(summary.products.online))))
        kpi(&h, c.t(.sales), HTML.rupiahShort(summary.sales.amountIdr, c.language),
            c.t(.feesAndCentres(HTML.rupiahShort(summary.sales.feeIdr, c.language), c.num(summary.sales.centresSelling))))
        kpi(&h, c.t(.peopleTrained), c.num(t.participants),
            c.t(.trainingsAndWomen(c.num(t.count), c.pct(Double(t.women), of: Double(t.participants)))))
        kpi(&h, c.t(.centresSurveyed), c.num(summary.monitoring.surveyed), c.pct(optimal, of: surveyedTotal) + " optimal")
        h += "</div>"

        sectionOpen(&h, id: "telecenter", c.t(.centresByRegion), link: (c.href("/centres", byRegion), c.t(.allCentresLink)))
        h += "<div class=\"grid\"><div>\(regionChart(c, summary.centres.byRegion))</div><div>"
        regionTable(&h, c, summary.centres.byRegion)
        h += "</div></div></section>"

        sectionOpen(&h, id: "replikasi", c.t(.replicationFreshness), link: (c.href("/centres", byRegion), c.t(.allCentresLink)))
        h += "<p class=\"note\">\(c.t(.freshnessNote))</p>"
        freshnessTable(&h, c, stale.sorted(by: mostStaleFirst), nowMs: nowMs, anyCentres: centres.total > 0)
        h += "</section>"

        sectionOpen(&h, id: "produk", c.t(.smallBusinessProducts), link: (c.href("/products", byRegion), c.t(.allProductsLink)))
        h += "<div class=\"grid\"><div><h3>\(c.t(.byCategory))</h3>\(productCategoryChart(c, summary.products, id: "ov-prod-cat"))</div>"
        h += "<div><h3>\(c.t(.byRegion))</h3>\(productRegionBars(c, id: "ov-prod-region", summary.products))</div></div>"
        h += "<h3>\(c.t(.sellersHeading))</h3>"
        sellersTable(&h, c, sellers, sales: summary.sales)
        h += "</section>"

        sectionOpen(&h, id: "pelatihan", c.t(.trainings), link: (c.href("/trainings", byRegionAndPeriod), c.t(.allTrainingsLink)))
        trainingFigures(&h, c, t)
        h += "<div class=\"grid\"><div><h3>\(c.t(.participantsByTargetGroup))</h3>\(targetGroupBars(c, id: "ov-train-group", t))"
        h += "<h3>\(c.t(.trainingsByTopic))</h3>\(topicBars(c, id: "ov-train-topic", t))</div>"
        h += "<div><h3>\(c.t(.byMonth))</h3>\(monthChart(c, id: "ov-train-month", t.byMonth))</div></div></section>"

        sectionOpen(&h, id: "monitoring", c.t(.monitoring), link: (c.href("/monitoring", byRegion), c.t(.allSurveysLink)))
        distribution(&h, c, summary.monitoring, id: "ov-mon-donut")
        h += "<h3>\(c.t(.latestSurveyPerCentre))</h3>"
        let latest = latestSurveys.sorted { ($0.date, $1.subjectName) > ($1.date, $0.subjectName) }
        surveyCards(&h, c, Array(latest.prefix(overviewSurveyCards)))
        if latest.count > overviewSurveyCards {
            h += "<p class=\"more\"><a href=\"\(c.href("/monitoring", byRegion))\">\(c.t(.seeAllSurveys(c.num(latest.count))))</a></p>"
        }
        h += "</section>"

        if !summary.activities.isEmpty {
            sectionOpen(&h, id: "kegiatan", c.t(.centreActivities),
                        link: (c.href("/activities", byRegionAndPeriod), c.t(.allActivitiesLink)))
            let total = summary.activities.reduce(0) { $0 + $1.value }
            let bars = namedBars(c, id: "ov-activities", summary.activities, title: c.t(.activitiesByType), unit: c.t(.activitiesNoun),
                                 labelled: true, colour: Charts.Palette.accent)
            h += "<div class=\"grid\"><div>\(bars)</div><div class=\"figures\"><div><span class=\"fv\">\(c.num(total))</span>"
            h += "<span class=\"fl\">\(c.t(.activitiesReported))</span></div></div></div></section>"
        }

        sectionOpen(&h, id: "penghargaan", c.t(.yearlyAwards(awards.year)),
                    link: (c.href("/awards", [("year", awards.year)]), c.t(.fullRankingsLink)))
        awardLists(&h, c, awards, top: 5)
        h += "</section>"

        return document(c, title: c.t(.networkOverview), active: "/", generatedMs: summary.generatedMs, network: summary.network, body: h)
    }

    static func mostStaleFirst(_ a: CentreRow, _ b: CentreRow) -> Bool {
        switch (a.lastHeardMs, b.lastHeardMs) {
        case (nil, nil): return a.name < b.name
        case (nil, _): return true
        case (_, nil): return false
        case let (x?, y?): return x != y ? x < y : a.name < b.name
        }
    }

    static func regionTable(_ h: inout Markup, _ c: Context, _ regions: [RegionCentres]) {
        var rows: [[Markup]] = []
        var total = 0, heard = 0, silent = 0
        for r in regions.sorted(by: { $0.region < $1.region }) {
            total += r.total
            heard += r.heardLast7Days
            silent += r.silentOver30Days
            rows.append([
                "<a class=\"nowrap\" href=\"\(c.href("/centres", [("region", r.region)]))\">\(r.region)</a>", "\(c.num(r.total))",
                "\(c.num(r.heardLast7Days))", behind(c, r.silentOver30Days), "\(c.num(max(0, r.total - r.heardLast7Days - r.silentOver30Days)))",
            ])
        }
        let footer: [Markup]? = rows.count > 1
            ? ["\(c.t(.allRegions))", "\(c.num(total))", "\(c.num(heard))", "\(c.num(silent))", "\(c.num(max(0, total - heard - silent)))"]
            : nil
        table(&h, c, columns: [
            .init(c.t(.region)), .init(c.t(.total), numeric: true), .init(c.t(.upTo7Days), numeric: true),
            .init(c.t(.over30Days), numeric: true), .init(c.t(.other), numeric: true),
        ], rows: rows, footer: footer, caption: c.t(.centresByRegion), compact: true)
    }

    static func freshnessTable(_ h: inout Markup, _ c: Context, _ centres: [CentreRow], nowMs: Int64, anyCentres: Bool) {
        let rows: [[Markup]] = centres.map { r in
            [
                "\(statusDot(c, r.lastHeardMs, nowMs: nowMs))<strong>\(r.name)</strong>", nowrap(r.region),
                nowrap(HTML.relativeTime(r.lastHeardNetworkMs, nowMs: nowMs, c.language)),
                nowrap(r.lastBundleMs.map { HTML.relativeTime($0, nowMs: nowMs, c.language) } ?? "–"),
                "\(c.num(r.entries))", behind(c, r.entriesBehind),
            ]
        }
        table(&h, c, columns: [
            .init(c.t(.centre), cls: "w-name"), .init(c.t(.region)), .init(c.t(.heardByNetwork)), .init(c.t(.byBundle)),
            .init(c.t(.entries), numeric: true), .init(c.t(.entriesBehind), numeric: true),
        ], rows: rows, caption: c.t(.freshnessPerCentre), empty: c.t(anyCentres ? .everyCentreHeardRecently : .noCentresYet), compact: true)
    }

    /// `sellers` in the order given (the server ranks them), and the whole
    /// network's sales under them.
    static func sellersTable(_ h: inout Markup, _ c: Context, _ sellers: [CentreRow], sales: Summary.Sales) {
        let rows: [[Markup]] = sellers.map { r in
            ["<strong>\(r.name)</strong>", nowrap(r.region), "\(c.num(r.productsOnline))", "\(c.rupiah(r.salesIdr))", "\(c.rupiah(r.feesIdr))"]
        }
        let footer: [Markup]? = sellers.isEmpty ? nil : [
            "\(c.t(.wholeNetwork(centres: c.num(sales.centresSelling), sales: c.num(sales.count))))", "",
            "\(c.num(sellers.reduce(0) { $0 + $1.productsOnline }))", "\(c.rupiah(sales.amountIdr))", "\(c.rupiah(sales.feeIdr))",
        ]
        table(&h, c, columns: [
            .init(c.t(.centre), cls: "w-name"), .init(c.t(.region)), .init(c.t(.productsOnline), numeric: true),
            .init(c.t(.sales), numeric: true), .init(c.t(.fees), numeric: true),
        ], rows: rows, footer: footer, caption: c.t(.centresSellingOnline), empty: c.t(.noCentreSellsOnline), compact: true)
    }

    static func surveyCards(_ h: inout Markup, _ c: Context, _ surveys: [MonitoringRow]) {
        guard !surveys.isEmpty else {
            h += "<p class=\"muted\">\(c.t(.noSurveysYet))</p>"
            return
        }
        h += "<ul class=\"cards\">"
        for m in surveys {
            h += "<li class=\"survey\">"
            if let sha = photoID(m.photo) {
                h += "<img src=\"\(c.photo(sha))\" loading=\"lazy\" alt=\"\(surveyAlt(c, m))\">"
            } else {
                h += "<div class=\"nophoto\">\(c.t(.noPhoto))</div>"
            }
            h += "<div class=\"body\"><h3>\(m.subjectName)</h3>\(subline(m.region))"
            h += "<div class=\"line\">\(badge(c, m.classification))<span class=\"score\" title=\"\(c.t(.averageScore))\">"
            h += "\(HTML.fixed(m.score, c.language, digits: 1))<span class=\"muted\">/5</span></span></div>"
            h += "\(subline(c.date(m.date)))</div></li>"
        }
        h += "</ul>"
    }
}
