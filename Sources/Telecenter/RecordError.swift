/// Why a record body is not valid for its kind: which field, what is wrong,
/// what is allowed. Worded in English or Bahasa Indonesia.
public struct RecordError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Problem: Equatable, Sendable {
        case missing
        case notJSONObject
        case wrongType(expected: String)
        case notOneOf([String])
        case outOfRange(String)
        case badFormat(String)
        case tooLong(Int)
        /// A date after `latest`, the last day a record may be dated.
        case inFuture(latest: String)
        /// A sale's fee larger than its amount.
        case feeOverAmount(amount: Int64)
    }

    public let kind: String
    public let field: String
    public let problem: Problem
    /// The offending value, shortened, when there is one.
    public let value: String?

    public init(kind: String, field: String, problem: Problem, value: String? = nil) {
        self.kind = kind
        self.field = field
        self.problem = problem
        self.value = value.map { $0.count > 60 ? String($0.prefix(57)) + "..." : $0 }
    }

    public var description: String { message(language: "en") }

    public func message(language: String) -> String {
        var got = value.map { language == "en" ? " (got \"\($0)\")" : " (isinya \"\($0)\")" } ?? ""
        // These name the value inside their sentence.
        let quoted = value.map { " (\($0))" } ?? ""
        switch problem {
        case .inFuture, .feeOverAmount: got = ""
        default: break
        }
        let en: String
        let id: String
        switch problem {
        case .missing:
            en = "field '\(field)' is required"
            id = "kolom '\(field)' wajib diisi"
        case .notJSONObject:
            en = "the body must be a JSON object"
            id = "isi rekaman harus berupa objek JSON"
        case .wrongType(let expected):
            en = "field '\(field)' must be \(expected)"
            id = "kolom '\(field)' harus berupa \(Self.indonesian(expected))"
        case .notOneOf(let allowed):
            en = "field '\(field)' must be one of: \(allowed.joined(separator: ", "))"
            id = "kolom '\(field)' harus salah satu dari: \(allowed.joined(separator: ", "))"
        case .outOfRange(let range):
            en = "field '\(field)' must be \(range)"
            id = "kolom '\(field)' harus \(Self.indonesian(range))"
        case .badFormat(let format):
            en = "field '\(field)' must be \(format)"
            id = "kolom '\(field)' harus \(Self.indonesian(format))"
        case .tooLong(let limit):
            en = "field '\(field)' is longer than \(limit) characters"
            id = "kolom '\(field)' lebih dari \(limit) karakter"
        case .inFuture(let latest):
            en = "field '\(field)'\(quoted) is a date in the future: record what has happened, dated today or earlier (dates up to \(latest) are taken, for a clock a day off). If this PC's date is wrong, set its clock"
            id = "kolom '\(field)'\(quoted) berisi tanggal yang belum tiba: catat yang sudah terjadi, bertanggal hari ini atau sebelumnya (tanggal sampai \(latest) diterima, untuk jam yang selisih sehari). Bila tanggal PC ini salah, betulkan jamnya"
        case .feeOverAmount(let amount):
            en = "field '\(field)'\(quoted) is larger than the sale's amount (\(amount)): the fee is the centre's part of the amount, so at most the amount"
            id = "kolom '\(field)'\(quoted) lebih besar dari nilai penjualan (\(amount)): jasa adalah bagian pusat dari nilai itu, jadi paling besar sama dengan nilainya"
        }
        return "\(kind): " + (language == "en" ? en : id) + got
    }

    static func indonesian(_ text: String) -> String {
        let words: [String: String] = [
            "a string": "teks", "a whole number": "bilangan bulat", "a number": "angka", "true or false": "true atau false",
            "a list": "daftar", "a list of strings": "daftar teks", "an object": "objek",
            "a date YYYY-MM-DD": "tanggal TTTT-BB-HH", "0 or more": "0 atau lebih", "1 or more": "1 atau lebih",
            "1 to 5": "1 sampai 5", "a node id (52 characters)": "id node (52 karakter)",
            "64 lowercase hex characters": "64 karakter heksadesimal huruf kecil", "an http(s) link": "tautan http(s)",
            "-90 to 90": "-90 sampai 90", "-180 to 180": "-180 sampai 180", "on or after start": "sama dengan atau setelah start",
            "at least one photo": "minimal satu foto", "more than 0": "lebih dari 0",
            "a whole number, like 15000 or 15.000": "bilangan bulat, seperti 15000 atau 15.000",
        ]
        if let word = words[text] { return word }
        // Ranges built from numbers: "0 to 1000000000", "5 or more".
        let parts = text.split(separator: " ")
        if parts.count == 3, parts[1] == "to", Int64(parts[0]) != nil, Int64(parts[2]) != nil {
            return "\(parts[0]) sampai \(parts[2])"
        }
        if parts.count == 3, parts[1] == "or", parts[2] == "more", Int64(parts[0]) != nil {
            return "\(parts[0]) atau lebih"
        }
        return text
    }
}
