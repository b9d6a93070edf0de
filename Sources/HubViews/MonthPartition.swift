import GRDB

/// A month partition of a time-based table in the views on PostgreSQL
/// (`sale_2026_11`): the rows whose date (`column`) is from "2026-11" up to,
/// not including, "2026-12", compared byte by byte as the table's texts
/// are (`COLLATE "C"`). Dates outside [1900-01, 3000-01) are in the table's
/// `_undated` partition (PostgreSQL's DEFAULT partition). Partitions are
/// made by the catch-up when a row needs one (`ApplyBuffer.addPartitions`).
struct MonthPartition: Hashable {
    let year: Int
    let month: Int

    /// The partitioned tables and the column each is partitioned by.
    static let column = ["sale": "date", "training": "start", "monitoring": "date", "activity": "date"]
    /// A row's partition key (NULL for a table not partitioned).
    static func key(of table: String, in row: [String: DatabaseValue]) -> DatabaseValue {
        column[table].map { row[$0] ?? .null } ?? .null
    }

    static let firstYear = 1900
    static let endYear = 3000

    init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// The month whose range holds `date`. Not only well-formed dates:
    /// "2026-13-01" sorts within December 2026's range, so it belongs to
    /// that partition. Were it put in the DEFAULT partition, December's
    /// could not be created later (PostgreSQL refuses a partition whose
    /// range holds rows of the DEFAULT one).
    init?(containing date: String) {
        let bytes = Array(date.utf8)
        // Most dates start "YYYY-MM": that month, without searching.
        if bytes.count >= 7, bytes[4] == UInt8(ascii: "-"), let year = Self.number(bytes[0..<4]), let month = Self.number(bytes[5..<7]),
           (Self.firstYear..<Self.endYear).contains(year), (1...12).contains(month) {
            self.init(year: year, month: month)
            return
        }
        func start(_ index: Int) -> [UInt8] { Array(MonthPartition(year: Self.firstYear + index / 12, month: index % 12 + 1).from.utf8) }
        let count = (Self.endYear - Self.firstYear) * 12
        guard !bytes.lexicographicallyPrecedes(start(0)), bytes.lexicographicallyPrecedes(start(count)) else { return nil }
        // The last month that starts at or before the date.
        var low = 0, high = count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if bytes.lexicographicallyPrecedes(start(middle)) { high = middle - 1 } else { low = middle }
        }
        self.init(year: Self.firstYear + low / 12, month: low % 12 + 1)
    }

    var from: String { Self.text(year, month) }
    var to: String { month == 12 ? Self.text(year + 1, 1) : Self.text(year, month + 1) }

    func name(of table: String) -> String { "\(table)_\(from.replacingOccurrences(of: "-", with: "_"))" }

    /// The statement that makes the partition (the table and bounds are ours, never a record's text).
    func create(_ table: String) -> String {
        "CREATE TABLE IF NOT EXISTS \(name(of: table)) PARTITION OF \(table) FOR VALUES FROM ('\(from)') TO ('\(to)')"
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var n = 0
        for d in digits {
            guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { return nil }
            n = n * 10 + Int(d - UInt8(ascii: "0"))
        }
        return n
    }

    private static func text(_ year: Int, _ month: Int) -> String {
        let y = String(year), m = String(month)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + (m.count < 2 ? "0" : "") + m
    }
}
