import ArgumentParser
import Foundation
import NodeAPI
import NodeRuntime
import Replication

/// Where the node lives: data directory, config file, control socket.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: ArgumentHelp(tr(
        "Node data directory (default: $TCNODE_DATA_DIR, else data_dir of the config, else /var/lib/tcnode).",
        "Direktori data node (bawaan: $TCNODE_DATA_DIR, lalu data_dir di konfigurasi, lalu /var/lib/tcnode).")))
    var dataDir: String?

    @Option(help: ArgumentHelp(tr(
        "tcnoded's config file, read for data_dir and control_socket (default: /etc/tcnode/tcnode.toml if it exists).",
        "Berkas konfigurasi tcnoded, dibaca untuk data_dir dan control_socket (bawaan: /etc/tcnode/tcnode.toml bila ada).")))
    var config: String?

    @Option(help: ArgumentHelp(tr(
        "tcnoded's control socket (default: $TCNODE_CONTROL_SOCKET, else control_socket of the config, else /run/tcnode/control.sock).",
        "Soket kendali tcnoded (bawaan: $TCNODE_CONTROL_SOCKET, lalu control_socket di konfigurasi, lalu /run/tcnode/control.sock).")))
    var socket: String?

    @Option(help: ArgumentHelp(tr("Language: en (English) or id (Bahasa Indonesia); default from the locale.",
                                  "Bahasa: en (Inggris) atau id (Bahasa Indonesia); bawaan dari locale.")))
    var lang: String?

    func validate() throws { try Language.validate(lang) }

    /// The language of this run, wherever `--lang` stood on the command line.
    var language: Language { Language.current }

    /// The config file, when one is given or the default one exists and
    /// this user may read it. A config that is given but cannot be used is
    /// an error with tcnoded's exit code (78), never silently replaced by
    /// the defaults (which would show another node's files).
    func loadConfig() throws -> NodeConfig? {
        let path: String
        if let config {
            path = config
        } else {
            path = NodeConfig.defaultPath
            // Operators outside group tcnode cannot read it: the socket and
            // directory defaults then apply, as before.
            guard FileManager.default.isReadableFile(atPath: path) else { return nil }
        }
        do { return try NodeConfig.load(path: path) } catch { throw Failure(message: ErrorText.plain(error), code: 78) }
    }

    /// The data directory and where its path came from (for messages).
    func resolvedDirectory() throws -> (directory: DataDirectory, source: String) {
        let env = ProcessInfo.processInfo.environment
        if let dataDir, !dataDir.isEmpty { return (DataDirectory(dataDir), "--data-dir") }
        if let e = env[DataDirectory.environmentVariable], !e.isEmpty { return (DataDirectory(e), DataDirectory.environmentVariable) }
        if let c = try loadConfig() { return (DataDirectory(c.dataDir), "data_dir in \(config ?? NodeConfig.defaultPath)") }
        return (DataDirectory(DataDirectory.defaultPath), "the default data directory")
    }

    func directory() throws -> DataDirectory { try resolvedDirectory().directory }

    /// The data directory, refused when its path names something that is
    /// not a directory (it would otherwise read as "no database" or
    /// "permission denied").
    func checkedDirectory() throws -> DataDirectory {
        let (directory, source) = try resolvedDirectory()
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw Failure(message: tr("\(directory.path) (\(source)) is a file, not a directory; set data_dir to a directory (the one `tcnode init` made)",
                                      "\(directory.path) (\(source)) adalah berkas, bukan direktori; atur data_dir ke sebuah direktori (yang dibuat `tcnode init`)"),
                          code: 78)
        }
        return directory
    }

    func socketPath() throws -> String {
        if let socket, !socket.isEmpty { return socket }
        if let e = ProcessInfo.processInfo.environment["TCNODE_CONTROL_SOCKET"], !e.isEmpty { return e }
        if let c = try loadConfig() { return c.controlSocket }
        return NodeConfig().controlSocket
    }

    /// Opens the database off the cooperative pool (opening reads and
    /// checks the file).
    func openStore() async throws -> Store {
        let directory = try checkedDirectory()
        do { return try await OffPool.run { try directory.openStore() } } catch { throw Failure(message: ErrorText.plain(error)) }
    }

    /// Opens the database for this command to write it itself, holding the
    /// data directory's lock until it ends. Refused in words while tcnoded
    /// runs on the directory: then it is the only writer. `stopFirst` names
    /// a command that only runs with tcnoded stopped.
    func openStoreForWriting(stopFirst command: String? = nil) async throws -> Store {
        let directory = try checkedDirectory()
        do {
            return try await OffPool.run { try directory.openStoreForWriting() }
        } catch DataDirectory.Lock.Failure.daemonRunning {
            throw try daemonRunning(directory, stopFirst: command)
        } catch {
            throw Failure(message: ErrorText.plain(error))
        }
    }

    /// The data directory's lock for writing files other than the database
    /// (photos); refused as `openStoreForWriting` is.
    func lockForWriting() async throws -> DataDirectory.Lock {
        let directory = try checkedDirectory()
        do {
            return try await OffPool.run { try directory.lockForWriting() }
        } catch DataDirectory.Lock.Failure.daemonRunning {
            throw try daemonRunning(directory, stopFirst: nil)
        } catch {
            throw Failure(message: ErrorText.plain(error))
        }
    }

    /// Whether tcnoded answers on `client` within `limit`: a daemon that
    /// holds the data directory but not yet its socket is starting (it
    /// opens the store first). Asked every 100 ms: another process cannot
    /// tell this one when it is ready.
    func daemonAnswers(_ client: ControlClient, within limit: Duration = .seconds(30)) async -> Bool {
        guard dataDir == nil else { return false }
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if (try? await client.identity()) != nil { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Why this command may not write while tcnoded runs on `directory`, and
    /// what to do instead.
    func daemonRunning(_ directory: DataDirectory, stopFirst command: String?) throws -> Failure {
        let dir = directory.path
        if let command {
            return Failure(message: tr("tcnoded is running on \(dir); stop it first (sudo systemctl stop tcnoded), then run \(command), then start it",
                                       "tcnoded sedang berjalan di \(dir); hentikan dulu (sudo systemctl stop tcnoded), lalu jalankan \(command), lalu jalankan tcnoded"))
        }
        if dataDir != nil {
            return Failure(daemonHoldsDirectory: true, message: tr("tcnoded is running on \(dir): while it runs it is the only writer of its data directory. "
                + "Drop --data-dir to write through it, or stop it first (sudo systemctl stop tcnoded); nothing was stored",
                                       "tcnoded sedang berjalan di \(dir): selama berjalan hanya ia yang menulis direktori datanya. "
                + "Hapus --data-dir agar tulisan lewat tcnoded, atau hentikan dulu (sudo systemctl stop tcnoded); tidak ada yang disimpan"))
        }
        let socket = try socketPath()
        return Failure(daemonHoldsDirectory: true, message: tr("tcnoded is running on \(dir) but does not answer on the control socket \(socket): check control_socket "
            + "(or --socket, $TCNODE_CONTROL_SOCKET), or stop tcnoded first (sudo systemctl stop tcnoded); nothing was stored",
                                   "tcnoded sedang berjalan di \(dir) tetapi tidak menjawab di soket kendali \(socket): periksa control_socket "
            + "(atau --socket, $TCNODE_CONTROL_SOCKET), atau hentikan tcnoded dulu (sudo systemctl stop tcnoded); tidak ada yang disimpan"))
    }

    func openKey() throws -> NodeKey {
        let directory = try checkedDirectory()
        do { return try directory.openKey() } catch { throw Failure(message: ErrorText.plain(error)) }
    }
}

struct OutputOptions: ParsableArguments {
    @Flag(help: ArgumentHelp(tr("Print JSON instead of a table (stable: fields are only ever added).",
                                "Cetak JSON, bukan tabel (stabil: kolom hanya ditambah, tidak pernah diubah).")))
    var json = false
}

/// Text in the language of this run (`Language.current`).
func tr(_ en: String, _ id: String) -> String { Language.current.t(en, id) }

func writeJSON(_ value: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    Output.write(data + Data("\n".utf8), to: STDOUT_FILENO)
}

func writeJSON<T: Encodable>(encodable value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    Output.write(try encoder.encode(value) + Data("\n".utf8), to: STDOUT_FILENO)
}


enum TimeText {
    static func local(_ ms: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func iso(_ ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

extension Entry {
    /// The stable JSON shape of an entry in CLI output.
    var jsonObject: [String: Any] {
        var object: [String: Any] = [
            "author": author.description, "seq": seq, "id": id.description, "kind": kind, "key": key,
            "op": op == .put ? "put" : "delete", "time_ms": time, "time": TimeText.iso(time),
        ]
        if op == .put {
            object["body"] = (try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])) ?? bodyString
        }
        return object
    }
}

/// What a write command did, whichever way it went.
struct Appended {
    let kind: String
    let key: String
    let seq: UInt64
    let id: String
    /// True when tcnoded stored it (and sent it to connected peers).
    let viaDaemon: Bool
}

/// Appends this node's entry through tcnoded when it runs, so peers get it
/// at once; when it does not, straight into the database (the daemon sends
/// it at its next start). While tcnoded runs on the data directory it is
/// its only writer: a direct write is then refused.
func append(_ draft: Entry.Draft, data: DataOptions) async throws -> Appended {
    // An explicit --data-dir is that node, never whatever daemon answers.
    let client = ControlClient(socketPath: data.dataDir == nil ? try data.socketPath() : "/nonexistent/tcnode.sock")
    let ask = AppendRequest(kind: draft.kind, key: draft.key, op: draft.op == .put ? "put" : "delete",
                            body: draft.op == .put ? String(decoding: draft.body, as: UTF8.self) : nil)
    /// The daemon's answer, or nil when none answers on the socket.
    func throughDaemon() async throws -> Appended? {
        do {
            let r = try await client.append(ask)
            return Appended(kind: draft.kind, key: draft.key, seq: r.seq, id: r.id, viaDaemon: true)
        } catch ControlClient.Failure.notRunning {
            return nil
        } catch ControlClient.Failure.lost(let why) {
            // The request may have been stored before the answer was lost.
            throw Failure(message: tr("tcnoded did not answer (\(why)); the write may or may not be stored: "
                + "check with `tcnode log --limit 5` before writing it again, and see `journalctl -u tcnoded`",
                                      "tcnoded tidak menjawab (\(why)); tulisan mungkin tersimpan, mungkin tidak: "
                + "periksa dengan `tcnode log --limit 5` sebelum menulisnya lagi, dan lihat `journalctl -u tcnoded`"))
        } catch {
            throw Failure(message: tr("tcnoded refused the write: \(ErrorText.plain(error)); nothing was stored",
                                      "tcnoded menolak tulisan: \(ErrorText.plain(error)); tidak ada yang disimpan"))
        }
    }
    if let done = try await throughDaemon() { return done }
    let key = try data.openKey()
    let store: Store
    do {
        store = try await data.openStoreForWriting()
    } catch let refused as Failure where refused.daemonHoldsDirectory {
        // It holds the directory but did not answer: it is starting.
        guard await data.daemonAnswers(client), let done = try await throughDaemon() else { throw refused }
        return done
    }
    do {
        let entry = try await store.append([draft], signer: key)[0]
        return Appended(kind: entry.kind, key: entry.key, seq: entry.seq, id: entry.id.description, viaDaemon: false)
    } catch {
        throw Failure(message: ErrorText.plain(error) + tr("; nothing was stored", "; tidak ada yang disimpan"))
    }
}
