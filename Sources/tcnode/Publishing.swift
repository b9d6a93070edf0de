import ArgumentParser
import Foundation
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
        do {
            try RecordValidation.validate(kind: kind, key: key, body: Array(text.utf8))
        } catch {
            throw Failure(message: error.message(language: language) + stored)
        }
        if let problem = TextCheck.problem(kind: kind, key: key, body: JSONValue.parse(Array(text.utf8))) {
            throw Failure(message: TextCheck.message(problem, kind: kind, language: language) + stored)
        }
        return text
    }

    /// Stores a photo file (JPEG or PNG, checked by content) and returns the
    /// reference a record carries.
    func photo(_ path: String) async throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(message: language == "en" ? "cannot read photo \(path)" : "foto \(path) tidak bisa dibaca")
        }
        let bytes = [UInt8](data)
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
        let socket = try self.data.socketPath()
        let client = ControlClient(socketPath: socket)
        do {
            guard self.data.dataDir == nil else { throw ControlClient.Failure.notRunning(socket) }
            let r = try await client.addPhoto(bytes)
            return ["sha256": r.sha256, "size": r.size, "type": r.type]
        } catch ControlClient.Failure.notRunning {
            let blobs = BlobStore(root: try self.data.directory().blobsPath, maxBytes: limit)
            do {
                let (sha, type) = try blobs.add(bytes)
                return ["sha256": sha.hex, "size": bytes.count, "type": type]
            } catch {
                throw Failure(message: "\(path): \(error)")
            }
        } catch {
            throw Failure(message: "\(path): \(error)")
        }
    }

    func publish(kind: String, key: String, body: [String: Any]) async throws {
        let text = try check(kind: kind, key: key, body: body)
        let done = try await append(.put(kind: kind, key: key, body: text, time: TimeText.nowMs()), data: data)
        print(language == "en"
            ? "saved \(kind) \(key) (seq \(done.seq))\(done.viaDaemon ? "" : "; tcnoded is not running, peers get it when it starts")"
            : "\(kind) \(key) tersimpan (seq \(done.seq))\(done.viaDaemon ? "" : "; tcnoded tidak berjalan, peer menerimanya saat ia berjalan")")
    }

    /// Writes several records: in one transaction when tcnoded is not
    /// running; through tcnoded in batches that each fit one request of the
    /// control socket (each batch all or nothing). `line` of each record
    /// names it when a later batch fails after earlier ones were stored.
    func publishAll(_ records: [(kind: String, key: String, body: String, line: Int)]) async throws -> Int {
        let now = TimeText.nowMs()
        let socket = try data.socketPath()
        let client = ControlClient(socketPath: socket)
        let en = language == "en"
        var stored = 0
        do {
            guard data.dataDir == nil else { throw ControlClient.Failure.notRunning(socket) }
            for batch in try Self.batches(records.map { AppendRequest(kind: $0.kind, key: $0.key, op: "put", body: $0.body) }) {
                do {
                    stored += try await client.append(batch: batch).count
                } catch ControlClient.Failure.notRunning where stored == 0 {
                    throw ControlClient.Failure.notRunning(socket)
                } catch {
                    let lost: Bool
                    if case ControlClient.Failure.lost = error { lost = true } else { lost = false }
                    guard stored > 0 || lost else {
                        throw Failure(message: en ? "tcnoded refused the import: \(error); nothing was stored"
                            : "tcnoded menolak impor: \(error); tidak ada yang disimpan")
                    }
                    let upTo = stored > 0 ? (en ? " (up to line \(records[stored - 1].line))" : " (sampai baris \(records[stored - 1].line))") : ""
                    throw Failure(message: en
                        ? "stored \(stored) of \(records.count) records\(upTo)\(lost ? " or more" : ""), then: \(error). Fix the problem and import the file again: rows already stored are written again unchanged"
                        : "\(stored)\(lost ? " atau lebih" : "") dari \(records.count) rekaman tersimpan\(upTo), lalu: \(error). Perbaiki masalahnya lalu impor berkas itu lagi: baris yang sudah tersimpan ditulis ulang tanpa perubahan")
                }
            }
            return stored
        } catch ControlClient.Failure.notRunning {
            let key = try data.openKey()
            let store = try await data.openStore()
            return try await store.append(records.map { .put(kind: $0.kind, key: $0.key, body: $0.body, time: now) }, signer: key).count
        }
    }

    /// At most this many records per batch: one batch is one transaction
    /// of the daemon's, which holds the write lock while it signs.
    static let batchRecords = 2_000

    /// Consecutive batches whose JSON stays under `ControlAPI.batchBytes`.
    static func batches(_ asks: [AppendRequest], maxBytes: Int = ControlAPI.batchBytes,
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
    @Option(help: "Language of messages: id (Bahasa Indonesia) or en; default from the locale.") var lang: String?

    var publisher: Publisher { Publisher(data: data, language: Language.choose(lang).rawValue) }
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
    static var title: String { get }
    static func columns(_ e: Entry, _ body: JSONValue?) -> [String]
    static var headers: [String] { get }
}

struct ListRecords<K: RecordKind>: AsyncParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(commandName: "list", abstract: "List \(K.title) held by this node.") }
    @OptionGroup var data: DataOptions
    @Option(help: "Only those of this author (node id).") var author: String?
    @Flag(help: "Only this centre's own.") var mine = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let access = try await NodeAccess.open(data)
        let who = mine ? access.node : try author.map { try parseNodeID($0, option: "--author") }
        let entries = try await access.records(kind: K.kind, author: who, deleted: false)
        if output.json {
            try writeJSON(entries.map(\.jsonObject))
            return
        }
        var table = Table(headers: ["AUTHOR", "KEY"] + K.headers)
        for e in entries { table.add(row: [e.author.short, e.key.clipped(30)] + K.columns(e, JSONValue.parse(e.body)).map { $0.clipped(40) }) }
        table.print()
        note("\(entries.count) \(K.title)")
    }
}

struct ShowRecord<K: RecordKind>: AsyncParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(commandName: "show", abstract: "Show one of the \(K.title).") }
    @OptionGroup var data: DataOptions
    @Argument(help: "The record key.") var key: String
    @Option(help: "Its author (default: this node).") var author: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let access = try await NodeAccess.open(data)
        let who = try author.map { try parseNodeID($0, option: "--author") } ?? access.node
        guard let entry = try await access.record(author: who, kind: K.kind, key: key), entry.op == .put else {
            throw Failure(message: "no \(K.kind) '\(key)' by \(who.short); see `tcnode \(K.kind == "monitoring" ? "monitor" : K.kind) list`")
        }
        if output.json {
            try writeJSON(entry.jsonObject)
            return
        }
        print("\(K.kind) \(entry.key) by \(entry.author) (seq \(entry.seq), \(TimeText.local(entry.time)))")
        let pretty = try JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: Data(entry.body)),
                                                options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: pretty, as: UTF8.self))
    }
}

struct RemoveRecord<K: RecordKind>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "remove", abstract: "Remove one of this centre's \(K.title) (a tombstone replicates).")
    }
    @OptionGroup var data: DataOptions
    @Argument(help: "The record key.") var key: String

    func run() async throws {
        let access = try await NodeAccess.open(data)
        guard let current = try await access.record(author: access.node, kind: K.kind, key: key), current.op == .put else {
            throw Failure(message: "this centre has no \(K.kind) '\(key)'")
        }
        let done = try await append(.delete(kind: K.kind, key: key, time: TimeText.nowMs()), data: data)
        print("removed \(K.kind) \(key) (seq \(done.seq))")
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
