import CSV
import Foundation

/// Reads CSV files centres keep (e.g. their product spreadsheet).
public enum CSVImport {
    public struct Sheet {
        public let header: [String]
        /// Each row with the 1-based line of the file it starts on.
        public let rows: [(line: Int, fields: [String: String])]
    }

    /// Why a file cannot be imported, worded in English or Bahasa Indonesia.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public enum Problem: Equatable, Sendable {
            case notCSV(String)
            case noHeader
            /// A quoted field opened on `line` is never closed: CSV.swift
            /// would read every later row into it.
            case unterminatedQuote(line: Int)
            /// A quoted field opened on `line` has a quote inside it that is
            /// not doubled, with more text after it.
            case strayQuote(line: Int)
            /// A cell holds a control character (NUL, escape, ...).
            case controlCharacter(line: Int, column: String, scalar: UInt32)
        }

        public let problem: Problem

        public init(_ problem: Problem) { self.problem = problem }

        public var description: String { message(language: "en") }

        public func message(language: String) -> String {
            let en = language == "en"
            switch problem {
            case .notCSV(let why):
                return en ? "not a CSV file: \(why)" : "bukan berkas CSV: \(why)"
            case .noHeader:
                return en ? "the file has no header row" : "berkas tidak punya baris judul"
            case .unterminatedQuote(let line):
                return en
                    ? "line \(line): a quoted field starts here and its closing quote (\") is missing, so every later row would be read into it. Add the closing quote (write a quote inside the text as \"\"), save the file and import again"
                    : "baris \(line): kolom berkutip dimulai di sini tetapi tanda kutip penutupnya (\") tidak ada, sehingga semua baris berikutnya akan terbaca ke dalamnya. Tambahkan tanda kutip penutup (tulis tanda kutip di dalam teks sebagai \"\"), simpan berkas lalu impor lagi"
            case .strayQuote(let line):
                return en
                    ? "line \(line): a quoted field starting here has a quote (\") inside it followed by more text. Write a quote inside the text as \"\", save the file and import again"
                    : "baris \(line): kolom berkutip yang dimulai di sini berisi tanda kutip (\") diikuti teks lain. Tulis tanda kutip di dalam teks sebagai \"\", simpan berkas lalu impor lagi"
            case .controlCharacter(let line, let column, let scalar):
                let hex = String(scalar, radix: 16, uppercase: true)
                let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                return en
                    ? "line \(line): column '\(column)' contains a control character (\(code)) that is not text; remove it (a spreadsheet export can leave one), save the file and import again"
                    : "baris \(line): kolom '\(column)' berisi karakter kontrol (\(code)) yang bukan teks; hapus karakter itu, simpan berkas lalu impor lagi"
            }
        }
    }

    /// A cell as it was before `SpreadsheetCell.inert`: the `'` it put before a
    /// formula character is dropped. (A spreadsheet that saves such a cell
    /// as CSV writes it without the `'`, which reads the same.)
    public static func uninert(_ cell: String) -> String {
        guard cell.hasPrefix("'") else { return cell }
        let rest = String(cell.dropFirst())
        return SpreadsheetCell.isGuarded(rest) || SpreadsheetCell.startsFormula(rest) ? rest : cell
    }

    public static func read(_ text: String) throws(Failure) -> Sheet {
        var body = text
        if body.hasPrefix("\u{FEFF}") { body.removeFirst() }
        if let problem = quoteProblem(in: body) { throw Failure(problem) }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: body, hasHeaderRow: true, trimFields: true)
        } catch {
            throw Failure(.notCSV("\(error)"))
        }
        guard let headerRow = reader.headerRow else { throw Failure(.noHeader) }
        let header = headerRow.map { $0.lowercased() }
        if let (i, scalar) = controlCharacter(in: headerRow) {
            throw Failure(.controlCharacter(line: 1, column: "column \(i + 1) of the header", scalar: scalar))
        }
        var rows: [(Int, [String: String])] = []
        // The physical line each record starts on: a quoted field may hold
        // line breaks, so records and lines differ.
        var line = 1 + lines(in: headerRow)
        while let fields = reader.next() {
            defer { line += lines(in: fields) }
            if fields.allSatisfy({ $0.isEmpty }) { continue }
            if let (i, scalar) = controlCharacter(in: fields) {
                throw Failure(.controlCharacter(line: line, column: i < header.count ? header[i] : "column \(i + 1)", scalar: scalar))
            }
            var row: [String: String] = [:]
            for (i, name) in header.enumerated() where i < fields.count { row[name] = uninert(fields[i]) }
            rows.append((line, row))
        }
        if let error = reader.error { throw Failure(.notCSV("line \(line): \(error)")) }
        return Sheet(header: header, rows: rows)
    }

    /// Whether `scalar` is a control character a text cell must not hold:
    /// C0 controls other than tab and line breaks, DEL and the C1 controls.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: false
        case 0x00...0x1F, 0x7F...0x9F: true
        default: false
        }
    }

    static func controlCharacter(in fields: [String]) -> (Int, UInt32)? {
        for (i, field) in fields.enumerated() {
            if let bad = field.unicodeScalars.first(where: isControl) { return (i, bad.value) }
        }
        return nil
    }

    /// RFC 4180 quoting problems CSV.swift reads without a word: it ends an
    /// unclosed quoted field at the end of the file, and keeps going after
    /// a quote that is not doubled. Follows CSV.swift's reading (comma,
    /// fields trimmed of spaces and tabs, CR, LF or CRLF line ends) and
    /// counts lines as `lines(in:)` does.
    static func quoteProblem(in text: String) -> Failure.Problem? {
        let s = Array(text.unicodeScalars)
        let blank = CharacterSet.whitespaces
        var i = 0
        var line = 1
        var atFieldStart = true
        func lineBreak(at i: Int) {
            if s[i] == "\r" || (s[i] == "\n" && (i == 0 || s[i - 1] != "\r")) { line += 1 }
        }
        while i < s.count {
            let c = s[i]
            if atFieldStart && blank.contains(c) {
                i += 1
                continue
            }
            if atFieldStart && c == "\"" {
                let opened = line
                i += 1
                var closed = false
                while i < s.count {
                    if s[i] == "\"" {
                        if i + 1 < s.count && s[i + 1] == "\"" {
                            i += 2
                            continue
                        }
                        closed = true
                        i += 1
                        break
                    }
                    lineBreak(at: i)
                    i += 1
                }
                guard closed else { return .unterminatedQuote(line: opened) }
                while i < s.count && blank.contains(s[i]) { i += 1 }
                if i < s.count && s[i] != "," && s[i] != "\r" && s[i] != "\n" { return .strayQuote(line: opened) }
                atFieldStart = false
                continue
            }
            atFieldStart = c == "," || c == "\r" || c == "\n"
            lineBreak(at: i)
            i += 1
        }
        return nil
    }

    /// A rupiah amount as people write it in a spreadsheet: digits, or
    /// digits with dots between groups of three ("15.000", "1.250.000").
    /// Anything else ("15.5", "15,000", "Rp 15.000", "15rb") is nil.
    public static func rupiah(_ text: String) -> Int? {
        let groups = text.split(separator: ".", omittingEmptySubsequences: false)
        let digitsOnly = groups.allSatisfy { group in !group.isEmpty && group.utf8.allSatisfy { (48...57).contains($0) } }
        guard digitsOnly, groups.count == 1 || (groups[0].count <= 3 && groups.dropFirst().allSatisfy { $0.count == 3 }) else {
            return nil
        }
        return Int(groups.joined())
    }

    /// What `rupiah` accepts, for error messages.
    public static let rupiahFormat = "a whole number, like 15000 or 15.000"

    /// How many lines a record spans: one, plus the line breaks (CRLF, LF or
    /// CR) inside its quoted fields.
    static func lines(in fields: [String]) -> Int {
        var count = 1
        for field in fields {
            var afterCR = false
            for scalar in field.unicodeScalars {
                if scalar == "\n" {
                    if !afterCR { count += 1 }
                } else if scalar == "\r" {
                    count += 1
                }
                afterCR = scalar == "\r"
            }
        }
        return count
    }
}
