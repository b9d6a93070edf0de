import Foundation
import GRDB
import Telecenter

/// Record bodies as view rows. Bodies from other implementations may be
/// incomplete: a body without the fields a view needs is left out of it
/// (the entry still replicates).
enum RowBuilder {
    static func row(kind: String, body: [String: JSONValue], time: Int64) -> [String: DatabaseValue]? {
        switch kind {
        case "product": product(body, time: time)
        case "sale": sale(body)
        case "training": training(body)
        case "monitoring": monitoring(body)
        case "activity": activity(body)
        default: nil
        }
    }

    /// Every photo's SHA-256, in the record's order, as a JSON list.
    static func photos(_ body: [String: JSONValue]) -> DatabaseValue {
        json(body["photos"]?.array?.compactMap { $0.object?["sha256"]?.string } ?? []).databaseValue
    }

    static func product(_ b: [String: JSONValue], time: Int64) -> [String: DatabaseValue]? {
        guard let name = b["name"]?.string, let category = b["category"]?.string else { return nil }
        let producer = b["producer"]?.string ?? b["producer"]?.object?["name"]?.string
        let links = b["online_links"]?.array?.compactMap(\.string) ?? []
        return [
            "name": name.databaseValue, "category": category.databaseValue, "description": b["description"]?.string.databaseValue ?? .null,
            "price": b["price_idr"]?.int.map { max($0, 0) }.databaseValue ?? .null, "unit": b["unit"]?.string.databaseValue ?? .null,
            "producer": producer.databaseValue, "producer_contact": b["producer"]?.object?["contact"]?.string.databaseValue ?? .null,
            "available": (b["available"]?.bool ?? true ? 1 : 0).databaseValue,
            "online": (links.isEmpty ? 0 : 1).databaseValue, "links": links.joined(separator: " ").databaseValue,
            "photos": photos(b), "time": time.databaseValue,
        ]
    }

    static func sale(_ b: [String: JSONValue]) -> [String: DatabaseValue]? {
        guard let product = b["product"]?.string, let date = b["date"]?.string, date.count >= 7, let amount = b["amount_idr"]?.int
        else { return nil }
        return [
            "product": product.databaseValue, "date": date.databaseValue, "year": String(date.prefix(4)).databaseValue,
            "month": String(date.prefix(7)).databaseValue, "quantity": clamp(b["quantity"]?.int ?? 1).databaseValue,
            "amount": clamp(amount).databaseValue, "fee": clamp(b["fee_idr"]?.int ?? 0).databaseValue,
            "channel": (b["channel"]?.string ?? "offline").databaseValue,
        ]
    }

    static func training(_ b: [String: JSONValue]) -> [String: DatabaseValue]? {
        guard let title = b["title"]?.string, let topic = b["topic"]?.string, let start = b["start"]?.string, start.count >= 7 else {
            return nil
        }
        let p = b["participants"]?.object
        // Counts come from other centres' records: clamp them, so that no
        // record can make the arithmetic trap.
        let women = min(max(p?["perempuan"]?.int ?? 0, 0), 10_000_000)
        let men = min(max(p?["laki_laki"]?.int ?? 0, 0), 10_000_000)
        let total = women + men
        // People trained per target group: as counted, or else the whole
        // training for each group it served.
        var groups: [String: Int64] = [:]
        if let byGroup = b["participants_by_group"]?.object {
            for (g, n) in byGroup { if let n = n.int { groups[g] = min(max(n, 0), 10_000_000) } }
        } else {
            for g in b["target_groups"]?.array?.compactMap(\.string) ?? [] { groups[g] = total }
        }
        let trainers = b["trainers"]?.array?.compactMap(\.string) ?? []
        return [
            "title": title.databaseValue, "topic": topic.databaseValue, "start": start.databaseValue,
            "end_date": b["end"]?.string.databaseValue ?? .null,
            "year": String(start.prefix(4)).databaseValue, "month": String(start.prefix(7)).databaseValue,
            "place": b["place"]?.string.databaseValue ?? .null, "trainers": json(trainers).databaseValue,
            "women": women.databaseValue, "men": men.databaseValue, "participants": total.databaseValue,
            "groups": json(groups).databaseValue, "photos": photos(b),
        ]
    }

    static func monitoring(_ b: [String: JSONValue]) -> [String: DatabaseValue]? {
        guard let subject = b["subject"]?.string, let date = b["date"]?.string, let classification = b["classification"]?.string
        else { return nil }
        let scores = b["scores"]?.object ?? [:]
        let values = Vocabulary.scoreCriteria.compactMap { scores[$0]?.number }.map { min(max($0, 0), 5) }
        let average = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
        var scoreMap: [String: Double] = [:]
        for (k, v) in scores { if let n = v.number { scoreMap[k] = n } }
        let location = b["location"]?.object
        return [
            "subject": subject.databaseValue, "date": date.databaseValue, "period": (b["period"]?.string ?? "").databaseValue,
            "assessor": (b["assessor"]?.string ?? "").databaseValue, "classification": classification.databaseValue,
            "score": average.databaseValue, "scores": json(scoreMap).databaseValue, "notes": b["notes"]?.string.databaseValue ?? .null,
            "photos": photos(b), "lat": location?["lat"]?.number.databaseValue ?? .null,
            "lon": location?["lon"]?.number.databaseValue ?? .null,
        ]
    }

    static func activity(_ b: [String: JSONValue]) -> [String: DatabaseValue]? {
        guard let type = b["type"]?.string, let title = b["title"]?.string, let date = b["date"]?.string, date.count >= 4 else { return nil }
        return [
            "type": type.databaseValue, "title": title.databaseValue, "date": date.databaseValue,
            "year": String(date.prefix(4)).databaseValue, "count": clamp(b["count"]?.int ?? 1).databaseValue,
            "grp": b["group"]?.string.databaseValue ?? .null, "place": b["place"]?.string.databaseValue ?? .null,
        ]
    }

    /// Money and counts within what sums of a million records cannot overflow.
    static func clamp(_ n: Int64) -> Int64 { min(max(n, 0), 1_000_000_000_000) }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }
}

/// One change to a counter. `d2` is the centre's region when `byRegion`
/// (known only where the row is applied: a profile in the same batch may
/// move the centre).
public struct Contribution: Sendable {
    let metric: String
    let d1: String
    let d2: String
    let byRegion: Bool
    let delta: Double

    init(metric: String, d1: String, d2: String, delta: Double) {
        (self.metric, self.d1, self.d2, self.byRegion, self.delta) = (metric, d1, d2, false, delta)
    }

    init(metric: String, d1: String, region delta: Double) {
        (self.metric, self.d1, self.d2, self.byRegion, self.delta) = (metric, d1, "", true, delta)
    }
}

/// What one view row adds to the counters (subtracted again when the row
/// is replaced, deleted, or its centre moves region).
enum Contributions {
    static func of(kind: String, row: [String: DatabaseValue]) -> [Contribution] {
        func s(_ k: String) -> String { row[k].flatMap { String.fromDatabaseValue($0) } ?? "" }
        func n(_ k: String) -> Double { row[k].flatMap { Double.fromDatabaseValue($0) } ?? 0 }
        let author = s("author")
        switch kind {
        case "product":
            var out = [Contribution(metric: "products", d1: s("category"), region: 1),
                       Contribution(metric: "products_centre", d1: author, d2: "", delta: 1)]
            if n("online") > 0 {
                out.append(Contribution(metric: "products_online", d1: s("category"), region: 1))
                out.append(Contribution(metric: "products_online_centre", d1: author, d2: "", delta: 1))
            }
            return out
        case "sale":
            let year = s("year")
            return [
                Contribution(metric: "sales", d1: year, d2: author, delta: 1),
                Contribution(metric: "sales_amount", d1: year, d2: author, delta: n("amount")),
                Contribution(metric: "sales_fee", d1: year, d2: author, delta: n("fee")),
            ]
        case "training":
            let year = s("year"), month = s("month")
            var out = [
                Contribution(metric: "trainings", d1: month, region: 1),
                Contribution(metric: "participants", d1: month, region: n("participants")),
                Contribution(metric: "participants_women", d1: month, region: n("women")),
                Contribution(metric: "trainings_topic", d1: s("topic"), d2: year, delta: 1),
                Contribution(metric: "trainings_centre", d1: year, d2: author, delta: 1),
                Contribution(metric: "participants_centre", d1: year, d2: author, delta: n("participants")),
            ]
            if let groups = try? JSONDecoder().decode([String: Int64].self, from: Data(s("groups").utf8)) {
                for (g, count) in groups {
                    out.append(Contribution(metric: "trained_group", d1: g, d2: year, delta: Double(count)))
                    out.append(Contribution(metric: "trained_group_region", d1: g, region: Double(count)))
                }
            }
            if let trainers = try? JSONDecoder().decode([String].self, from: Data(s("trainers").utf8)) {
                for t in Set(trainers) { out.append(Contribution(metric: "trainer", d1: year, d2: t + "\u{1E}" + author, delta: 1)) }
            }
            return out
        case "activity":
            let year = s("year")
            return [
                Contribution(metric: "activity", d1: s("type") + "|" + year, d2: author, delta: n("count")),
                Contribution(metric: "activity_total", d1: s("type"), d2: year, delta: n("count")),
            ]
        default:
            return []
        }
    }
}
