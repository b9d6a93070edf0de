import Telecenter

/// Small parts several pages share: headings, figures, badges, cells.
extension DashboardPages {
    static func pageTitle(_ h: inout Markup, _ title: String, lede: String) {
        h += "<h1 class=\"page-title\">\(title)</h1><p class=\"lede\">\(lede)</p>"
    }

    /// Opens a card section (closed by `</section>`) with its heading and
    /// a link to the page with more.
    static func sectionOpen(_ h: inout Markup, id: String, _ title: String, link: (href: Link, text: String)? = nil) {
        h += "<section class=\"card\" id=\"\(id)\" aria-labelledby=\"\(id)-h\"><div class=\"section-head\"><h2 id=\"\(id)-h\">\(title)</h2>"
        if let link { h += "<a href=\"\(link.href)\">\(link.text)</a>" }
        h += "</div>"
    }

    /// A headline figure: label, value, and a line under it.
    static func kpi(_ h: inout Markup, _ label: String, _ value: String, _ sub: String, tone: String = "") {
        h += "<div class=\"kpi \(tone)\"><div class=\"l\">\(label)</div><div class=\"v\">\(value)</div>"
        h += "<div class=\"s\">\(sub)</div></div>"
    }

    /// A dash for nothing.
    static let none: Markup = "<span class=\"muted\">–</span>"

    /// Long text (a description) cut to what a table cell shows; the API and CSV have it whole.
    static func clipped(_ text: String, to limit: Int = 280) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)).trimmingCharacters(in: .whitespaces) + "…"
    }

    static func nowrap(_ text: String) -> Markup { "<span class=\"nowrap\">\(text)</span>" }

    /// A second, smaller line in a cell.
    static func subline(_ text: String) -> Markup { "<div class=\"small muted\">\(text)</div>" }

    /// A centre's name with its region under it.
    static func centreCell(_ centre: String, _ region: String) -> Markup { "\(centre)\(subline(region))" }

    /// A count that should be zero: highlighted when it is not.
    static func behind<N: BinaryInteger>(_ c: Context, _ n: N) -> Markup {
        n > 0 ? "<span class=\"behind\">\(c.num(Int64(clamping: n)))</span>" : "0"
    }

    /// Rupiah, or a dash for nothing.
    static func money(_ c: Context, _ value: Int64) -> Markup {
        value == 0 ? none : Markup(text: c.rupiah(value))
    }

    static func badge(_ c: Context, _ classification: String) -> Markup {
        // The class comes from the vocabulary, never from the record.
        let cls = Vocabulary.classifications.contains(classification) ? classification : "other"
        return "<span class=\"badge b-\(cls)\">\(c.label(classification))</span>"
    }

    /// Green, yellow or red: heard within 7 days, within 30, or not.
    static func statusDot(_ c: Context, _ lastHeard: Int64?, nowMs: Int64) -> Markup {
        let day: Int64 = 86_400_000
        let (cls, label): (String, Phrase)
        if let lastHeard {
            let age = nowMs - lastHeard
            if age <= 7 * day {
                (cls, label) = ("ok", .heardWithin7Days)
            } else if age <= 30 * day {
                (cls, label) = ("warn", .heard8To30DaysAgo)
            } else {
                (cls, label) = ("bad", .silentOver30Days)
            }
        } else {
            (cls, label) = ("bad", .neverHeardFrom)
        }
        return "<span class=\"dot \(cls)\" role=\"img\" aria-label=\"\(c.t(label))\" title=\"\(c.t(label))\"></span>"
    }

    /// The empty-table text of a list page.
    static func noMatch(_ c: Context, _ filter: ViewFilter) -> String {
        c.t(filter.region != nil || filter.period != nil || filter.category != nil ? .nothingMatches : .noDataYet)
    }

    /// A photo's SHA-256 when it is plain hex (anything else is not linked).
    static func photoID(_ photo: String?) -> String? {
        guard let photo, !photo.isEmpty, photo.count <= 128, photo.allSatisfy(\.isHexDigit) else { return nil }
        return photo.lowercased()
    }

    /// `markup` with the photo's thumbnail before it, when there is one.
    /// (A blank space of the same size keeps rows aligned when there is none.)
    static func withThumb(_ c: Context, photo: String?, alt: String, _ markup: Markup) -> Markup {
        guard let sha = photoID(photo) else { return "<div class=\"with-thumb\"><span class=\"thumb none\"></span><div>\(markup)</div></div>" }
        return "<div class=\"with-thumb\"><img class=\"thumb\" src=\"\(c.photo(sha))\" loading=\"lazy\" width=\"48\" height=\"32\" "
            + "alt=\"\(alt)\"><div>\(markup)</div></div>"
    }

    /// `markup` with the first photo's thumbnail before it and the others,
    /// each a link to the photo, under it: a record shows every photo.
    static func withPhotos(_ c: Context, _ photos: [String], alt: (Int) -> String, _ markup: Markup) -> Markup {
        var inner = markup
        let more = photos.dropFirst().compactMap(photoID)
        if !more.isEmpty {
            inner += "<div class=\"photos\">"
            for (i, sha) in more.enumerated() {
                inner += "<a href=\"\(c.photo(sha))\"><img class=\"thumb\" src=\"\(c.photo(sha))\" loading=\"lazy\" width=\"48\" height=\"32\" "
                inner += "alt=\"\(alt(i + 2))\"></a>"
            }
            inner += "</div>"
        }
        return withThumb(c, photo: photos.first, alt: alt(1), inner)
    }

    /// A place as latitude, longitude, linked to OpenStreetMap.
    static func coordinates(_ c: Context, lat: Double?, lon: Double?) -> Markup {
        guard let lat, let lon, lat.isFinite, lon.isFinite, abs(lat) <= 90, abs(lon) <= 180 else { return "" }
        let (y, x) = (CSVExport.coordinate(lat), CSVExport.coordinate(lon))
        let text = "\(y), \(x)"
        guard let link = Link.external("https://www.openstreetmap.org/?mlat=\(y)&mlon=\(x)#map=16/\(y)/\(x)") else { return Markup(text: text) }
        return "<a class=\"small\" href=\"\(link)\" rel=\"noopener noreferrer nofollow\" target=\"_blank\" title=\"\(c.t(.onTheMap))\">\(text)</a>"
    }

    /// The host of an outside link, to show instead of the whole address.
    static func host(_ link: String) -> String? {
        guard let start = link.range(of: "://")?.upperBound else { return nil }
        let rest = link[start...]
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let clean = host.split(separator: "@").last.map(String.init) ?? String(host)
        return clean.hasPrefix("www.") ? String(clean.dropFirst(4)) : clean.isEmpty ? nil : clean
    }

    static func regions(_ summary: Summary) -> [String] {
        unique(summary.centres.byRegion.map(\.region) + summary.products.byRegion.map(\.name))
    }

    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}
