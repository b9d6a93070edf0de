import ArgumentParser
import Foundation
import Replication

/// Node ids typed on the command line: the checked form `tcnode id` prints
/// (its check characters catch a mistyped or missing character), the plain
/// 52-character form of configs and scripts, or, where the node must be one
/// this node knows, a unique beginning of one.
enum NodeIDInput {
    /// A whole id, either form; a typo is a usage error that says so.
    static func parse(_ text: String, option: String) throws -> NodeID {
        do {
            return try NodeID(typed: text)
        } catch {
            throw ValidationError(typoMessage(error, text: text, option: option))
        }
    }

    /// An id of a node this node knows (`known`): a whole id, or the unique
    /// beginning of a known one (as `members` and `list` show them). A whole
    /// plain id that is not known but differs from a known one in a
    /// character or two, or shares its short form, is a typo of it.
    /// `unknownAllowed` lets a whole id of a new node through (admit).
    static func resolve(_ text: String, option: String, known: [NodeID], unknownAllowed: Bool,
                        name: (NodeID) -> String? = { _ in nil }) throws -> NodeID {
        let compact = NodeIDTypo.compact(text)
        if compact.count < 52 && !compact.isEmpty && compact.utf8.allSatisfy({ base32Character($0) }) {
            let matches = known.filter { $0.description.hasPrefix(compact) || NodeIDTypo.compact($0.checked).hasPrefix(compact) }
            if matches.count == 1 { return matches[0] }
            if matches.count > 1 {
                let list = matches.prefix(10).map { "\($0.checked)" + (name($0).map { " (\($0))" } ?? "") }.joined(separator: "\n  ")
                throw Failure(message: tr("\(option): '\(text)' is the beginning of \(matches.count) node ids; give more of it:\n  \(list)",
                                          "\(option): '\(text)' adalah awal dari \(matches.count) id node; berikan lebih panjang:\n  \(list)"),
                              code: 2)
            }
            if compact.count < 8 || !unknownAllowed {
                throw Failure(message: tr("\(option): no node this node knows has an id beginning with '\(text)'; see `tcnode members`",
                                          "\(option): tidak ada node yang dikenal dengan id berawalan '\(text)'; lihat `tcnode members`"),
                              code: 2)
            }
        }
        let id: NodeID
        do { id = try NodeID(typed: text) } catch { throw Failure(message: typoMessage(error, text: text, option: option), code: 2) }
        if known.contains(id) { return id }
        if compact.count == 52, let near = known.first(where: { nearMiss($0, id) }) {
            let who = name(near).map { "\($0), " } ?? ""
            throw Failure(message: tr(
                "\(option): '\(text)' has a typo: it is one or two characters off the id of \(who)\(near.checked). Copy the id from `tcnode id` on that node (with its check characters, as printed)",
                "\(option): '\(text)' salah ketik: hanya berbeda satu atau dua karakter dari id \(who)\(near.checked). Salin id dari `tcnode id` di node itu (dengan karakter pemeriksanya, seperti tercetak)"),
                          code: 2)
        }
        guard unknownAllowed else {
            throw Failure(message: tr("\(option): no node with id \(id.checked) is known here; see `tcnode members`",
                                      "\(option): node dengan id \(id.checked) tidak dikenal di sini; lihat `tcnode members`"),
                          code: 2)
        }
        return id
    }

    /// Two different ids a person could have confused: the same short form,
    /// or at most two characters apart (random keys never are).
    static func nearMiss(_ a: NodeID, _ b: NodeID) -> Bool {
        guard a != b else { return false }
        if a.short == b.short { return true }
        return zip(a.description.utf8, b.description.utf8).filter { $0 != $1 }.count <= 2
    }

    static func base32Character(_ c: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "2")...UInt8(ascii: "7")).contains(c)
    }

    static func typoMessage(_ error: NodeIDTypo, text: String, option: String) -> String {
        let l = Language.current
        let again = l.t("Copy it again from `tcnode id` on that node.", "Salin lagi dari `tcnode id` di node itu.")
        switch error.problem {
        case .length(let n):
            let hint: String
            if n == 55 || n == 51 {
                hint = l.t(" (one character is missing: a typo?)", " (ada satu karakter yang hilang: salah ketik?)")
            } else if n == 57 || n == 53 {
                hint = l.t(" (one character too many: a typo?)", " (ada satu karakter berlebih: salah ketik?)")
            } else {
                hint = ""
            }
            return l.t("\(option): '\(text)' is not a node id: it has \(n) characters without the dashes, an id has 56 (as `tcnode id` prints it) or 52\(hint). \(again)",
                       "\(option): '\(text)' bukan id node: panjangnya \(n) karakter tanpa tanda hubung, id node 56 karakter (seperti dicetak `tcnode id`) atau 52\(hint). \(again)")
        case .checkFailed(let g):
            return l.t("\(option): '\(text)' has a typo: the check character of blocks \(2 * g - 1)-\(2 * g) does not match, so a character there is wrong or two are swapped. \(again)",
                       "\(option): '\(text)' salah ketik: karakter pemeriksa blok \(2 * g - 1)-\(2 * g) tidak cocok, jadi ada karakter yang salah atau tertukar di situ. \(again)")
        case .notBase32(let c):
            let like: [Character: String] = ["0": "o", "1": "l or i", "8": "b", "9": "g"]
            let hint = like[c].map { l.t(" (the letter \($0)?)", " (huruf \($0.replacingOccurrences(of: " or ", with: " atau "))?)") } ?? ""
            return l.t("\(option): '\(text)' has a typo: '\(c)' cannot appear in a node id, only a-z and 2-7\(hint). \(again)",
                       "\(option): '\(text)' salah ketik: '\(c)' tidak mungkin ada di id node, hanya a-z dan 2-7\(hint). \(again)")
        case .trailingBits:
            return l.t("\(option): '\(text)' has a typo: no node id ends like this. \(again)",
                       "\(option): '\(text)' salah ketik: tidak ada id node yang berakhir seperti ini. \(again)")
        }
    }
}
