import Telecenter

/// The charts and figure rows several pages show, from the views' figures.
extension DashboardPages {
    static func regionChart(_ c: Context, _ regions: [RegionCentres]) -> Markup {
        let sorted = regions.sorted { ($0.total, $1.region) > ($1.total, $0.region) }
        let rows = sorted.map { r in
            (label: r.region, values: [Double(r.heardLast7Days), Double(max(0, r.total - r.heardLast7Days - r.silentOver30Days)),
                                       Double(r.silentOver30Days)])
        }
        return Charts.stacked(
            id: "region-centres", rows: rows,
            segments: [.init(name: c.t(.heardUpTo7Days), colour: Charts.Palette.heard),
                       .init(name: c.t(.other), colour: Charts.Palette.other),
                       .init(name: c.t(.silentMoreThan30Days), colour: Charts.Palette.silent)],
            title: c.t(.centresByRegion), desc: c.t(.centresByRegionDescription),
            format: { c.num($0) }, emptyMessage: c.t(.noCentresYet))
    }

    static func namedBars(_ c: Context, id: String, _ items: [NamedCount], title: String, unit: String, labelled: Bool, limit: Int = 12,
                          colour: String = Charts.Palette.primary, otherNoun: String? = nil) -> Markup {
        let rows = items.map { Charts.Bar(label: labelled ? c.label($0.name) : $0.name, value: $0.value, text: c.num($0.value)) }
        let top = rows.sorted { $0.value > $1.value }.prefix(3).map { "\($0.label) \($0.text)" }.joined(separator: ", ")
        let noun = otherNoun ?? c.t(.others)
        return Charts.bars(id: id, rows, title: title, desc: "\(title) (\(unit)). " + c.t(.largest) + top,
                           format: { c.num($0) }, colour: colour, limit: limit,
                           otherLabel: { n in "\(n) \(noun)" }, emptyMessage: c.t(.noDataYet))
    }

    /// Products by region, as the overview and the products page show them.
    static func productRegionBars(_ c: Context, id: String, _ products: Summary.Products) -> Markup {
        namedBars(c, id: id, products.byRegion, title: c.t(.productsByRegion), unit: c.t(.productsNoun), labelled: false, limit: 15,
                  colour: Charts.Palette.secondary, otherNoun: c.t(.otherRegions))
    }

    static func productCategoryChart(_ c: Context, _ products: Summary.Products, id: String) -> Markup {
        let online = Dictionary(products.onlineByCategory.map { ($0.name, $0.value) }, uniquingKeysWith: +)
        let rows = products.byCategory.map { item in
            Charts.Bar(label: c.label(item.name), value: item.value, text: c.num(item.value) + " · \(c.num(online[item.name] ?? 0)) online")
        }
        return Charts.bars(
            id: id, rows, title: c.t(.productsByCategory),
            desc: c.t(.productsByCategoryDescription) + rows.map { "\($0.label) \($0.text)" }.joined(separator: ", "),
            format: { c.num($0) }, limit: 12, emptyMessage: c.t(.noProductsYet))
    }

    static func topicBars(_ c: Context, id: String, _ t: Summary.Trainings) -> Markup {
        namedBars(c, id: id, t.byTopic, title: c.t(.trainingsByTopic), unit: c.t(.trainingsNoun), labelled: true)
    }

    static func targetGroupBars(_ c: Context, id: String, _ t: Summary.Trainings) -> Markup {
        namedBars(c, id: id, t.byTargetGroup, title: c.t(.participantsByTargetGroup), unit: c.t(.participantsNoun), labelled: true,
                  colour: Charts.Palette.secondary)
    }

    static func monthLabels(_ months: [String], _ c: Context) -> [String] {
        let years = Set(months.map { $0.prefix(4) })
        return months.map { m in
            let parts = m.split(separator: "-")
            guard parts.count >= 2, let month = Int(parts[1]) else { return m }
            let name = HTML.monthName(month, c.language)
            return years.count > 1 ? "\(name) '\(parts[0].suffix(2))" : name
        }
    }

    /// Months from the first to the last (gaps as zero), at most the last 24.
    static func monthSeries(_ months: [MonthFigures]) -> [MonthFigures] {
        func parse(_ s: String) -> Int? {
            let p = s.split(separator: "-")
            guard p.count >= 2, let y = Int(p[0]), let m = Int(p[1]), (1...12).contains(m) else { return nil }
            return y * 12 + m - 1
        }
        var byIndex: [Int: MonthFigures] = [:]
        for m in months { if let i = parse(m.month) { byIndex[i] = m } }
        guard let first = byIndex.keys.min(), let last = byIndex.keys.max() else { return months }
        let start = max(first, last - 23)
        return (start...last).map { i in
            byIndex[i] ?? MonthFigures(month: "\(i / 12)-\(i % 12 + 1 < 10 ? "0" : "")\(i % 12 + 1)", trainings: 0, participants: 0)
        }
    }

    static func monthChart(_ c: Context, id: String, _ months: [MonthFigures]) -> Markup {
        let series = monthSeries(months)
        let labels = monthLabels(series.map(\.month), c)
        let years = unique(series.map { String($0.month.prefix(4)) })
        let span = years.count == 1 ? years[0] : years.isEmpty ? "" : "\(years.first!)–\(years.last!)"
        return Charts.columns(
            id: id, labels: labels,
            series: [
                .init(name: c.t(.trainings), values: series.map { Double($0.trainings) }, colour: Charts.Palette.primary,
                      format: { c.num(Int($0)) }),
                .init(name: c.t(.participants), values: series.map { Double($0.participants) }, colour: Charts.Palette.secondary,
                      format: { c.num(Int($0)) }),
            ],
            title: c.t(.trainingsByMonth(span)),
            desc: series.map { "\(c.date($0.month)): \(c.num($0.trainings)) \(c.t(.trainingsNoun)), \(c.num($0.participants)) \(c.t(.participantsNoun))" }
                .joined(separator: "; "),
            emptyMessage: c.t(.noTrainingsYet))
    }

    /// Trainings, people trained and the share of women, in large figures.
    static func trainingFigures(_ h: inout Markup, _ c: Context, _ t: Summary.Trainings) {
        h += "<div class=\"figures\">"
        h += "<div><span class=\"fv\">\(c.num(t.count))</span><span class=\"fl\">\(c.t(.trainingsNoun))</span></div>"
        h += "<div><span class=\"fv\">\(c.num(t.participants))</span><span class=\"fl\">\(c.t(.peopleTrainedUnit))</span></div>"
        h += "<div><span class=\"fv\">\(c.pct(Double(t.women), of: Double(t.participants)))</span>"
        h += "<span class=\"fl\">\(c.t(.women)) (\(c.num(t.women)))</span></div>"
        h += "</div>"
    }

    /// Classification donut with its headline ("40% optimal").
    static func distribution(_ h: inout Markup, _ c: Context, _ monitoring: Summary.Monitoring, id: String) {
        var counts: [String: Double] = [:]
        for item in monitoring.distribution { counts[item.name, default: 0] += item.value }
        let order = Vocabulary.classifications + counts.keys.filter { !Vocabulary.classifications.contains($0) }.sorted()
        let slices = order.compactMap { name -> Charts.Slice? in
            guard let value = counts[name], value > 0 else { return nil }
            return Charts.Slice(label: c.label(name), value: value, colour: Charts.Palette.classificationColour(name))
        }
        let total = slices.reduce(0) { $0 + $1.value }
        let optimal = counts["optimal"] ?? 0
        h += "<div class=\"donut-wrap\"><div class=\"headline\">"
        if total > 0 {
            h += "<span class=\"big\">\(HTML.percent(optimal, of: total, c.language))</span> <span class=\"big-label\">\(c.label("optimal"))</span>"
            h += "<p class=\"muted\">\(c.t(.ofSurveyedCentres(c.num(total))))</p>"
        }
        h += "</div>"
        h += Charts.donut(
            id: id, slices, headline: c.num(total), subline: c.t(.surveyed), title: c.t(.monitoringClassification),
            desc: slices.map { "\($0.label): \(c.num($0.value)) (\(HTML.percent($0.value, of: total, c.language)))" }.joined(separator: ", "),
            countFormat: { c.num($0) }, percentFormat: { HTML.percent($0, c.language) }, emptyMessage: c.t(.noSurveysYet))
        h += "</div>"
    }
}
