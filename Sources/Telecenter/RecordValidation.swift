import Foundation
import Replication

/// Checks record bodies of the known kinds when they are authored, so that
/// a centre cannot publish a record the views cannot show. Unknown kinds
/// are not checked here (they replicate untouched); views ignore fields
/// they do not know.
public enum RecordValidation {
    /// Throws the first problem found, naming the field and what is allowed.
    /// `latestDate` (YYYY-MM-DD), when given, is the latest day a record may
    /// say something happened on: what a centre records has happened.
    public static func validate(kind: String, key: String, body: [UInt8], latestDate: String? = nil) throws(RecordError) {
        guard Vocabulary.kinds.contains(kind) else { return }
        guard let value = JSONValue.parse(body), let object = value.object else {
            throw RecordError(kind: kind, field: "", problem: .notJSONObject)
        }
        var c = Checker(kind: kind, object: object, latestDate: latestDate)
        switch kind {
        case "node": try c.node()
        case "product": try c.product()
        case "sale": try c.sale()
        case "training": try c.training()
        case "monitoring": try c.monitoring()
        case "activity": try c.activity()
        default: break
        }
    }

    /// Days a clock may be ahead of the real date: records dated up to
    /// tomorrow pass, so that a PC whose clock or time zone is a day off
    /// can still record today's sale.
    public static let clockSkewDays = 1

    /// The latest date a record authored at `nowMs` may carry: today (UTC)
    /// plus `clockSkewDays`.
    public static func latestDate(nowMs: Int64) -> String {
        let day = nowMs / 86_400_000 + Int64(clockSkewDays)
        let (y, m, d) = CivilDate.civil(days: day)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(y)-\(two(m))-\(two(d))"
    }

    /// Exactly YYYY-MM-DD, a real calendar day.
    static func isDate(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-") else { return false }
        for i in [0, 1, 2, 3, 5, 6, 8, 9] where !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(u[i]) { return false }
        let n = { (a: Int, b: Int) in Int(String(decoding: u[a..<b], as: UTF8.self))! }
        let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10))
        guard (1900...2200).contains(y), (1...12).contains(m), d >= 1 else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return d <= days
    }
}

struct Checker {
    let kind: String
    let object: [String: JSONValue]
    var latestDate: String? = nil

    func fail(_ field: String, _ problem: RecordError.Problem, _ value: JSONValue? = nil) -> RecordError {
        RecordError(kind: kind, field: field, problem: problem, value: value.map(describe))
    }

    func describe(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): s
        case .int(let i): "\(i)"
        case .double(let d): "\(d)"
        case .bool(let b): "\(b)"
        case .null: "null"
        case .array: "[...]"
        case .object: "{...}"
        }
    }

    func string(_ field: String, in obj: [String: JSONValue]? = nil, required: Bool = true, max: Int = 500,
                path: String? = nil) throws(RecordError) -> String? {
        let name = path ?? field
        guard let v = (obj ?? object)[field], v != .null else {
            if required { throw fail(name, .missing) }
            return nil
        }
        guard let s = v.string else { throw fail(name, .wrongType(expected: "a string"), v) }
        if required && s.trimmingCharacters(in: .whitespaces).isEmpty { throw fail(name, .missing) }
        guard s.count <= max else { throw fail(name, .tooLong(max)) }
        return s
    }

    func oneOf(_ field: String, _ allowed: [String], in obj: [String: JSONValue]? = nil, required: Bool = true,
               path: String? = nil) throws(RecordError) -> String? {
        guard let s = try string(field, in: obj, required: required, path: path) else { return nil }
        guard allowed.contains(s) else { throw fail(path ?? field, .notOneOf(allowed), .string(s)) }
        return s
    }

    func integer(_ field: String, in obj: [String: JSONValue]? = nil, required: Bool = true, min: Int64 = 0,
                 max: Int64 = .max, path: String? = nil) throws(RecordError) -> Int64? {
        let name = path ?? field
        guard let v = (obj ?? object)[field], v != .null else {
            if required { throw fail(name, .missing) }
            return nil
        }
        guard let i = v.int else { throw fail(name, .wrongType(expected: "a whole number"), v) }
        guard i >= min else { throw fail(name, .outOfRange(min == 0 ? "0 or more" : min == 1 ? "1 or more" : "\(min) or more"), v) }
        guard i <= max else { throw fail(name, .outOfRange("\(min) to \(max)"), v) }
        return i
    }

    func bool(_ field: String) throws(RecordError) {
        guard let v = object[field], v != .null else { return }
        guard v.bool != nil else { throw fail(field, .wrongType(expected: "true or false"), v) }
    }

    func date(_ field: String, required: Bool = true) throws(RecordError) -> String? {
        guard let s = try string(field, required: required, max: 10) else { return nil }
        guard RecordValidation.isDate(s) else { throw fail(field, .badFormat("a date YYYY-MM-DD"), .string(s)) }
        // ISO dates compare as text.
        if let latestDate, s > latestDate { throw fail(field, .inFuture(latest: latestDate), .string(s)) }
        return s
    }

    func strings(_ field: String, allowed: [String]? = nil, required: Bool = false) throws(RecordError) -> [String] {
        guard let v = object[field], v != .null else {
            if required { throw fail(field, .missing) }
            return []
        }
        guard let a = v.array else { throw fail(field, .wrongType(expected: "a list of strings"), v) }
        var out: [String] = []
        for (i, item) in a.enumerated() {
            guard let s = item.string else { throw fail("\(field)[\(i)]", .wrongType(expected: "a string"), item) }
            if let allowed, !allowed.contains(s) { throw fail("\(field)[\(i)]", .notOneOf(allowed), item) }
            out.append(s)
        }
        if required && out.isEmpty { throw fail(field, .missing) }
        return out
    }

    func location(_ field: String) throws(RecordError) {
        guard let v = object[field], v != .null else { return }
        guard let o = v.object else { throw fail(field, .wrongType(expected: "an object"), v) }
        for (name, limit) in [("lat", 90.0), ("lon", 180.0)] {
            guard let n = o[name]?.number else { throw fail("\(field).\(name)", .wrongType(expected: "a number"), o[name]) }
            guard abs(n) <= limit else { throw fail("\(field).\(name)", .outOfRange(name == "lat" ? "-90 to 90" : "-180 to 180"), o[name]) }
        }
    }

    func photos(required: Bool) throws(RecordError) {
        guard let v = object["photos"], v != .null else {
            if required { throw fail("photos", .outOfRange("at least one photo")) }
            return
        }
        guard let a = v.array else { throw fail("photos", .wrongType(expected: "a list"), v) }
        if required && a.isEmpty { throw fail("photos", .outOfRange("at least one photo")) }
        for (i, item) in a.enumerated() {
            guard let o = item.object else { throw fail("photos[\(i)]", .wrongType(expected: "an object"), item) }
            guard let sha = o["sha256"]?.string else { throw fail("photos[\(i)].sha256", .missing) }
            guard sha.count == 64, sha == sha.lowercased(), Hex.decode(sha) != nil else {
                throw fail("photos[\(i)].sha256", .badFormat("64 lowercase hex characters"), .string(sha))
            }
            _ = try integer("size", in: o, min: 1, max: 1_000_000_000, path: "photos[\(i)].size")
            _ = try oneOf("type", Vocabulary.photoTypes, in: o, path: "photos[\(i)].type")
            if let pieces = o["pieces"], pieces != .null {
                guard let p = pieces.string, p.count == 64, p == p.lowercased(), Hex.decode(p) != nil else {
                    throw fail("photos[\(i)].pieces", .badFormat("64 lowercase hex characters"), pieces)
                }
            }
        }
    }

    mutating func node() throws(RecordError) {
        _ = try string("name", max: 200)
        _ = try oneOf("type", Vocabulary.centreTypes)
        guard let region = object["region"], region != .null else { throw fail("region", .missing) }
        guard let r = region.object else { throw fail("region", .wrongType(expected: "an object"), region) }
        _ = try string("provinsi", in: r, path: "region.provinsi")
        _ = try string("kabupaten", in: r, path: "region.kabupaten")
        _ = try string("kecamatan", in: r, required: false, path: "region.kecamatan")
        _ = try string("desa", in: r, required: false, path: "region.desa")
        _ = try string("address", required: false)
        try location("location")
        if let contact = object["contact"], contact != .null, contact.object == nil {
            throw fail("contact", .wrongType(expected: "an object"), contact)
        }
        _ = try string("opening_hours", required: false)
        _ = try strings("services")
        _ = try strings("expertise")
    }

    mutating func product() throws(RecordError) {
        _ = try string("name", max: 200)
        _ = try oneOf("category", Vocabulary.productCategories)
        _ = try string("description", required: false, max: 5000)
        _ = try integer("price_idr", required: false)
        _ = try string("unit", required: false, max: 100)
        if let producer = object["producer"], producer != .null {
            if let o = producer.object {
                _ = try string("name", in: o, path: "producer.name")
            } else if producer.string == nil {
                throw fail("producer", .wrongType(expected: "a string"), producer)
            }
        }
        try photos(required: false)
        try bool("available")
        for link in try strings("online_links") where !(link.hasPrefix("https://") || link.hasPrefix("http://")) {
            throw fail("online_links", .badFormat("an http(s) link"), .string(link))
        }
    }

    mutating func sale() throws(RecordError) {
        _ = try string("product", max: 512)
        _ = try date("date")
        _ = try integer("quantity", required: false, max: 1_000_000_000)
        let amount = try integer("amount_idr", max: 1_000_000_000_000)!
        // The fee is the centre's part of the amount.
        if let fee = try integer("fee_idr", required: false, max: 1_000_000_000_000), fee > amount {
            throw fail("fee_idr", .feeOverAmount(amount: amount), .int(fee))
        }
        _ = try oneOf("channel", Vocabulary.saleChannels, required: false)
    }

    mutating func training() throws(RecordError) {
        _ = try string("title", max: 300)
        _ = try oneOf("topic", Vocabulary.trainingTopics)
        let start = try date("start")!
        if let end = try date("end", required: false), end < start { throw fail("end", .outOfRange("on or after start"), .string(end)) }
        _ = try string("place", required: false)
        _ = try strings("trainers")
        guard let p = object["participants"], p != .null else { throw fail("participants", .missing) }
        guard let counts = p.object else { throw fail("participants", .wrongType(expected: "an object"), p) }
        var total: Int64 = 0
        for field in ["perempuan", "laki_laki"] {
            total += try integer(field, in: counts, required: false, max: 1_000_000, path: "participants.\(field)") ?? 0
        }
        guard total > 0 else { throw fail("participants", .outOfRange("more than 0")) }
        _ = try strings("target_groups", allowed: Vocabulary.targetGroups, required: true)
        if let byGroup = object["participants_by_group"], byGroup != .null {
            guard let o = byGroup.object else { throw fail("participants_by_group", .wrongType(expected: "an object"), byGroup) }
            for (group, _) in o {
                guard Vocabulary.targetGroups.contains(group) else {
                    throw fail("participants_by_group", .notOneOf(Vocabulary.targetGroups), .string(group))
                }
                _ = try integer(group, in: o, path: "participants_by_group.\(group)")
            }
        }
        try photos(required: false)
    }

    mutating func monitoring() throws(RecordError) {
        guard let subject = try string("subject", max: 52), NodeID(subject) != nil else {
            throw fail("subject", .badFormat("a node id (52 characters)"), object["subject"])
        }
        _ = try date("date")
        _ = try string("period", max: 20)
        _ = try string("assessor", max: 200)
        guard let s = object["scores"], s != .null else { throw fail("scores", .missing) }
        guard let scores = s.object else { throw fail("scores", .wrongType(expected: "an object"), s) }
        for criterion in Vocabulary.scoreCriteria {
            _ = try integer(criterion, in: scores, min: 1, max: 5, path: "scores.\(criterion)")
        }
        _ = try oneOf("classification", Vocabulary.classifications)
        _ = try string("notes", required: false, max: 5000)
        try location("location")
        try photos(required: true)
    }

    mutating func activity() throws(RecordError) {
        _ = try oneOf("type", Vocabulary.activityTypes)
        _ = try string("title", max: 300)
        _ = try date("date")
        _ = try integer("count", required: false, min: 1)
        _ = try oneOf("group", Vocabulary.targetGroups, required: false)
        _ = try string("place", required: false)
    }
}
