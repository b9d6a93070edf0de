import Foundation

/// The two languages of operator-facing text: English first, Bahasa
/// Indonesia with --lang id or an id_ID locale.
enum Language: String, CaseIterable {
    case en, id

    static func choose(_ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> Language {
        if let explicit, let lang = Language(rawValue: explicit.lowercased()) { return lang }
        for key in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let value = environment[key], !value.isEmpty {
                return value.lowercased().hasPrefix("id") ? .id : .en
            }
        }
        return .en
    }

    func t(_ en: String, _ id: String) -> String { self == .en ? en : id }

    /// "3 min", "2 h 5 min", "4 days" / "3 menit", "2 jam 5 menit", "4 hari".
    func duration(seconds s: Int64) -> String {
        let s = max(0, s)
        let (minute, hour, day) = (t("min", "menit"), t("h", "jam"), t("days", "hari"))
        if s < 60 { return t("\(s) s", "\(s) detik") }
        if s < 3600 { return "\(s / 60) \(minute)" }
        if s < 86_400 {
            let m = (s % 3600) / 60
            return m == 0 ? "\(s / 3600) \(hour)" : "\(s / 3600) \(hour) \(m) \(minute)"
        }
        let d = s / 86_400
        return d == 1 ? t("1 day", "1 hari") : "\(d) \(day)"
    }

    func ago(_ ms: Int64?, now: Int64) -> String {
        guard let ms else { return t("never", "belum pernah") }
        return t("\(duration(seconds: (now - ms) / 1000)) ago", "\(duration(seconds: (now - ms) / 1000)) lalu")
    }

    func bytes(_ n: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(n)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }

    func count(_ n: Int) -> String {
        let f = NumberFormatter()
        f.numberStyle = .decimal
        f.locale = Locale(identifier: self == .en ? "en_US" : "id_ID")
        return f.string(from: NSNumber(value: n)) ?? "\(n)"
    }
}
