import CSV
import Foundation

/// CSV of the views (RFC 4180 quoting by CSV.swift), UTF-8 with a byte
/// order mark and CRLF line ends: what Excel needs to read Indonesian text
/// correctly and LibreOffice opens without asking.
public enum CSVExport {
    public static func document(header: [String], rows: [[String]]) -> [UInt8] {
        let stream = OutputStream(toMemory: ())
        stream.open()
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        _ = bom.withUnsafeBufferPointer { stream.write($0.baseAddress!, maxLength: 3) }
        // The writer cannot fail on a memory stream that is open.
        let writer = try! CSVWriter(stream: stream, newline: .crlf)
        try! writer.write(row: header.map(inert))
        for row in rows { try! writer.write(row: row.map(inert)) }
        let crlf: [UInt8] = [13, 10]
        _ = crlf.withUnsafeBufferPointer { stream.write($0.baseAddress!, maxLength: 2) }
        stream.close()
        let data = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
        return [UInt8](data)
    }

    /// A cell a spreadsheet shows as text, never runs as a formula: text
    /// from the records (any centre writes it) that starts with `=`, `+`,
    /// `-`, `@`, a tab or a carriage return gets a leading `'`. Numbers
    /// ("-7.25", "150000") stay numbers.
    static func inert(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), !isNumber(cell) else { return cell }
        return "'" + cell
    }

    /// Digits with an optional leading minus and decimal part, as `n` and `d` write them.
    static func isNumber(_ cell: String) -> Bool {
        var digits = Substring(cell)
        if digits.hasPrefix("-") { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.allSatisfy { !$0.isEmpty && $0.unicodeScalars.allSatisfy { (48...57).contains($0.value) } }
    }

    static func n(_ v: Int64?) -> String { v.map(String.init) ?? "" }
    static func d(_ v: Double?) -> String { v.map { $0 == $0.rounded() ? String(Int64($0)) : String(format: "%.2f", $0) } ?? "" }
    /// ISO 8601 in UTC, "2026-11-25T12:18:00Z".
    static func time(_ ms: Int64?) -> String { ms.map(HTML.isoDateTime) ?? "" }

    public static func centres(_ rows: [CentreRow]) -> [UInt8] {
        document(
            header: ["node", "name", "type", "role", "region", "provinsi", "kabupaten", "kecamatan", "desa", "address", "lat", "lon",
                     "last_heard", "entries", "entries_behind", "products", "products_online", "sales_idr", "fees_idr", "trainings",
                     "latest_classification", "latest_survey_date"],
            rows: rows.map { r in
                [r.node, r.name, r.type ?? "", r.role ?? "", r.region, r.provinsi ?? "", r.kabupaten ?? "", r.kecamatan ?? "",
                 r.desa ?? "", r.address ?? "", d(r.lat), d(r.lon), time(r.lastHeardMs), String(r.entries), String(r.entriesBehind),
                 String(r.products), String(r.productsOnline), String(r.salesIdr), String(r.feesIdr), String(r.trainings),
                 r.latestClassification ?? "", r.latestSurveyDate ?? ""]
            })
    }

    public static func products(_ rows: [ProductRow]) -> [UInt8] {
        document(
            header: ["author", "centre", "region", "key", "name", "category", "price_idr", "unit", "producer", "available", "online",
                     "online_links", "photo_sha256"],
            rows: rows.map { r in
                [r.author, r.centre, r.region, r.key, r.name, r.category, n(r.priceIdr), r.unit ?? "", r.producer ?? "",
                 r.available ? "true" : "false", r.online ? "true" : "false", r.links.joined(separator: " "), r.photo ?? ""]
            })
    }

    public static func sales(_ rows: [SaleRow]) -> [UInt8] {
        document(
            header: ["author", "centre", "region", "key", "product", "date", "quantity", "amount_idr", "fee_idr", "channel"],
            rows: rows.map { r in
                [r.author, r.centre, r.region, r.key, r.product, r.date, String(r.quantity), String(r.amountIdr), String(r.feeIdr), r.channel]
            })
    }

    public static func trainings(_ rows: [TrainingRow]) -> [UInt8] {
        document(
            header: ["author", "centre", "region", "key", "title", "topic", "start", "place", "trainers", "women", "men", "participants"]
                + Vocabulary.targetGroups.map { "group_\($0)" },
            rows: rows.map { r in
                [r.author, r.centre, r.region, r.key, r.title, r.topic, r.start, r.place ?? "", r.trainers.joined(separator: "; "),
                 String(r.women), String(r.men), String(r.participants)]
                    + Vocabulary.targetGroups.map { n(r.targetGroups[$0]) }
            })
    }

    public static func monitoring(_ rows: [MonitoringRow]) -> [UInt8] {
        document(
            header: ["surveyed_by", "key", "subject", "subject_name", "region", "date", "period", "assessor", "classification", "score",
                     "notes", "photo_sha256"],
            rows: rows.map { r in
                [r.author, r.key, r.subject, r.subjectName, r.region, r.date, r.period, r.assessor, r.classification,
                 String(format: "%.2f", r.score), r.notes ?? "", r.photo ?? ""]
            })
    }

    public static func activities(_ rows: [ActivityRow]) -> [UInt8] {
        document(
            header: ["author", "centre", "region", "key", "type", "title", "date", "count", "group"],
            rows: rows.map { r in [r.author, r.centre, r.region, r.key, r.type, r.title, r.date, String(r.count), r.group ?? ""] })
    }

    public static func awards(_ a: Awards) -> [UInt8] {
        var rows: [[String]] = []
        for (category, list) in [("trainers", a.trainers), ("trainings", a.trainings), ("content", a.content), ("ict_deployments", a.ictDeployments)] {
            for (i, r) in list.enumerated() { rows.append([a.year, category, String(i + 1), r.name, r.centre ?? "", r.node ?? "", d(r.value)]) }
        }
        return document(header: ["year", "category", "rank", "name", "centre", "node", "value"], rows: rows)
    }
}

/// Reads CSV files centres keep (e.g. their product spreadsheet).
public enum CSVImport {
    public struct Sheet {
        public let header: [String]
        /// Each row with the 1-based line of the file it starts on.
        public let rows: [(line: Int, fields: [String: String])]
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func read(_ text: String) throws -> Sheet {
        var body = text
        if body.hasPrefix("\u{FEFF}") { body.removeFirst() }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: body, hasHeaderRow: true, trimFields: true)
        } catch {
            throw Failure(description: "not a CSV file: \(error)")
        }
        guard let headerRow = reader.headerRow else { throw Failure(description: "the file has no header row") }
        let header = headerRow.map { $0.lowercased() }
        var rows: [(Int, [String: String])] = []
        // The physical line each record starts on: a quoted field may hold
        // line breaks, so records and lines differ.
        var line = 1 + lines(in: headerRow)
        while let fields = reader.next() {
            defer { line += lines(in: fields) }
            if fields.allSatisfy({ $0.isEmpty }) { continue }
            var row: [String: String] = [:]
            for (i, name) in header.enumerated() where i < fields.count { row[name] = fields[i] }
            rows.append((line, row))
        }
        if let error = reader.error { throw Failure(description: "line \(line): \(error)") }
        return Sheet(header: header, rows: rows)
    }

    /// A rupiah amount as people write it in a spreadsheet: digits, or
    /// digits with dots between groups of three ("15.000", "1.250.000").
    /// Anything else ("15.5", "15,000", "Rp 15.000", "15rb") is nil.
    public static func rupiah(_ text: String) -> Int? {
        let groups = text.split(separator: ".", omittingEmptySubsequences: false)
        let digitsOnly = groups.allSatisfy { group in !group.isEmpty && group.utf8.allSatisfy { (48...57).contains($0) } }
        guard digitsOnly, groups.count == 1 || (groups[0].count <= 3 && groups.dropFirst().allSatisfy { $0.count == 3 }) else {
            return nil
        }
        return Int(groups.joined())
    }

    /// What `rupiah` accepts, for error messages.
    public static let rupiahFormat = "a whole number, like 15000 or 15.000"

    /// How many lines a record spans: one, plus the line breaks (CRLF, LF or
    /// CR) inside its quoted fields.
    static func lines(in fields: [String]) -> Int {
        var count = 1
        for field in fields {
            var afterCR = false
            for scalar in field.unicodeScalars {
                if scalar == "\n" {
                    if !afterCR { count += 1 }
                } else if scalar == "\r" {
                    count += 1
                }
                afterCR = scalar == "\r"
            }
        }
        return count
    }
}
