import Telecenter

extension DashboardPages {
    /// UMKM products (path "/products").
    public static func products(page: Page<ProductRow>, summary: Summary, filter: ViewFilter, language: String, query: String) -> String {
        let (c, head) = listPage("/products", page, filter: filter, language: language, query: query,
                                 title: .smallBusinessProducts, lede: .productsLede,
                                 fields: [.region, .category(Vocabulary.productCategories, title: .category)], regions: regions(summary))
        var h = head
        let products = summary.products, sales = summary.sales
        h += "<div class=\"kpis\">"
        kpi(&h, c.t(.products), c.num(products.total), c.t(.categoriesCount(c.num(products.byCategory.count))))
        kpi(&h, c.t(.soldOnline), c.num(products.online),
            c.t(.ofAllProducts(c.pct(Double(products.online), of: Double(products.total)))), tone: "ok")
        kpi(&h, c.t(.centresSelling), c.num(sales.centresSelling), c.t(.salesCount(c.num(sales.count))))
        kpi(&h, c.t(.salesValue), HTML.rupiahShort(sales.amountIdr, c.language), c.t(.feesOf(HTML.rupiahShort(sales.feeIdr, c.language))))
        h += "</div>"
        h += "<section class=\"card\"><div class=\"grid\"><div><h2>\(c.t(.byCategory))</h2>\(productCategoryChart(c, products, id: "prod-cat"))</div>"
        h += "<div><h2>\(c.t(.byRegion))</h2>\(productRegionBars(c, id: "prod-region", products))</div></div></section>"

        var rows: [[Markup]] = []
        for p in page.items {
            var name: Markup = "<strong>\(p.name)</strong>"
            let producer = [p.producer, p.producerContact].compactMap { $0 }.filter { !$0.isEmpty }
            if !producer.isEmpty { name += subline(producer.joined(separator: " · ")) }
            if let description = p.description, !description.isEmpty { name += "<div class=\"small notes\">\(clipped(description))</div>" }
            name = withPhotos(c, p.photos, alt: { c.t(.photo($0, of: .photoOf(p.name))) }, name)
            var price = p.priceIdr.map { Markup(text: c.rupiah($0)) } ?? none
            if let unit = p.unit, !unit.isEmpty, p.priceIdr != nil { price += subline("/ \(unit)") }
            var online: Markup = p.online ? "<span class=\"badge b-online\">online</span>" : none
            for (i, (text, link)) in p.links.compactMap({ link in Link.external(link).map { (link, $0) } }).prefix(3).enumerated() {
                online += " <a class=\"small\" href=\"\(link)\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">"
                online += "\(host(text.trimmingCharacters(in: .whitespaces)) ?? c.t(.link) + " \(i + 1)")</a>"
            }
            rows.append([
                name, "\(c.label(p.category))", centreCell(p.centre, p.region), price,
                p.available ? "\(c.t(.yes))" : "<span class=\"muted\">\(c.t(.soldOut))</span>", online,
            ])
        }
        listSection(&h, c, page: page, filter: filter, csv: "products", noun: .productsNoun, columns: [
            .init(c.t(.product)), .init(c.t(.category)), .init(c.t(.centre)), .init(c.t(.price), numeric: true),
            .init(c.t(.available)), .init(c.t(.online)),
        ], rows: rows, caption: .productsCaption)
        return document(c, title: c.t(.productsUMKM), active: "/products", generatedMs: summary.generatedMs, network: summary.network,
                        body: h)
    }
}
