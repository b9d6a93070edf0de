import ArgumentParser
import Foundation
import NodeRuntime
import Replication
import Synchronization

struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: tr("Carry records and photos on a stick to another node of the network, and back (offline sync).",
                     "Membawa rekaman dan foto dengan stik ke node lain di jaringan, dan kembali (sinkron luring)."),
        discussion: tr("""
            A bundle holds signed entries and the photos they refer to; the node that imports it verifies every entry as
            network sync does. It holds no keys or passwords, but it does hold the centre's records: keep the stick safe.

            Round trip (docs/OPERATIONS.md, "Carrying data by stick"):
              centre:  tcnode bundle export /media/usb/centre.tcb --for HUB_ID
              hub:     tcnode bundle import /media/usb/centre.tcb            (writes centre.ack.tcb beside it)
              hub:     tcnode bundle export /media/usb/hub.tcb --for CENTRE_ID
              centre:  tcnode bundle import /media/usb/hub.tcb
                       tcnode bundle import /media/usb/centre.ack.tcb

            Exit codes: 0 done (import: the whole bundle was read and nothing was refused), 1 failure, or an import that
            refused something or found the bundle damaged (every entry that verified was kept; the report says what was
            not and why), 2 usage error, 78 the config file or data directory is wrong.
            """, """
            Bundel berisi entri bertanda tangan dan foto yang dirujuknya; node yang mengimpornya memeriksa setiap entri
            seperti sinkron jaringan. Bundel tidak berisi kunci atau kata sandi, tetapi berisi rekaman pusat: jaga stiknya.

            Pulang-pergi (docs/OPERATIONS.md, "Carrying data by stick"):
              pusat:   tcnode bundle export /media/usb/pusat.tcb --for ID_HUB
              hub:     tcnode bundle import /media/usb/pusat.tcb             (menulis pusat.ack.tcb di sebelahnya)
              hub:     tcnode bundle export /media/usb/hub.tcb --for ID_PUSAT
              pusat:   tcnode bundle import /media/usb/hub.tcb
                       tcnode bundle import /media/usb/pusat.ack.tcb

            Kode keluar: 0 selesai (impor: seluruh bundel terbaca dan tidak ada yang ditolak), 1 gagal, atau impor yang
            menolak sesuatu atau menemukan bundel rusak (semua entri yang lolos pemeriksaan disimpan; laporannya menyebut
            yang tidak dan alasannya), 2 salah pakai, 78 berkas konfigurasi atau direktori data salah.
            """),
        subcommands: [BundleExport.self, BundleImport.self, BundleHeads.self, BundleShow.self],
        aliases: ["bundel"])
}

struct BundleExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: tr("Write a bundle of this node's entries and photos to FILE, for a node of the same network.",
                     "Menulis bundel entri dan foto node ini ke FILE, untuk node di jaringan yang sama."),
        discussion: tr("""
            By default everything this node holds. --for leaves out what that node acknowledged (its last bundle, heads
            file or ack imported here); --against uses a heads file made there (`tcnode bundle heads`). Logs are carried
            without holes: --since and --kinds choose, per author, one run of consecutive entries.
            The file is written beside FILE under a temporary name and renamed when complete.
            """, """
            Bawaannya semua yang dimiliki node ini. --for tidak membawa yang sudah diakui node itu (bundel, berkas head
            atau tanda terima terakhirnya yang diimpor di sini); --against memakai berkas head yang dibuat di sana
            (`tcnode bundle heads`). Log dibawa tanpa lubang: --since dan --kinds memilih, per penulis, satu deret entri
            berurutan. Berkas ditulis di sebelah FILE dengan nama sementara dan diganti namanya setelah lengkap.
            """),
        aliases: ["ekspor"])

    @OptionGroup var data: DataOptions
    @Argument(help: ArgumentHelp(tr("The bundle to write (for example /media/usb/centre.tcb); an older file there is replaced.",
                                    "Bundel yang ditulis (mis. /media/usb/pusat.tcb); berkas lama di sana diganti.")))
    var file: String
    @Option(name: .customLong("for"), help: ArgumentHelp(tr("The destination node id: leave out what it acknowledged.",
                                                            "Id node tujuan: yang sudah diakuinya tidak dibawa.")))
    var destination: String?
    @Option(help: ArgumentHelp(tr("Only entries written on or after this date (YYYY-MM-DD, local time, or an ISO 8601 time); the destination must hold what comes before.",
                                  "Hanya entri yang ditulis pada atau setelah tanggal ini (TTTT-BB-HH, waktu setempat, atau waktu ISO 8601); tujuan harus sudah punya yang sebelumnya.")))
    var since: String?
    @Option(help: ArgumentHelp(tr("Only these authors (node ids, comma-separated).", "Hanya penulis ini (id node, dipisah koma)."))) var authors: [String] = []
    @Option(help: ArgumentHelp(tr("Only up to the last entry of these kinds in each log (comma-separated).",
                                  "Hanya sampai entri terakhir jenis ini di setiap log (dipisah koma).")))
    var kinds: [String] = []
    @Option(help: ArgumentHelp(tr("A heads file made at the destination (`tcnode bundle heads`): carry exactly what it lacks.",
                                  "Berkas head yang dibuat di tujuan (`tcnode bundle heads`): bawa tepat yang kurang di sana.")))
    var against: String?
    @Flag(help: ArgumentHelp(tr("Leave the photos out.", "Tanpa foto."))) var noPhotos = false
    @OptionGroup var output: OutputOptions

    func options() throws -> BundleExportOptions {
        var o = BundleExportOptions()
        o.destination = try destination.map { try NodeIDInput.parse($0, option: "--for") }
        o.sinceMs = try since.map(BundleDates.parse)
        let authorList = authors.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if !authors.isEmpty { o.authors = try authorList.map { try NodeIDInput.parse($0, option: "--authors") } }
        let kindList = kinds.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for k in kindList where !Entry.isValidKind(k) {
            throw ValidationError("--kinds: '\(k)' is not a kind (1 to 64 of lowercase a-z, 0-9, '.', '_' and '-')")
        }
        if !kinds.isEmpty {
            guard !kindList.isEmpty else { throw ValidationError("--kinds: give at least one kind") }
            o.kinds = kindList
        }
        if !authors.isEmpty && authorList.isEmpty { throw ValidationError("--authors: give at least one node id") }
        o.photos = !noPhotos
        return o
    }

    func validate() throws {
        _ = try options()
        try BundlePaths.checkWritable(file)
        if let against, !FileManager.default.isReadableFile(atPath: against) {
            throw ValidationError("--against: cannot read \(against); copy the heads file from the destination (made there with `tcnode bundle heads FILE`)")
        }
    }

    func run() async throws {
        let language = data.language
        let options = try options()
        let access = try await BundleAccess.open(data, needKey: true)
        let progress = ProgressLine(language: language)
        let summary: BundleExportSummary
        do {
            summary = try await access.export(to: file, options: options, against: against, progress: progress)
        } catch {
            throw Failure(message: "\(BundleText.error(error, language: language))" + language.t("; no bundle was written", "; tidak ada bundel yang ditulis"))
        }
        progress.done()
        if output.json {
            try writeJSON(encodable: BundleSummaryJSON(summary))
            return
        }
        say(BundleText.exported(summary, language: language))
    }
}

struct BundleImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: tr("Verify and store a bundle (or a heads file or acknowledgement) from a stick.",
                     "Memeriksa dan menyimpan bundel (atau berkas head atau tanda terima) dari stik."),
        discussion: tr("""
            Every entry is checked as network sync checks it (signature, chain, membership and revocation, forks); what
            is new is stored, and importing the same bundle again changes nothing. A damaged or cut-short bundle keeps
            every entry that verifies. Through tcnoded when it runs, so connected peers get the entries at once.
            After a bundle, an acknowledgement (what this node now holds) is written beside it, FILE.ack.tcb, or to --ack:
            carry it back and import it at the exporter, so its next `export --for` leaves this out.
            """, """
            Setiap entri diperiksa seperti pada sinkron jaringan (tanda tangan, rantai, keanggotaan dan pencabutan, fork);
            yang baru disimpan, dan mengimpor bundel yang sama lagi tidak mengubah apa pun. Bundel yang rusak atau terpotong
            tetap menyimpan setiap entri yang lolos pemeriksaan. Lewat tcnoded bila berjalan, sehingga peer yang terhubung
            langsung menerima entrinya. Setelah bundel, tanda terima (apa yang kini dimiliki node ini) ditulis di sebelahnya,
            FILE.ack.tcb, atau ke --ack: bawa kembali dan impor di pengekspor, agar `export --for` berikutnya tidak membawanya.
            """),
        aliases: ["impor"])

    @OptionGroup var data: DataOptions
    @Argument(help: ArgumentHelp(tr("The bundle to import.", "Bundel yang diimpor."))) var file: String
    @Option(help: ArgumentHelp(tr("Where to write the acknowledgement (default: beside FILE, as NAME.ack.tcb).",
                                  "Tempat menulis tanda terima (bawaan: di sebelah FILE, sebagai NAMA.ack.tcb).")))
    var ack: String?
    @Flag(help: ArgumentHelp(tr("Write no acknowledgement.", "Jangan tulis tanda terima."))) var noAck = false
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard FileManager.default.fileExists(atPath: file) else {
            throw ValidationError("cannot find \(file): check the path (is the stick mounted?)")
        }
        if noAck && ack != nil { throw ValidationError("give --ack or --no-ack, not both") }
    }

    func run() async throws {
        let language = data.language
        let access = try await BundleAccess.open(data, needKey: false, writes: true)
        let progress = ProgressLine(language: language)
        var report: BundleImportReport
        do {
            report = try await access.importBundle(file, progress: progress)
        } catch {
            throw Failure(message: BundleText.error(error, language: language))
        }
        progress.done()
        var ackPath: String?
        var ackProblem: String?
        if !noAck && report.contents == BundleHeader.contentsBundle {
            let path = ack ?? BundlePaths.ack(for: file)
            var options = BundleExportOptions()
            options.headsOnly = true
            options.acknowledges = report.bundle
            do {
                _ = try await access.export(to: path, options: options, against: nil, progress: nil)
                ackPath = path
            } catch {
                ackProblem = BundleText.error(error, language: language)
            }
        }
        if output.json {
            try writeJSON(try importJSON(report, ack: ackPath, ackError: ackProblem))
        } else {
            say(BundleText.imported(report, ack: ackPath, language: language))
        }
        if let ackProblem {
            note(language.t("tcnode: the acknowledgement was not written (\(ackProblem)); make one with `tcnode bundle heads FILE`",
                            "tcnode: tanda terima tidak ditulis (\(ackProblem)); buat dengan `tcnode bundle heads BERKAS`"))
        }
        if !report.complete || report.rejectedTotal > 0 { throw ExitCode(1) }
    }
}

struct BundleHeads: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heads",
        abstract: tr("Write a small signed heads file: what this node holds, for `tcnode bundle export --against` elsewhere.",
                     "Menulis berkas head kecil bertanda tangan: apa yang dimiliki node ini, untuk `tcnode bundle export --against` di tempat lain."),
        discussion: tr("Importing it at another node (`tcnode bundle import`) also records what this node holds there, for `export --for`.",
                       "Mengimpornya di node lain (`tcnode bundle import`) juga mencatat di sana apa yang dimiliki node ini, untuk `export --for`."))

    @OptionGroup var data: DataOptions
    @Argument(help: ArgumentHelp(tr("The heads file to write.", "Berkas head yang ditulis."))) var file: String
    @OptionGroup var output: OutputOptions

    func validate() throws { try BundlePaths.checkWritable(file) }

    func run() async throws {
        let language = data.language
        let access = try await BundleAccess.open(data, needKey: true)
        var options = BundleExportOptions()
        options.headsOnly = true
        let summary: BundleExportSummary
        do {
            summary = try await access.export(to: file, options: options, against: nil, progress: nil)
        } catch {
            throw Failure(message: "\(BundleText.error(error, language: language))" + language.t("; no heads file was written", "; tidak ada berkas head yang ditulis"))
        }
        if output.json {
            try writeJSON(encodable: BundleSummaryJSON(summary))
            return
        }
        say(BundleText.exported(summary, language: language))
    }
}

struct BundleShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: tr("Check a bundle without importing it: who made it, what it holds, whether it is whole.",
                     "Memeriksa bundel tanpa mengimpornya: siapa pembuatnya, isinya, apakah utuh."),
        discussion: tr("Exit code 0 when the bundle is whole (its signed manifest verifies and every section matches it), 1 otherwise.",
                       "Kode keluar 0 bila bundel utuh (manifes bertanda tangannya cocok dan setiap bagian sesuai), selain itu 1."),
        aliases: ["lihat"])

    @Argument(help: ArgumentHelp(tr("The bundle, heads file or acknowledgement.", "Bundel, berkas head atau tanda terima."))) var file: String
    @OptionGroup var output: OutputOptions
    @OptionGroup var languageOptions: LanguageOptions

    func run() async throws {
        let language = languageOptions.language
        let path = file
        let inspection: BundleInspection
        do {
            inspection = try await OffPool.run { try BundleInspection.inspect(path: path) }
        } catch {
            throw Failure(message: BundleText.error(error, language: language))
        }
        if output.json {
            try writeJSON(encodable: BundleShowJSON(inspection))
        } else {
            say(BundleText.shown(inspection, language: language))
        }
        if !inspection.isWhole { throw ExitCode(1) }
    }
}

/// Through tcnoded when it answers (and no --data-dir is given), else the
/// node's files directly, exactly as the other commands choose.
enum BundleAccess {
    case daemon(ControlClient)
    case local(BundleService)

    /// `writes`: an import, which only a command holding the data
    /// directory's lock may make without tcnoded.
    static func open(_ data: DataOptions, needKey: Bool, writes: Bool = false) async throws -> BundleAccess {
        if data.dataDir == nil {
            let client = ControlClient(socketPath: try data.socketPath())
            if (try? await client.identity()) != nil { return .daemon(client) }
        }
        let config = try data.loadConfig()
        let store: Store
        do {
            store = writes ? try await data.openStoreForWriting() : try await data.openStore()
        } catch let refused as Failure where refused.daemonHoldsDirectory {
            // It holds the directory but did not answer: it is starting.
            let client = ControlClient(socketPath: try data.socketPath())
            guard await data.daemonAnswers(client) else { throw refused }
            return .daemon(client)
        }
        let key: NodeKey? = needKey ? try data.openKey() : (try? data.openKey())
        let blobs = BlobStore(root: try data.directory().blobsPath, maxBytes: config?.blobMaxBytes ?? NodeConfig().blobMaxBytes)
        return .local(BundleService(store: store, key: key, blobs: blobs, name: config?.name))
    }

    func export(to path: String, options: BundleExportOptions, against: String?, progress: ProgressLine?) async throws -> BundleExportSummary {
        switch self {
        case .daemon(let client):
            var received: (@Sendable (Int64) -> Void)?
            if let progress { received = { n in progress.bytes(n, total: nil, receiving: true) } }
            try await client.exportBundle(to: path, options: options, against: against, received: received)
            return try await OffPool.run { try BundleSummaryJSON.summary(of: path) }
        case .local(let service):
            var step: (@Sendable (BundleProgress) -> Void)?
            if let progress { step = { p in progress.step(p) } }
            return try await service.export(to: path, options: options, against: against, progress: step)
        }
    }

    func importBundle(_ path: String, progress: ProgressLine?) async throws -> BundleImportReport {
        switch self {
        case .daemon(let client):
            var sent: (@Sendable (Int64, Int64) -> Void)?
            if let progress { sent = { n, total in progress.bytes(n, total: total, receiving: false) } }
            return try await client.importBundle(from: path, sent: sent)
        case .local(let service):
            var step: (@Sendable (BundleProgress) -> Void)?
            if let progress { step = { p in progress.step(p) } }
            return try await service.importBundle(path: path, progress: step)
        }
    }
}

enum BundlePaths {
    /// `centre.tcb` -> `centre.ack.tcb`, beside it.
    static func ack(for bundle: String) -> String {
        let url = URL(fileURLWithPath: bundle)
        let base = url.pathExtension == BundleFormat.fileExtension ? url.deletingPathExtension() : url
        return base.path + ".ack." + BundleFormat.fileExtension
    }

    static func checkWritable(_ file: String) throws {
        guard !file.isEmpty else { throw ValidationError("give the file to write") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ValidationError("\(file) is a folder; give a file name in it (for example \(file)/centre.tcb)")
        }
        let folder = (file as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("the folder \(folder) does not exist (is the stick mounted?)")
        }
    }
}

enum BundleDates {
    /// `YYYY-MM-DD` (local midnight) or an ISO 8601 time, as ms since the epoch.
    static func parse(_ text: String) throws -> Int64 {
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone.current
        day.dateFormat = "yyyy-MM-dd"
        day.isLenient = false
        if text.utf8.count == 10, let date = day.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        let iso = ISO8601DateFormatter()
        if let date = iso.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = iso.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        throw ValidationError("--since: '\(text)' is not a date; write YYYY-MM-DD (for example 2026-03-01) or a time like 2026-03-01T08:00:00+07:00")
    }
}

/// Progress of a long export or import on stderr, at most every two
/// seconds and only once it has taken that long (short runs print nothing).
final class ProgressLine: Sendable {
    let language: Language
    private let start = ContinuousClock.now
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    init(language: Language) { self.language = language }

    private func due() -> Bool {
        let now = ContinuousClock.now
        return last.withLock { last in
            guard now - start >= .seconds(2), last.map({ now - $0 >= .seconds(2) }) ?? true else { return false }
            last = now
            return true
        }
    }

    func step(_ p: BundleProgress) {
        guard due() else { return }
        let (d, t) = (language.count(p.done), language.count(p.total))
        switch p.phase {
        case .entries: note(language.t("  entries: \(d) of \(t)", "  entri: \(d) dari \(t)"))
        case .photos: note(language.t("  photos: \(d) of \(t)", "  foto: \(d) dari \(t)"))
        }
    }

    func bytes(_ n: Int64, total: Int64?, receiving: Bool) {
        guard due() else { return }
        let amount = total.map { language.t("\(language.bytes(n)) of \(language.bytes($0))", "\(language.bytes(n)) dari \(language.bytes($0))") }
            ?? language.bytes(n)
        note(receiving ? language.t("  received from tcnoded: \(amount)", "  diterima dari tcnoded: \(amount)")
            : language.t("  sent to tcnoded: \(amount) (it verifies and stores as it goes)", "  dikirim ke tcnoded: \(amount) (diperiksa dan disimpan)"))
    }

    /// After a run that printed progress, says it is finished.
    func done() {
        if last.withLock({ $0 }) != nil { note(language.t("  done", "  selesai")) }
    }
}
