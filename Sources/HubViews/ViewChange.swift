import Foundation
import GRDB
import Replication
import Telecenter

/// What one entry of the log does to the views, worked out from the entry
/// alone (its body parsed, its view row and counter contributions built),
/// so that this work runs on one core while a backend writes the previous
/// batch on the other. Backends (SQLite now, PostgreSQL later) only apply it.
/// Cells are GRDB's `DatabaseValue`: null, integer, real or text, which any
/// SQL backend can bind.
public struct ViewChange: Sendable {
    public let author: NodeID
    /// `author.description`, computed once.
    public let authorText: String
    public let seq: Int64
    public let kind: String
    public let key: String
    public let action: Action

    public enum Action: Sendable {
        /// A kind the views do not keep: only the author's seq counts.
        case none
        /// The centre's own profile (`node`/`profile`); nil when it was
        /// deleted or is not a JSON object.
        case profile(ProfileFields?)
        /// The record's new state in its table: nil when it was deleted or
        /// its body lacks what the view needs (the old row goes either way).
        case record(ViewRecord?)
    }

    /// The change `entry` makes. Pure: the same entry gives the same change.
    /// `wholeBody` parses every field of the body rather than only those
    /// the views read: slower, the same change (tests compare the two).
    public init(_ entry: Entry, wholeBody: Bool = false) {
        author = entry.author
        authorText = entry.author.description
        seq = Int64(clamping: entry.seq)
        kind = entry.kind
        key = entry.key
        guard Vocabulary.kinds.contains(entry.kind) else {
            action = .none
            return
        }
        let fields = wholeBody ? nil : RecordBody.fields[entry.kind]
        let body = entry.op == .put ? RecordBody.parse(entry.body, fields: fields) : nil
        if entry.kind == "node" {
            action = entry.key == "profile" ? .profile(body.map(ProfileFields.init)) : .none
            return
        }
        guard let body, var row = RowBuilder.row(kind: entry.kind, body: body, time: entry.time) else {
            action = .record(nil)
            return
        }
        row["author"] = authorText.databaseValue
        row["key"] = entry.key.databaseValue
        action = .record(ViewRecord(kind: entry.kind, row: row, photos: PhotoRef.all(in: body, kind: entry.kind)))
    }
}

/// A record's row in its view table, what it adds to the counters, and the
/// photos it references.
public struct ViewRecord: Sendable {
    public let row: [String: DatabaseValue]
    /// The row's columns in a fixed order (sorted), and its values in that order.
    public let columns: [String]
    public let values: [DatabaseValue]
    public let contributions: [Contribution]
    public let photos: [PhotoRef]

    init(kind: String, row: [String: DatabaseValue], photos: [PhotoRef]) {
        self.row = row
        columns = row.keys.sorted()
        values = columns.map { row[$0]! }
        contributions = Contributions.of(kind: kind, row: row)
        self.photos = photos
    }
}

/// A photo a record references, as `blob_ref` keeps it.
public struct PhotoRef: Sendable {
    public let sha256: String
    public let hash: Bytes32
    public let size: Int64
    public let type: String
    /// The reference's `pieces` (PROTOCOL.md §11.7), when well formed.
    public let pieces: String?
    /// The centre a survey is about (monitoring only).
    public let subject: String?

    /// The well-formed references of a body: only the one spelling of a hash
    /// (lowercase hex) and a sane size.
    static func all(in body: [String: JSONValue], kind: String) -> [PhotoRef] {
        guard let photos = body["photos"]?.array else { return [] }
        let subject = kind == "monitoring" ? body["subject"]?.string : nil
        return photos.compactMap { photo in
            guard let o = photo.object, let sha = o["sha256"]?.string, sha.count == 64, sha == sha.lowercased(),
                  let size = o["size"]?.int, size > 0, size <= 1_000_000_000, let hash = Bytes32(hex: sha)
            else { return nil }
            let pieces = o["pieces"]?.string.flatMap { $0.count == 64 && $0 == $0.lowercased() ? $0 : nil }
            return PhotoRef(sha256: sha, hash: hash, size: size, type: o["type"]?.string ?? "", pieces: pieces, subject: subject)
        }
    }
}

/// A centre's profile as the `centre` table's columns.
public struct ProfileFields: Sendable {
    /// name, type, provinsi, kabupaten, kecamatan, desa, address, lat, lon,
    /// phone, email, opening_hours, services, expertise: `columns`' order.
    public let values: [DatabaseValue]
    public static let columns = ["name", "type", "provinsi", "kabupaten", "kecamatan", "desa", "address", "lat", "lon", "phone", "email",
                                 "opening_hours", "services", "expertise"]

    init(_ body: [String: JSONValue]) {
        let region = body["region"]?.object
        let location = body["location"]?.object
        let contact = body["contact"]?.object
        func list(_ v: JSONValue?) -> String? { v?.array.map { RowBuilder.json($0.compactMap(\.string)) } }
        values = [
            body["name"]?.string.databaseValue ?? .null, body["type"]?.string.databaseValue ?? .null,
            region?["provinsi"]?.string.databaseValue ?? .null, region?["kabupaten"]?.string.databaseValue ?? .null,
            region?["kecamatan"]?.string.databaseValue ?? .null, region?["desa"]?.string.databaseValue ?? .null,
            body["address"]?.string.databaseValue ?? .null, location?["lat"]?.number.databaseValue ?? .null,
            location?["lon"]?.number.databaseValue ?? .null, contact?["phone"]?.string.databaseValue ?? .null,
            contact?["email"]?.string.databaseValue ?? .null, body["opening_hours"]?.string.databaseValue ?? .null,
            list(body["services"]).databaseValue, list(body["expertise"]).databaseValue,
        ]
    }

    /// A profile that was deleted: every column empty.
    static let none = [DatabaseValue](repeating: .null, count: columns.count)
}

/// Record bodies parsed to `JSONValue`, as `JSONValue.parse` does, but
/// faster: parsing bodies was most of the views' catch-up time.
///
/// 1. Only the fields the views read (`fields`), each tried first as the
///    type it should have. `JSONValue`'s own decoding tries null, bool,
///    integer, double, string, array, object in turn, and each miss throws
///    a `DecodingError` whose message is built and dropped.
/// 2. Otherwise the likeliest type first. `JSONDecoder` converts no token
///    to another type (no string to number, no number to bool), so exactly
///    one type decodes a token, except a number, which becomes an integer
///    when it is one: the order of the tries changes only their cost.
///
/// The one difference from parsing the whole body: a field the views do
/// not read that `JSONDecoder` cannot represent (a number beyond a Double,
/// 1e999) no longer leaves the whole record out of the views.
enum RecordBody {
    /// How a field should look.
    enum Expect: Sendable {
        case string, number, bool, strings, any
    }

    /// The fields `RowBuilder` and `PhotoRef` read, per kind (photos of
    /// every kind: any record's photos are fetched). A field
    /// missing here reads as absent: `ViewsCatchUpTests` compares every
    /// kind's rows with a whole-body parse.
    static let fields: [String: [(String, Expect)]] = [
        "product": [("name", .string), ("category", .string), ("description", .string), ("price_idr", .number), ("unit", .string),
                    ("producer", .any), ("online_links", .strings), ("available", .bool), ("photos", .any)],
        "sale": [("product", .string), ("date", .string), ("amount_idr", .number), ("quantity", .number), ("fee_idr", .number),
                 ("channel", .string), ("photos", .any)],
        "training": [("title", .string), ("topic", .string), ("start", .string), ("end", .string), ("place", .string),
                     ("participants", .any), ("participants_by_group", .any), ("target_groups", .strings), ("trainers", .strings),
                     ("photos", .any)],
        "monitoring": [("subject", .string), ("date", .string), ("classification", .string), ("scores", .any), ("period", .string),
                       ("assessor", .string), ("notes", .string), ("location", .any), ("photos", .any)],
        "activity": [("type", .string), ("title", .string), ("date", .string), ("count", .number), ("group", .string), ("place", .string),
                     ("photos", .any)],
    ]

    /// The body's fields (those listed, or all), nil when it is not a JSON
    /// object `JSONDecoder` can read.
    static func parse<C: Collection>(_ bytes: C, fields: [(String, Expect)]? = nil) -> [String: JSONValue]? where C.Element == UInt8 {
        let decoder = JSONDecoder()
        guard let fields else { return (try? decoder.decode([String: Value].self, from: Data(bytes)))?.mapValues(\.json) }
        decoder.userInfo[Picked.wanted] = fields
        return (try? decoder.decode(Picked.self, from: Data(bytes)))?.fields
    }

    struct Picked: Decodable {
        static let wanted = CodingUserInfoKey(rawValue: "tcnode.views.fields")!
        var fields: [String: JSONValue] = [:]

        struct Key: CodingKey {
            let stringValue: String
            init(_ name: String) { stringValue = name }
            init?(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let wanted = decoder.userInfo[Self.wanted] as? [(String, Expect)] ?? []
            let c = try decoder.container(keyedBy: Key.self)
            for (name, expect) in wanted {
                let key = Key(name)
                guard c.contains(key) else { continue }
                fields[name] = try Self.value(c, key, expect)
            }
        }

        static func value(_ c: KeyedDecodingContainer<Key>, _ key: Key, _ expect: Expect) throws -> JSONValue {
            if try c.decodeNil(forKey: key) { return .null }
            switch expect {
            case .string: if let s = try? c.decode(String.self, forKey: key) { return .string(s) }
            case .number: if let i = try? c.decode(Int64.self, forKey: key) { return .int(i) }
            case .bool: if let b = try? c.decode(Bool.self, forKey: key) { return .bool(b) }
            case .strings: if let list = try? c.decode([String].self, forKey: key) { return .array(list.map { .string($0) }) }
            case .any: break
            }
            return try c.decode(Value.self, forKey: key).json
        }
    }

    struct Value: Decodable {
        let json: JSONValue

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                json = .null
            } else if let s = try? c.decode(String.self) {
                json = .string(s)
            } else if let i = try? c.decode(Int64.self) {
                json = .int(i)
            } else if let d = try? c.decode(Double.self) {
                json = .double(d)
            } else if let b = try? c.decode(Bool.self) {
                json = .bool(b)
            } else if let o = try? c.decode([String: Value].self) {
                json = .object(o.mapValues(\.json))
            } else {
                json = .array(try c.decode([Value].self).map(\.json))
            }
        }
    }
}
