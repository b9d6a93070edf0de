import Telecenter

extension DashboardPages {
    /// Language, links and formatting of one page.
    struct Context {
        let language: String
        let path: String
        /// Carried-over query parameters (the token), decoded: links carry
        /// them again, forms as hidden fields.
        let base: [(name: String, value: String)]
        /// This page's own parameters, kept by the language switch.
        let current: [(String, String)]

        static let viewKeys: Set<String> = ["lang", "region", "period", "category", "page", "per_page", "year"]

        init(language: String, path: String, query: String, current: [(String, String)]) {
            self.language = HTML.language(language)
            self.path = path
            self.current = current
            var raw = query
            if let q = raw.firstIndex(of: "?") { raw = String(raw[raw.index(after: q)...]) }
            var base: [(String, String)] = []
            for piece in raw.split(separator: "&", omittingEmptySubsequences: true) {
                let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = HTML.urlDecode(String(parts[0]))
                guard !name.isEmpty, !Self.viewKeys.contains(name) else { continue }
                base.append((name, parts.count > 1 ? HTML.urlDecode(String(parts[1])) : ""))
            }
            self.base = base
        }

        var en: Bool { language == "en" }
        func t(_ phrase: Phrase) -> String { en ? phrase.en : phrase.id }
        func label(_ value: String) -> String { Vocabulary.label(value, language) }
        func num(_ value: Int) -> String { HTML.number(value, language) }
        func num(_ value: Int64) -> String { HTML.number(value, language) }
        func num(_ value: UInt64) -> String { HTML.number(value, language) }
        func num(_ value: Double) -> String { HTML.decimal(value, language, digits: 1) }
        func pct(_ part: Double, of whole: Double) -> String { HTML.percent(part, of: whole, language) }
        func date(_ iso: String) -> String { HTML.date(iso, language) }
        func rupiah(_ value: Int64) -> String { HTML.rupiah(value, language) }

        /// A link: `path`, the carried-over query, then `params` (nil or
        /// empty values left out) and the language when it is not the
        /// default.
        func href(_ path: String, _ params: [(String, String?)] = [], withLanguage: Bool = true, language: String? = nil) -> Link {
            var query = base
            for (name, value) in params {
                guard let value, !value.isEmpty else { continue }
                query.append((name, value))
            }
            if withLanguage {
                if let language { query.append(("lang", language)) } else if en { query.append(("lang", "en")) }
            }
            return Link.path(path, query: query)
        }

        func href(_ path: String, _ params: [(String, String)], withLanguage: Bool = true) -> Link {
            href(path, params.map { ($0.0, Optional($0.1)) }, withLanguage: withLanguage)
        }

        /// This page in the other language, with its parameters.
        func switchLanguageHref() -> Link {
            href(path, current.map { ($0.0, Optional($0.1)) }, language: en ? "id" : "en")
        }

        func photo(_ sha: String) -> Link { href("/photos/" + sha, withLanguage: false) }
    }
}
