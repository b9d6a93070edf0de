import Foundation
import Telecenter

/// Text in records must be text: a NUL or another control character in a
/// name shows as nothing, cuts C strings short in other tools and breaks
/// tables and CSV exports. Line breaks are for the fields that hold prose.
public enum TextCheck {
    /// Fields that may hold several lines (and tabs).
    public static let multiline: Set<String> = ["description", "notes", "address", "opening_hours"]

    public struct Problem: Equatable, Sendable {
        /// The field's path in the body ("name", "producer.name", "trainers[1]"), or "key".
        public let field: String
        public let scalar: UInt32
    }

    /// The first character a text field of `body` or the record key must not
    /// hold. Line breaks are judged by field only for the kinds this version
    /// knows (`Vocabulary.kinds`); other kinds' fields may hold them.
    public static func problem(kind: String, key: String, body: JSONValue?) -> Problem? {
        if let bad = key.unicodeScalars.first(where: { CSVImport.isControl($0) || $0 == "\n" || $0 == "\r" || $0 == "\t" }) {
            return Problem(field: "key", scalar: bad.value)
        }
        guard let body else { return nil }
        return problem(in: body, path: "", name: "", linesAnywhere: !Vocabulary.kinds.contains(kind))
    }

    private static func problem(in value: JSONValue, path: String, name: String, linesAnywhere: Bool) -> Problem? {
        switch value {
        case .string(let text):
            let lines = linesAnywhere || multiline.contains(name)
            let bad = text.unicodeScalars.first { CSVImport.isControl($0) || (!lines && ($0 == "\n" || $0 == "\r")) }
            return bad.map { Problem(field: path, scalar: $0.value) }
        case .array(let items):
            for (i, item) in items.enumerated() {
                if let p = problem(in: item, path: "\(path)[\(i)]", name: name, linesAnywhere: linesAnywhere) { return p }
            }
        case .object(let fields):
            for (key, item) in fields.sorted(by: { $0.key < $1.key }) {
                if let p = problem(in: item, path: path.isEmpty ? key : "\(path).\(key)", name: key, linesAnywhere: linesAnywhere) { return p }
            }
        default: break
        }
        return nil
    }

    public static func message(_ p: Problem, kind: String, language: String) -> String {
        let hex = String(p.scalar, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        let lineBreak = p.scalar == 0x0A || p.scalar == 0x0D
        let prose = multiline.sorted().joined(separator: ", ")
        if language == "en" {
            let what = lineBreak ? "a line break" : p.scalar == 0x09 ? "a tab" : "a control character (\(code))"
            return "\(kind): field '\(p.field)' contains \(what); remove it"
                + (lineBreak ? " (only \(prose) may hold several lines)" : "")
        }
        let what = lineBreak ? "baris baru" : p.scalar == 0x09 ? "tab" : "karakter kontrol (\(code))"
        return "\(kind): kolom '\(p.field)' berisi \(what); hapus karakter itu"
            + (lineBreak ? " (hanya \(prose) yang boleh berisi beberapa baris)" : "")
    }
}
