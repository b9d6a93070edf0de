import ArgumentParser
import Foundation

/// The two languages of operator-facing text: English first, Bahasa
/// Indonesia with --lang id or an id_ID locale.
enum Language: String, CaseIterable, Sendable {
    case en, id

    /// The language of this run: `--lang` wherever it is on the command line,
    /// else the locale. Read from the arguments before they are parsed, so
    /// that help texts and parse errors are in it too.
    static let current: Language = choose(explicitArgument(CommandLine.arguments))

    static func choose(_ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> Language {
        if let explicit, let lang = Language(rawValue: explicit.lowercased()) { return lang }
        for key in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let value = environment[key], !value.isEmpty {
                return value.lowercased().hasPrefix("id") ? .id : .en
            }
        }
        return .en
    }

    /// The value of `--lang X` or `--lang=X` (the last one), before "--".
    static func explicitArgument(_ arguments: [String]) -> String? {
        var value: String?
        var i = 1
        while i < arguments.count, arguments[i] != "--" {
            if arguments[i] == "--lang", i + 1 < arguments.count {
                value = arguments[i + 1]
                i += 1
            } else if arguments[i].hasPrefix("--lang=") {
                value = String(arguments[i].dropFirst("--lang=".count))
            }
            i += 1
        }
        return value
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

    /// "1.3 MB" / "1,3 MB": the decimal mark of the language, as `count` uses its grouping.
    func bytes(_ n: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(n)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        guard unit > 0 else { return "\(count(Int(n))) B" }
        // One decimal, with the language's decimal mark (NumberFormatter's
        // fraction digits are not honoured on Linux).
        let text = String(format: "%.1f", value)
        return (self == .en ? text : text.replacingOccurrences(of: ".", with: ",")) + " " + units[unit]
    }

    /// "1,873" / "1.873".
    func count(_ n: Int) -> String {
        let f = NumberFormatter()
        f.numberStyle = .decimal
        f.locale = locale
        return f.string(from: NSNumber(value: n)) ?? "\(n)"
    }

    var locale: Locale { Locale(identifier: self == .en ? "en_US" : "id_ID") }
}

/// `--lang`, for commands without the data options (which carry it).
struct LanguageOptions: ParsableArguments {
    @Option(help: ArgumentHelp(Language.current.t("Language: en (English) or id (Bahasa Indonesia); default from the locale.",
                                                  "Bahasa: en (Inggris) atau id (Bahasa Indonesia); bawaan dari locale.")))
    var lang: String?

    func validate() throws { try Language.validate(lang) }

    /// The language of this run, wherever `--lang` stood on the command line.
    var language: Language { Language.current }
}

extension Language {
    static func validate(_ lang: String?) throws {
        if let lang, Language(rawValue: lang.lowercased()) == nil {
            throw ValidationError(current.t("--lang must be en or id, got '\(lang)'", "--lang harus en atau id, bukan '\(lang)'"))
        }
    }
}
