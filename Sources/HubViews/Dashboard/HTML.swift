import Foundation
import Telecenter

/// Small helpers of the server-rendered dashboard: HTML escaping and URL
/// encoding (`Markup` and `Link` use them), and numbers, money,
/// percentages, dates and relative time in Bahasa Indonesia ("id", the
/// default) or English ("en").
///
/// Everything is a pure function of its arguments (no locale, no clock):
/// pages render the same bytes for the same data.
public enum HTML {
    /// "en" or "id"; anything else is Indonesian, the default.
    public static func language(_ value: String) -> String { value.lowercased().hasPrefix("en") ? "en" : "id" }

    // MARK: Escaping

    /// Escapes text for HTML element content and quoted attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        escape(text, into: &out)
        return out
    }

    static func escape(_ text: String, into out: inout String) {
        // Most text holds nothing to escape: append it whole.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">")
            || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") }) else {
            out += text
            return
        }
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
    }

    /// Percent-encodes a query parameter name or value (RFC 3986 unreserved
    /// characters stay as they are).
    public static func urlEncode(_ text: String) -> String {
        percentEncode(text) { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
            default: false
            }
        }
    }

    /// `text`'s UTF-8 bytes, those `keep` refuses as %XX.
    static func percentEncode(_ text: String, keep: (UInt8) -> Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            if keep(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 15, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// Decodes a query component ("+" is a space).
    static func urlDecode(_ text: String) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    // MARK: Numbers

    /// 1.234.567 (id) or 1,234,567 (en).
    public static func number(_ value: Int64, _ language: String) -> String {
        let separator: Character = language == "en" ? "," : "."
        let digits = Array(String(value.magnitude))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(separator) }
            out.append(d)
        }
        return value < 0 ? "-" + out : out
    }

    public static func number(_ value: Int, _ language: String) -> String { number(Int64(value), language) }
    public static func number(_ value: UInt64, _ language: String) -> String {
        value > UInt64(Int64.max) ? String(value) : number(Int64(value), language)
    }

    /// A number with up to `digits` decimals (trailing zeros dropped):
    /// 1.234,5 (id) or 1,234.5 (en).
    public static func decimal(_ value: Double, _ language: String, digits: Int = 1) -> String {
        guard value.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<max(0, digits) { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e17 else { return String(value) }
        let whole = Int64(scaled / scale)
        var fraction = Int64(scaled) - whole * Int64(scale)
        var text = number(whole, language)
        if fraction > 0 {
            var fractionDigits = String(fraction)
            while fractionDigits.count < digits { fractionDigits = "0" + fractionDigits }
            while fraction % 10 == 0 {
                fraction /= 10
                fractionDigits.removeLast()
            }
            text += (language == "en" ? "." : ",") + fractionDigits
        }
        return value < 0 && scaled > 0 ? "-" + text : text
    }

    /// A number with exactly `digits` decimals: 4,0 (id) or 4.0 (en).
    public static func fixed(_ value: Double, _ language: String, digits: Int = 1) -> String {
        let text = decimal(value, language, digits: digits)
        guard value.isFinite, digits > 0 else { return text }
        let mark: Character = language == "en" ? "." : ","
        var out = text
        var have = 0
        if let i = text.firstIndex(of: mark) { have = text.distance(from: text.index(after: i), to: text.endIndex) } else { out.append(mark) }
        out += String(repeating: "0", count: max(0, digits - have))
        return out
    }

    /// "Rp 15.000" (id) or "IDR 15,000" (en).
    public static func rupiah(_ value: Int64, _ language: String) -> String {
        (language == "en" ? "IDR " : "Rp ") + number(value, language)
    }

    /// Rupiah rounded for headline figures: "Rp 12,3 jt", "Rp 1,2 M" (id);
    /// "IDR 12.3M", "IDR 1.2B" (en).
    public static func rupiahShort(_ value: Int64, _ language: String) -> String {
        (language == "en" ? "IDR " : "Rp ") + compact(Double(value), language)
    }

    /// 950, 12,3 rb / 12.3K, 4,5 jt / 4.5M, 1,2 M / 1.2B, 3 T / 3T.
    public static func compact(_ value: Double, _ language: String) -> String {
        let en = language == "en"
        let steps: [(Double, String, String)] = [(1e12, " T", "T"), (1e9, " M", "B"), (1e6, " jt", "M"), (1e3, " rb", "K")]
        for (size, id, english) in steps where abs(value) >= size {
            let scaled = value / size
            return decimal(scaled, language, digits: abs(scaled) < 100 ? 1 : 0) + (en ? english : id)
        }
        return decimal(value, language, digits: 0)
    }

    /// A share as a percentage: "40%", "40,5%" (id) or "40.5%" (en);
    /// "–" when the share is undefined (nothing to divide by).
    public static func percent(_ fraction: Double, _ language: String, digits: Int = 0) -> String {
        guard fraction.isFinite else { return "–" }
        return decimal(fraction * 100, language, digits: digits) + "%"
    }

    /// `part` of `whole` as a percentage, "–" when `whole` is 0.
    public static func percent(_ part: Double, of whole: Double, _ language: String, digits: Int = 0) -> String {
        whole == 0 ? "–" : percent(part / whole, language, digits: digits)
    }

    // MARK: Time

    /// How long ago a millisecond timestamp was: "baru saja", "5 menit lalu",
    /// "3 hari lalu" (id) or "just now", "5 minutes ago", "3 days ago" (en);
    /// "belum pernah" / "never" for nil.
    public static func relativeTime(_ ms: Int64?, nowMs: Int64, _ language: String) -> String {
        let en = language == "en"
        guard let ms else { return en ? "never" : "belum pernah" }
        let seconds = (nowMs - ms) / 1000
        if seconds < 60 { return en ? "just now" : "baru saja" }
        let units: [(Int64, String, String)] = [
            (365 * 86_400, "tahun", "year"), (30 * 86_400, "bulan", "month"), (7 * 86_400, "minggu", "week"),
            (86_400, "hari", "day"), (3600, "jam", "hour"), (60, "menit", "minute"),
        ]
        for (size, id, english) in units where seconds >= size {
            // Weeks only between 2 and 8 weeks; days read better below that.
            if size == 7 * 86_400 && seconds < 14 * 86_400 { continue }
            let n = seconds / size
            return en ? "\(number(n, language)) \(english)\(n == 1 ? "" : "s") ago" : "\(number(n, language)) \(id) lalu"
        }
        return en ? "just now" : "baru saja"
    }

    static let monthsID = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
    static let monthsEN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static func monthName(_ month: Int, _ language: String) -> String {
        guard (1...12).contains(month) else { return String(month) }
        return (language == "en" ? monthsEN : monthsID)[month - 1]
    }

    /// "2026-11-05" -> "5 Nov 2026"; "2026-11" -> "Nov 2026"; other text
    /// unchanged.
    public static func date(_ iso: String, _ language: String) -> String {
        let parts = iso.prefix(10).split(separator: "-").map { Int($0) }
        guard parts.count >= 2, let y = parts[0], let m = parts[1], (1...12).contains(m) else { return iso }
        if parts.count >= 3, let d = parts[2] { return "\(d) \(monthName(m, language)) \(y)" }
        return "\(monthName(m, language)) \(y)"
    }

    /// The dashboard shows clock times in Western Indonesian Time.
    static let zoneOffsetMs: Int64 = 7 * 3_600_000
    static let zoneName = "WIB"

    /// "25 Nov 2026, 19.18 WIB" (id) or "25 Nov 2026, 19:18 WIB" (en).
    public static func dateTime(_ ms: Int64, _ language: String) -> String {
        let local = ms + zoneOffsetMs
        let days = CivilDate.floorDiv(local, 86_400_000)
        let (y, m, d) = CivilDate.civil(days: days)
        let minutes = (local - days * 86_400_000) / 60_000
        let hh = minutes / 60, mm = minutes % 60
        let clock = (hh < 10 ? "0" : "") + "\(hh)" + (language == "en" ? ":" : ".") + (mm < 10 ? "0" : "") + "\(mm)"
        return "\(d) \(monthName(m, language)) \(y), \(clock) \(zoneName)"
    }
}
