import CSV
import Foundation
import Telecenter

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
        try! writer.write(row: header.map(SpreadsheetCell.inert))
        for row in rows { try! writer.write(row: row.map(SpreadsheetCell.inert)) }
        let crlf: [UInt8] = [13, 10]
        _ = crlf.withUnsafeBufferPointer { stream.write($0.baseAddress!, maxLength: 2) }
        stream.close()
        let data = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
        return [UInt8](data)
    }

    static func n(_ v: Int64?) -> String { v.map(String.init) ?? "" }
    static func d(_ v: Double?) -> String { v.map { $0 == $0.rounded() ? String(Int64($0)) : String(format: "%.2f", $0) } ?? "" }
    /// A latitude or longitude as given (up to 7 decimals, about a centimetre): 2 would move a place by a kilometre.
    static func coordinate(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "" }
        var text = String(format: "%.7f", v)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }
    /// ISO 8601 in UTC, "2026-11-25T12:18:00Z".
    static func time(_ ms: Int64?) -> String { ms.map(ISOTime.string) ?? "" }

    public static func centres(_ rows: [CentreRow]) -> [UInt8] {
        document(
            header: ["node", "name", "type", "role", "region", "provinsi", "kabupaten", "kecamatan", "desa", "address", "lat", "lon",
                     "last_heard", "entries", "entries_behind", "products", "products_online", "sales_idr", "fees_idr", "trainings",
                     "latest_classification", "latest_survey_date", "phone", "email", "opening_hours", "services", "expertise"],
            rows: rows.map { r in
                [r.node, r.name, r.type ?? "", r.role ?? "", r.region, r.provinsi ?? "", r.kabupaten ?? "", r.kecamatan ?? "",
                 r.desa ?? "", r.address ?? "", coordinate(r.lat), coordinate(r.lon), time(r.lastHeardMs), String(r.entries),
                 String(r.entriesBehind), String(r.products), String(r.productsOnline), String(r.salesIdr), String(r.feesIdr),
                 String(r.trainings), r.latestClassification ?? "", r.latestSurveyDate ?? "", r.phone ?? "", r.email ?? "",
                 r.openingHours ?? "", r.services.joined(separator: "; "), r.expertise.joined(separator: "; ")]
            })
    }

    public static func products(_ rows: [ProductRow]) -> [UInt8] {
        document(
            header: ["author", "centre", "region", "key", "name", "category", "price_idr", "unit", "producer", "available", "online",
                     "online_links", "photo_sha256", "description", "producer_contact", "photos_sha256"],
            rows: rows.map { r in
                [r.author, r.centre, r.region, r.key, r.name, r.category, n(r.priceIdr), r.unit ?? "", r.producer ?? "",
                 r.available ? "true" : "false", r.online ? "true" : "false", r.links.joined(separator: " "), r.photo ?? "",
                 r.description ?? "", r.producerContact ?? "", r.photos.joined(separator: " ")]
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
                + Vocabulary.targetGroups.map { "group_\($0)" } + ["end", "photos_sha256"],
            rows: rows.map { r in
                [r.author, r.centre, r.region, r.key, r.title, r.topic, r.start, r.place ?? "", r.trainers.joined(separator: "; "),
                 String(r.women), String(r.men), String(r.participants)]
                    + Vocabulary.targetGroups.map { n(r.targetGroups[$0]) } + [r.end ?? "", r.photos.joined(separator: " ")]
            })
    }

    public static func monitoring(_ rows: [MonitoringRow]) -> [UInt8] {
        document(
            header: ["surveyed_by", "key", "subject", "subject_name", "region", "date", "period", "assessor", "classification", "score",
                     "notes", "photo_sha256"] + Vocabulary.scoreCriteria.map { "score_\($0)" } + ["lat", "lon", "photos_sha256"],
            rows: rows.map { r in
                [r.author, r.key, r.subject, r.subjectName, r.region, r.date, r.period, r.assessor, r.classification,
                 String(format: "%.2f", r.score), r.notes ?? "", r.photo ?? ""]
                    + Vocabulary.scoreCriteria.map { d(r.scores[$0]) } + [coordinate(r.lat), coordinate(r.lon), r.photos.joined(separator: " ")]
            })
    }

    public static func activities(_ rows: [ActivityRow]) -> [UInt8] {
        document(
            header: ["author", "centre", "region", "key", "type", "title", "date", "count", "group", "place"],
            rows: rows.map { r in [r.author, r.centre, r.region, r.key, r.type, r.title, r.date, String(r.count), r.group ?? "", r.place ?? ""] })
    }

    public static func awards(_ a: Awards) -> [UInt8] {
        var rows: [[String]] = []
        for (category, list) in [("trainers", a.trainers), ("trainings", a.trainings), ("content", a.content), ("ict_deployments", a.ictDeployments)] {
            for (i, r) in list.enumerated() { rows.append([a.year, category, String(i + 1), r.name, r.centre ?? "", r.node ?? "", d(r.value)]) }
        }
        return document(header: ["year", "category", "rank", "name", "centre", "node", "value"], rows: rows)
    }
}
