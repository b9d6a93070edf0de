/// Plain text tables for people: a header, aligned columns, no borders.
struct Table {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) { self.headers = headers }
    init(headers: [String]) { self.headers = headers }

    mutating func add(_ cells: String...) { rows.append(cells) }
    mutating func add(row: [String]) { rows.append(row) }

    /// The table; with `maxWidth`, column `shrinking` is narrowed (its
    /// cells clipped) so that lines fit, down to 8 characters.
    func render(maxWidth: Int? = nil, shrinking: Int? = nil) -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        if let maxWidth, let column = shrinking, column < widths.count {
            let total = widths.reduce(0, +) + 2 * (widths.count - 1)
            if total > maxWidth { widths[column] = max(8, widths[column] - (total - maxWidth)) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let text = i == shrinking && cell.count > widths[i] ? cell.clipped(widths[i]) : cell
                return i == cells.count - 1 ? text : text + String(repeating: " ", count: max(0, widths[i] - text.count))
            }.joined(separator: "  ")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }

    func print() { say(render()) }
}

extension String {
    /// Shortens text for a table cell, marking the cut.
    func clipped(_ width: Int) -> String {
        let flat = replacingOccurrences(of: "\n", with: " ")
        return flat.count <= width ? flat : String(flat.prefix(width - 1)) + "…"
    }
}
