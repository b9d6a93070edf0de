extension DashboardPages {
    struct Column {
        var title: String
        var numeric = false
        /// An extra CSS class of the column's cells.
        var cls: String?
        init(_ title: String, numeric: Bool = false, cls: String? = nil) {
            self.title = title
            self.numeric = numeric
            self.cls = cls
        }

        var attribute: Markup {
            let classes = (numeric ? ["num"] : []) + (cls.map { [$0] } ?? [])
            return classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\""
        }

        /// The column's name beside each cell on phones.
        var label: Markup { " data-label=\"\(title)\"" }
    }

    /// A table. List tables turn into one block per row on phones (each
    /// cell labelled with its column); compact ones keep their grid and
    /// scroll sideways.
    static func table(_ h: inout Markup, _ c: Context, columns: [Column], rows: [[Markup]], footer: [Markup]? = nil,
                      caption: String, empty: String? = nil, compact: Bool = false) {
        func attribute(_ i: Int) -> Markup { i < columns.count ? columns[i].attribute : "" }
        let kind: Markup = compact ? "compact" : "stack"
        h += "<div class=\"table-wrap\"><table class=\"\(kind)\"><caption class=\"sr\">\(caption)</caption><thead><tr>"
        for column in columns { h += "<th scope=\"col\"\(column.attribute)>\(column.title)</th>" }
        h += "</tr></thead><tbody>"
        if rows.isEmpty {
            h += "<tr><td colspan=\"\(columns.count)\" class=\"empty\">\(empty ?? c.t(.noDataYet))</td></tr>"
        }
        for row in rows {
            h += "<tr>"
            for (i, cell) in row.enumerated() {
                // One wrapper per cell: the phone layout puts it beside the label.
                h += compact ? "<td\(attribute(i))>\(cell)</td>"
                    : "<td\(attribute(i))\(i < columns.count ? columns[i].label : "")><div>\(cell)</div></td>"
            }
            h += "</tr>"
        }
        h += "</tbody>"
        if let footer {
            // A label cell spans the empty cells after it.
            h += "<tfoot><tr>"
            var i = 0
            while i < footer.count {
                var span = 1
                while i + span < footer.count, footer[i + span].isEmpty, !(i + span < columns.count && columns[i + span].numeric) { span += 1 }
                let label = i < columns.count && columns[i].numeric ? columns[i].label : ""
                let colspan: Markup = span > 1 ? " colspan=\"\(span)\"" : ""
                h += "<td\(attribute(i))\(colspan)\(label)>\(footer[i])</td>"
                i += span
            }
            h += "</tr></tfoot>"
        }
        h += "</table></div>"
    }
}
