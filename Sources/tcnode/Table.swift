/// Plain text tables for people: a header, aligned columns, no borders.
struct Table {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) { self.headers = headers }
    init(headers: [String]) { self.headers = headers }

    mutating func add(_ cells: String...) { rows.append(cells) }
    mutating func add(row: [String]) { rows.append(row) }

    func render() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }

    func print() { Swift.print(render()) }
}

extension String {
    /// Shortens text for a table cell, marking the cut.
    func clipped(_ width: Int) -> String {
        let flat = replacingOccurrences(of: "\n", with: " ")
        return flat.count <= width ? flat : String(flat.prefix(width - 1)) + "…"
    }
}
