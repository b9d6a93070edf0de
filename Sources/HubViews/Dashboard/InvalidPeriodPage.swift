extension DashboardPages {
    /// A period the pages cannot apply, said in the page's language, with
    /// a way back (path "/products?period=2026-1" and the like).
    public static func invalidPeriod(_ period: String, path: String, language: String) -> String {
        let c = Context(language: language, path: path, query: "", current: [])
        var h: Markup = ""
        pageTitle(&h, c.t(.unknownPeriod), lede: c.t(.periodMustBe(String(period.prefix(40)))))
        h += "<p><a href=\"\(c.href(path))\">\(c.t(.showWithoutPeriod))</a></p>"
        return document(c, title: c.t(.unknownPeriod), active: path, generatedMs: nil, network: nil, body: h)
    }
}
