import Foundation
import GRDB
import Replication

/// What the views need to know about replication, from the running node:
/// each author's head and when it was last heard from, and the newest head
/// peers have offered (to show how far behind this node is).
public struct Freshness: Sendable {
    public var heads: [NodeID: (seq: UInt64, storedMs: Int64?)]
    public var offered: [NodeID: UInt64]
    /// When this node last had a connection with a centre itself: a centre
    /// that is connected but writes nothing is still heard from.
    public var contacts: [NodeID: Int64]
    /// When each author was last heard from by bundle (a stick), kept apart
    /// from `storedMs`, which counts the network only.
    public var bundles: [NodeID: Int64]
    public var node: NodeID
    public var nowMs: Int64

    public init(heads: [NodeID: (seq: UInt64, storedMs: Int64?)], offered: [NodeID: UInt64], contacts: [NodeID: Int64] = [:],
                bundles: [NodeID: Int64] = [:], node: NodeID, nowMs: Int64) {
        self.heads = heads
        self.offered = offered
        self.contacts = contacts
        self.bundles = bundles
        self.node = node
        self.nowMs = nowMs
    }

    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public static func of(store: Store, offered: [NodeID: UInt64] = [:], contacts: [NodeID: Int64] = [:],
                          nowMs: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) throws -> Freshness {
        let authors = try store.authorSummaries()
        var heads: [NodeID: (seq: UInt64, storedMs: Int64?)] = [:]
        heads.reserveCapacity(authors.count)
        for a in authors { heads[a.author] = (a.seq, a.storedMs) }
        return Freshness(heads: heads, offered: offered, contacts: contacts, bundles: try store.bundleHeard(), node: store.node, nowMs: nowMs)
    }

    /// Heard from by any way: the later of the network and bundles.
    func lastHeard(_ author: String) -> Int64? { NodeID(author).flatMap(lastHeard) }

    func lastHeard(_ id: NodeID) -> Int64? {
        switch (lastHeardNetwork(id), bundles[id]) {
        case (let n?, let b?): max(n, b)
        case (let n, let b): n ?? b
        }
    }

    func lastBundle(_ author: String) -> Int64? { NodeID(author).flatMap { bundles[$0] } }

    /// The later of the last entry of `author` stored here from the network
    /// and this node's last connection with it.
    func lastHeardNetwork(_ author: String) -> Int64? { NodeID(author).flatMap(lastHeardNetwork) }

    func lastHeardNetwork(_ id: NodeID) -> Int64? {
        if id == node { return nowMs }
        switch (heads[id]?.storedMs, contacts[id]) {
        case (let stored?, let contact?): return max(stored, contact)
        case (let stored, let contact): return stored ?? contact
        }
    }

    func entries(_ author: String) -> UInt64 { NodeID(author).flatMap { heads[$0]?.seq } ?? 0 }

    func behind(_ author: String) -> UInt64 { NodeID(author).map(behind) ?? 0 }

    func behind(_ id: NodeID) -> UInt64 {
        guard let offered = offered[id] else { return 0 }
        let held = heads[id]?.seq ?? 0
        return offered > held ? offered - held : 0
    }
}

extension Views {
    static let day: Int64 = 86_400_000

    /// Centres matching a region filter (kabupaten/kota or provinsi): author -> (name, region).
    /// Centres are the current members admitted as telecenter or hub (see
    /// `refreshCentres`): a revoked centre, or a monitor with a profile, is
    /// none. `formerToo` adds them, for names only.
    func centres(_ db: any ViewsSQL, region: String?, formerToo: Bool = false) throws -> [String: (name: String, region: String)] {
        let (clause, args) = Self.centreClause(region: region, formerToo: formerToo)
        var out: [String: (name: String, region: String)] = [:]
        for r in try db.all("SELECT author, coalesce(name, admitted_name, ''), region FROM centre WHERE " + clause, args) {
            let author: String = r[0]
            let name: String = r[1]
            out[author] = (name.isEmpty ? String(author.prefix(8)) : name, r[2])
        }
        return out
    }

    /// Which centres a region filter selects, as SQL on `centre`.
    static func centreClause(region: String?, formerToo: Bool = false) -> (String, SQLArguments) {
        let clause = formerToo ? "1 = 1" : "member = 1"
        guard let region else { return (clause, []) }
        return (clause + " AND (region = ? OR provinsi = ? OR (coalesce(kabupaten, '') = '' AND admitted_region LIKE ?))",
                [region, region, "%\(region)%"])
    }

    /// The author and region of each centre a region filter selects: what
    /// the summary counts, without names or a dictionary of ten thousand.
    func centreRegions(_ db: any ViewsSQL, region: String?) throws -> [(author: String, region: String)] {
        let (clause, args) = Self.centreClause(region: region)
        return try db.all("SELECT author, region FROM centre WHERE " + clause, args).map { ($0[0], $0[1]) }
    }

    func aggregate(_ db: any ViewsSQL, metric: String, d1Prefix: String? = nil, d2In: Set<String>? = nil,
                   d2Prefix: String? = nil) throws -> [(d1: String, d2: String, value: Double)] {
        var sql = "SELECT d1, d2, value FROM agg WHERE metric = ?"
        var args: SQLArguments = [metric]
        if let d1Prefix {
            sql += " AND d1 LIKE ?"
            args += [d1Prefix + "%"]
        }
        if let d2Prefix {
            sql += " AND d2 LIKE ?"
            args += [d2Prefix + "%"]
        }
        var out: [(d1: String, d2: String, value: Double)] = []
        for r in try db.all(sql, args) {
            let d2: String = r[1]
            if let d2In, !d2In.contains(d2) { continue }
            out.append((r[0], d2, r[2]))
        }
        return out
    }

    static func grouped(_ rows: [(d1: String, d2: String, value: Double)], by key: (String, String) -> String) -> [NamedCount] {
        var sums: [String: Double] = [:]
        for r in rows { sums[key(r.d1, r.d2), default: 0] += r.value }
        return sums.filter { $0.value != 0 }.map { NamedCount(name: $0.key, value: $0.value) }
            .sorted { ($0.value, $1.name) > ($1.value, $0.name) }
    }

    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func summary(filter: ViewFilter = ViewFilter(), freshness: Freshness) throws -> Summary {
        let writes = self.writes.load(ordering: .acquiring)
        return try read { db in
            let centres: [(id: NodeID?, author: String, region: String)] = filter.region == nil
                ? try centreDirectory(db, writes: writes).map { ($0.id, $0.author, $0.region) }
                : try centreRegions(db, region: filter.region).map { (nodeID($0.author), $0.author, $0.region) }
            let regions = filter.region == nil ? nil : Set(centres.map(\.region))
            let authors = filter.region == nil ? nil : Set(centres.map(\.author))
            let now = freshness.nowMs
            var byRegion: [String: RegionCentres] = [:]
            var heard7 = 0, silent30 = 0, never = 0
            for c in centres {
                let last = c.id.flatMap(freshness.lastHeard)
                var r = byRegion[c.region] ?? RegionCentres(region: c.region, total: 0, heardLast7Days: 0, silentOver30Days: 0)
                r.total += 1
                if let last, now - last <= 7 * Self.day {
                    heard7 += 1
                    r.heardLast7Days += 1
                }
                if last == nil || now - last! > 30 * Self.day {
                    silent30 += 1
                    r.silentOver30Days += 1
                }
                if last == nil { never += 1 }
                byRegion[c.region] = r
            }
            let year = filter.period.map { String($0.prefix(4)) }
            let products = try aggregate(db, metric: "products", d2In: regions)
            let online = try aggregate(db, metric: "products_online", d2In: regions)
            let sales = try salesTotals(db, year: year, authors: authors)
            let trainings = try aggregate(db, metric: "trainings", d1Prefix: filter.period, d2In: regions)
            let participants = try aggregate(db, metric: "participants", d1Prefix: filter.period, d2In: regions)
            let women = try aggregate(db, metric: "participants_women", d1Prefix: filter.period, d2In: regions)
            let groups = regions == nil
                ? try aggregate(db, metric: "trained_group", d2Prefix: year)
                : try aggregate(db, metric: "trained_group_region", d2In: regions)
            let topics = try aggregate(db, metric: "trainings_topic", d2Prefix: year)
            var months: [String: MonthFigures] = [:]
            for r in trainings { months[r.d1, default: MonthFigures(month: r.d1, trainings: 0, participants: 0)].trainings += Int(r.value) }
            for r in participants { months[r.d1, default: MonthFigures(month: r.d1, trainings: 0, participants: 0)].participants += Int(r.value) }
            let latest = try latestClassifications(db, subjects: authors)
            let activities = try aggregate(db, metric: "activity_total", d2Prefix: year)
            return Summary(
                generatedMs: now, network: store.network.description, filter: filter.description,
                centres: .init(total: centres.count, heardLast7Days: heard7, silentOver30Days: silent30, neverHeard: never,
                               byRegion: byRegion.values.sorted { ($0.total, $1.region) > ($1.total, $0.region) }),
                products: .init(total: Int(products.reduce(0) { $0 + $1.value }), online: Int(online.reduce(0) { $0 + $1.value }),
                                byCategory: Self.grouped(products) { d1, _ in d1 },
                                onlineByCategory: Self.grouped(online) { d1, _ in d1 },
                                byRegion: Self.grouped(products) { _, d2 in d2 }),
                sales: .init(count: Int(sales.count), amountIdr: Int64(sales.amount), feeIdr: Int64(sales.fee), centresSelling: sales.sellers),
                trainings: .init(count: Int(trainings.reduce(0) { $0 + $1.value }), participants: Int(participants.reduce(0) { $0 + $1.value }),
                                 women: Int(women.reduce(0) { $0 + $1.value }),
                                 byTargetGroup: Self.grouped(groups) { d1, _ in d1 }, byTopic: Self.grouped(topics) { d1, _ in d1 },
                                 byMonth: months.values.sorted { $0.month < $1.month }),
                monitoring: .init(surveyed: Int(latest.reduce(0) { $0 + $1.value }),
                                  distribution: Self.grouped(latest.map { ($0.classification, "", $0.value) }) { d1, _ in d1 }),
                activities: Self.grouped(activities) { d1, _ in d1 })
        }
    }

    /// Sales, rupiah, fees and centres selling, of a year or all years, of
    /// some centres or all. For all centres the database sums (the counters
    /// hold a row per centre and year: tens of thousands in a nation).
    func salesTotals(_ db: any ViewsSQL, year: String?, authors: Set<String>?)
        throws -> (count: Double, amount: Double, fee: Double, sellers: Int)
    {
        guard authors == nil else {
            let count = try aggregate(db, metric: "sales", d1Prefix: year, d2In: authors)
            let amount = try aggregate(db, metric: "sales_amount", d1Prefix: year, d2In: authors)
            let fee = try aggregate(db, metric: "sales_fee", d1Prefix: year, d2In: authors)
            func sum(_ rows: [(d1: String, d2: String, value: Double)]) -> Double { rows.reduce(0) { $0 + $1.value } }
            return (sum(count), sum(amount), sum(fee), Set(count.filter { $0.value > 0 }.map(\.d2)).count)
        }
        var sql = """
            SELECT coalesce(sum(CASE WHEN metric = 'sales' THEN value END), 0),
                   coalesce(sum(CASE WHEN metric = 'sales_amount' THEN value END), 0),
                   coalesce(sum(CASE WHEN metric = 'sales_fee' THEN value END), 0),
                   count(DISTINCT CASE WHEN metric = 'sales' AND value > 0 THEN d2 END)
            FROM agg WHERE metric IN ('sales', 'sales_amount', 'sales_fee')
            """
        var args: SQLArguments = []
        if let year {
            sql += " AND d1 LIKE ?"
            args = [year + "%"]
        }
        guard let r = try db.one(sql, args) else { return (0, 0, 0, 0) }
        return (Double.fromDatabaseValue(r.values[0]) ?? 0, Double.fromDatabaseValue(r.values[1]) ?? 0,
                Double.fromDatabaseValue(r.values[2]) ?? 0, Int(Int64.fromDatabaseValue(r.values[3]) ?? 0))
    }

    /// Each centre's latest survey (optionally only of some centres): the
    /// row flagged `latest = 2` by the catch-up (of two surveys on a
    /// centre's latest date, the one stored first). Only what the centre
    /// list shows: no row is decoded.
    func latestSurveys(_ db: any ViewsSQL, subjects: Set<String>?) throws -> [(subject: String, classification: String, date: String)] {
        var out: [(subject: String, classification: String, date: String)] = []
        var sql = "SELECT subject, classification, date FROM monitoring WHERE latest = 2"
        var args: SQLArguments = []
        // A few centres (those a page shows) are looked up by the subject
        // index; a region's many are filtered here.
        if let subjects, subjects.count <= Self.fewCentres {
            guard !subjects.isEmpty else { return [] }
            sql += " AND subject IN \(ViewsBulk.placeholders(rows: 1, columns: subjects.count))"
            args = subjects.sorted()
        }
        for r in try db.all(sql, args) {
            let subject: String = r[0]
            if let subjects, !subjects.contains(subject) { continue }
            out.append((subject, r[1], r[2]))
        }
        return out
    }

    /// How many centres' latest survey has each classification.
    func latestClassifications(_ db: any ViewsSQL, subjects: Set<String>?) throws -> [(classification: String, value: Double)] {
        guard let subjects else {
            return try db.all("SELECT classification, count(*) FROM monitoring WHERE latest = 2 GROUP BY classification")
                .map { ($0[0], $0[1]) }
        }
        var counts: [String: Double] = [:]
        for survey in try latestSurveys(db, subjects: subjects) { counts[survey.classification, default: 0] += 1 }
        return counts.map { ($0.key, $0.value) }
    }

    /// What `monitoringRow` reads, of `monitoring m LEFT JOIN centre c ON c.author = m.subject`.
    static let surveyColumns = """
        m.author, m.key, m.subject, coalesce(c.name, c.admitted_name, ''), coalesce(c.region, ''), m.date, m.period,
            m.assessor, m.classification, m.score, m.notes, m.photos, m.scores, m.lat, m.lon
        """

    static func monitoringRow(_ r: ViewRow) -> MonitoringRow {
        let subject: String = r[2]
        let name: String = r[3]
        let photos = list(r[11])
        let scores = (try? JSONDecoder().decode([String: Double].self, from: Data((r[12] as String? ?? "{}").utf8))) ?? [:]
        return MonitoringRow(author: r[0], key: r[1], subject: subject, subjectName: name.isEmpty ? String(subject.prefix(8)) : name,
                             region: r[4], date: r[5], period: r[6], assessor: r[7], classification: r[8], score: r[9],
                             notes: r[10], photo: photos.first, scores: scores, lat: r[13], lon: r[14], photos: photos)
    }

    /// A JSON list of strings from a view column (photos, services); empty for anything else.
    static func list(_ text: String?) -> [String] {
        guard let text else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    // MARK: Lists

    /// SQL selecting the authors a region filter allows, or nil for all.
    func authorClause(_ filter: ViewFilter, column: String = "t.author") -> (String, SQLArguments) {
        guard let region = filter.region else { return ("", []) }
        return (" AND \(column) IN (SELECT author FROM centre WHERE region = ? OR provinsi = ? OR (coalesce(kabupaten, '') = '' AND admitted_region LIKE ?))",
                [region, region, "%\(region)%"])
    }

    /// One page of a list, or every row when the filter is unpaged.
    func page<T>(_ db: any ViewsSQL, from: String, where clause: String, args: SQLArguments, order: String, filter: ViewFilter,
                 columns: String, map: (ViewRow) throws -> T) throws -> Page<T> {
        let rows = try pageRows(db, from: from, where: clause, args: args, order: order, filter: filter, columns: columns)
        return Page(items: try rows.rows.map(map), page: rows.page, perPage: rows.perPage, total: rows.total)
    }

    /// A page's rows as the database returns them (`page` without the mapping).
    func pageRows(_ db: any ViewsSQL, from: String, where clause: String, args: SQLArguments, order: String, filter: ViewFilter,
                  columns: String) throws -> (rows: [ViewRow], page: Int, perPage: Int, total: Int) {
        let select = "SELECT \(columns) FROM \(from) WHERE 1 = 1\(clause) ORDER BY \(order)"
        guard filter.isPaged else {
            let rows = try db.all(select, args)
            return (rows, 1, max(1, rows.count), rows.count)
        }
        let total = try db.value(Int.self, "SELECT count(*) FROM \(from) WHERE 1 = 1\(clause)", args) ?? 0
        guard filter.offset < total else { return ([], filter.page, filter.perPage, total) }
        var pageArgs = args
        pageArgs += [filter.perPage, filter.offset]
        return (try db.all(select + " LIMIT ? OFFSET ?", pageArgs), filter.page, filter.perPage, total)
    }

    static let centreJoin = "LEFT JOIN centre c ON c.author = t.author"
    static let centreColumns = "coalesce(c.name, c.admitted_name, substr(t.author, 1, 8)), coalesce(c.region, '')"

    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func nodes(filter: ViewFilter = ViewFilter(), freshness: Freshness) throws -> Page<CentreRow> {
        try read { db in
            var (clause, args) = authorClause(filter)
            clause = " AND t.member = 1" + clause
            let rows = try pageRows(db, from: "centre t", where: clause, args: args, order: Self.centreOrder, filter: filter,
                                    columns: Self.centreRowColumns)
            // The counters and surveys of the centres on the page only (a
            // page of 50, not ten thousand), unless the page is all of them.
            let authors = Set(rows.rows.map { $0[0] as String })
            let latest = Dictionary(try latestSurveys(db, subjects: authors).map { ($0.subject, $0) }, uniquingKeysWith: { a, _ in a })
            let counters = try centreCounters(db, authors: authors)
            return Page(items: rows.rows.map { centreRow($0, counters: counters, latest: latest, freshness: freshness) },
                        page: rows.page, perPage: rows.perPage, total: rows.total)
        }
    }

    /// The centre list's order.
    static let centreOrder = "t.region, coalesce(t.name, t.admitted_name), t.author"

    /// What `centreRow` reads, of `centre t`.
    static let centreRowColumns = """
        t.author, coalesce(t.name, t.admitted_name, ''), t.type, t.role, t.region, t.provinsi, t.kabupaten, t.kecamatan, t.desa, \
        t.address, t.lat, t.lon, t.phone, t.email, t.opening_hours, t.services, t.expertise
        """

    func centreRow(_ r: ViewRow, counters: [String: CentreCounters], latest: [String: (subject: String, classification: String, date: String)],
                          freshness: Freshness) -> CentreRow {
        let author: String = r[0]
        let name: String = r[1]
        let c = counters[author] ?? CentreCounters()
        let id = nodeID(author)
        return CentreRow(
            node: author, name: name.isEmpty ? String(author.prefix(8)) : name, type: r[2], role: r[3], region: r[4],
            provinsi: r[5], kabupaten: r[6], kecamatan: r[7], desa: r[8], address: r[9], lat: r[10], lon: r[11],
            lastHeardMs: id.flatMap(freshness.lastHeard), entries: id.flatMap { freshness.heads[$0]?.seq } ?? 0,
            entriesBehind: id.map(freshness.behind) ?? 0,
            products: c.products, productsOnline: c.online, salesIdr: c.sales, feesIdr: c.fees, trainings: c.trainings,
            latestClassification: latest[author]?.classification, latestSurveyDate: latest[author]?.date,
            lastHeardNetworkMs: id.flatMap(freshness.lastHeardNetwork), lastBundleMs: id.flatMap { freshness.bundles[$0] },
            phone: r[12], email: r[13], openingHours: r[14], services: Self.list(r[15]), expertise: Self.list(r[16]))
    }

    /// What the dashboard's main page lists beside the summary: the `stale`
    /// centres heard from least recently and the `sellers` selling most
    /// online, as the whole centre list sorted would give them, but read
    /// from each centre's name and the counters, with full rows built only
    /// for the centres shown.
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func overview(freshness: Freshness, stale: Int = 15, sellers: Int = 10) throws -> (stale: [CentreRow], sellers: [CentreRow]) {
        let writes = self.writes.load(ordering: .acquiring)
        return try read { db in
            let centres = try centreDirectory(db, writes: writes)
            // The main page's own sorts, on the centre list's order: those
            // heard from least recently, and the sellers as the counters
            // rank them (by the database: a row per seller is not read).
            let staleAuthors = centres.map { (author: $0.author, name: $0.name, lastHeard: $0.id.flatMap(freshness.lastHeard) ?? 0) }
                .sorted { ($0.lastHeard, $0.name) < ($1.lastHeard, $1.name) }.prefix(stale).map(\.author)
            // MATERIALIZED: the sums are made once. A planner that thinks
            // few centres are members (statistics taken before the views
            // settled) would otherwise sum the counters again for each one
            // (PostgreSQL, 2,000 centres: 300 ms instead of a few).
            let sellerAuthors: [String] = try db.all("""
                WITH x AS MATERIALIZED (
                    SELECT CASE WHEN metric = 'products_online_centre' THEN d1 ELSE d2 END AS author,
                           coalesce(sum(CASE WHEN metric = 'products_online_centre' THEN value END), 0) AS online,
                           coalesce(sum(CASE WHEN metric = 'sales_fee' THEN value END), 0) AS fees,
                           coalesce(sum(CASE WHEN metric = 'sales_amount' THEN value END), 0) AS sales
                    FROM agg WHERE metric IN ('products_online_centre', 'sales_fee', 'sales_amount') GROUP BY 1
                )
                SELECT x.author FROM x JOIN centre t ON t.author = x.author
                WHERE t.member = 1 AND (x.online > 0 OR x.fees > 0)
                ORDER BY x.fees DESC, x.sales DESC, \(Self.centreOrder) LIMIT ?
                """, [sellers]).map { $0[0] }
            let shown = Set(staleAuthors + sellerAuthors)
            guard !shown.isEmpty else { return ([], []) }
            let counters = try centreCounters(db, authors: shown)
            let latest = Dictionary(try latestSurveys(db, subjects: shown).map { ($0.subject, $0) }, uniquingKeysWith: { a, _ in a })
            var full: [String: CentreRow] = [:]
            let list = shown.sorted()
            for r in try db.all("SELECT \(Self.centreRowColumns) FROM centre t WHERE t.author IN \(ViewsBulk.placeholders(rows: 1, columns: list.count))",
                                list) {
                let row = centreRow(r, counters: counters, latest: latest, freshness: freshness)
                full[row.node] = row
            }
            return (staleAuthors.compactMap { full[$0] }, sellerAuthors.compactMap { full[$0] })
        }
    }

    struct CentreCounters {
        var products = 0, online = 0, trainings = 0
        var sales: Int64 = 0, fees: Int64 = 0
    }

    /// Up to this many centres (a page's) are looked up by key; more are
    /// read whole and picked here.
    static let fewCentres = 100

    /// Each centre's counters, summed by the database over the years (a
    /// row per centre comes back, not one per centre, metric and year).
    func centreCounters(_ db: any ViewsSQL, authors: Set<String>? = nil) throws -> [String: CentreCounters] {
        var out: [String: CentreCounters] = [:]
        var only = ""
        var args: SQLArguments = []
        // A page's few centres through the counters' keys; more are summed whole.
        if let authors, authors.count <= Self.fewCentres {
            guard !authors.isEmpty else { return [:] }
            let list = authors.sorted()
            let marks = ViewsBulk.placeholders(rows: 1, columns: list.count)
            only = " AND (d1 IN \(marks) OR d2 IN \(marks))"
            args = list + list
        }
        for r in try db.all("""
            SELECT CASE WHEN metric IN ('products_centre', 'products_online_centre') THEN d1 ELSE d2 END,
                   coalesce(sum(CASE WHEN metric = 'products_centre' THEN value END), 0),
                   coalesce(sum(CASE WHEN metric = 'products_online_centre' THEN value END), 0),
                   coalesce(sum(CASE WHEN metric = 'sales_amount' THEN value END), 0),
                   coalesce(sum(CASE WHEN metric = 'sales_fee' THEN value END), 0),
                   coalesce(sum(CASE WHEN metric = 'trainings_centre' THEN value END), 0)
            FROM agg WHERE metric IN ('products_centre', 'products_online_centre', 'sales_amount', 'sales_fee', 'trainings_centre')\(only)
            GROUP BY 1
            """, args) {
            let author: String = r[0]
            let products: Double = r[1], online: Double = r[2], sales: Double = r[3], fees: Double = r[4], trainings: Double = r[5]
            out[author] = CentreCounters(products: Int(products), online: Int(online), trainings: Int(trainings),
                                         sales: Int64(sales), fees: Int64(fees))
        }
        return out
    }

    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func products(filter: ViewFilter = ViewFilter()) throws -> Page<ProductRow> {
        try read { db in
            var (clause, args) = authorClause(filter)
            if let category = filter.category {
                clause += " AND t.category = ?"
                args += [category]
            }
            return try page(db, from: "product t \(Self.centreJoin)", where: clause, args: args, order: "t.category, t.name, t.author, t.key",
                            filter: filter,
                            columns: "t.author, \(Self.centreColumns), t.key, t.name, t.category, t.price, t.unit, t.producer, t.available, t.online, t.links, t.photos, t.description, t.producer_contact") { r in
                let links: String = r[11] ?? ""
                let photos = Self.list(r[12])
                return ProductRow(author: r[0], centre: r[1], region: r[2], key: r[3], name: r[4], category: r[5], priceIdr: r[6],
                                  unit: r[7], producer: r[8], available: (r[9] as Int64) != 0, online: (r[10] as Int64) != 0,
                                  links: links.split(separator: " ").map(String.init), photo: photos.first, description: r[13],
                                  producerContact: r[14], photos: photos)
            }
        }
    }

    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func sales(filter: ViewFilter = ViewFilter()) throws -> Page<SaleRow> {
        try read { db in
            var (clause, args) = authorClause(filter)
            if let period = filter.period {
                clause += " AND t.date LIKE ?"
                args += [period + "%"]
            }
            return try page(db, from: "sale t \(Self.centreJoin)", where: clause, args: args, order: "t.date DESC, t.author, t.key",
                            filter: filter,
                            columns: "t.author, \(Self.centreColumns), t.key, t.product, t.date, t.quantity, t.amount, t.fee, t.channel") { r in
                SaleRow(author: r[0], centre: r[1], region: r[2], key: r[3], product: r[4], date: r[5], quantity: r[6], amountIdr: r[7],
                        feeIdr: r[8], channel: r[9])
            }
        }
    }

    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func trainings(filter: ViewFilter = ViewFilter()) throws -> Page<TrainingRow> {
        try read { db in
            var (clause, args) = authorClause(filter)
            if let period = filter.period {
                clause += " AND t.start LIKE ?"
                args += [period + "%"]
            }
            if let category = filter.category {
                clause += " AND t.topic = ?"
                args += [category]
            }
            return try page(db, from: "training t \(Self.centreJoin)", where: clause, args: args, order: "t.start DESC, t.author, t.key",
                            filter: filter,
                            columns: "t.author, \(Self.centreColumns), t.key, t.title, t.topic, t.start, t.place, t.trainers, t.women, t.men, t.participants, t.groups, t.photos, t.end_date") { r in
                let trainers = Self.list(r[8])
                let groups = (try? JSONDecoder().decode([String: Int64].self, from: Data((r[12] as String).utf8))) ?? [:]
                let photos = Self.list(r[13])
                return TrainingRow(author: r[0], centre: r[1], region: r[2], key: r[3], title: r[4], topic: r[5], start: r[6], place: r[7],
                                   trainers: trainers, women: r[9], men: r[10], participants: r[11], targetGroups: groups,
                                   photo: photos.first, end: r[14], photos: photos)
            }
        }
    }

    /// Surveys, newest first; `latestOnly` keeps each centre's latest.
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func monitoring(filter: ViewFilter = ViewFilter(), latestOnly: Bool = false) throws -> Page<MonitoringRow> {
        try read { db in
            var (clause, args) = authorClause(filter, column: "m.subject")
            if let period = filter.period {
                clause += " AND m.date LIKE ?"
                args += [period + "%"]
            }
            if let category = filter.category {
                clause += " AND m.classification = ?"
                args += [category]
            }
            if latestOnly { clause += " AND m.latest >= 1" }
            return try page(db, from: "monitoring m LEFT JOIN centre c ON c.author = m.subject", where: clause, args: args,
                            order: "m.date DESC, m.subject, m.author", filter: filter,
                            columns: Self.surveyColumns,
                            map: Self.monitoringRow)
        }
    }

    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func activities(filter: ViewFilter = ViewFilter()) throws -> Page<ActivityRow> {
        try read { db in
            var (clause, args) = authorClause(filter)
            if let period = filter.period {
                clause += " AND t.date LIKE ?"
                args += [period + "%"]
            }
            if let category = filter.category {
                clause += " AND t.type = ?"
                args += [category]
            }
            return try page(db, from: "activity t \(Self.centreJoin)", where: clause, args: args, order: "t.date DESC, t.author, t.key",
                            filter: filter, columns: "t.author, \(Self.centreColumns), t.key, t.type, t.title, t.date, t.count, t.grp, t.place") { r in
                ActivityRow(author: r[0], centre: r[1], region: r[2], key: r[3], type: r[4], title: r[5], date: r[6], count: r[7], group: r[8],
                            place: r[9])
            }
        }
    }

    /// The yearly award rankings: trainers by trainings led, centres by
    /// trainings held, content published and ICT deployments.
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func awards(year: String, limit: Int = 10) throws -> Awards {
        try read { db in
            // Names of the ranked centres only (former ones too), not of every centre.
            var names: [String: String] = [:]
            func centreName(_ author: String) throws -> String {
                if let name = names[author] { return name }
                let stored = try db.value(String.self, "SELECT coalesce(name, admitted_name, '') FROM centre WHERE author = ?", [author]) ?? ""
                let name = stored.isEmpty ? String(author.prefix(8)) : stored
                names[author] = name
                return name
            }
            func ranked(_ metric: String, d1: String) throws -> [RankRow] {
                try db.all("SELECT d2, value FROM agg WHERE metric = ? AND d1 = ? AND value > 0 ORDER BY value DESC, d2 LIMIT ?",
                           [metric, d1, limit]).map { r in
                    let author: String = r[0]
                    return RankRow(name: try centreName(author), centre: try centreName(author), node: author, value: r[1])
                }
            }
            let trainers = try db.all("SELECT d2, value FROM agg WHERE metric = 'trainer' AND d1 = ? AND value > 0 ORDER BY value DESC, d2 LIMIT ?",
                                      [year, limit]).map { r -> RankRow in
                let parts = (r[0] as String).split(separator: "\u{1E}", maxSplits: 1).map(String.init)
                let author = parts.count > 1 ? parts[1] : ""
                return RankRow(name: parts[0], centre: try centreName(author), node: author, value: r[1])
            }
            return Awards(year: year, trainers: trainers, trainings: try ranked("trainings_centre", d1: year),
                          content: try ranked("activity", d1: "content|\(year)"), ictDeployments: try ranked("activity", d1: "ict-deployment|\(year)"))
        }
    }
}
