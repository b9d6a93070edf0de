import Telecenter

/// A time as ISO 8601 in UTC, "2026-11-25T12:18:00Z": the CSV exports'
/// timestamps and the dashboard's `<time datetime>`.
enum ISOTime {
    static func string(_ ms: Int64) -> String {
        let days = CivilDate.floorDiv(ms, 86_400_000)
        let (y, m, d) = CivilDate.civil(days: days)
        let seconds = (ms - days * 86_400_000) / 1000
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(y)-\(two(Int64(m)))-\(two(Int64(d)))T\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))Z"
    }
}
