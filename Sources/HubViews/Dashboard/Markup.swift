/// HTML the dashboard sends as it is, built so that text other nodes wrote
/// cannot become markup by accident.
///
/// Text becomes markup only escaped: a `String` interpolated into a markup
/// literal (`"<b>\(name)</b>"`) or given to `Markup(text:)`. What is written
/// in the source as a literal is trusted: its literal parts can only be
/// `StaticString`s. Markup made any other way needs `Markup.trusted(_:)`,
/// which names where someone vouches for it. A page that forgets an
/// escape therefore does not compile.
///
/// The one escape serves element content and attribute values alike (it
/// escapes both quotes); attribute values must be quoted, which
/// interpolation checks (`name=\(value)` traps).
public struct Markup: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringInterpolation {
    public private(set) var html: String

    public init(stringLiteral literal: StaticString) { html = literal.description }
    public init(stringInterpolation: Interpolation) { html = stringInterpolation.html }
    /// Text shown as text.
    public init(text: String) { html = HTML.escape(text) }
    private init(html: String) { self.html = html }

    /// Markup someone vouches for: the caller made it from literals and
    /// escaped text, or from a source as trusted as this program.
    public static func trusted(_ html: String) -> Markup { Markup(html: html) }

    public var isEmpty: Bool { html.isEmpty }
    public var description: String { html }

    public static func + (lhs: Markup, rhs: Markup) -> Markup { Markup(html: lhs.html + rhs.html) }
    public static func += (lhs: inout Markup, rhs: Markup) { lhs.html += rhs.html }

    public struct Interpolation: StringInterpolationProtocol {
        public typealias StringLiteralType = StaticString
        var html = ""

        public init(literalCapacity: Int, interpolationCount: Int) { html.reserveCapacity(literalCapacity + interpolationCount * 24) }

        public mutating func appendLiteral(_ literal: StaticString) { html += literal.description }

        /// Text, escaped.
        public mutating func appendInterpolation(_ text: String) {
            checkQuoted()
            HTML.escape(text, into: &html)
        }

        public mutating func appendInterpolation(_ text: Substring) { appendInterpolation(String(text)) }

        /// Markup, as it is.
        public mutating func appendInterpolation(_ markup: Markup) {
            checkQuoted()
            html += markup.html
        }

        /// A link for `href` or `src`, escaped for the attribute.
        public mutating func appendInterpolation(_ link: Link) {
            checkQuoted()
            HTML.escape(link.url, into: &html)
        }

        /// Numbers hold nothing to escape.
        public mutating func appendInterpolation<N: BinaryInteger>(_ number: N) { html += String(number) }

        /// An unquoted attribute value ends at the first space: escaping
        /// cannot keep text inside it, quotes can.
        private func checkQuoted() {
            precondition(html.utf8.last != UInt8(ascii: "="), "quote attribute values: name=\"\\(value)\", in \(html.suffix(60))")
        }
    }
}

extension Sequence<Markup> {
    public func joined(separator: Markup = "") -> Markup {
        var out: Markup = ""
        for (i, part) in enumerated() {
            if i > 0 { out += separator }
            out += part
        }
        return out
    }
}

/// A URL for `href` or `src`, only ever made percent-encoded or checked:
/// a path of this server with its query parameters (`Link.path`), or an
/// outside address that is http(s) (`Link.external`).
public struct Link: Sendable, Equatable {
    public let url: String

    private init(url: String) { self.url = url }

    /// `path` and its query parameters, each segment, name and value
    /// percent-encoded ("/" between segments kept).
    static func path(_ path: String, query: [(name: String, value: String)] = []) -> Link {
        let encoded = path.split(separator: "/", omittingEmptySubsequences: false).map { HTML.urlEncode(String($0)) }
            .joined(separator: "/")
        let pieces = query.map { HTML.urlEncode($0.name) + "=" + HTML.urlEncode($0.value) }
        return Link(url: pieces.isEmpty ? encoded : encoded + "?" + pieces.joined(separator: "&"))
    }

    /// A fragment of this page ("#isi").
    static func fragment(_ id: String) -> Link { Link(url: "#" + HTML.urlEncode(id)) }

    /// An outside address, when it is http(s) and holds no space or quote;
    /// anything else (`javascript:`, `data:`, ...) is not linked. Bytes a
    /// URL cannot hold are percent-encoded, as a browser would.
    static func external(_ link: String) -> Link? {
        let trimmed = link.trimmingCharacters(in: .whitespaces)
        let lower = trimmed.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://"), trimmed.count <= 2000,
              !trimmed.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" }) else { return nil }
        let url = HTML.percentEncode(trimmed) { $0 > 0x20 && $0 < 0x7F && !"`{}".utf8.contains($0) }
        return Link(url: url)
    }
}
