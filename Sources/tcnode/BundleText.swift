import Foundation
import NodeRuntime
import Replication

/// What the bundle commands say, in English or Bahasa Indonesia.
enum BundleText {
    /// "1,240 new entries from 3 authors, 12 photos; 0 rejected" /
    /// "1.240 entri baru dari 3 penulis, 12 foto; 0 ditolak".
    static func summary(_ r: BundleImportReport, language l: Language) -> String {
        l.t("\(l.count(r.entriesNew)) new entries from \(l.count(r.authorsNew)) authors, \(l.count(r.photosNew)) photos; \(l.count(r.rejectedTotal)) rejected",
            "\(l.count(r.entriesNew)) entri baru dari \(l.count(r.authorsNew)) penulis, \(l.count(r.photosNew)) foto; \(l.count(r.rejectedTotal)) ditolak")
    }

    static func who(_ node: String, name: String?) -> String {
        name.map { "\($0) (\(node.prefix(8)))" } ?? String(node.prefix(8))
    }

    static func imported(_ r: BundleImportReport, ack: String?, language l: Language) -> String {
        var lines: [String] = []
        let from = who(r.exporter, name: r.exporterName)
        if r.contents == BundleHeader.contentsHeads {
            lines.append(l.t("Heads of \(from), made \(TimeText.local(r.createdMs))", "Daftar head dari \(from), dibuat \(TimeText.local(r.createdMs))"))
            if r.headsRecorded {
                let exporter = NodeID(r.exporter)?.checked ?? r.exporter
                lines.append(l.t("Recorded what \(from) holds: the next `tcnode bundle export --for \(exporter)` leaves it out.",
                                 "Dicatat apa yang dimiliki \(from): `tcnode bundle export --for \(exporter)` berikutnya tidak membawanya lagi."))
            } else if r.headsStale {
                lines.append(l.t("Older than what was already recorded for \(from); nothing changed.",
                                 "Lebih lama dari yang sudah tercatat untuk \(from); tidak ada yang berubah."))
            } else if r.manifest == .verified {
                lines.append(l.t("Already recorded; nothing changed.", "Sudah tercatat; tidak ada yang berubah."))
            }
        } else {
            lines.append(summary(r, language: l))
            lines.append(l.t("Bundle from \(from), made \(TimeText.local(r.createdMs))", "Bundel dari \(from), dibuat \(TimeText.local(r.createdMs))"))
            if r.entriesHeld > 0 || r.photosHeld > 0 {
                lines.append(l.t("Already held here: \(l.count(r.entriesHeld)) entries, \(l.count(r.photosHeld)) photos",
                                 "Sudah ada di sini: \(l.count(r.entriesHeld)) entri, \(l.count(r.photosHeld)) foto"))
            }
        }
        for x in r.rejected {
            let what = x.isPhoto
                ? l.t("photo \(x.photo!.prefix(12))...", "foto \(x.photo!.prefix(12))...")
                : l.t("\(l.count(x.count)) entries", "\(l.count(x.count)) entri")
                    + (x.author.map { l.t(" of author \($0.prefix(8))", " dari penulis \($0.prefix(8))") } ?? "")
                    + (x.seq.map { l.t(" from seq \($0)", " mulai seq \($0)") } ?? "")
            lines.append(l.t("Rejected: ", "Ditolak: ") + what + ": " + reason(x, language: l))
        }
        for p in r.problems {
            lines.append(l.t("Problem: ", "Masalah: ") + problem(p, language: l))
        }
        if !r.complete || r.rejectedTotal > 0, r.contents == BundleHeader.contentsBundle {
            lines.append(l.t("Every entry that verified was kept. Ask for a new bundle if entries are missing.",
                             "Semua entri yang lolos pemeriksaan disimpan. Minta bundel baru bila ada entri yang kurang."))
        }
        if let ack {
            lines.append(l.t("Acknowledgement written to \(ack): carry it back and run `tcnode bundle import` on it at \(from).",
                             "Tanda terima ditulis ke \(ack): bawa kembali dan jalankan `tcnode bundle import` untuknya di \(from)."))
        }
        return lines.joined(separator: "\n")
    }

    static func exported(_ s: BundleExportSummary, language l: Language) -> String {
        if s.headsOnly {
            return l.t("Wrote \(s.path): the heads of \(l.count(s.heads)) authors this node holds (\(l.bytes(s.bytes))).",
                       "Menulis \(s.path): head \(l.count(s.heads)) penulis yang dimiliki node ini (\(l.bytes(s.bytes))).")
        }
        var line = l.t("Wrote \(s.path): \(l.count(s.entries)) entries from \(l.count(s.authors)) authors, \(l.count(s.photos)) photos (\(l.bytes(s.bytes)))",
                       "Menulis \(s.path): \(l.count(s.entries)) entri dari \(l.count(s.authors)) penulis, \(l.count(s.photos)) foto (\(l.bytes(s.bytes)))")
        if let d = s.destination { line += l.t(" for \(d.prefix(8))", " untuk \(d.prefix(8))") }
        line += "."
        if s.entries == 0 {
            line += l.t(" Nothing is missing at the destination as far as this node knows.", " Menurut node ini, tujuan tidak kekurangan apa pun.")
        }
        if s.missingPhotos > 0 {
            line += "\n" + l.t("\(l.count(s.missingPhotos)) photos the entries refer to are not held here and are not in the bundle.",
                               "\(l.count(s.missingPhotos)) foto yang dirujuk entri tidak ada di sini dan tidak ikut dalam bundel.")
        }
        line += "\n" + l.t("It holds this network's records (no keys or passwords): keep the stick safe.",
                           "Bundel berisi rekaman jaringan ini (tanpa kunci atau kata sandi): jaga stik dengan baik.")
        return line
    }

    static func shown(_ i: BundleInspection, language l: Language) -> String {
        var lines: [String] = []
        let from = who(i.exporter, name: i.header?.name)
        let kind = i.header?.isHeadsOnly == true ? l.t("Heads file", "Berkas head") : l.t("Bundle", "Bundel")
        lines.append("\(kind) \(i.path) (\(l.bytes(Int64(i.size))))")
        lines.append(l.t("Network   ", "Jaringan  ") + i.network)
        lines.append(l.t("Made by   ", "Dibuat    ") + from + (i.header.map { ", " + TimeText.local($0.created_ms) } ?? ""))
        if let f = i.header?.covers.for { lines.append(l.t("For       ", "Untuk     ") + f) }
        if let m = i.manifest {
            lines.append(l.t("Holds     ", "Isi       ") + l.t(
                "\(l.count(m.entries)) entries from \(l.count(m.ranges.count)) authors, \(l.count(m.photos)) photos, heads of \(l.count(m.heads)) authors",
                "\(l.count(m.entries)) entri dari \(l.count(m.ranges.count)) penulis, \(l.count(m.photos)) foto, head \(l.count(m.heads)) penulis"))
        } else {
            lines.append(l.t("Holds     ", "Isi       ") + l.t("\(l.count(i.entries)) entries could be read", "\(l.count(i.entries)) entri terbaca"))
        }
        lines.append(i.isWhole ? l.t("Whole: the signed manifest verifies and every section matches it.",
                                     "Utuh: manifes bertanda tangan cocok dan setiap bagian sesuai.")
            : l.t("NOT whole:", "TIDAK utuh:"))
        for p in i.problems { lines.append("  " + problem(p, language: l)) }
        return lines.joined(separator: "\n")
    }

    /// `tcnode status`: who was heard from by bundle, beside the network.
    static func statusLines(_ r: StatusReport, language l: Language) -> [String] {
        guard let bundles = r.bundles, !bundles.isEmpty else { return [] }
        var lines: [String] = []
        for (i, b) in bundles.prefix(5).enumerated() {
            let label = i == 0 ? l.t("Bundles   ", "Bundel    ") : "          "
            lines.append(label + l.t(
                "\(who(b.node, name: b.name)): by bundle \(l.ago(b.madeMs, now: r.nowMs)) (imported \(l.ago(b.importedMs, now: r.nowMs))), by network \(l.ago(b.lastNetworkMs, now: r.nowMs))",
                "\(who(b.node, name: b.name)): lewat bundel \(l.ago(b.madeMs, now: r.nowMs)) (diimpor \(l.ago(b.importedMs, now: r.nowMs))), lewat jaringan \(l.ago(b.lastNetworkMs, now: r.nowMs))"))
        }
        if bundles.count > 5 {
            lines.append("          " + l.t("and \(bundles.count - 5) more (tcnode status --json)", "dan \(bundles.count - 5) lainnya (tcnode status --json)"))
        }
        return lines
    }

    static func reason(_ x: BundleImportReport.Rejection, language l: Language) -> String {
        guard l == .id else { return x.message }
        switch x.reason {
        case "signature": return "tanda tangan tidak cocok (diubah atau rusak)"
        case "revoked": return "penulis telah dicabut; entrinya sejak saat itu ditolak"
        case "not-a-member": return "penulis bukan anggota jaringan di sini; setelah diterima, impor bundel ini lagi"
        case "forked-author": return "penulis menandatangani dua entri berbeda untuk satu seq (fork); tidak diterima sampai operator bertindak"
        case "fork": return "fork: entri lain untuk seq yang sama; dicatat sebagai bukti, log penulis dibekukan"
        case "gap": return "entri sebelumnya tidak ada di sini (ekspor lagi tanpa --since, atau dengan --for node ini)"
        case "photo-hash": return "isi foto tidak cocok dengan namanya (diubah atau rusak); tidak disimpan"
        case "photo-not-image": return "bukan foto JPEG atau PNG; tidak disimpan"
        case "photo-too-large": return "foto lebih besar dari batas node ini (blob_max_bytes)"
        case "photo-incomplete": return "foto tidak lengkap dalam bundel"
        case "photo-unreferenced": return "tidak ada entri di node ini yang merujuk foto ini; tidak disimpan"
        case "photo-storage": return "foto tidak bisa disimpan: \(x.message)"
        default: return "entri rusak (\(x.reason)): \(x.message)"
        }
    }

    static func problem(_ p: BundleProblem, language l: Language) -> String {
        guard l == .id else { return p.message }
        let section = p.section.map { " \($0 + 1)" } ?? ""
        switch p.code {
        case .damagedHeader: return "kepala bundel rusak atau diubah"
        case .manifestSignature: return "manifes tidak cocok dengan tanda tangannya: bundel diubah atau rusak setelah dibuat"
        case .manifestDamaged: return "akhir bundel tidak menunjuk ke manifes yang terbaca"
        case .truncated: return "bundel terpotong di byte \(p.offset ?? 0) (penyalinan terputus atau stik dicabut)"
        case .unreadable: return "bundel tidak terbaca mulai byte \(p.offset ?? 0)"
        case .sectionChecksum: return "bagian\(section) tidak cocok dengan checksum-nya (diubah atau rusak); yang masih lolos pemeriksaan disimpan"
        case .sectionDamaged: return "bagian\(section) rusak"
        case .countMismatch: return "jumlah entri tidak sesuai dengan manifes"
        }
    }

    static func error(_ error: any Error, language l: Language) -> String {
        guard l == .id, let e = error as? BundleFileError else { return ErrorText.plain(error, language: l) }
        switch e.code {
        case .otherNetwork: return "bundel ini dari jaringan lain; tidak ada yang diimpor (\(e.message))"
        case .notABundle: return "bukan bundel tcnode (\(e.message))"
        case .newerFormat: return "dibuat oleh tcnode yang lebih baru; perbarui tcnode (\(e.message))"
        case .damagedHeader: return "kepala bundel rusak dan tidak ada manifes yang terbaca; tidak ada yang diimpor, minta bundel lagi"
        default: return e.message
        }
    }
}

/// `--json` of export and heads (stable: fields are only ever added).
struct BundleSummaryJSON: Encodable {
    let path: String
    let bundle: String
    let heads_only: Bool
    let entries: Int
    let entry_bytes: Int64
    let authors: Int
    let photos: Int
    let photo_bytes: Int64
    let missing_photos: Int
    let heads: Int
    let bytes: Int64
    let destination: String?

    init(_ s: BundleExportSummary) {
        path = s.path
        bundle = s.bundle
        heads_only = s.headsOnly
        entries = s.entries
        entry_bytes = s.entryBytes
        authors = s.authors
        photos = s.photos
        photo_bytes = s.photoBytes
        missing_photos = s.missingPhotos
        heads = s.heads
        bytes = s.bytes
        destination = s.destination
    }

    /// What a bundle written by tcnoded holds, from its manifest.
    @available(*, noasync, message: "reads the file; run it with OffPool.run")
    static func summary(of path: String) throws -> BundleExportSummary {
        let i = try BundleInspection.inspect(path: path, checkSections: false)
        guard let m = i.manifest, let h = i.header else {
            throw BundleFileError(.unverified, "the bundle tcnoded wrote to \(path) does not verify; export again")
        }
        return BundleExportSummary(path: path, bundle: m.bundle, headsOnly: h.isHeadsOnly, entries: m.entries, entryBytes: m.entry_bytes,
                                   authors: m.ranges.count, photos: m.photos, photoBytes: m.photo_bytes, missingPhotos: m.missing_photos,
                                   heads: m.heads, bytes: Int64(i.size), destination: h.covers.for)
    }
}

/// `--json` of show.
struct BundleShowJSON: Encodable {
    let path: String
    let bytes: UInt64
    let network: String
    let exporter: String
    let header: BundleHeader?
    let manifest_state: String
    let whole: Bool
    let entries: Int
    let heads: Int
    let photos: Int?
    let problems: [BundleProblem]

    init(_ i: BundleInspection) {
        path = i.path
        bytes = i.size
        network = i.network
        exporter = i.exporter
        header = i.header
        manifest_state = i.manifestState.rawValue
        whole = i.isWhole
        entries = i.entries
        heads = i.heads
        photos = i.manifest?.photos
        problems = i.problems
    }
}

/// `--json` of import: the report, the acknowledgement written and the summary sentence.
func importJSON(_ report: BundleImportReport, ack: String?, ackError: String?) throws -> [String: Any] {
    var object = try JSONSerialization.jsonObject(with: try BundleImportReport.encoder.encode(report)) as? [String: Any] ?? [:]
    object["ack"] = ack
    object["ack_error"] = ackError
    object["entries_rejected"] = report.entriesRejected
    object["photos_rejected"] = report.photosRejected
    object["rejected_total"] = report.rejectedTotal
    return object
}
