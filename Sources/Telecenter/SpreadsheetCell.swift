/// Text cells of a CSV file that a spreadsheet must show as text, never run
/// as a formula: the hub's exports write them (`CSVExport`) and a centre's
/// import reads them back (`CSVImport`).
public enum SpreadsheetCell {
    /// A cell a spreadsheet shows as text, never runs as a formula: text
    /// from the records (any centre writes it) that starts with `=`, `+`,
    /// `-`, `@`, a tab or a carriage return, after any spaces (a spreadsheet
    /// may trim them), gets a leading `'`. Numbers ("-7.25", "150000") stay
    /// numbers. Text that already starts with `'`s before one of those gets
    /// one more, so that `CSVImport.read` (which drops one) gives back
    /// exactly what was exported.
    public static func inert(_ cell: String) -> String {
        guard isGuarded(cell) || (startsFormula(cell) && !isNumber(cell)) else { return cell }
        return "'" + cell
    }

    /// Starts, after any spaces, with a character a spreadsheet reads as the start of a formula.
    static func startsFormula(_ cell: some StringProtocol) -> Bool {
        guard let first = cell.unicodeScalars.first(where: { $0 != " " }) else { return false }
        return "=+-@\t\r".unicodeScalars.contains(first)
    }

    /// Starts, after any spaces, with one or more `'` and then a formula
    /// character: what `inert` made of a cell (or text that looks so).
    static func isGuarded(_ cell: String) -> Bool {
        let rest = cell.drop { $0 == " " }
        guard rest.hasPrefix("'") else { return false }
        return startsFormula(rest.drop { $0 == "'" })
    }

    /// Digits with an optional leading minus and decimal part, as the exports write them.
    static func isNumber(_ cell: String) -> Bool {
        var digits = Substring(cell)
        if digits.hasPrefix("-") { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.allSatisfy { !$0.isEmpty && $0.unicodeScalars.allSatisfy { (48...57).contains($0.value) } }
    }
}
