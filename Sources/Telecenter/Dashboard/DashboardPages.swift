import Foundation

/// The hub's server-rendered dashboard: whole HTML documents, Bahasa
/// Indonesia by default ("id") or English ("en"), with inline CSS and SVG
/// (no script, nothing fetched but `/photos/…`), readable on a laptop or a
/// phone and printable.
///
/// `query` is what every link must carry ("" or "?name=value&…", already
/// URL-encoded); the server passes "", as its access token travels in a
/// cookie rather than in links. Pages add their own
/// parameters after it: `lang` ("en"; Indonesian when absent), `region`,
/// `period`, `category`, `page`, `per_page` and, on /awards, `year`. Those
/// names are dropped from `query` if the server passes them there too.
/// CSV links go to `/api/v1/<view>.csv` with the page's filters (the
/// centres' view is `nodes`).
public enum DashboardPages {

    // MARK: Pages

    /// The network at a glance (path "/"). `stale`: centres, most stale
    /// first; `sellers`: centres selling online; `latestSurveys`: each
    /// centre's latest survey.
    public static func overview(summary: Summary, stale: [CentreRow], sellers: [CentreRow], latestSurveys: [MonitoringRow],
                                awards: Awards, language: String, nowMs: Int64, query: String) -> String {
        let filter = ViewFilter(region: summary.filter["region"], period: summary.filter["period"], category: summary.filter["category"])
        let c = Context(language: language, path: "/", query: query, current: filterParams(filter), nowMs: nowMs)
        var h = HTML.Builder()
        pageTitle(&h, c.t("Ringkasan jaringan", "Network overview"),
                  lede: c.t("Keadaan seluruh telecenter: replikasi data, produk UMKM, pelatihan, monitoring dan penghargaan.",
                            "All centres at a glance: data replication, small-business products, trainings, monitoring and awards."))
        // The overview shows the summary it is given; a filtered one says so.
        if !filterParams(filter).isEmpty {
            let words = [filter.region.map { c.t("wilayah ", "region ") + $0 }, filter.period.map { c.t("periode ", "period ") + $0 },
                         filter.category.map { c.t("kategori ", "category ") + c.label($0) }].compactMap { $0 }
            h += "<p class=\"filter-note\">\(c.t("Disaring", "Filtered")): \(HTML.escape(words.joined(separator: " · "))) · "
            h += "<a href=\"\(c.href("/"))\">\(c.t("Tampilkan semua", "Show everything"))</a></p>"
        }

        // Headline figures.
        let centres = summary.centres, t = summary.trainings
        let optimal = summary.monitoring.distribution.first { $0.name == "optimal" }?.value ?? 0
        let surveyedTotal = summary.monitoring.distribution.reduce(0) { $0 + $1.value }
        h += "<div class=\"kpis\">"
        kpi(&h, c.t("Telecenter", "Centres"), c.num(centres.total),
            c.t("di \(c.num(centres.byRegion.count)) wilayah", "in \(c.num(centres.byRegion.count)) regions"))
        kpi(&h, c.t("Terdengar 7 hari terakhir", "Heard from in last 7 days"), c.num(centres.heardLast7Days),
            c.t("\(c.pct(Double(centres.heardLast7Days), of: Double(centres.total))) dari semua telecenter",
                "\(c.pct(Double(centres.heardLast7Days), of: Double(centres.total))) of all centres"), tone: "ok")
        kpi(&h, c.t("Senyap lebih dari 30 hari", "Silent over 30 days"), c.num(centres.silentOver30Days),
            c.t("\(c.num(centres.neverHeard)) belum pernah terdengar", "\(c.num(centres.neverHeard)) never heard from"),
            tone: centres.silentOver30Days > 0 ? "bad" : "ok")
        kpi(&h, c.t("Produk UMKM", "Products"), c.num(summary.products.total),
            c.t("\(c.num(summary.products.online)) dijual online", "\(c.num(summary.products.online)) sold online"))
        kpi(&h, c.t("Penjualan", "Sales"), HTML.rupiahShort(summary.sales.amountIdr, c.language),
            c.t("fee \(HTML.rupiahShort(summary.sales.feeIdr, c.language)) · \(c.num(summary.sales.centresSelling)) telecenter",
                "fees \(HTML.rupiahShort(summary.sales.feeIdr, c.language)) · \(c.num(summary.sales.centresSelling)) centres"))
        kpi(&h, c.t("Orang dilatih", "People trained"), c.num(t.participants),
            c.t("\(c.num(t.count)) pelatihan · \(c.pct(Double(t.women), of: Double(t.participants))) perempuan",
                "\(c.num(t.count)) trainings · \(c.pct(Double(t.women), of: Double(t.participants))) women"))
        kpi(&h, c.t("Telecenter disurvei", "Centres surveyed"), c.num(summary.monitoring.surveyed),
            c.t("\(c.pct(optimal, of: surveyedTotal)) optimal", "\(c.pct(optimal, of: surveyedTotal)) optimal"))
        h += "</div>"

        // Centres by region.
        sectionOpen(&h, id: "telecenter", c.t("Telecenter per wilayah", "Centres by region"),
                    link: (c.href("/centres", filterParams(ViewFilter(region: filter.region))), c.t("Semua telecenter →", "All centres →")))
        h += "<div class=\"grid\"><div>"
        h += regionChart(c, summary.centres.byRegion)
        h += "</div><div>"
        regionTable(&h, c, summary.centres.byRegion)
        h += "</div></div></section>"

        // Replication freshness.
        sectionOpen(&h, id: "replikasi", c.t("Kesegaran replikasi", "Replication freshness"),
                    link: (c.href("/centres", filterParams(ViewFilter(region: filter.region))), c.t("Semua telecenter →", "All centres →")))
        h += "<p class=\"note\">" + c.t(
            "Telecenter yang paling lama tidak terdengar di atas. Titik hijau: terdengar ≤ 7 hari; kuning: 8–30 hari; merah: lebih dari 30 hari atau belum pernah.",
            "Centres not heard from for longest first. Green dot: heard within 7 days; yellow: 8–30 days; red: over 30 days or never.") + "</p>"
        freshnessTable(&h, c, stale.sorted(by: mostStaleFirst), nowMs: nowMs, anyCentres: centres.total > 0)
        h += "</section>"

        // Products.
        sectionOpen(&h, id: "produk", c.t("Produk UMKM", "Small-business products"),
                    link: (c.href("/products", filterParams(ViewFilter(region: filter.region))), c.t("Semua produk →", "All products →")))
        h += "<div class=\"grid\"><div>"
        h += "<h3>" + c.t("Per kategori", "By category") + "</h3>"
        h += productCategoryChart(c, summary.products, id: "ov-prod-cat")
        h += "</div><div>"
        h += "<h3>" + c.t("Per wilayah", "By region") + "</h3>"
        h += namedBars(c, id: "ov-prod-region", summary.products.byRegion, title: c.t("Produk per wilayah", "Products by region"),
                       unit: c.t("produk", "products"), labelled: false, limit: 15, colour: Charts.Palette.secondary,
                       otherNoun: c.t("wilayah lainnya", "other regions"))
        h += "</div></div>"
        h += "<h3>" + c.t("Telecenter yang berjualan online dan menerima fee", "Centres selling online and earning fees") + "</h3>"
        sellersTable(&h, c, sellers, sales: summary.sales)
        h += "</section>"

        // Trainings.
        sectionOpen(&h, id: "pelatihan", c.t("Pelatihan", "Trainings"),
                    link: (c.href("/trainings", filterParams(ViewFilter(region: filter.region, period: filter.period))),
                           c.t("Semua pelatihan →", "All trainings →")))
        trainingFigures(&h, c, t)
        h += "<div class=\"grid\"><div>"
        h += "<h3>" + c.t("Peserta per kelompok sasaran", "Participants by target group") + "</h3>"
        h += namedBars(c, id: "ov-train-group", t.byTargetGroup, title: c.t("Peserta per kelompok sasaran", "Participants by target group"),
                       unit: c.t("peserta", "participants"), labelled: true, colour: Charts.Palette.secondary)
        h += "<h3>" + c.t("Pelatihan per topik", "Trainings by topic") + "</h3>"
        h += namedBars(c, id: "ov-train-topic", t.byTopic, title: c.t("Pelatihan per topik", "Trainings by topic"),
                       unit: c.t("pelatihan", "trainings"), labelled: true)
        h += "</div><div>"
        h += "<h3>" + c.t("Per bulan", "By month") + "</h3>"
        h += monthChart(c, id: "ov-train-month", t.byMonth)
        h += "</div></div></section>"

        // Monitoring.
        sectionOpen(&h, id: "monitoring", c.t("Monitoring", "Monitoring"),
                    link: (c.href("/monitoring", filterParams(ViewFilter(region: filter.region))), c.t("Semua survei →", "All surveys →")))
        distribution(&h, c, summary.monitoring, id: "ov-mon-donut")
        h += "<h3>" + c.t("Survei terbaru per telecenter", "Latest survey per centre") + "</h3>"
        let latest = latestSurveys.sorted { ($0.date, $1.subjectName) > ($1.date, $0.subjectName) }
        surveyCards(&h, c, Array(latest.prefix(overviewSurveyCards)))
        if latest.count > overviewSurveyCards {
            h += "<p class=\"more\"><a href=\"\(c.href("/monitoring", filterParams(ViewFilter(region: filter.region))))\">"
            h += c.t("Lihat semua \(c.num(latest.count)) survei →", "See all \(c.num(latest.count)) surveys →") + "</a></p>"
        }
        h += "</section>"

        // Activities.
        if !summary.activities.isEmpty {
            sectionOpen(&h, id: "kegiatan", c.t("Kegiatan telecenter", "Centre activities"),
                        link: (c.href("/activities", filterParams(ViewFilter(region: filter.region, period: filter.period))),
                               c.t("Semua kegiatan →", "All activities →")))
            let total = summary.activities.reduce(0) { $0 + $1.value }
            h += "<div class=\"grid\"><div>"
            h += namedBars(c, id: "ov-activities", summary.activities, title: c.t("Kegiatan per jenis", "Activities by type"),
                           unit: c.t("kegiatan", "activities"), labelled: true, colour: Charts.Palette.accent)
            h += "</div><div class=\"figures\"><div><span class=\"fv\">\(c.num(total))</span><span class=\"fl\">"
            h += c.t("kegiatan dilaporkan: pendampingan, konten terbit, penerapan TIK dan promosi",
                     "activities reported: mentoring, content published, ICT deployments and promotion") + "</span></div></div></div></section>"
        }

        // Awards.
        sectionOpen(&h, id: "penghargaan", c.t("Penghargaan tahunan \(awards.year)", "Yearly awards \(awards.year)"),
                    link: (c.href("/awards", [("year", awards.year)]), c.t("Semua peringkat →", "Full rankings →")))
        awardLists(&h, c, awards, top: 5)
        h += "</section>"

        return document(c, title: c.t("Ringkasan jaringan", "Network overview"), active: "/", generatedMs: summary.generatedMs,
                        network: summary.network, body: h.html)
    }

    /// All centres with their replication state and figures (path "/centres").
    public static func centres(page: Page<CentreRow>, filter: ViewFilter, language: String, nowMs: Int64, query: String) -> String {
        let c = Context(language: language, path: "/centres", query: query, current: filterParams(filter, paging: page), nowMs: nowMs)
        var h = HTML.Builder()
        pageTitle(&h, c.t("Telecenter", "Centres"),
                  lede: c.t("Setiap telecenter: kapan terakhir terdengar, entri yang diterima hub, produk, penjualan, pelatihan dan hasil monitoring terakhir.",
                            "Every centre: when it was last heard from, entries the hub holds, products, sales, trainings and latest monitoring result."))
        filterForm(&h, c, path: "/centres", filter: filter, fields: [.region], regions: unique(page.items.map(\.region)))
        h += "<section class=\"card\">"
        listHead(&h, c, page: page, csv: "nodes", filter: filter, noun: c.t("telecenter", "centres"))
        var rows: [[String]] = []
        for r in page.items {
            var name = "<strong>\(HTML.escape(r.name))</strong><div class=\"small muted\">"
            if let type = r.type, !type.isEmpty { name += HTML.escape(type) + " · " }
            name += "<span class=\"mono\" title=\"\(HTML.escape(r.node))\">\(HTML.escape(String(r.node.prefix(8))))</span></div>"
            let local = [r.desa, r.kecamatan].compactMap { $0 }.filter { !$0.isEmpty }
            var place = "<span class=\"nowrap\">\(HTML.escape(r.region))</span>"
            if let first = local.last {
                place += "<div class=\"small muted\" title=\"\(HTML.escape(local.joined(separator: ", ")))\">\(HTML.escape(first))</div>"
            }
            let survey = r.latestClassification.map { badge(c, $0) + (r.latestSurveyDate.map { "<div class=\"small muted\">\(HTML.escape(HTML.date($0, c.language)))</div>" } ?? "") }
                ?? "<span class=\"muted\">\(c.t("belum disurvei", "not surveyed"))</span>"
            rows.append([
                "<span class=\"nowrap\">" + statusDot(c, r.lastHeardMs, nowMs: nowMs) + HTML.escape(HTML.relativeTime(r.lastHeardMs, nowMs: nowMs, c.language)) + "</span>",
                name, place,
                c.num(r.entries),
                r.entriesBehind > 0 ? "<span class=\"behind\">\(c.num(r.entriesBehind))</span>" : "0",
                c.num(r.products) + (r.productsOnline > 0 ? "<div class=\"small muted\">\(c.num(r.productsOnline)) online</div>" : ""),
                money(c, r.salesIdr), money(c, r.feesIdr),
                c.num(r.trainings), survey,
            ])
        }
        table(&h, c, columns: [
            .init(c.t("Terakhir terdengar", "Last heard")), .init(c.t("Nama", "Name"), cls: "w-name"), .init(c.t("Wilayah", "Region")),
            .init(c.t("Entri", "Entries"), numeric: true), .init(c.t("Tertinggal", "Behind"), numeric: true),
            .init(c.t("Produk", "Products"), numeric: true), .init(c.t("Penjualan", "Sales"), numeric: true),
            .init(c.t("Fee", "Fees"), numeric: true), .init(c.t("Pelatihan", "Trainings"), numeric: true),
            .init(c.t("Monitoring terakhir", "Latest monitoring")),
        ], rows: rows, caption: c.t("Daftar telecenter", "Centres"), empty: noMatch(c, filter))
        pager(&h, c, page: page, filter: filter)
        h += "</section>"
        return document(c, title: c.t("Telecenter", "Centres"), active: "/centres", generatedMs: nowMs, network: nil, body: h.html)
    }

    /// UMKM products (path "/products").
    public static func products(page: Page<ProductRow>, summary: Summary, filter: ViewFilter, language: String, query: String) -> String {
        let c = Context(language: language, path: "/products", query: query, current: filterParams(filter, paging: page),
                        nowMs: summary.generatedMs)
        var h = HTML.Builder()
        pageTitle(&h, c.t("Produk UMKM", "Small-business products"),
                  lede: c.t("Produk usaha mikro, kecil dan menengah binaan telecenter, dan yang sudah dijual online.",
                            "Products of the small businesses the centres support, and which are sold online."))
        filterForm(&h, c, path: "/products", filter: filter, fields: [.region, .category], regions: regions(summary),
                   categories: Vocabulary.productCategories, categoryTitle: c.t("Kategori", "Category"))
        h += "<div class=\"kpis\">"
        kpi(&h, c.t("Produk", "Products"), c.num(summary.products.total),
            c.t("\(c.num(summary.products.byCategory.count)) kategori", "\(c.num(summary.products.byCategory.count)) categories"))
        kpi(&h, c.t("Dijual online", "Sold online"), c.num(summary.products.online),
            c.t("\(c.pct(Double(summary.products.online), of: Double(summary.products.total))) dari semua produk",
                "\(c.pct(Double(summary.products.online), of: Double(summary.products.total))) of all products"), tone: "ok")
        kpi(&h, c.t("Telecenter berjualan", "Centres selling"), c.num(summary.sales.centresSelling),
            c.t("\(c.num(summary.sales.count)) transaksi", "\(c.num(summary.sales.count)) sales"))
        kpi(&h, c.t("Nilai penjualan", "Sales value"), HTML.rupiahShort(summary.sales.amountIdr, c.language),
            c.t("fee \(HTML.rupiahShort(summary.sales.feeIdr, c.language))", "fees \(HTML.rupiahShort(summary.sales.feeIdr, c.language))"))
        h += "</div>"
        h += "<section class=\"card\"><div class=\"grid\"><div>"
        h += "<h2>" + c.t("Per kategori", "By category") + "</h2>"
        h += productCategoryChart(c, summary.products, id: "prod-cat")
        h += "</div><div>"
        h += "<h2>" + c.t("Per wilayah", "By region") + "</h2>"
        h += namedBars(c, id: "prod-region", summary.products.byRegion, title: c.t("Produk per wilayah", "Products by region"),
                       unit: c.t("produk", "products"), labelled: false, limit: 15, colour: Charts.Palette.secondary,
                       otherNoun: c.t("wilayah lainnya", "other regions"))
        h += "</div></div></section>"

        h += "<section class=\"card\">"
        listHead(&h, c, page: page, csv: "products", filter: filter, noun: c.t("produk", "products"))
        var rows: [[String]] = []
        for p in page.items {
            var name = "<strong>\(HTML.escape(p.name))</strong>"
            if let producer = p.producer, !producer.isEmpty { name += "<div class=\"small muted\">\(HTML.escape(producer))</div>" }
            name = withThumb(c, photo: p.photo, alt: c.t("Foto \(p.name)", "Photo of \(p.name)"), name)
            var price = p.priceIdr.map { HTML.escape(HTML.rupiah($0, c.language)) } ?? "<span class=\"muted\">–</span>"
            if let unit = p.unit, !unit.isEmpty, p.priceIdr != nil { price += "<div class=\"small muted\">/ \(HTML.escape(unit))</div>" }
            var online = p.online ? "<span class=\"badge b-online\">online</span>" : "<span class=\"muted\">–</span>"
            let links = p.links.compactMap(safeURL)
            for (i, link) in links.prefix(3).enumerated() {
                online += " <a class=\"small\" href=\"\(HTML.escape(link))\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">"
                online += HTML.escape(host(link) ?? c.t("tautan", "link") + " \(i + 1)") + "</a>"
            }
            rows.append([
                name, HTML.escape(c.label(p.category)),
                "\(HTML.escape(p.centre))<div class=\"small muted\">\(HTML.escape(p.region))</div>", price,
                p.available ? c.t("ya", "yes") : "<span class=\"muted\">\(c.t("habis", "no"))</span>", online,
            ])
        }
        table(&h, c, columns: [
            .init(c.t("Produk", "Product")), .init(c.t("Kategori", "Category")), .init(c.t("Telecenter", "Centre")),
            .init(c.t("Harga", "Price"), numeric: true), .init(c.t("Tersedia", "Available")), .init(c.t("Online", "Online")),
        ], rows: rows, caption: c.t("Daftar produk", "Products"), empty: noMatch(c, filter))
        pager(&h, c, page: page, filter: filter)
        h += "</section>"
        return document(c, title: c.t("Produk UMKM", "Products"), active: "/products", generatedMs: summary.generatedMs,
                        network: summary.network, body: h.html)
    }

    /// Sales of the centres' products (path "/sales").
    public static func sales(page: Page<SaleRow>, filter: ViewFilter, language: String, query: String) -> String {
        let c = Context(language: language, path: "/sales", query: query, current: filterParams(filter, paging: page), nowMs: nil)
        var h = HTML.Builder()
        pageTitle(&h, c.t("Penjualan", "Sales"),
                  lede: c.t("Penjualan produk UMKM melalui telecenter, dengan fee yang diterima telecenter.",
                            "Sales of small-business products through the centres, with the fees the centres keep."))
        filterForm(&h, c, path: "/sales", filter: filter, fields: [.region, .period], regions: unique(page.items.map(\.region)))
        h += "<section class=\"card\">"
        listHead(&h, c, page: page, csv: "sales", filter: filter, noun: c.t("penjualan", "sales"))
        var rows: [[String]] = []
        var quantity: Int64 = 0, amount: Int64 = 0, fee: Int64 = 0
        for s in page.items {
            quantity += s.quantity
            amount += s.amountIdr
            fee += s.feeIdr
            rows.append([
                "<span class=\"nowrap\">\(HTML.escape(HTML.date(s.date, c.language)))</span>",
                "\(HTML.escape(s.centre))<div class=\"small muted\">\(HTML.escape(s.region))</div>",
                "<span class=\"mono\">\(HTML.escape(s.product))</span>", c.num(s.quantity),
                HTML.escape(HTML.rupiah(s.amountIdr, c.language)), HTML.escape(HTML.rupiah(s.feeIdr, c.language)),
                s.channel == "online" ? "<span class=\"badge b-online\">online</span>"
                    : "<span class=\"badge b-offline\">\(HTML.escape(s.channel == "offline" ? "offline" : s.channel))</span>",
            ])
        }
        let footer = page.items.count > 1
            ? [c.t("Jumlah di halaman ini", "Total on this page"), "", "", c.num(quantity), HTML.escape(HTML.rupiah(amount, c.language)),
               HTML.escape(HTML.rupiah(fee, c.language)), ""] : nil
        table(&h, c, columns: [
            .init(c.t("Tanggal", "Date")), .init(c.t("Telecenter", "Centre")), .init(c.t("Produk", "Product")),
            .init(c.t("Jumlah", "Quantity"), numeric: true), .init(c.t("Nilai", "Amount"), numeric: true),
            .init(c.t("Fee", "Fee"), numeric: true), .init(c.t("Saluran", "Channel")),
        ], rows: rows, footer: footer, caption: c.t("Daftar penjualan", "Sales"), empty: noMatch(c, filter))
        pager(&h, c, page: page, filter: filter)
        h += "</section>"
        return document(c, title: c.t("Penjualan", "Sales"), active: "/sales", generatedMs: nil, network: nil, body: h.html)
    }

    /// Trainings held by the centres (path "/trainings").
    public static func trainings(page: Page<TrainingRow>, summary: Summary, filter: ViewFilter, language: String, query: String) -> String {
        let c = Context(language: language, path: "/trainings", query: query, current: filterParams(filter, paging: page),
                        nowMs: summary.generatedMs)
        var h = HTML.Builder()
        pageTitle(&h, c.t("Pelatihan", "Trainings"),
                  lede: c.t("Pelatihan yang diselenggarakan telecenter: topik, kelompok sasaran dan peserta.",
                            "Trainings the centres held: topics, target groups and participants."))
        filterForm(&h, c, path: "/trainings", filter: filter, fields: [.region, .period, .category], regions: regions(summary),
                   categories: Vocabulary.trainingTopics, categoryTitle: c.t("Topik", "Topic"))
        h += "<section class=\"card\">"
        trainingFigures(&h, c, summary.trainings)
        h += "<div class=\"grid\"><div>"
        h += "<h3>" + c.t("Per bulan", "By month") + "</h3>"
        h += monthChart(c, id: "train-month", summary.trainings.byMonth)
        h += "</div><div>"
        h += "<h3>" + c.t("Pelatihan per topik", "Trainings by topic") + "</h3>"
        h += namedBars(c, id: "train-topic", summary.trainings.byTopic, title: c.t("Pelatihan per topik", "Trainings by topic"),
                       unit: c.t("pelatihan", "trainings"), labelled: true)
        h += "<h3>" + c.t("Peserta per kelompok sasaran", "Participants by target group") + "</h3>"
        h += namedBars(c, id: "train-group", summary.trainings.byTargetGroup,
                       title: c.t("Peserta per kelompok sasaran", "Participants by target group"),
                       unit: c.t("peserta", "participants"), labelled: true, colour: Charts.Palette.secondary)
        h += "</div></div></section>"

        h += "<section class=\"card\">"
        listHead(&h, c, page: page, csv: "trainings", filter: filter, noun: c.t("pelatihan", "trainings"))
        var rows: [[String]] = []
        for r in page.items {
            var title = "<strong>\(HTML.escape(r.title))</strong>"
            if let place = r.place, !place.isEmpty { title += "<div class=\"small muted\">\(HTML.escape(place))</div>" }
            let groups = r.targetGroups.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                .map { HTML.escape(c.label($0.key)) }.joined(separator: ", ")
            rows.append([
                "<span class=\"nowrap\">\(HTML.escape(HTML.date(r.start, c.language)))</span>", title, HTML.escape(c.label(r.topic)),
                "\(HTML.escape(r.centre))<div class=\"small muted\">\(HTML.escape(r.region))</div>",
                r.trainers.isEmpty ? "<span class=\"muted\">–</span>" : r.trainers.map { "<span class=\"nowrap\">\(HTML.escape($0))</span>" }.joined(separator: "<br>"),
                c.num(r.participants),
                "\(c.num(r.women)) <span class=\"muted\">/</span> \(c.num(r.men))",
                groups.isEmpty ? "<span class=\"muted\">–</span>" : groups,
            ])
        }
        table(&h, c, columns: [
            .init(c.t("Mulai", "Start")), .init(c.t("Judul", "Title")), .init(c.t("Topik", "Topic")), .init(c.t("Telecenter", "Centre")),
            .init(c.t("Pelatih", "Trainers")), .init(c.t("Peserta", "Participants"), numeric: true),
            .init(c.t("Perempuan / laki-laki", "Women / men"), numeric: true), .init(c.t("Kelompok sasaran", "Target groups")),
        ], rows: rows, caption: c.t("Daftar pelatihan", "Trainings"), empty: noMatch(c, filter))
        pager(&h, c, page: page, filter: filter)
        h += "</section>"
        return document(c, title: c.t("Pelatihan", "Trainings"), active: "/trainings", generatedMs: summary.generatedMs,
                        network: summary.network, body: h.html)
    }

    /// Monitoring surveys of the centres (path "/monitoring").
    public static func monitoring(page: Page<MonitoringRow>, summary: Summary, filter: ViewFilter, language: String, query: String) -> String {
        let c = Context(language: language, path: "/monitoring", query: query, current: filterParams(filter, paging: page),
                        nowMs: summary.generatedMs)
        var h = HTML.Builder()
        pageTitle(&h, c.t("Monitoring", "Monitoring"),
                  lede: c.t("Survei monitoring dan evaluasi telecenter oleh tim provinsi, dengan klasifikasi dan skor (1–5).",
                            "The province's monitoring surveys of the centres, with classification and score (1–5)."))
        filterForm(&h, c, path: "/monitoring", filter: filter, fields: [.region, .period, .category], regions: regions(summary),
                   categories: Vocabulary.classifications, categoryTitle: c.t("Klasifikasi", "Classification"))
        h += "<section class=\"card\"><h2>" + c.t("Klasifikasi survei terakhir tiap telecenter", "Classification of each centre's latest survey")
        h += "</h2>"
        distribution(&h, c, summary.monitoring, id: "mon-donut")
        h += "</section>"

        h += "<section class=\"card\">"
        listHead(&h, c, page: page, csv: "monitoring", filter: filter, noun: c.t("survei", "surveys"))
        var rows: [[String]] = []
        for m in page.items {
            let centre = withThumb(c, photo: m.photo, alt: surveyAlt(c, m),
                                   "<strong>\(HTML.escape(m.subjectName))</strong><div class=\"small muted\">\(HTML.escape(m.region))</div>")
            rows.append([
                "<span class=\"nowrap\">\(HTML.escape(HTML.date(m.date, c.language)))</span><div class=\"small muted\">\(HTML.escape(m.period))</div>",
                centre, badge(c, m.classification),
                HTML.escape(HTML.fixed(m.score, c.language, digits: 1)),
                HTML.escape(m.assessor),
                m.notes.map { "<span class=\"notes\">\(HTML.escape($0))</span>" } ?? "<span class=\"muted\">–</span>",
            ])
        }
        table(&h, c, columns: [
            .init(c.t("Tanggal", "Date")), .init(c.t("Telecenter", "Centre")), .init(c.t("Klasifikasi", "Classification")),
            .init(c.t("Skor", "Score"), numeric: true), .init(c.t("Penilai", "Assessor")), .init(c.t("Catatan", "Notes")),
        ], rows: rows, caption: c.t("Daftar survei monitoring", "Monitoring surveys"), empty: noMatch(c, filter))
        pager(&h, c, page: page, filter: filter)
        h += "</section>"
        return document(c, title: c.t("Monitoring", "Monitoring"), active: "/monitoring", generatedMs: summary.generatedMs,
                        network: summary.network, body: h.html)
    }

    /// Activities of the centres: mentoring, content, ICT deployments,
    /// promotion (path "/activities").
    public static func activities(page: Page<ActivityRow>, filter: ViewFilter, language: String, query: String) -> String {
        let c = Context(language: language, path: "/activities", query: query, current: filterParams(filter, paging: page), nowMs: nil)
        var h = HTML.Builder()
        pageTitle(&h, c.t("Kegiatan", "Activities"),
                  lede: c.t("Pendampingan, konten terbit, penerapan TIK dan promosi yang dilaporkan telecenter.",
                            "Mentoring, published content, ICT deployments and promotion reported by the centres."))
        filterForm(&h, c, path: "/activities", filter: filter, fields: [.region, .period, .category], regions: unique(page.items.map(\.region)),
                   categories: Vocabulary.activityTypes, categoryTitle: c.t("Jenis", "Type"))
        h += "<section class=\"card\">"
        listHead(&h, c, page: page, csv: "activities", filter: filter, noun: c.t("kegiatan", "activities"))
        var rows: [[String]] = []
        for a in page.items {
            rows.append([
                "<span class=\"nowrap\">\(HTML.escape(HTML.date(a.date, c.language)))</span>",
                HTML.escape(c.label(a.type)), "<strong>\(HTML.escape(a.title))</strong>",
                "\(HTML.escape(a.centre))<div class=\"small muted\">\(HTML.escape(a.region))</div>",
                c.num(a.count), a.group.map { HTML.escape(c.label($0)) } ?? "<span class=\"muted\">–</span>",
            ])
        }
        table(&h, c, columns: [
            .init(c.t("Tanggal", "Date")), .init(c.t("Jenis", "Type")), .init(c.t("Judul", "Title")), .init(c.t("Telecenter", "Centre")),
            .init(c.t("Jumlah", "Count"), numeric: true), .init(c.t("Kelompok", "Group")),
        ], rows: rows, caption: c.t("Daftar kegiatan", "Activities"), empty: noMatch(c, filter))
        pager(&h, c, page: page, filter: filter)
        h += "</section>"
        return document(c, title: c.t("Kegiatan", "Activities"), active: "/activities", generatedMs: nil, network: nil, body: h.html)
    }

    /// The yearly award rankings (path "/awards"); `years`: the years to
    /// offer, any order.
    public static func awards(awards: Awards, years: [String], language: String, query: String) -> String {
        let c = Context(language: language, path: "/awards", query: query, current: [("year", awards.year)], nowMs: nil)
        var h = HTML.Builder()
        pageTitle(&h, c.t("Penghargaan tahunan \(awards.year)", "Yearly awards \(awards.year)"),
                  lede: c.t("Peringkat pelatih, telecenter penyelenggara pelatihan, konten terbit dan penerapan TIK.",
                            "Rankings of trainers, centres holding trainings, content published and ICT deployments."))
        let allYears = unique(years + [awards.year]).sorted(by: >)
        h += "<nav class=\"years\" aria-label=\"\(c.t("Tahun", "Year"))\"><span class=\"muted\">\(c.t("Tahun", "Year")):</span>"
        for year in allYears {
            if year == awards.year {
                h += "<span class=\"pill cur\" aria-current=\"page\">\(HTML.escape(year))</span>"
            } else {
                h += "<a class=\"pill\" href=\"\(c.href("/awards", [("year", year)]))\">\(HTML.escape(year))</a>"
            }
        }
        h += "<a class=\"btn secondary csv\" href=\"\(c.href("/api/v1/awards.csv", [("year", awards.year)], withLanguage: false))\" download>"
        h += c.t("Unduh CSV", "Download CSV") + "</a></nav>"
        h += "<section class=\"card\">"
        awardLists(&h, c, awards, top: nil)
        h += "</section>"
        return document(c, title: c.t("Penghargaan", "Awards"), active: "/awards", generatedMs: nil, network: nil, body: h.html)
    }

    // MARK: Context

    /// Language, links and formatting of one page.
    struct Context {
        let language: String
        let path: String
        /// Carried-over query parameters (the token), raw "name=value".
        let base: [String]
        /// The same, decoded, for hidden form fields.
        let baseFields: [(String, String)]
        /// This page's own parameters, kept by the language switch.
        let current: [(String, String)]
        let nowMs: Int64?

        static let viewKeys: Set<String> = ["lang", "region", "period", "category", "page", "per_page", "year"]

        init(language: String, path: String, query: String, current: [(String, String)], nowMs: Int64?) {
            self.language = HTML.language(language)
            self.path = path
            self.current = current
            self.nowMs = nowMs
            var raw = query
            if let q = raw.firstIndex(of: "?") { raw = String(raw[raw.index(after: q)...]) }
            var base: [String] = []
            var fields: [(String, String)] = []
            for piece in raw.split(separator: "&", omittingEmptySubsequences: true) {
                let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = HTML.urlDecode(String(parts[0]))
                guard !name.isEmpty, !Self.viewKeys.contains(name) else { continue }
                base.append(String(piece))
                fields.append((name, parts.count > 1 ? HTML.urlDecode(String(parts[1])) : ""))
            }
            self.base = base
            self.baseFields = fields
        }

        var en: Bool { language == "en" }
        func t(_ id: String, _ en: String) -> String { self.en ? en : id }
        func label(_ value: String) -> String { Vocabulary.label(value, language) }
        func num(_ value: Int) -> String { HTML.number(value, language) }
        func num(_ value: Int64) -> String { HTML.number(value, language) }
        func num(_ value: UInt64) -> String { HTML.number(value, language) }
        func num(_ value: Double) -> String { HTML.decimal(value, language, digits: 1) }
        func pct(_ part: Double, of whole: Double) -> String { HTML.percent(part, of: whole, language) }

        /// A link (escaped for an attribute): `path`, the carried-over
        /// query, then `params` (nil or empty values left out) and the
        /// language when it is not the default.
        func href(_ path: String, _ params: [(String, String?)] = [], withLanguage: Bool = true, language: String? = nil) -> String {
            var pieces = base
            for (name, value) in params {
                guard let value, !value.isEmpty else { continue }
                pieces.append(HTML.urlEncode(name) + "=" + HTML.urlEncode(value))
            }
            if withLanguage {
                if let language { pieces.append("lang=" + language) } else if en { pieces.append("lang=en") }
            }
            return HTML.escape(pieces.isEmpty ? path : path + "?" + pieces.joined(separator: "&"))
        }

        func href(_ path: String, _ params: [(String, String)], withLanguage: Bool = true) -> String {
            href(path, params.map { ($0.0, Optional($0.1)) }, withLanguage: withLanguage)
        }

        /// This page in the other language, with its parameters.
        func switchLanguageHref() -> String {
            href(path, current.map { ($0.0, Optional($0.1)) }, language: en ? "id" : "en")
        }

        func photo(_ sha: String) -> String { href("/photos/" + sha, withLanguage: false) }
    }

    // MARK: Layout

    static func document(_ c: Context, title: String, active: String, generatedMs: Int64?, network: String?, body: String) -> String {
        let network = network.flatMap { $0.isEmpty ? nil : $0 }
        let generated = generatedMs ?? Int64(Date().timeIntervalSince1970 * 1000)
        let siteTitle = c.t("Jaringan Telecenter", "Telecenter network")
        var h = HTML.Builder(capacity: body.utf8.count + 12_000)
        h += "<!doctype html>\n<html lang=\"\(c.language)\"><head><meta charset=\"utf-8\">"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        h += "<meta name=\"referrer\" content=\"no-referrer\"><meta name=\"robots\" content=\"noindex, nofollow\">"
        h += "<title>\(HTML.escape(title)) · \(HTML.escape(siteTitle))</title><style>\(css)</style></head><body>"
        h += "<a class=\"skip\" href=\"#isi\">\(c.t("Langsung ke isi", "Skip to content"))</a>"
        h += "<header class=\"top\"><div class=\"bar\"><a class=\"brand\" href=\"\(c.href("/"))\">"
        h += "<svg class=\"logo\" viewBox=\"0 0 24 24\" width=\"24\" height=\"24\" aria-hidden=\"true\"><circle cx=\"12\" cy=\"12\" r=\"3\" fill=\"#fff\"/>"
        h += "<circle cx=\"4\" cy=\"6\" r=\"2\" fill=\"#9cc7f0\"/><circle cx=\"20\" cy=\"6\" r=\"2\" fill=\"#9cc7f0\"/><circle cx=\"12\" cy=\"21\" r=\"2\" fill=\"#9cc7f0\"/>"
        h += "<path d=\"M5.5 7l4.3 3.3M18.5 7l-4.3 3.3M12 15v4\" stroke=\"#9cc7f0\" stroke-width=\"1.6\"/></svg>"
        h += "\(HTML.escape(siteTitle))</a>"
        h += "<div class=\"meta\"><span>\(c.t("Diperbarui", "Generated")) <time datetime=\"\(HTML.isoDateTime(generated))\">"
        h += "\(HTML.escape(HTML.dateTime(generated, c.language)))</time></span>"
        h += "<a class=\"lang\" href=\"\(c.switchLanguageHref())\" hreflang=\"\(c.en ? "id" : "en")\" lang=\"\(c.en ? "id" : "en")\">"
        h += c.en ? "Bahasa Indonesia" : "English"
        h += "</a></div></div><nav class=\"main\" aria-label=\"\(c.t("Menu utama", "Main menu"))\">"
        for (path, id, en) in navigation {
            let current = path == active ? " aria-current=\"page\"" : ""
            h += "<a href=\"\(c.href(path))\"\(current)>\(c.t(id, en))</a>"
        }
        h += "</nav></header><main id=\"isi\">"
        h += body
        h += "</main><footer><p>\(HTML.escape(siteTitle)) · "
        h += c.t("Data direplikasi dari telecenter ke hub; angka mengikuti data yang sudah diterima hub dan bisa tertinggal dari keadaan di lapangan.",
                 "Data replicated from the centres to the hub; figures follow what the hub has received and may lag behind the field.")
        h += "</p><p>"
        if let network {
            h += "\(c.t("Jaringan", "Network")) <span class=\"mono\" title=\"\(HTML.escape(network))\">\(HTML.escape(String(network.prefix(12))))</span> · "
        }
        h += "\(c.t("Waktu dalam", "Times in")) WIB (UTC+7) · tcnode</p></footer></body></html>\n"
        return h.html
    }

    /// How many latest-survey cards the overview shows.
    static let overviewSurveyCards = 12

    static let navigation: [(String, String, String)] = [
        ("/", "Ringkasan", "Overview"), ("/centres", "Telecenter", "Centres"), ("/products", "Produk", "Products"),
        ("/sales", "Penjualan", "Sales"), ("/trainings", "Pelatihan", "Trainings"), ("/monitoring", "Monitoring", "Monitoring"),
        ("/activities", "Kegiatan", "Activities"), ("/awards", "Penghargaan", "Awards"),
    ]

    /// A period the pages cannot apply, said in the page's language, with
    /// a way back (path "/products?period=2026-1" and the like).
    public static func invalidPeriod(_ period: String, path: String, language: String) -> String {
        let c = Context(language: language, path: path, query: "", current: [], nowMs: nil)
        let shown = String(period.prefix(40))
        var h = HTML.Builder()
        pageTitle(&h, c.t("Periode tidak dikenal", "Unknown period"),
                  lede: c.t("Periode harus berupa tahun (2026) atau bulan (2026-03), bukan \u{201C}\(shown)\u{201D}.",
                            "The period must be a year (2026) or a month (2026-03), not \u{201C}\(shown)\u{201D}."))
        h += "<p><a href=\"\(c.href(path))\">\(c.t("Tampilkan tanpa filter periode", "Show it without a period filter"))</a></p>"
        return document(c, title: c.t("Periode tidak dikenal", "Unknown period"), active: path, generatedMs: nil, network: nil, body: h.html)
    }

    static func pageTitle(_ h: inout HTML.Builder, _ title: String, lede: String) {
        h += "<h1 class=\"page-title\">\(HTML.escape(title))</h1><p class=\"lede\">\(HTML.escape(lede))</p>"
    }

    static func sectionOpen(_ h: inout HTML.Builder, id: String, _ title: String, link: (href: String, text: String)? = nil) {
        h += "<section class=\"card\" id=\"\(id)\" aria-labelledby=\"\(id)-h\"><div class=\"section-head\"><h2 id=\"\(id)-h\">\(HTML.escape(title))</h2>"
        if let link { h += "<a href=\"\(link.href)\">\(HTML.escape(link.text))</a>" }
        h += "</div>"
    }

    static func kpi(_ h: inout HTML.Builder, _ label: String, _ value: String, _ sub: String, tone: String = "") {
        h += "<div class=\"kpi \(tone)\"><div class=\"l\">\(HTML.escape(label))</div><div class=\"v\">\(HTML.escape(value))</div>"
        h += "<div class=\"s\">\(HTML.escape(sub))</div></div>"
    }

    // MARK: Filters and paging

    enum Field { case region, period, category }

    static func filterParams(_ f: ViewFilter, paging: (page: Int, perPage: Int)? = nil) -> [(String, String)] {
        var out: [(String, String)] = []
        if let region = f.region, !region.isEmpty { out.append(("region", region)) }
        if let period = f.period, !period.isEmpty { out.append(("period", period)) }
        if let category = f.category, !category.isEmpty { out.append(("category", category)) }
        if let paging {
            if paging.page > 1 { out.append(("page", String(paging.page))) }
            if paging.perPage != ViewFilter().perPage { out.append(("per_page", String(paging.perPage))) }
        }
        return out
    }

    static func filterParams<T>(_ f: ViewFilter, paging page: Page<T>) -> [(String, String)] {
        filterParams(f, paging: (page.page, page.perPage))
    }

    static func optional(_ params: [(String, String)]) -> [(String, String?)] { params.map { ($0.0, Optional($0.1)) } }

    /// A GET form for the page's filters; hidden fields carry the token and
    /// the language.
    static func filterForm(_ h: inout HTML.Builder, _ c: Context, path: String, filter: ViewFilter, fields: [Field], regions: [String],
                           categories: [String] = [], categoryTitle: String = "", perPage: Bool = true) {
        h += "<form class=\"filters\" method=\"get\" action=\"\(HTML.escape(path))\" role=\"search\">"
        for (name, value) in c.baseFields { h += "<input type=\"hidden\" name=\"\(HTML.escape(name))\" value=\"\(HTML.escape(value))\">" }
        if c.en { h += "<input type=\"hidden\" name=\"lang\" value=\"en\">" }
        let listID = "regions-\(path == "/" ? "overview" : String(path.dropFirst()))"
        for field in fields {
            switch field {
            case .region:
                h += "<label>\(c.t("Wilayah", "Region"))<input type=\"text\" name=\"region\" list=\"\(listID)\" value=\"\(HTML.escape(filter.region ?? ""))\" "
                h += "placeholder=\"\(c.t("Kab./kota atau provinsi", "Regency, city or province"))\" autocomplete=\"off\"></label>"
                if !regions.isEmpty {
                    h += "<datalist id=\"\(listID)\">"
                    for region in regions.sorted() { h += "<option value=\"\(HTML.escape(region))\">" }
                    h += "</datalist>"
                }
            case .period:
                h += "<label>\(c.t("Periode", "Period"))<input type=\"text\" name=\"period\" value=\"\(HTML.escape(filter.period ?? ""))\" "
                h += "placeholder=\"2026 / 2026-11\" pattern=\"[0-9]{4}(-(0[1-9]|1[0-2]))?\" inputmode=\"numeric\" size=\"10\" "
                h += "title=\"\(c.t("Tahun (2026) atau bulan (2026-11)", "Year (2026) or month (2026-11)"))\"></label>"
            case .category:
                h += "<label>\(HTML.escape(categoryTitle))<select name=\"category\"><option value=\"\">\(c.t("Semua", "All"))</option>"
                var options = categories
                if let current = filter.category, !current.isEmpty, !options.contains(current) { options.append(current) }
                for value in options {
                    let selected = value == filter.category ? " selected" : ""
                    h += "<option value=\"\(HTML.escape(value))\"\(selected)>\(HTML.escape(c.label(value)))</option>"
                }
                h += "</select></label>"
            }
        }
        if perPage {
            h += "<label>\(c.t("Per halaman", "Per page"))<select name=\"per_page\">"
            var sizes = [25, 50, 100, 200]
            if !sizes.contains(filter.perPage) { sizes = (sizes + [filter.perPage]).sorted() }
            for size in sizes { h += "<option\(size == filter.perPage ? " selected" : "")>\(size)</option>" }
            h += "</select></label>"
        }
        h += "<div class=\"actions\"><button class=\"btn\" type=\"submit\">\(c.t("Terapkan", "Apply"))</button>"
        if filter.region != nil || filter.period != nil || filter.category != nil {
            h += " <a class=\"btn secondary\" href=\"\(c.href(path))\">\(c.t("Hapus filter", "Clear filters"))</a>"
        }
        h += "</div></form>"
    }

    /// "Showing 51–100 of 312 products" and the CSV link.
    static func listHead<T>(_ h: inout HTML.Builder, _ c: Context, page: Page<T>, csv: String, filter: ViewFilter, noun: String) {
        h += "<div class=\"section-head\"><h2>\(HTML.escape(showing(c, page: page, noun: noun)))</h2>"
        h += "<a class=\"btn secondary csv\" href=\"\(c.href("/api/v1/\(csv).csv", optional(filterParams(filter)), withLanguage: false))\" download>"
        h += c.t("Unduh CSV", "Download CSV") + "</a></div>"
    }

    static func showing<T>(_ c: Context, page: Page<T>, noun: String) -> String {
        guard page.total > 0, !page.items.isEmpty else { return c.t("Tidak ada \(noun)", "No \(noun)") }
        let first = min(ViewFilter.offset(page: page.page, perPage: page.perPage), Int.max - page.items.count) + 1
        let last = first + page.items.count - 1
        return c.t("\(c.num(first))–\(c.num(last)) dari \(c.num(page.total)) \(noun)", "\(c.num(first))–\(c.num(last)) of \(c.num(page.total)) \(noun)")
    }

    static func pager<T>(_ h: inout HTML.Builder, _ c: Context, page: Page<T>, filter: ViewFilter) {
        let perPage = max(1, page.perPage)
        let pages = max(1, (page.total + perPage - 1) / perPage)
        guard pages > 1 else { return }
        let current = min(max(1, page.page), pages)
        func link(_ p: Int) -> String {
            var params = optional(filterParams(filter))
            if p > 1 { params.append(("page", String(p))) }
            if page.perPage != ViewFilter().perPage { params.append(("per_page", String(page.perPage))) }
            return c.href(c.path, params)
        }
        h += "<nav class=\"pager\" aria-label=\"\(c.t("Halaman", "Pages"))\">"
        h += "<span class=\"info\">\(c.t("Halaman \(c.num(current)) dari \(c.num(pages))", "Page \(c.num(current)) of \(c.num(pages))"))</span>"
        if current > 1 { h += "<a href=\"\(link(current - 1))\" rel=\"prev\">‹ \(c.t("Sebelumnya", "Previous"))</a>" }
        var shown = Set([1, pages])
        for p in (current - 2)...(current + 2) where p >= 1 && p <= pages { shown.insert(p) }
        var last = 0
        for p in shown.sorted() {
            if p > last + 1 { h += "<span class=\"gap\">…</span>" }
            h += p == current ? "<span class=\"cur\" aria-current=\"page\">\(c.num(p))</span>" : "<a href=\"\(link(p))\">\(c.num(p))</a>"
            last = p
        }
        if current < pages { h += "<a href=\"\(link(current + 1))\" rel=\"next\">\(c.t("Berikutnya", "Next")) ›</a>" }
        h += "</nav>"
    }

    // MARK: Tables

    struct Column {
        var title: String
        var numeric = false
        /// An extra CSS class of the column's cells.
        var cls: String?
        init(_ title: String, numeric: Bool = false, cls: String? = nil) {
            self.title = title
            self.numeric = numeric
            self.cls = cls
        }

        var attribute: String {
            let classes = (numeric ? ["num"] : []) + (cls.map { [$0] } ?? [])
            return classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\""
        }
    }

    /// A table; cells are markup (escape text before). List tables turn
    /// into one block per row on phones (each cell labelled with its
    /// column); compact ones keep their grid and scroll sideways.
    static func table(_ h: inout HTML.Builder, _ c: Context, columns: [Column], rows: [[String]], footer: [String]? = nil,
                      caption: String, empty: String? = nil, compact: Bool = false) {
        h += "<div class=\"table-wrap\"><table class=\"\(compact ? "compact" : "stack")\"><caption class=\"sr\">\(HTML.escape(caption))</caption><thead><tr>"
        for column in columns { h += "<th scope=\"col\"\(column.attribute)>\(HTML.escape(column.title))</th>" }
        h += "</tr></thead><tbody>"
        if rows.isEmpty {
            h += "<tr><td colspan=\"\(columns.count)\" class=\"empty\">\(HTML.escape(empty ?? c.t("Belum ada data.", "No data yet.")))</td></tr>"
        }
        for row in rows {
            h += "<tr>"
            for (i, cell) in row.enumerated() {
                let label = i < columns.count ? " data-label=\"\(HTML.escape(columns[i].title))\"" : ""
                // One wrapper per cell: the phone layout puts it beside the label.
                h += compact ? "<td\(i < columns.count ? columns[i].attribute : "")>\(cell)</td>"
                    : "<td\(i < columns.count ? columns[i].attribute : "")\(label)><div>\(cell)</div></td>"
            }
            h += "</tr>"
        }
        h += "</tbody>"
        if let footer {
            // A label cell spans the empty cells after it.
            h += "<tfoot><tr>"
            var i = 0
            while i < footer.count {
                var span = 1
                while i + span < footer.count, footer[i + span].isEmpty, !(i + span < columns.count && columns[i + span].numeric) { span += 1 }
                let label = i < columns.count && columns[i].numeric ? " data-label=\"\(HTML.escape(columns[i].title))\"" : ""
                h += "<td\(i < columns.count ? columns[i].attribute : "")\(span > 1 ? " colspan=\"\(span)\"" : "")\(label)>\(footer[i])</td>"
                i += span
            }
            h += "</tr></tfoot>"
        }
        h += "</table></div>"
    }

    // MARK: Overview parts

    static func regions(_ summary: Summary) -> [String] {
        unique(summary.centres.byRegion.map(\.region) + summary.products.byRegion.map(\.name))
    }

    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    static func mostStaleFirst(_ a: CentreRow, _ b: CentreRow) -> Bool {
        switch (a.lastHeardMs, b.lastHeardMs) {
        case (nil, nil): return a.name < b.name
        case (nil, _): return true
        case (_, nil): return false
        case let (x?, y?): return x != y ? x < y : a.name < b.name
        }
    }

    static func regionChart(_ c: Context, _ regions: [RegionCentres]) -> String {
        let sorted = regions.sorted { ($0.total, $1.region) > ($1.total, $0.region) }
        let rows = sorted.map { r in
            (label: r.region, values: [Double(r.heardLast7Days), Double(max(0, r.total - r.heardLast7Days - r.silentOver30Days)),
                                       Double(r.silentOver30Days)])
        }
        return Charts.stacked(
            id: "region-centres", rows: rows,
            segments: [.init(name: c.t("Terdengar ≤ 7 hari", "Heard ≤ 7 days"), colour: Charts.Palette.heard),
                       .init(name: c.t("Lainnya", "Other"), colour: Charts.Palette.other),
                       .init(name: c.t("Senyap > 30 hari", "Silent > 30 days"), colour: Charts.Palette.silent)],
            title: c.t("Telecenter per wilayah", "Centres by region"),
            desc: c.t("Jumlah telecenter per kabupaten/kota: terdengar dalam 7 hari terakhir, senyap lebih dari 30 hari, dan lainnya.",
                      "Centres per regency or city: heard from in the last 7 days, silent for over 30 days, and the others."),
            format: { c.num($0) }, emptyMessage: c.t("Belum ada telecenter.", "No centres yet."))
    }

    static func regionTable(_ h: inout HTML.Builder, _ c: Context, _ regions: [RegionCentres]) {
        let sorted = regions.sorted { $0.region < $1.region }
        var rows: [[String]] = []
        var total = 0, heard = 0, silent = 0
        for r in sorted {
            total += r.total
            heard += r.heardLast7Days
            silent += r.silentOver30Days
            rows.append([
                "<a class=\"nowrap\" href=\"\(c.href("/centres", [("region", r.region)]))\">\(HTML.escape(r.region))</a>", c.num(r.total),
                c.num(r.heardLast7Days), r.silentOver30Days > 0 ? "<span class=\"behind\">\(c.num(r.silentOver30Days))</span>" : "0",
                c.num(max(0, r.total - r.heardLast7Days - r.silentOver30Days)),
            ])
        }
        table(&h, c, columns: [
            .init(c.t("Wilayah", "Region")), .init(c.t("Jumlah", "Total"), numeric: true), .init(c.t("≤ 7 hari", "≤ 7 days"), numeric: true),
            .init(c.t("> 30 hari", "> 30 days"), numeric: true), .init(c.t("Lainnya", "Other"), numeric: true),
        ], rows: rows, footer: rows.count > 1 ? [c.t("Semua wilayah", "All regions"), c.num(total), c.num(heard), c.num(silent),
                                                 c.num(max(0, total - heard - silent))] : nil,
        caption: c.t("Telecenter per wilayah", "Centres by region"), compact: true)
    }

    static func statusDot(_ c: Context, _ lastHeard: Int64?, nowMs: Int64) -> String {
        let day: Int64 = 86_400_000
        let (cls, label): (String, String)
        if let lastHeard {
            let age = nowMs - lastHeard
            if age <= 7 * day {
                (cls, label) = ("ok", c.t("Terdengar dalam 7 hari", "Heard within 7 days"))
            } else if age <= 30 * day {
                (cls, label) = ("warn", c.t("Terdengar 8–30 hari lalu", "Heard 8–30 days ago"))
            } else {
                (cls, label) = ("bad", c.t("Senyap lebih dari 30 hari", "Silent over 30 days"))
            }
        } else {
            (cls, label) = ("bad", c.t("Belum pernah terdengar", "Never heard from"))
        }
        return "<span class=\"dot \(cls)\" role=\"img\" aria-label=\"\(label)\" title=\"\(label)\"></span>"
    }

    static func freshnessTable(_ h: inout HTML.Builder, _ c: Context, _ centres: [CentreRow], nowMs: Int64, anyCentres: Bool) {
        let rows = centres.map { r in
            [
                statusDot(c, r.lastHeardMs, nowMs: nowMs) + "<strong>\(HTML.escape(r.name))</strong>",
                "<span class=\"nowrap\">\(HTML.escape(r.region))</span>",
                "<span class=\"nowrap\">\(HTML.escape(HTML.relativeTime(r.lastHeardNetworkMs, nowMs: nowMs, c.language)))</span>",
                "<span class=\"nowrap\">\(r.lastBundleMs.map { HTML.escape(HTML.relativeTime($0, nowMs: nowMs, c.language)) } ?? "–")</span>",
                c.num(r.entries), r.entriesBehind > 0 ? "<span class=\"behind\">\(c.num(r.entriesBehind))</span>" : "0",
            ]
        }
        table(&h, c, columns: [
            .init(c.t("Telecenter", "Centre"), cls: "w-name"), .init(c.t("Wilayah", "Region")),
            .init(c.t("Terdengar lewat jaringan", "Heard by network")), .init(c.t("Lewat bundel (stik)", "By bundle (stick)")),
            .init(c.t("Entri", "Entries"), numeric: true), .init(c.t("Entri tertinggal", "Entries behind"), numeric: true),
        ], rows: rows, caption: c.t("Kesegaran replikasi per telecenter", "Replication freshness per centre"),
        empty: anyCentres ? c.t("Semua telecenter terdengar baru-baru ini.", "Every centre was heard from recently.")
            : c.t("Belum ada telecenter.", "No centres yet."), compact: true)
    }

    static func sellersTable(_ h: inout HTML.Builder, _ c: Context, _ sellers: [CentreRow], sales: Summary.Sales) {
        let sorted = sellers  // in the order given (the server ranks them)
        let rows = sorted.map { r in
            [
                "<strong>\(HTML.escape(r.name))</strong>", "<span class=\"nowrap\">\(HTML.escape(r.region))</span>", c.num(r.productsOnline),
                HTML.escape(HTML.rupiah(r.salesIdr, c.language)), HTML.escape(HTML.rupiah(r.feesIdr, c.language)),
            ]
        }
        let footer = sorted.isEmpty ? nil : [
            c.t("Seluruh jaringan (\(c.num(sales.centresSelling)) telecenter, \(c.num(sales.count)) transaksi)",
                "Whole network (\(c.num(sales.centresSelling)) centres, \(c.num(sales.count)) sales)"),
            "", c.num(sorted.reduce(0) { $0 + $1.productsOnline }),
            HTML.escape(HTML.rupiah(sales.amountIdr, c.language)), HTML.escape(HTML.rupiah(sales.feeIdr, c.language)),
        ]
        table(&h, c, columns: [
            .init(c.t("Telecenter", "Centre"), cls: "w-name"), .init(c.t("Wilayah", "Region")), .init(c.t("Produk online", "Products online"), numeric: true),
            .init(c.t("Penjualan", "Sales"), numeric: true), .init(c.t("Fee", "Fees"), numeric: true),
        ], rows: rows, footer: footer, caption: c.t("Telecenter yang berjualan online", "Centres selling online"),
        empty: c.t("Belum ada telecenter yang berjualan online.", "No centre sells online yet."), compact: true)
    }

    static func namedBars(_ c: Context, id: String, _ items: [NamedCount], title: String, unit: String, labelled: Bool, limit: Int = 12,
                          colour: String = Charts.Palette.primary, otherNoun: String? = nil) -> String {
        let rows = items.map { Charts.Bar(label: labelled ? c.label($0.name) : $0.name, value: $0.value, text: c.num($0.value)) }
        let top = rows.sorted { $0.value > $1.value }.prefix(3).map { "\($0.label) \($0.text)" }.joined(separator: ", ")
        let noun = otherNoun ?? c.t("lainnya", "others")
        return Charts.bars(id: id, rows, title: title, desc: "\(title) (\(unit)). " + c.t("Terbanyak: ", "Largest: ") + top,
                           format: { c.num($0) }, colour: colour, limit: limit,
                           otherLabel: { n in c.t("\(n) \(noun)", "\(n) \(noun)") },
                           emptyMessage: c.t("Belum ada data.", "No data yet."))
    }

    static func productCategoryChart(_ c: Context, _ products: Summary.Products, id: String) -> String {
        let online = Dictionary(products.onlineByCategory.map { ($0.name, $0.value) }, uniquingKeysWith: +)
        let rows = products.byCategory.map { item in
            Charts.Bar(label: c.label(item.name), value: item.value,
                       text: c.num(item.value) + c.t(" · \(c.num(online[item.name] ?? 0)) online", " · \(c.num(online[item.name] ?? 0)) online"))
        }
        return Charts.bars(
            id: id, rows, title: c.t("Produk per kategori", "Products by category"),
            desc: c.t("Jumlah produk per kategori, dan yang dijual online: ", "Products per category, and those sold online: ")
                + rows.map { "\($0.label) \($0.text)" }.joined(separator: ", "),
            format: { c.num($0) }, limit: 12, emptyMessage: c.t("Belum ada produk.", "No products yet."))
    }

    static func monthLabels(_ months: [String], _ c: Context) -> [String] {
        let years = Set(months.map { $0.prefix(4) })
        return months.map { m in
            let parts = m.split(separator: "-")
            guard parts.count >= 2, let month = Int(parts[1]) else { return m }
            let name = HTML.monthName(month, c.language)
            return years.count > 1 ? "\(name) '\(parts[0].suffix(2))" : name
        }
    }

    /// Months from the first to the last (gaps as zero), at most the last 24.
    static func monthSeries(_ months: [MonthFigures]) -> [MonthFigures] {
        func parse(_ s: String) -> Int? {
            let p = s.split(separator: "-")
            guard p.count >= 2, let y = Int(p[0]), let m = Int(p[1]), (1...12).contains(m) else { return nil }
            return y * 12 + m - 1
        }
        var byIndex: [Int: MonthFigures] = [:]
        for m in months { if let i = parse(m.month) { byIndex[i] = m } }
        guard let first = byIndex.keys.min(), let last = byIndex.keys.max() else { return months }
        let start = max(first, last - 23)
        return (start...last).map { i in
            byIndex[i] ?? MonthFigures(month: "\(i / 12)-\(i % 12 + 1 < 10 ? "0" : "")\(i % 12 + 1)", trainings: 0, participants: 0)
        }
    }

    static func monthChart(_ c: Context, id: String, _ months: [MonthFigures]) -> String {
        let series = monthSeries(months)
        let labels = monthLabels(series.map(\.month), c)
        let years = unique(series.map { String($0.month.prefix(4)) })
        let span = years.count == 1 ? years[0] : years.isEmpty ? "" : "\(years.first!)–\(years.last!)"
        return Charts.columns(
            id: id, labels: labels,
            series: [
                .init(name: c.t("Pelatihan", "Trainings"), values: series.map { Double($0.trainings) }, colour: Charts.Palette.primary,
                      format: { c.num(Int($0)) }),
                .init(name: c.t("Peserta", "Participants"), values: series.map { Double($0.participants) }, colour: Charts.Palette.secondary,
                      format: { c.num(Int($0)) }),
            ],
            title: c.t("Pelatihan dan peserta per bulan \(span)", "Trainings and participants by month \(span)"),
            desc: series.map { "\(HTML.date($0.month, c.language)): \(c.num($0.trainings)) \(c.t("pelatihan", "trainings")), \(c.num($0.participants)) \(c.t("peserta", "participants"))" }
                .joined(separator: "; "),
            emptyMessage: c.t("Belum ada pelatihan.", "No trainings yet."))
    }

    static func trainingFigures(_ h: inout HTML.Builder, _ c: Context, _ t: Summary.Trainings) {
        h += "<div class=\"figures\">"
        h += "<div><span class=\"fv\">\(c.num(t.count))</span><span class=\"fl\">\(c.t("pelatihan", "trainings"))</span></div>"
        h += "<div><span class=\"fv\">\(c.num(t.participants))</span><span class=\"fl\">\(c.t("orang dilatih", "people trained"))</span></div>"
        h += "<div><span class=\"fv\">\(c.pct(Double(t.women), of: Double(t.participants)))</span>"
        h += "<span class=\"fl\">\(c.t("perempuan", "women")) (\(c.num(t.women)))</span></div>"
        h += "</div>"
    }

    /// Classification donut with its headline ("40% optimal").
    static func distribution(_ h: inout HTML.Builder, _ c: Context, _ monitoring: Summary.Monitoring, id: String) {
        var counts: [String: Double] = [:]
        for item in monitoring.distribution { counts[item.name, default: 0] += item.value }
        let order = Vocabulary.classifications + counts.keys.filter { !Vocabulary.classifications.contains($0) }.sorted()
        let slices = order.compactMap { name -> Charts.Slice? in
            guard let value = counts[name], value > 0 else { return nil }
            return Charts.Slice(label: c.label(name), value: value, colour: Charts.Palette.classificationColour(name))
        }
        let total = slices.reduce(0) { $0 + $1.value }
        let optimal = counts["optimal"] ?? 0
        let headline = HTML.percent(optimal, of: total, c.language)
        h += "<div class=\"donut-wrap\"><div class=\"headline\">"
        if total > 0 {
            h += "<span class=\"big\">\(headline)</span> <span class=\"big-label\">\(HTML.escape(c.label("optimal")))</span>"
            h += "<p class=\"muted\">\(c.t("dari \(c.num(total)) telecenter yang disurvei (survei terakhir tiap telecenter)", "of \(c.num(total)) surveyed centres (each centre's latest survey)"))</p>"
        }
        h += "</div>"
        h += Charts.donut(
            id: id, slices, headline: c.num(total), subline: c.t("disurvei", "surveyed"),
            title: c.t("Klasifikasi monitoring", "Monitoring classification"),
            desc: slices.map { "\($0.label): \(c.num($0.value)) (\(HTML.percent($0.value, of: total, c.language)))" }.joined(separator: ", "),
            countFormat: { c.num($0) }, percentFormat: { HTML.percent($0, c.language) },
            emptyMessage: c.t("Belum ada survei monitoring.", "No monitoring surveys yet."))
        h += "</div>"
    }

    static func badge(_ c: Context, _ classification: String) -> String {
        let cls = Vocabulary.classifications.contains(classification) ? classification : "other"
        return "<span class=\"badge b-\(cls)\">\(HTML.escape(c.label(classification)))</span>"
    }

    /// The empty-table text of a list page.
    static func noMatch(_ c: Context, _ filter: ViewFilter) -> String {
        filter.region != nil || filter.period != nil || filter.category != nil
            ? c.t("Tidak ada data yang cocok dengan filter ini.", "Nothing matches these filters.") : c.t("Belum ada data.", "No data yet.")
    }

    /// Rupiah, or a muted dash for nothing.
    static func money(_ c: Context, _ value: Int64) -> String {
        value == 0 ? "<span class=\"muted\">–</span>" : HTML.escape(HTML.rupiah(value, c.language))
    }

    /// A photo's SHA-256 when it is plain hex (anything else is not linked).
    static func photoID(_ photo: String?) -> String? {
        guard let photo, !photo.isEmpty, photo.count <= 128, photo.allSatisfy(\.isHexDigit) else { return nil }
        return photo.lowercased()
    }

    /// `markup` with the photo's thumbnail before it, when there is one.
    /// (A blank space of the same size keeps rows aligned when there is none.)
    static func withThumb(_ c: Context, photo: String?, alt: String, _ markup: String) -> String {
        guard let sha = photoID(photo) else { return "<div class=\"with-thumb\"><span class=\"thumb none\"></span><div>\(markup)</div></div>" }
        return "<div class=\"with-thumb\"><img class=\"thumb\" src=\"\(c.photo(sha))\" loading=\"lazy\" width=\"48\" height=\"32\" "
            + "alt=\"\(HTML.escape(alt))\"><div>\(markup)</div></div>"
    }

    static func surveyAlt(_ c: Context, _ m: MonitoringRow) -> String {
        c.t("Foto monitoring \(m.subjectName), \(HTML.date(m.date, c.language))", "Monitoring photo of \(m.subjectName), \(HTML.date(m.date, c.language))")
    }

    static func surveyCards(_ h: inout HTML.Builder, _ c: Context, _ surveys: [MonitoringRow]) {
        guard !surveys.isEmpty else {
            h += "<p class=\"muted\">\(c.t("Belum ada survei monitoring.", "No monitoring surveys yet."))</p>"
            return
        }
        h += "<ul class=\"cards\">"
        for m in surveys {
            h += "<li class=\"survey\">"
            if let sha = photoID(m.photo) {
                h += "<img src=\"\(c.photo(sha))\" loading=\"lazy\" alt=\"\(HTML.escape(surveyAlt(c, m)))\">"
            } else {
                h += "<div class=\"nophoto\">\(c.t("Tanpa foto", "No photo"))</div>"
            }
            h += "<div class=\"body\"><h3>\(HTML.escape(m.subjectName))</h3><div class=\"small muted\">\(HTML.escape(m.region))</div>"
            h += "<div class=\"line\">\(badge(c, m.classification))<span class=\"score\" title=\"\(c.t("Skor rata-rata (1–5)", "Average score (1–5)"))\">"
            h += "\(HTML.escape(HTML.fixed(m.score, c.language, digits: 1)))<span class=\"muted\">/5</span></span></div>"
            h += "<div class=\"small muted\">\(HTML.escape(HTML.date(m.date, c.language)))</div></div></li>"
        }
        h += "</ul>"
    }

    /// The four rankings: compact lists (`top` given, the overview) or
    /// full tables (the awards page).
    static func awardLists(_ h: inout HTML.Builder, _ c: Context, _ awards: Awards, top: Int?) {
        let lists: [(title: String, measure: String, rows: [RankRow], key: String)] = [
            (c.t("Pelatih terbaik", "Top trainers"), c.t("pelatihan yang dipandu", "trainings led"), awards.trainers, "trainers"),
            (c.t("Penyelenggara pelatihan", "Trainings held"), c.t("pelatihan", "trainings"), awards.trainings, "trainings"),
            (c.t("Konten terbit", "Content published"), c.t("konten", "items"), awards.content, "content"),
            (c.t("Penerapan TIK", "ICT deployments"), c.t("penerapan", "deployments"), awards.ictDeployments, "ict"),
        ]
        h += top == nil ? "<div class=\"ranks wide\">" : "<div class=\"ranks\">"
        for list in lists {
            let shown = top.map { Array(list.rows.prefix($0)) } ?? list.rows
            let best = shown.map(\.value).max() ?? 1
            h += "<div class=\"rank\" id=\"rank-\(list.key)\"><h3>\(HTML.escape(list.title))"
            if top != nil { h += " <span class=\"measure\">\(HTML.escape(list.measure))</span>" }
            h += "</h3>"
            if shown.isEmpty {
                h += "<p class=\"muted\">\(c.t("Belum ada data tahun ini.", "No data for this year."))</p></div>"
                continue
            }
            // Equal values share a rank (1, 1, 3).
            var ranks: [Int] = []
            for (i, row) in shown.enumerated() { ranks.append(i > 0 && shown[i - 1].value == row.value ? ranks[i - 1] : i + 1) }
            func meter(_ value: Double) -> String {
                let share = best > 0 && value.isFinite ? min(100, max(2, value / best * 100)) : 0
                return "<span class=\"meter\" aria-hidden=\"true\"><span style=\"width:\(Int(share))%\"></span></span>"
            }
            func centre(_ row: RankRow) -> String? {
                guard list.key == "trainers", let centre = row.centre, !centre.isEmpty, centre != row.name else { return nil }
                return centre
            }
            if top != nil {
                h += "<ol>"
                for (i, row) in shown.enumerated() {
                    h += "<li><span class=\"pos p\(min(ranks[i], 4))\">\(ranks[i])</span><div class=\"who\"><span class=\"name\">\(HTML.escape(row.name))</span>"
                    if let centre = centre(row) { h += "<span class=\"small muted\">\(HTML.escape(centre))</span>" }
                    h += meter(row.value) + "</div><span class=\"val\">\(c.num(row.value))</span></li>"
                }
                h += "</ol></div>"
            } else {
                let rows = shown.enumerated().map { i, row in
                    [
                        "<span class=\"pos p\(min(ranks[i], 4))\">\(ranks[i])</span>",
                        "<span class=\"name\">\(HTML.escape(row.name))</span>"
                            + (centre(row).map { "<div class=\"small muted\">\(HTML.escape($0))</div>" } ?? ""),
                        "<strong>\(c.num(row.value))</strong>" + meter(row.value),
                    ]
                }
                table(&h, c, columns: [.init("#", cls: "w-pos"), .init(list.key == "trainers" ? c.t("Pelatih", "Trainer") : c.t("Telecenter", "Centre")),
                                       .init(list.measure, numeric: true, cls: "w-val")],
                      rows: rows, caption: list.title, compact: true)
                h += "</div>"
            }
        }
        h += "</div>"
    }

    /// External links are shown only when http(s).
    static func safeURL(_ link: String) -> String? {
        let trimmed = link.trimmingCharacters(in: .whitespaces)
        let lower = trimmed.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://"), trimmed.count <= 2000,
              !trimmed.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" }) else { return nil }
        return trimmed
    }

    static func host(_ link: String) -> String? {
        guard let start = link.range(of: "://")?.upperBound else { return nil }
        let rest = link[start...]
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let clean = host.split(separator: "@").last.map(String.init) ?? String(host)
        return clean.hasPrefix("www.") ? String(clean.dropFirst(4)) : clean.isEmpty ? nil : clean
    }

    // MARK: Style

    static let css = """
    :root{--ink:#1f2933;--muted:#52606d;--line:#d9dee4;--soft:#f4f6f8;--brand:#0b3d6b;--accent:#1d5fa8;--ok:#1b7f3b;--warn:#d39e00;--bad:#c0341d}
    *{box-sizing:border-box}
    html{-webkit-text-size-adjust:100%}
    body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif;color:var(--ink);background:var(--soft)}
    a{color:#0b5cad}a:hover{color:#083f78}
    a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #f0b429;outline-offset:2px}
    .skip{position:absolute;left:-9999px;top:8px;background:#fff;padding:6px 10px;z-index:10}.skip:focus{left:8px}
    .sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
    .top{background:var(--brand);color:#fff}
    .top .bar{max-width:1280px;margin:0 auto;padding:12px 20px 4px;display:flex;flex-wrap:wrap;align-items:center;gap:6px 20px}
    .brand{display:flex;align-items:center;gap:10px;color:#fff;text-decoration:none;font-size:20px;font-weight:700;letter-spacing:.01em}
    .brand:hover{color:#fff}
    .top .meta{margin-left:auto;display:flex;flex-wrap:wrap;align-items:center;gap:6px 16px;font-size:13.5px;color:#c9dcef}
    .top .lang{color:#fff;border:1px solid #6f9cc8;border-radius:14px;padding:2px 12px;text-decoration:none}
    .top .lang:hover{background:#16528a;color:#fff}
    nav.main{max-width:1280px;margin:0 auto;padding:0 10px;display:flex;overflow-x:auto;scrollbar-width:thin}
    nav.main a{color:#dbe7f3;text-decoration:none;padding:9px 11px 8px;font-size:14.5px;border-bottom:3px solid transparent;white-space:nowrap}
    nav.main a:hover{color:#fff;border-bottom-color:#6f9cc8}
    nav.main a[aria-current]{color:#fff;border-bottom-color:#f0b429;font-weight:600}
    main{max-width:1280px;margin:0 auto;padding:18px 20px 8px}
    .page-title{font-size:25px;line-height:1.25;margin:4px 0 2px}
    .lede{color:var(--muted);margin:0 0 14px;max-width:75ch}
    .card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 18px;margin:0 0 18px}
    .card h2{font-size:18px;line-height:1.3;margin:0 0 8px}
    .card h3{font-size:14.5px;margin:14px 0 8px;color:#323f4b}
    .grid>div>h3:first-child{margin-top:4px}
    .section-head{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:4px 16px;margin:0 0 8px}
    .section-head h2{margin:0}
    .section-head a{font-size:14px;white-space:nowrap}
    .note{color:var(--muted);font-size:13.5px;margin:0 0 10px}
    .filter-note{display:inline-block;background:#fff7e0;border:1px solid #f0d77a;border-radius:6px;padding:6px 12px;margin:0 0 14px;font-size:14px}
    .kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(165px,1fr));gap:12px;margin:0 0 18px}
    .kpi{background:#fff;border:1px solid var(--line);border-top:4px solid var(--accent);border-radius:6px;padding:9px 13px 10px}
    .kpi.ok{border-top-color:var(--ok)}.kpi.bad{border-top-color:var(--bad)}
    .kpi .l{font-size:13px;color:var(--muted);font-weight:600;line-height:1.3}
    .kpi .v{font-size:26px;font-weight:700;line-height:1.25;margin:3px 0 1px;font-variant-numeric:tabular-nums;white-space:nowrap}
    .kpi .s{font-size:12.5px;color:var(--muted);line-height:1.35}
    .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:10px 32px;align-items:start}
    .grid>div{min-width:0}
    .chart-wrap{max-width:100%;overflow-x:auto;overflow-y:hidden}
    svg.chart{display:block;max-width:100%;height:auto}
    .figures{display:flex;flex-wrap:wrap;gap:8px 36px;margin:0 0 6px}
    .figures .fv{display:block;font-size:24px;font-weight:700;line-height:1.2;font-variant-numeric:tabular-nums}
    .figures .fl{font-size:13px;color:var(--muted)}
    .table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch}
    table{border-collapse:collapse;width:100%;font-size:14px}
    th,td{padding:7px 10px;text-align:left;vertical-align:top;border-bottom:1px solid #e6e9ed}
    thead th{font-size:12px;color:var(--muted);font-weight:700;text-transform:uppercase;letter-spacing:.03em;border-bottom:2px solid var(--line);vertical-align:bottom}
    td.w-name{min-width:12em}
    table.compact th,table.compact td{padding:5px 9px}
    .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
    tbody tr:nth-child(even){background:#fafbfc}
    tbody tr:hover{background:#eef4fb}
    tfoot td{font-weight:700;border-top:2px solid var(--line);border-bottom:0}
    td.empty{color:var(--muted);text-align:center;padding:18px}
    .muted{color:var(--muted)}.small{font-size:12.5px}.nowrap{white-space:nowrap}
    .mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.92em}
    .notes{display:block;min-width:16em;max-width:60ch}
    .behind{color:#a12a15;font-weight:700}
    .dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:8px;vertical-align:0}
    .dot.ok{background:var(--ok)}.dot.warn{background:var(--warn)}.dot.bad{background:var(--bad)}
    .badge{display:inline-block;padding:1px 9px;border-radius:10px;font-size:12.5px;font-weight:600;line-height:1.6;white-space:nowrap;border:1px solid transparent}
    .b-optimal{background:#dcf2e3;color:#0f5c2a;border-color:#a9dcb8}
    .b-kreatif{background:#ecf5d9;color:#3e5c0f;border-color:#c6e09a}
    .b-berkembang{background:#fdf3cf;color:#6b4e00;border-color:#f0d77a}
    .b-kurang-aktif{background:#fde6d4;color:#8a3a06;border-color:#f4b98b}
    .b-tidak-aktif{background:#fbdcd6;color:#8c2212;border-color:#eea89b}
    .b-other,.b-offline{background:#eef1f4;color:#3e4c59;border-color:#d3d9df}
    .b-online{background:#dcebfa;color:#0b4a8c;border-color:#a8c9ee}
    form.filters{display:flex;flex-wrap:wrap;align-items:flex-end;gap:10px 14px;background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 14px;margin:0 0 18px}
    form.filters label{display:flex;flex-direction:column;gap:3px;font-size:12.5px;font-weight:600;color:var(--muted)}
    form.filters input,form.filters select{font:inherit;font-size:14px;color:var(--ink);background:#fff;border:1px solid #9aa5b1;border-radius:5px;padding:6px 8px;min-width:0}
    form.filters input[name=region]{width:250px}form.filters input[name=period]{width:150px}
    form.filters input:invalid{border-color:var(--bad)}
    .btn{display:inline-block;font:inherit;font-size:14px;font-weight:600;line-height:1.3;padding:7px 14px;border-radius:5px;border:1px solid var(--accent);background:var(--accent);color:#fff;text-decoration:none;cursor:pointer;white-space:nowrap}
    .btn:hover{background:#174d8a;color:#fff}
    .btn.secondary{background:#fff;color:var(--accent)}.btn.secondary:hover{background:#eef4fb;color:#174d8a}
    .btn.csv::before{content:"\\2193\\00a0"}
    .pager{display:flex;flex-wrap:wrap;align-items:center;gap:5px;margin:14px 0 0}
    .pager .info{margin-right:auto;color:var(--muted);font-size:13.5px}
    .pager a,.pager .cur,.pager .gap{min-width:34px;text-align:center;padding:4px 10px;border:1px solid var(--line);border-radius:5px;font-size:14px;text-decoration:none}
    .pager .cur{background:var(--accent);border-color:var(--accent);color:#fff;font-weight:600}
    .pager .gap{border-color:transparent}
    .with-thumb{display:flex;align-items:flex-start;gap:10px}
    .with-thumb>div{min-width:0}
    .thumb{width:48px;height:32px;object-fit:cover;border-radius:3px;background:#e6e9ed;flex:none;display:block}
    .thumb.none{background:repeating-linear-gradient(135deg,#f1f3f5 0 4px,#e6e9ed 4px 8px)}
    .donut-wrap{display:flex;flex-wrap:wrap;align-items:center;gap:8px 28px}
    .donut-wrap svg{flex:0 1 460px}
    .headline{min-width:180px;flex:0 1 220px}
    .headline .big{font-size:46px;font-weight:800;line-height:1;color:var(--ok)}
    .headline .big-label{font-size:22px;font-weight:700;color:var(--ok)}
    .headline p{margin:6px 0 0;font-size:13.5px}
    .cards{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px}
    .survey{border:1px solid var(--line);border-radius:7px;overflow:hidden;background:#fff;display:flex;flex-direction:column;break-inside:avoid}
    .survey img,.survey .nophoto{display:block;width:100%;aspect-ratio:3/2;object-fit:cover;background:#e6e9ed}
    .survey .nophoto{display:flex;align-items:center;justify-content:center;color:var(--muted);font-size:13px}
    .survey .body{padding:7px 10px 9px}
    .card .survey h3{font-size:14px;line-height:1.3;margin:0}
    .survey .line{display:flex;justify-content:space-between;align-items:center;gap:6px;margin:5px 0 2px}
    .survey .score{font-weight:700;font-variant-numeric:tabular-nums}
    .more{margin:10px 0 0;font-size:14px}
    .ranks{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,270px),1fr));gap:8px 28px}
    .ranks.wide{grid-template-columns:repeat(auto-fit,minmax(min(100%,440px),1fr));gap:8px 40px}
    .card .rank h3{margin:4px 0 8px;padding-bottom:6px;border-bottom:2px solid var(--line)}
    .rank h3 .measure{font-weight:400;font-size:12.5px;color:var(--muted);white-space:nowrap}
    .rank table .pos{width:24px;height:24px;font-size:12.5px}
    .rank td.w-pos{width:36px}.rank td.w-val{width:30%}.rank td.w-val .meter{margin-left:auto}
    .rank ol{list-style:none;margin:0 0 8px;padding:0}
    .rank li{display:flex;align-items:center;gap:10px;padding:5px 0;border-bottom:1px solid #eef1f4}
    .rank .pos{flex:none;width:26px;height:26px;border-radius:50%;display:flex;align-items:center;justify-content:center;font-weight:700;font-size:13px;background:#eef1f4;color:#3e4c59}
    .rank .p1{background:#f0b429;color:#3d2c00}.rank .p2{background:#c5ccd3;color:#1f2933}.rank .p3{background:#d9995b;color:#3a1f05}
    .rank .who{flex:1;min-width:0;display:flex;flex-direction:column}
    .rank .name{font-weight:600;line-height:1.3;overflow-wrap:anywhere}
    .rank .meter{display:block;height:5px;margin-top:4px;background:#eef1f4;border-radius:3px}
    .rank .meter span{display:block;height:100%;background:var(--accent);border-radius:3px}
    .rank .val{flex:none;font-weight:700;font-variant-numeric:tabular-nums;text-align:right}
    nav.years{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin:0 0 16px}
    .pill{padding:3px 12px;border:1px solid var(--line);border-radius:14px;background:#fff;text-decoration:none;font-size:14px}
    .pill.cur{background:var(--accent);border-color:var(--accent);color:#fff;font-weight:600}
    nav.years .csv{margin-left:auto}
    footer{max-width:1280px;margin:0 auto;padding:4px 20px 28px;color:var(--muted);font-size:13px}
    footer p{margin:4px 0}
    @media screen and (max-width:700px){
    body{font-size:14.5px}
    main{padding:12px 10px 4px}
    .top .bar{padding:10px 12px 2px}
    .top .meta{margin-left:0}
    .page-title{font-size:21px}
    .card{padding:12px;border-radius:6px}
    .kpis{grid-template-columns:repeat(2,minmax(0,1fr));gap:8px}
    .kpi .v{font-size:21px}
    form.filters label,form.filters input[name=region],form.filters input[name=period]{width:100%}
    svg.chart{max-width:none;width:100%;min-width:400px}
    .cards{grid-template-columns:repeat(2,minmax(0,1fr));gap:8px}
    table.compact{min-width:520px}
    table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
    table.stack,table.stack tbody,table.stack tfoot,table.stack tr,table.stack td{display:block}
    table.stack tr{padding:6px 0;border-bottom:1px solid var(--line)}
    table.stack td{display:grid;grid-template-columns:minmax(6.5em,34%) 1fr;gap:2px 10px;padding:3px 2px;border:0;text-align:left;white-space:normal}
    table.stack td::before{content:attr(data-label);font-size:11.5px;font-weight:700;letter-spacing:.02em;text-transform:uppercase;color:var(--muted);padding-top:2px}
    table.stack td.empty,table.stack tfoot td:not([data-label]){display:block}
    table.stack td.empty::before,table.stack tfoot td:not([data-label])::before{content:none}
    table.stack tfoot tr{border-top:2px solid var(--line);border-bottom:0}
    table.stack td.w-name{min-width:0}
    nav.main{flex-wrap:wrap;padding:0 4px 4px}
    nav.main a{padding:6px 8px 5px;font-size:14px}
    table{font-size:13.5px}
    td.w-name{min-width:10em}
    .headline .big{font-size:36px}
    }
    @media print{
    @page{margin:14mm}
    body{background:#fff;font-size:11pt}
    .top{background:#fff;color:#000;border-bottom:2px solid #000}
    .brand,.brand:hover{color:#000}.brand svg,.top .lang,nav.main,form.filters,.pager,.btn,.skip,.more,.section-head a,nav.years a{display:none}
    .top .meta{color:#000}
    main,footer{max-width:none;padding:0}
    .kpi{border-color:#999}
    .kpi,.survey,.rank,tr,svg.chart,.section-head,h2,h3{break-inside:avoid}
    h2,h3,.section-head{break-after:avoid}
    .card{padding:8px 0;border:0;border-top:1px solid #999;border-radius:0}
    tfoot{display:table-row-group}
    .chart-wrap{overflow:visible}
    .table-wrap{overflow:visible}
    tbody tr:nth-child(even),tbody tr:hover{background:none}
    a{color:#000;text-decoration:none}
    *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
    }
    """
}
