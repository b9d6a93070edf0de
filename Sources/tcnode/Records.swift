import ArgumentParser
import Foundation
import NodeAPI
import Replication
import Telecenter

struct Put: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: tr("Create or replace a record of this node.", "Membuat atau mengganti rekaman node ini."),
        discussion: tr("The body is a JSON object, at most 1 MiB. Example: tcnode put product keripik --json '{\"name\":\"Keripik\"}'",
                       "Isinya objek JSON, paling besar 1 MiB. Contoh: tcnode put product keripik --json '{\"name\":\"Keripik\"}'"))

    @OptionGroup var data: DataOptions
    @Argument(help: ArgumentHelp(tr("Record kind: 1-64 of a-z 0-9 . _ -", "Jenis rekaman: 1-64 karakter a-z 0-9 . _ -"))) var kind: String
    @Argument(help: ArgumentHelp(tr("Record key (1-512 bytes of UTF-8).", "Kunci rekaman (1-512 byte UTF-8)."))) var key: String
    @Option(name: .customLong("json"), help: ArgumentHelp(tr("The body as JSON text.", "Isi rekaman sebagai teks JSON."))) var body: String?
    @Option(help: ArgumentHelp(tr("Read the body from this file ('-' for standard input).", "Baca isi dari berkas ini ('-' untuk masukan standar.)")))
    var file: String?

    func validate() throws {
        guard Entry.isValidKind(kind) else {
            throw ValidationError(tr("kind '\(kind)' is invalid: use 1 to 64 of lowercase a-z, 0-9, '.', '_' and '-'",
                                     "jenis '\(kind)' tidak sah: pakai 1 sampai 64 karakter huruf kecil a-z, 0-9, '.', '_' dan '-'"))
        }
        guard (body == nil) != (file == nil) else {
            throw ValidationError(tr("give the body with exactly one of --json or --file", "berikan isi dengan tepat satu dari --json atau --file"))
        }
    }

    func run() async throws {
        let language = data.language.rawValue
        let stored = tr("; nothing was stored", "; tidak ada yang disimpan")
        let bytes: [UInt8]
        if let body {
            bytes = Array(body.utf8)
        } else if file == "-" {
            bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            bytes = try FileInput.read(file!)
        }
        // Checked here as tcnoded checks it, so that a write refused is
        // refused the same way with or without the daemon.
        if let refusal = RecordCheck.refusal(op: .put, kind: kind, key: key, body: bytes, nowMs: TimeText.nowMs()) {
            throw Failure(message: refusal.message(language: language) + stored)
        }
        let draft = Entry.Draft(time: TimeText.nowMs(), op: .put, kind: kind, key: key, body: bytes)
        let done = try await append(draft, data: data)
        let later = done.viaDaemon ? "" : tr("; tcnoded is not running, peers get it when it starts", "; tcnoded tidak berjalan, peer menerimanya saat ia berjalan")
        say(tr("stored \(done.kind)/\(done.key) as seq \(done.seq) (\(done.id.prefix(16)))", "\(done.kind)/\(done.key) tersimpan sebagai seq \(done.seq) (\(done.id.prefix(16)))") + later)
    }
}

struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: tr("Delete a record of this node (leaves a tombstone that replicates).", "Menghapus rekaman node ini (meninggalkan tanda hapus yang ikut tersebar)."))

    @OptionGroup var data: DataOptions
    @Argument var kind: String
    @Argument(help: ArgumentHelp(tr("The key, or its beginning if only one key of this node starts so.",
                                    "Kuncinya, atau awalnya bila hanya satu kunci node ini yang berawalan begitu.")))
    var key: String

    func run() async throws {
        let access = try await NodeAccess.open(data)
        guard let current = try await access.record(author: access.node, kind: kind, keyOrPrefix: key) else {
            throw Failure(message: tr("no record \(kind)/\(key) of this node to delete; see `tcnode list \(kind) --author \(access.node.short)`",
                                      "tidak ada rekaman \(kind)/\(key) milik node ini untuk dihapus; lihat `tcnode list \(kind) --author \(access.node.short)`"))
        }
        let done = try await append(.delete(kind: kind, key: current.key, time: TimeText.nowMs()), data: data)
        say(tr("deleted \(done.kind)/\(done.key) as seq \(done.seq)", "\(done.kind)/\(done.key) dihapus sebagai seq \(done.seq)"))
    }
}

struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: tr("Show the current state of one record.", "Tampilkan keadaan terkini satu rekaman."))

    @OptionGroup var data: DataOptions
    @Argument var kind: String
    @Argument(help: ArgumentHelp(tr("The key, or its beginning if only one key starts so.", "Kuncinya, atau awalnya bila hanya satu kunci yang berawalan begitu.")))
    var key: String
    @Option(help: ArgumentHelp(tr("The author's node id, or its beginning as tables show it (default: this node).",
                                  "Id node penulis, atau awalnya seperti di tabel (bawaan: node ini).")))
    var author: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let l = Language.current
        let access = try await NodeAccess.open(data)
        let authorID = try await access.author(author) ?? access.node
        let entry: Entry
        if let exact = try await access.record(author: authorID, kind: kind, key: key) {
            entry = exact
        } else if let found = try await access.record(author: authorID, kind: kind, keyOrPrefix: key) {
            entry = found
        } else {
            throw Failure(message: l.t("no record \(kind)/\(key) by \(authorID.short); see `tcnode list \(kind)`",
                                       "tidak ada rekaman \(kind)/\(key) dari \(authorID.short); lihat `tcnode list \(kind)`"))
        }
        if output.json {
            try writeJSON(entry.jsonObject)
            return
        }
        var lines = [
            l.t("author  ", "penulis ") + entry.author.checked,
            l.t("record  ", "rekaman ") + "\(entry.kind)/\(entry.key)",
            "seq     \(entry.seq)",
            l.t("time    ", "waktu   ") + TimeText.local(entry.time),
            "id      \(entry.id)",
        ]
        lines.append(entry.op == .delete ? l.t("state   deleted", "keadaan terhapus") : l.t("body    ", "isi     ") + entry.bodyString)
        say(lines.joined(separator: "\n"))
    }
}

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: tr("List current records of a kind, from every author held.", "Daftar rekaman terkini satu jenis, dari semua penulis yang ada."))

    @OptionGroup var data: DataOptions
    @Argument var kind: String
    @Option(help: ArgumentHelp(tr("Only records of this author (node id, or its beginning).", "Hanya rekaman penulis ini (id node, atau awalnya).")))
    var author: String?
    @Flag(help: ArgumentHelp(tr("Include deleted records (tombstones).", "Sertakan rekaman yang dihapus (tanda hapus)."))) var deleted = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let l = Language.current
        let access = try await NodeAccess.open(data)
        let authorID = try await access.author(author)
        let entries = try await access.records(kind: kind, author: authorID, deleted: deleted)
        if output.json {
            try writeJSON(entries.map(\.jsonObject))
            return
        }
        // Keys whole: they are what `get` and `delete` are given back.
        var table = Table(l.t("AUTHOR", "PENULIS"), l.t("KEY", "KUNCI"), "SEQ", l.t("TIME", "WAKTU"), l.t("BODY", "ISI"))
        for e in entries {
            table.add(e.author.short, e.key, "\(e.seq)", TimeText.local(e.time),
                      e.op == .delete ? l.t("(deleted)", "(dihapus)") : e.bodyString.clipped(60))
        }
        if entries.isEmpty {
            note(l.t("no \(kind) records", "tidak ada rekaman \(kind)"))
        } else {
            table.print()
        }
    }
}

struct Log: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: tr("Show entries, newest first.", "Tampilkan entri, terbaru lebih dulu."))

    @OptionGroup var data: DataOptions
    @Option(help: ArgumentHelp(tr("Only entries of this author (node id, or its beginning).", "Hanya entri penulis ini (id node, atau awalnya).")))
    var author: String?
    @Option(parsing: .unconditional, help: ArgumentHelp(tr("At most this many entries.", "Paling banyak sekian entri."))) var limit = 50
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard limit >= 1 else { throw ValidationError(tr("--limit must be 1 or more, got \(limit)", "--limit harus 1 atau lebih, bukan \(limit)")) }
    }

    func run() async throws {
        let l = Language.current
        let access = try await NodeAccess.open(data)
        let authorID = try await access.author(author)
        let entries = try await access.log(author: authorID, limit: limit)
        if output.json {
            try writeJSON(entries.map { e -> [String: Any] in
                var o = e.jsonObject
                o["body"] = nil
                return o
            })
            return
        }
        var table = Table(l.t("AUTHOR", "PENULIS"), "SEQ", l.t("KIND", "JENIS"), l.t("KEY", "KUNCI"), l.t("TIME", "WAKTU"), "ID")
        for e in entries {
            table.add(e.author.short, "\(e.seq)", e.kind + (e.op == .delete ? l.t(" (delete)", " (hapus)") : ""), e.key,
                      TimeText.local(e.time), String(e.id.description.prefix(16)))
        }
        table.print()
    }
}

/// Files named on the command line, read with the reason in words when they cannot be.
enum FileInput {
    static func read(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Failure(message: tr("file not found: \(path); check the path", "berkas tidak ditemukan: \(path); periksa jalurnya"))
        }
        guard !isDirectory.boolValue else {
            throw Failure(message: tr("\(path) is a directory, not a file", "\(path) adalah direktori, bukan berkas"))
        }
        guard let content = FileManager.default.contents(atPath: path) else {
            throw Failure(message: tr("cannot read \(path): permission denied? (check with `ls -l \(path)`)",
                                      "\(path) tidak bisa dibaca: izin ditolak? (periksa dengan `ls -l \(path)`)"))
        }
        return Array(content)
    }

    /// A text file: UTF-8 (a byte order mark is dropped).
    static func text(_ path: String) throws -> String {
        let bytes = try read(path)
        guard let text = String(validating: bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes, as: UTF8.self) else {
            throw Failure(message: tr("\(path) is not UTF-8 text: save it as \"CSV UTF-8\" (in LibreOffice: Save As, Text CSV, character set Unicode (UTF-8))",
                                      "\(path) bukan teks UTF-8: simpan sebagai \"CSV UTF-8\" (di LibreOffice: Simpan Sebagai, Teks CSV, set karakter Unicode (UTF-8))"))
        }
        return text
    }
}
