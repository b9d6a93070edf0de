extension DashboardPages {
    /// Sales of the centres' products (path "/sales").
    public static func sales(page: Page<SaleRow>, filter: ViewFilter, language: String, query: String) -> String {
        let (c, head) = listPage("/sales", page, filter: filter, language: language, query: query, title: .sales,
                                 lede: .salesLede, fields: [.region, .period], regions: unique(page.items.map(\.region)))
        var h = head
        var rows: [[Markup]] = []
        var quantity: Int64 = 0, amount: Int64 = 0, fee: Int64 = 0
        for s in page.items {
            quantity += s.quantity
            amount += s.amountIdr
            fee += s.feeIdr
            rows.append([
                nowrap(c.date(s.date)), centreCell(s.centre, s.region), "<span class=\"mono\">\(s.product)</span>", "\(c.num(s.quantity))",
                "\(c.rupiah(s.amountIdr))", "\(c.rupiah(s.feeIdr))",
                s.channel == "online" ? "<span class=\"badge b-online\">online</span>" : "<span class=\"badge b-offline\">\(s.channel)</span>",
            ])
        }
        let footer: [Markup]? = page.items.count > 1
            ? ["\(c.t(.totalOnThisPage))", "", "", "\(c.num(quantity))", "\(c.rupiah(amount))", "\(c.rupiah(fee))", ""] : nil
        listSection(&h, c, page: page, filter: filter, csv: "sales", noun: .salesNoun, columns: [
            .init(c.t(.date)), .init(c.t(.centre)), .init(c.t(.product)), .init(c.t(.quantity), numeric: true),
            .init(c.t(.amount), numeric: true), .init(c.t(.fee), numeric: true), .init(c.t(.channel)),
        ], rows: rows, footer: footer, caption: .salesCaption)
        return document(c, title: c.t(.sales), active: "/sales", generatedMs: nil, network: nil, body: h)
    }
}
