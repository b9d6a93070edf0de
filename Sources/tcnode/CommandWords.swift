import ArgumentParser
import Foundation
import Telecenter

/// What the argument parser says, in the language of this run, and "did
/// you mean" for a mistyped command or value.
enum CommandWords {
    /// A word where a subcommand belongs that names none ("tcnode prodct"),
    /// worded with the nearest commands; nil when there is none (the
    /// parser then reports the arguments itself).
    static func unknownSubcommand(in arguments: [String]) -> String? {
        var command: any ParsableCommand.Type = TCNode.self
        var path = ["tcnode"]
        var i = 1
        while i < arguments.count {
            let word = arguments[i]
            if word == "--" { return nil }
            if word.hasPrefix("-") {
                // The options that take a value and may come before a subcommand.
                if ["--lang", "--data-dir", "--config", "--socket"].contains(word) { i += 1 }
                i += 1
                continue
            }
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty else { return nil }
            if word == "help" { return nil }
            if let next = subcommands.first(where: { names(of: $0).contains(word) }) {
                command = next
                path.append(next._commandName)
                i += 1
                continue
            }
            let all = subcommands.flatMap { c in names(of: c).map { ($0, c._commandName) } }
            let near = nearest(word, among: all.map(\.0))
            let suggestions = Array(Set(near.compactMap { n in all.first { $0.0 == n }?.1 })).sorted()
            let help = "`\(path.joined(separator: " ")) --help`"
            if suggestions.isEmpty {
                return tr("'\(word)' is not a command of \(path.joined(separator: " ")); see \(help)",
                          "'\(word)' bukan perintah \(path.joined(separator: " ")); lihat \(help)")
            }
            let list = suggestions.map { "'\($0)'" }.joined(separator: tr(" or ", " atau "))
            return tr("'\(word)' is not a command of \(path.joined(separator: " ")). Did you mean \(list)? See \(help)",
                      "'\(word)' bukan perintah \(path.joined(separator: " ")). Maksud Anda \(list)? Lihat \(help)")
        }
        return nil
    }

    static func names(of command: any ParsableCommand.Type) -> [String] {
        [command._commandName] + command.configuration.aliases
    }

    /// The candidates closest to `word`: one or two edits away (by length),
    /// or starting with it, or the same but for case.
    static func nearest(_ word: String, among candidates: [String]) -> [String] {
        let w = word.lowercased()
        if let same = candidates.first(where: { $0.lowercased() == w }) { return [same] }
        let allowed = w.count <= 4 ? 1 : 2
        let scored = candidates.map { ($0, editDistance(w, $0.lowercased())) }
        let best = scored.map(\.1).min() ?? .max
        var out = best <= allowed ? scored.filter { $0.1 == best }.map(\.0) : []
        if out.isEmpty && w.count >= 3 { out = candidates.filter { $0.lowercased().hasPrefix(w) } }
        return out
    }

    /// Levenshtein distance (insertions, deletions, substitutions).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// A value of a closed list (a category, a topic...): the value itself,
    /// or the one it names but for case, spaces or '_' against '-'; else an
    /// error that lists the allowed values and the nearest ones.
    static func closed(_ value: String, option: String, allowed: [String]) throws -> String {
        if allowed.contains(value) { return value }
        let folded = value.trimmingCharacters(in: .whitespaces).lowercased()
            .replacingOccurrences(of: " ", with: "-").replacingOccurrences(of: "_", with: "-")
        if let match = allowed.first(where: { $0.replacingOccurrences(of: "_", with: "-") == folded }) { return match }
        // The English word of a value ("food" for makanan), as the dashboard shows it.
        if let match = allowed.first(where: { Vocabulary.label($0, "en").lowercased().replacingOccurrences(of: " ", with: "-") == folded }) {
            return match
        }
        let near = nearest(value, among: allowed)
        let list = allowed.joined(separator: ", ")
        let hint = near.isEmpty ? "" : tr(" Did you mean \(near.map { "'\($0)'" }.joined(separator: " or "))?",
                                          " Maksud Anda \(near.map { "'\($0)'" }.joined(separator: " atau "))?")
        throw ValidationError(tr("\(option): '\(value)' is not one of: \(list).\(hint)",
                                 "\(option): '\(value)' bukan salah satu dari: \(list).\(hint)"))
    }

    /// The parser's own words (help, usage, errors) in the language of this run.
    static func parserText(_ text: String) -> String {
        guard Language.current == .id else { return text }
        var out = text
        let fixed: [(String, String)] = [
            ("OVERVIEW: ", "RINGKASAN: "), ("USAGE: ", "PAKAI: "), ("Usage: ", "Pakai: "), ("ARGUMENTS:", "ARGUMEN:"),
            ("OPTIONS:", "OPSI:"), ("SUBCOMMANDS:", "SUBPERINTAH:"), ("Show help information.", "Tampilkan bantuan ini."),
            ("Show the version.", "Tampilkan versi."), ("Error: ", "Galat: "), ("Help:  ", "Bantuan: "),
            ("Missing required subcommand.", "Subperintah belum diberikan."), ("(default: ", "(bawaan: "),
            ("Missing expected argument ", "Argumen wajib belum diberikan: "), ("Missing one of: ", "Berikan salah satu dari: "),
            ("Unknown option ", "Opsi tidak dikenal: "), ("Unexpected argument ", "Argumen tidak dikenal: "),
            ("Missing value for ", "Nilai belum diberikan untuk "), (". Did you mean ", ". Maksud Anda "),
            ("The value ", "Nilai "), (" is invalid for ", " tidak sah untuk "), (" is invalid.", " tidak sah."),
            (" had already been set with ", " sudah diberikan dengan "), ("Value to be set with ", "Nilai yang diberikan dengan "),
            ("(default as flag: ", "(bawaan sebagai flag: "), ("(values: ", "(nilai: "), ("<subcommand>", "<subperintah>"),
        ]
        for (en, id) in fixed { out = out.replacingOccurrences(of: en, with: id) }
        out = out.replacingOccurrences(of: #"See '([^']+)' for more information\."#, with: "Lihat '$1' untuk keterangan lebih lanjut.",
                                       options: .regularExpression)
        out = out.replacingOccurrences(of: #"See '([^']+) <subcommand>' for detailed help\."#,
                                       with: "Lihat '$1 <subperintah>' untuk bantuan rinci.", options: .regularExpression)
        return out
    }
}
