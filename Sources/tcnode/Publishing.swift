import ArgumentParser
import Foundation
import NodeAPI
import NodeRuntime
import Replication
import Telecenter

/// Validates and writes records of the known kinds, through tcnoded when it
/// runs; photos are stored by hash first.
struct Publisher {
    let data: DataOptions
    let language: String

    /// Checks a body; the error names the field and what is allowed.
    func check(kind: String, key: String, body: [String: Any]) throws -> String {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes]),
                          as: UTF8.self)
        let stored = language == "en" ? "; nothing was stored" : "; tidak ada yang disimpan"
        if let refusal = RecordCheck.refusal(op: .put, kind: kind, key: key, body: Array(text.utf8), nowMs: TimeText.nowMs()) {
            throw Failure(message: refusal.message(language: language) + stored)
        }
        return text
    }

    /// Stores a photo file (JPEG or PNG, checked by content) and returns the
    /// reference a record carries.
    func photo(_ path: String) async throws -> [String: Any] {
        try await photo(bytes: try FileInput.read(path), path: path)
    }

    /// As `photo(_:)`, for bytes already read (`path` names them in errors).
    func photo(bytes: [UInt8], path: String) async throws -> [String: Any] {
        guard BlobStore.isImage(bytes) != nil else {
            throw Failure(message: language == "en" ? "\(path) is not a JPEG or PNG photo" : "\(path) bukan foto JPEG atau PNG")
        }
        // Checked here first: megabytes need not cross the socket to be refused.
        let limit = try self.data.loadConfig()?.blobMaxBytes ?? NodeConfig().blobMaxBytes
        guard bytes.count <= limit else {
            throw Failure(message: language == "en"
                ? "\(path): \(bytes.count) bytes; the most a photo may be is \(limit) bytes (blob_max_bytes). Make the photo smaller (resize it)."
                : "\(path): \(bytes.count) byte; foto paling besar \(limit) byte (blob_max_bytes). Perkecil fotonya (ubah ukurannya).")
        }
        let client = ControlClient(socketPath: try self.data.socketPath())
        /// The daemon's reference, or nil when none answers on the socket.
        func throughDaemon() async throws -> [String: Any]? {
            guard self.data.dataDir == nil else { return nil }
            do {
                let r = try await client.addPhoto(bytes)
                return ["sha256": r.sha256, "size": r.size, "type": r.type, "pieces": BlobPieces.root(of: bytes).hex]
            } catch ControlClient.Failure.notRunning {
                return nil
            } catch {
                throw Failure(message: "\(path): \(ErrorText.plain(error))")
            }
        }
        if let reference = try await throughDaemon() { return reference }
        let lock: DataDirectory.Lock
        do {
            lock = try await self.data.lockForWriting()
        } catch let refused as Failure where refused.daemonHoldsDirectory {
            // It holds the directory but did not answer: it is starting.
            guard await self.data.daemonAnswers(client), let reference = try await throughDaemon() else { throw refused }
            return reference
        }
        defer { lock.release() }
        let blobs = BlobStore(root: try self.data.directory().blobsPath, maxBytes: limit)
        do {
            let (sha, type) = try blobs.add(bytes)
            return ["sha256": sha.hex, "size": bytes.count, "type": type, "pieces": BlobPieces.root(of: bytes).hex]
        } catch {
            throw Failure(message: "\(path): \(ErrorText.plain(error))")
        }
    }

    /// Stores photo files in the order given; their references for a record.
    func photos(_ paths: [String]) async throws -> [[String: Any]] {
        var refs: [[String: Any]] = []
        for path in paths { refs.append(try await photo(path)) }
        return refs
    }

    func publish(kind: String, key: String, body: [String: Any]) async throws {
        let text = try check(kind: kind, key: key, body: body)
        let done = try await append(.put(kind: kind, key: key, body: text, time: TimeText.nowMs()), data: data)
        say(language == "en"
            ? "saved \(kind) \(key) (seq \(done.seq))\(done.viaDaemon ? "" : "; tcnoded is not running, peers get it when it starts")"
            : "\(Words.kind(kind, .id)) \(key) tersimpan (seq \(done.seq))\(done.viaDaemon ? "" : "; tcnoded tidak berjalan, peer menerimanya saat ia berjalan")")
    }

    /// Writes several records: in one transaction when tcnoded is not
    /// running; through tcnoded in batches that each fit one request of the
    /// control socket (each batch all or nothing). `line` of each record
    /// names it when a later batch fails after earlier ones were stored.
    func publishAll(_ records: [(kind: String, key: String, body: String, line: Int)]) async throws -> Int {
        let now = TimeText.nowMs()
        let client = ControlClient(socketPath: try data.socketPath())
        let en = language == "en"
        /// How many the daemon stored, or nil when none answers on the socket.
        func throughDaemon() async throws -> Int? {
            guard data.dataDir == nil else { return nil }
            var stored = 0
            for batch in try Self.batches(records.map { AppendRequest(kind: $0.kind, key: $0.key, op: "put", body: $0.body) }) {
                do {
                    stored += try await client.append(batch: batch).count
                } catch ControlClient.Failure.notRunning where stored == 0 {
                    return nil
                } catch {
                    let lost: Bool
                    if case ControlClient.Failure.lost = error { lost = true } else { lost = false }
                    guard stored > 0 || lost else {
                        throw Failure(message: en ? "tcnoded refused the import: \(ErrorText.plain(error)); nothing was stored"
                            : "tcnoded menolak impor: \(ErrorText.plain(error)); tidak ada yang disimpan")
                    }
                    let upTo = stored > 0 ? (en ? " (up to line \(records[stored - 1].line))" : " (sampai baris \(records[stored - 1].line))") : ""
                    throw Failure(message: en
                        ? "stored \(stored) of \(records.count) records\(upTo)\(lost ? " or more" : ""), then: \(ErrorText.plain(error)). Fix the problem and import the file again: rows already stored are written again unchanged"
                        : "\(stored)\(lost ? " atau lebih" : "") dari \(records.count) rekaman tersimpan\(upTo), lalu: \(ErrorText.plain(error)). Perbaiki masalahnya lalu impor berkas itu lagi: baris yang sudah tersimpan ditulis ulang tanpa perubahan")
                }
            }
            return stored
        }
        if let stored = try await throughDaemon() { return stored }
        let key = try data.openKey()
        let store: Store
        do {
            store = try await data.openStoreForWriting()
        } catch let refused as Failure where refused.daemonHoldsDirectory {
            // It holds the directory but did not answer: it is starting.
            guard await data.daemonAnswers(client), let stored = try await throughDaemon() else { throw refused }
            return stored
        }
        return try await store.append(records.map { .put(kind: $0.kind, key: $0.key, body: $0.body, time: now) }, signer: key).count
    }

    /// At most this many records per batch: one batch is one transaction
    /// of the daemon's, which holds the write lock while it signs.
    static let batchRecords = 2_000

    /// Consecutive batches whose JSON stays under `ControlLimits.batchBytes`.
    static func batches(_ asks: [AppendRequest], maxBytes: Int = ControlLimits.batchBytes,
                        maxRecords: Int = batchRecords) throws -> [[AppendRequest]] {
        let encoder = JSONEncoder()
        var out: [[AppendRequest]] = []
        var current: [AppendRequest] = []
        var bytes = 2
        for ask in asks {
            let size = try encoder.encode(ask).count + 1
            if !current.isEmpty && (bytes + size > maxBytes || current.count == maxRecords) {
                out.append(current)
                current = []
                bytes = 2
            }
            current.append(ask)
            bytes += size
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}

/// Options every record command shares.
struct RecordOptions: ParsableArguments {
    @OptionGroup var data: DataOptions

    var publisher: Publisher { Publisher(data: data, language: data.language.rawValue) }
}

/// A key from a name: "Keripik Tempe Bu Sri" -> "keripik-tempe-bu-sri".
func slug(_ text: String) -> String {
    let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "id_ID")).lowercased()
    var out = ""
    for c in folded.unicodeScalars {
        if CharacterSet.alphanumerics.contains(c) && c.isASCII { out.unicodeScalars.append(c) } else if !out.hasSuffix("-") { out += "-" }
    }
    return String(out.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(80))
}

/// The record kinds' `list`, `show` and `remove`, shared.
protocol RecordKind {
    static var kind: String { get }
    /// The subcommand that handles the kind ("monitor" for monitoring).
    static var command: String { get }
    /// Plural for people, per language ("products" / "produk").
    static func title(_ l: Language) -> String
    static func columns(_ e: Entry, _ body: JSONValue?, _ l: Language) -> [String]
    static func headers(_ l: Language) -> [String]
}

extension RecordKind {
    static var command: String { kind }
}

struct ListRecords<K: RecordKind>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "list", abstract: tr("List \(K.title(.en)) held by this node.", "Daftar \(K.title(.id)) yang ada di node ini."),
                             aliases: ["daftar"])
    }
    @OptionGroup var data: DataOptions
    @Option(help: ArgumentHelp(tr("Only those of this author (node id, or its beginning as the AUTHOR column shows it).",
                                  "Hanya milik penulis ini (id node, atau awalnya seperti di kolom PENULIS).")))
    var author: String?
    @Flag(help: ArgumentHelp(tr("Only this centre's own.", "Hanya milik pusat ini."))) var mine = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let l = Language.current
        let access = try await NodeAccess.open(data)
        let who = mine ? access.node : try await access.author(author)
        let entries = try await access.records(kind: K.kind, author: who, deleted: false)
        if output.json {
            try writeJSON(entries.map(\.jsonObject))
            return
        }
        // Keys whole: `show` and `remove` are given them back.
        var table = Table(headers: [l.t("AUTHOR", "PENULIS"), l.t("KEY", "KUNCI")] + K.headers(l))
        for e in entries { table.add(row: [e.author.short, e.key] + K.columns(e, JSONValue.parse(e.body), l).map { $0.clipped(40) }) }
        if !entries.isEmpty { table.print() }
        note("\(l.count(entries.count)) \(K.title(l))")
    }
}

struct ShowRecord<K: RecordKind>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "show", abstract: tr("Show one of the \(K.title(.en)).", "Tampilkan satu dari \(K.title(.id))."),
                             aliases: ["lihat"])
    }
    @OptionGroup var data: DataOptions
    @Argument(help: ArgumentHelp(tr("The record key, or its beginning if only one key starts so.",
                                    "Kunci rekaman, atau awalnya bila hanya satu kunci yang berawalan begitu.")))
    var key: String
    @Option(help: ArgumentHelp(tr("Its author (node id, or its beginning; default: this node).", "Penulisnya (id node, atau awalnya; bawaan: node ini).")))
    var author: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let l = Language.current
        let access = try await NodeAccess.open(data)
        let who = try await access.author(author) ?? access.node
        guard let entry = try await access.record(author: who, kind: K.kind, keyOrPrefix: key) else {
            throw Failure(message: l.t("no \(K.kind) '\(key)' by \(who.short); see `tcnode \(K.command) list`",
                                       "tidak ada \(Words.kind(K.kind, .id)) '\(key)' dari \(who.short); lihat `tcnode \(K.command) list`"))
        }
        if output.json {
            try writeJSON(entry.jsonObject)
            return
        }
        let pretty = try JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: Data(entry.body)),
                                                options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        say(l.t("\(K.kind) \(entry.key) by \(entry.author.checked) (seq \(entry.seq), \(TimeText.local(entry.time)))",
                "\(Words.kind(K.kind, .id)) \(entry.key) dari \(entry.author.checked) (seq \(entry.seq), \(TimeText.local(entry.time)))")
            + "\n" + String(decoding: pretty, as: UTF8.self))
    }
}

struct RemoveRecord<K: RecordKind>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "remove",
                             abstract: tr("Remove one of this centre's \(K.title(.en)) (a tombstone replicates).",
                                          "Menghapus satu dari \(K.title(.id)) pusat ini (tanda hapus ikut tersebar)."),
                             aliases: ["hapus"])
    }
    @OptionGroup var data: DataOptions
    @Argument(help: ArgumentHelp(tr("The record key, or its beginning if only one key of this centre starts so.",
                                    "Kunci rekaman, atau awalnya bila hanya satu kunci pusat ini yang berawalan begitu.")))
    var key: String

    func run() async throws {
        let l = Language.current
        let access = try await NodeAccess.open(data)
        guard let current = try await access.record(author: access.node, kind: K.kind, keyOrPrefix: key) else {
            throw Failure(message: l.t("this centre has no \(K.kind) '\(key)'; see `tcnode \(K.command) list --mine`",
                                       "pusat ini tidak punya \(Words.kind(K.kind, .id)) '\(key)'; lihat `tcnode \(K.command) list --mine`"))
        }
        let done = try await append(.delete(kind: K.kind, key: current.key, time: TimeText.nowMs()), data: data)
        say(l.t("removed \(K.kind) \(current.key) (seq \(done.seq))", "\(Words.kind(K.kind, .id)) \(current.key) dihapus (seq \(done.seq))"))
    }
}

extension JSONValue {
    var text: String {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .bool(let b): b ? "yes" : "no"
        case .null: ""
        case .array(let a): a.map(\.text).joined(separator: ", ")
        case .object: "{...}"
        }
    }
}
