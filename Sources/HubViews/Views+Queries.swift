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
        var sql = "SELECT author, coalesce(name, admitted_name, ''), region FROM centre WHERE " + (formerToo ? "1 = 1" : "member = 1")
        var args: SQLArguments = []
        if let region {
            sql += " AND (region = ? OR provinsi = ? OR (coalesce(kabupaten, '') = '' AND admitted_region LIKE ?))"
            args = [region, region, "%\(region)%"]
        }
        var out: [String: (name: String, region: String)] = [:]
        for r in try db.all(sql, args) {
            let author: String = r[0]
            let name: String = r[1]
            out[author] = (name.isEmpty ? String(author.prefix(8)) : name, r[2])
        }
        return out
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

    /// Regions (the counters' d2) of the centres a filter selects.
    func regionSet(_ centres: [String: (name: String, region: String)]) -> Set<String> { Set(centres.values.map(\.region)) }

    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func summary(filter: ViewFilter = ViewFilter(), freshness: Freshness) throws -> Summary {
        try read { db in
            let centres = try centres(db, region: filter.region)
            let regions = filter.region == nil ? nil : regionSet(centres)
            let authors = filter.region == nil ? nil : Set(centres.keys)
            let now = freshness.nowMs
            var byRegion: [String: RegionCentres] = [:]
            var heard7 = 0, silent30 = 0, never = 0
            for (author, c) in centres {
                let last = nodeID(author).flatMap(freshness.lastHeard)
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
            let salesCount = try aggregate(db, metric: "sales", d1Prefix: year, d2In: authors)
            let salesAmount = try aggregate(db, metric: "sales_amount", d1Prefix: year, d2In: authors)
            let salesFee = try aggregate(db, metric: "sales_fee", d1Prefix: year, d2In: authors)
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
            let sellers = Set(salesCount.filter { $0.value > 0 }.map(\.d2))
            return Summary(
                generatedMs: now, network: store.network.description, filter: filter.description,
                centres: .init(total: centres.count, heardLast7Days: heard7, silentOver30Days: silent30, neverHeard: never,
                               byRegion: byRegion.values.sorted { ($0.total, $1.region) > ($1.total, $0.region) }),
                products: .init(total: Int(products.reduce(0) { $0 + $1.value }), online: Int(online.reduce(0) { $0 + $1.value }),
                                byCategory: Self.grouped(products) { d1, _ in d1 },
                                onlineByCategory: Self.grouped(online) { d1, _ in d1 },
                                byRegion: Self.grouped(products) { _, d2 in d2 }),
                sales: .init(count: Int(salesCount.reduce(0) { $0 + $1.value }), amountIdr: Int64(salesAmount.reduce(0) { $0 + $1.value }),
                             feeIdr: Int64(salesFee.reduce(0) { $0 + $1.value }), centresSelling: sellers.count),
                trainings: .init(count: Int(trainings.reduce(0) { $0 + $1.value }), participants: Int(participants.reduce(0) { $0 + $1.value }),
                                 women: Int(women.reduce(0) { $0 + $1.value }),
                                 byTargetGroup: Self.grouped(groups) { d1, _ in d1 }, byTopic: Self.grouped(topics) { d1, _ in d1 },
                                 byMonth: months.values.sorted { $0.month < $1.month }),
                monitoring: .init(surveyed: Int(latest.reduce(0) { $0 + $1.value }),
                                  distribution: Self.grouped(latest.map { ($0.classification, "", $0.value) }) { d1, _ in d1 }),
                activities: Self.grouped(activities) { d1, _ in d1 })
        }
    }

    /// Each centre's latest survey (optionally only of some centres): the
    /// row flagged `latest = 2` by the catch-up (of two surveys on a
    /// centre's latest date, the one stored first). Only what the centre
    /// list shows: no row is decoded.
    func latestSurveys(_ db: any ViewsSQL, subjects: Set<String>?) throws -> [(subject: String, classification: String, date: String)] {
        var out: [(subject: String, classification: String, date: String)] = []
        for r in try db.all("SELECT subject, classification, date FROM monitoring WHERE latest = 2") {
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
        let select = "SELECT \(columns) FROM \(from) WHERE 1 = 1\(clause) ORDER BY \(order)"
        guard filter.isPaged else {
            let items = try db.all(select, args).map(map)
            return Page(items: items, page: 1, perPage: max(1, items.count), total: items.count)
        }
        let total = try db.value(Int.self, "SELECT count(*) FROM \(from) WHERE 1 = 1\(clause)", args) ?? 0
        guard filter.offset < total else { return Page(items: [], page: filter.page, perPage: filter.perPage, total: total) }
        var pageArgs = args
        pageArgs += [filter.perPage, filter.offset]
        let items = try db.all(select + " LIMIT ? OFFSET ?", pageArgs).map(map)
        return Page(items: items, page: filter.page, perPage: filter.perPage, total: total)
    }

    static let centreJoin = "LEFT JOIN centre c ON c.author = t.author"
    static let centreColumns = "coalesce(c.name, c.admitted_name, substr(t.author, 1, 8)), coalesce(c.region, '')"

    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    public func nodes(filter: ViewFilter = ViewFilter(), freshness: Freshness) throws -> Page<CentreRow> {
        try read { db in
            var (clause, args) = authorClause(filter)
            clause = " AND t.member = 1" + clause
            let latest = Dictionary(try latestSurveys(db, subjects: nil).map { ($0.subject, $0) }, uniquingKeysWith: { a, _ in a })
            let counters = try centreCounters(db)
            return try page(db, from: "centre t", where: clause, args: args, order: Self.centreOrder, filter: filter, columns: Self.centreRowColumns) { r in
                centreRow(r, counters: counters, latest: latest, freshness: freshness)
            }
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
        try read { db in
            struct Key {
                let author: String, name: String, lastHeard: Int64?
                let counters: CentreCounters
            }
            let counters = try centreCounters(db)
            var keys: [Key] = []
            for r in try db.all("""
                SELECT t.author, coalesce(t.name, t.admitted_name, '') FROM centre t WHERE t.member = 1 ORDER BY \(Self.centreOrder)
                """) {
                let author: String = r[0], name: String = r[1]
                keys.append(Key(author: author, name: name.isEmpty ? String(author.prefix(8)) : name,
                                lastHeard: nodeID(author).flatMap(freshness.lastHeard), counters: counters[author] ?? CentreCounters()))
            }
            // The main page's own sorts, on the same keys in the same order.
            let staleKeys = keys.sorted { ($0.lastHeard ?? 0, $0.name) < ($1.lastHeard ?? 0, $1.name) }.prefix(stale)
            let sellerKeys = keys.filter { $0.counters.online > 0 || $0.counters.fees > 0 }
                .sorted { ($0.counters.fees, $0.counters.sales) > ($1.counters.fees, $1.counters.sales) }.prefix(sellers)
            let shown = Array(Set(staleKeys.map(\.author) + sellerKeys.map(\.author)))
            guard !shown.isEmpty else { return ([], []) }
            let latest = Dictionary(try latestSurveys(db, subjects: Set(shown)).map { ($0.subject, $0) }, uniquingKeysWith: { a, _ in a })
            var full: [String: CentreRow] = [:]
            for r in try db.all("SELECT \(Self.centreRowColumns) FROM centre t WHERE t.author IN (\(shown.map { _ in "?" }.joined(separator: ",")))",
                                shown) {
                let row = centreRow(r, counters: counters, latest: latest, freshness: freshness)
                full[row.node] = row
            }
            return (staleKeys.compactMap { full[$0.author] }, sellerKeys.compactMap { full[$0.author] })
        }
    }

    struct CentreCounters {
        var products = 0, online = 0, trainings = 0
        var sales: Int64 = 0, fees: Int64 = 0
    }

    func centreCounters(_ db: any ViewsSQL) throws -> [String: CentreCounters] {
        var out: [String: CentreCounters] = [:]
        for r in try db.all("""
            SELECT metric, d1, d2, value FROM agg WHERE metric IN
                ('products_centre', 'products_online_centre', 'sales_amount', 'sales_fee', 'trainings_centre')
            """) {
            let metric: String = r[0], d1: String = r[1], d2: String = r[2], value: Double = r[3]
            switch metric {
            case "products_centre": out[d1, default: .init()].products += Int(value)
            case "products_online_centre": out[d1, default: .init()].online += Int(value)
            case "sales_amount": out[d2, default: .init()].sales += Int64(value)
            case "sales_fee": out[d2, default: .init()].fees += Int64(value)
            default: out[d2, default: .init()].trainings += Int(value)
            }
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
