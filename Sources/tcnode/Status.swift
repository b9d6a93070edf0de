import ArgumentParser
import Foundation
import NodeRuntime
import Replication

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show whether this centre replicates: verdict, node, store and every peer.",
        discussion: """
            Exit codes: 0 the daemon answered, 1 failure, 3 tcnoded is not running (store figures are still shown),
            78 the config file or data directory is wrong (as tcnoded would exit).
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Language: en (English) or id (Bahasa Indonesia); default from the locale.") var lang: String?

    func validate() throws {
        if let lang, Language(rawValue: lang.lowercased()) == nil { throw ValidationError("--lang must be en or id") }
    }

    func run() async throws {
        let language = Language.choose(lang)
        // A config that cannot be used is the problem to report, exactly as
        // tcnoded reports it: not a status read from default paths.
        let config = try data.loadConfig()
        let socket = try data.socketPath()
        var report: StatusReport
        do {
            report = try await ControlClient(socketPath: socket).status()
        } catch ControlClient.Failure.notRunning {
            // Not running: say so, and show what the database itself says
            // (when this user may read it). A data directory that cannot be
            // one is a configuration error, whatever the daemon does.
            let directory = try data.checkedDirectory()
            do {
                let store = try await data.openStore()
                report = try await StatusReport.make(store: store, node: store.node, name: config?.name, region: config?.region,
                                                     running: nil, listen: nil)
                render(report, language: language)
            } catch {
                render(StatusReport.unreadable(node: "", nowMs: TimeText.nowMs()), language: language)
                note(language == .en ? "(store figures of \(directory.path) unavailable: \(error))"
                    : "(angka data \(directory.path) tidak tersedia: \(error))")
            }
            throw ExitCode(3)
        } catch let failure as ControlClient.Failure {
            throw Failure(message: "\(failure)")
        }
        render(report, language: language)
    }

    func render(_ report: StatusReport, language: Language) {
        if output.json {
            if let data = try? StatusReport.encoder.encode(report) {
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            }
            return
        }
        print(StatusText(report: report, language: language).render())
    }
}

/// `tcnode status` for people, in English or Bahasa Indonesia.
struct StatusText {
    let report: StatusReport
    let language: Language

    func t(_ en: String, _ id: String) -> String { language.t(en, id) }

    var verdict: String {
        let now = report.nowMs
        switch report.verdict {
        case .notRunning:
            return t("tcnoded is not running. Start it with: sudo systemctl start tcnoded",
                     "tcnoded tidak berjalan. Jalankan dengan: sudo systemctl start tcnoded")
        case .noPeers:
            return t("No peers configured: add the hub to `peers` in /etc/tcnode/tcnode.toml, then run: sudo systemctl reload tcnoded",
                     "Belum ada peer: tambahkan hub ke `peers` di /etc/tcnode/tcnode.toml, lalu jalankan: sudo systemctl reload tcnoded")
        case .hub(let connected, let known, let last):
            return t("Hub: \(connected) peer(s) connected, \(known) known (last exchange \(language.ago(last, now: now)))",
                     "Hub: \(connected) peer terhubung, \(known) dikenal (pertukaran terakhir \(language.ago(last, now: now)))")
        case .inSync(let peer, let last):
            return t("In sync with \(peer) (last exchange \(language.ago(last, now: now)))",
                     "Sinkron dengan \(peer) (pertukaran terakhir \(language.ago(last, now: now)))")
        case .syncing(let peer, let behind):
            return t("Syncing with \(peer): \(language.count(Int(clamping: behind))) entries still to fetch",
                     "Sedang sinkron dengan \(peer): \(language.count(Int(clamping: behind))) entri lagi")
        case .notConnected(let peer, let since, let retryAt, _):
            let duration = since.map { language.duration(seconds: (now - $0) / 1000) }
            let retry = retryAt.map { language.duration(seconds: max(0, ($0 - now) / 1000)) }
            let head = duration.map { t("Not connected to \(peer) for \($0)", "Tidak terhubung ke \(peer) selama \($0)") }
                ?? t("Never connected to \(peer) yet", "Belum pernah terhubung ke \(peer)")
            let tail = retry.map { t("; next retry in \($0)", "; coba lagi dalam \($0)") } ?? ""
            return head + t(": check the network and the peer address", ": periksa jaringan dan alamat peer") + tail
        case .refused(let peer, let reason):
            return t("\(peer) refuses this node (\(reason ?? "no reason given")): ask the network authority to check its membership",
                     "\(peer) menolak node ini (\(reason ?? "tanpa alasan")): minta otoritas jaringan memeriksa keanggotaannya")
        case .peerFailed(let peer, let reason):
            return t("\(peer) had a failure of its own (\(reason ?? "no reason given")); nothing to fix here, this node retries by itself. If it lasts, tell \(peer)'s operator.",
                     "\(peer) mengalami gangguan sendiri (\(reason ?? "tanpa alasan")); tidak ada yang perlu diperbaiki di sini, node ini mencoba lagi sendiri. Jika berlanjut, beri tahu operator \(peer).")
        case .refusedPeer(let peer, let reason):
            return t("This node refused \(peer) (\(reason ?? "no reason given")): check that peer's address and node id in the config",
                     "Node ini menolak \(peer) (\(reason ?? "tanpa alasan")): periksa alamat dan id node peer itu di konfigurasi")
        case .localStorage(let full, let directory, let free, let reason):
            let dir = directory ?? t("the data directory", "direktori data")
            if full {
                let left = free.map { t(" (\(language.bytes($0)) left)", " (sisa \(language.bytes($0)))") } ?? ""
                return t("This node's disk is full: free space on \(dir)\(left). tcnoded resumes syncing by itself once there is room.",
                         "Disk node ini penuh: kosongkan ruang di \(dir)\(left). tcnoded melanjutkan sinkron sendiri setelah ada ruang.")
            }
            return t("This node's database failed (\(reason)): check the disk of \(dir) (`journalctl -u tcnoded`, `dmesg`); tcnoded retries by itself.",
                     "Basis data node ini gagal (\(reason)): periksa disk \(dir) (`journalctl -u tcnoded`, `dmesg`); tcnoded mencoba lagi sendiri.")
        case .revoked:
            return t("This node was revoked from the network: peers refuse it. A revoked centre needs a new key.",
                     "Node ini telah dicabut dari jaringan: peer menolaknya. Pusat yang dicabut perlu kunci baru.")
        }
    }

    func render() -> String {
        let r = report
        // Nothing more is known when neither the daemon nor the database answered.
        if r.role == "unknown" { return verdict }
        var lines: [String] = [verdict, ""]
        let name = r.name.map { "  (\($0))" } ?? ""
        lines.append(t("Node      ", "Node      ") + r.node + name)
        let region = r.region.map { t(", region ", ", wilayah ") + $0 } ?? ""
        lines.append(t("Role      ", "Peran     ") + r.role + t(" in network ", " di jaringan ") + String(r.network.prefix(8)) + region)
        var version = "tcnode \(r.version)"
        if let up = r.uptimeSeconds { version += t(", up ", ", aktif ") + language.duration(seconds: Int64(up)) }
        lines.append(t("Version   ", "Versi     ") + version)
        if let listen = r.listen { lines.append(t("Listening ", "Menunggu koneksi di ") + listen) }
        lines.append("")
        let s = r.store
        lines.append(t("Store     ", "Data      ") + t(
            "\(language.count(s.entries)) entries from \(language.count(s.authors)) authors, \(language.bytes(s.databaseBytes))",
            "\(language.count(s.entries)) entri dari \(language.count(s.authors)) penulis, \(language.bytes(s.databaseBytes))"))
        if let free = r.diskFreeBytes, let dir = r.dataDir {
            lines.append(t("Disk      ", "Disk      ") + t("\(language.bytes(free)) free on \(dir)", "\(language.bytes(free)) kosong di \(dir)"))
        }
        let kinds = s.recordsByKind.sorted { $0.key < $1.key }.map { "\($0.key) \(language.count($0.value))" }.joined(separator: ", ")
        lines.append(t("Records   ", "Rekaman   ") + (kinds.isEmpty ? t("none yet", "belum ada") : kinds))
        if s.forks > 0 {
            lines.append(t("Forks     ", "Fork      ") + t(
                "\(s.forks) recorded: an author signed two different entries with one seq (a copied key or a restored backup written to).",
                "\(s.forks) tercatat: seorang penulis menandatangani dua entri berbeda dengan seq yang sama (kunci disalin atau cadangan yang ditulisi)."))
            for f in r.forks.prefix(5) {
                lines.append("          " + t("author \(f.author.prefix(8)) at seq \(f.seq), seen from \(f.peer.map { String($0.prefix(8)) } ?? "this node")",
                                              "penulis \(f.author.prefix(8)) pada seq \(f.seq), dari \(f.peer.map { String($0.prefix(8)) } ?? "node ini")"))
            }
            lines.append("          " + t("Its entries are frozen here. The authority should revoke that key from the fork's seq; the centre makes a new key.",
                                          "Entrinya dibekukan di sini. Otoritas sebaiknya mencabut kunci itu mulai seq fork; pusat membuat kunci baru."))
        }
        lines += BundleText.statusLines(r, language: language)
        lines.append("")
        guard !r.peers.isEmpty else {
            lines.append(t("Peers     none", "Peer      tidak ada"))
            return lines.joined(separator: "\n")
        }
        lines.append(t("Peers", "Peer"))
        var table = Table(
            t("PEER", "PEER"), t("ADDRESS", "ALAMAT"), t("STATE", "KEADAAN"), t("LAST CONNECTED", "TERAKHIR TERHUBUNG"),
            t("LAST ENTRY IN/OUT", "ENTRI TERAKHIR MASUK/KELUAR"), t("BEHIND US/THEM", "TERTINGGAL KITA/MEREKA"),
            t("BYTES IN/OUT", "BYTE MASUK/KELUAR"), t("FORKS", "FORK"))
        for p in r.peers {
            let label = (p.name ?? String(p.node.prefix(8))) + (p.role.map { " [\($0)]" } ?? "")
            table.add(row: [
                label, p.address ?? "-", state(p), language.ago(p.lastConnectedMs, now: r.nowMs),
                language.ago(p.lastEntryReceivedMs, now: r.nowMs) + " / " + language.ago(p.lastEntrySentMs, now: r.nowMs),
                "\(language.count(Int(clamping: p.entriesBehind))) / \(language.count(Int(clamping: p.entriesPeerBehind)))",
                language.bytes(Int64(p.bytesIn)) + " / " + language.bytes(Int64(p.bytesOut)), "\(p.forks)",
            ])
        }
        lines.append(table.render())
        for p in r.peers where p.state != .connected {
            if let detail = p.detail {
                lines.append("  " + (p.name ?? String(p.node.prefix(8))) + ": " + detail)
            }
        }
        return lines.joined(separator: "\n")
    }

    func state(_ p: PeerStatus) -> String {
        switch p.state {
        case .connected: return p.inSync ? t("connected, in sync", "terhubung, sinkron") : t("connected, syncing", "terhubung, sedang sinkron")
        case .connecting: return t("connecting", "menghubungkan")
        case .backingOff:
            let wait = p.retryAtMs.map { language.duration(seconds: max(0, ($0 - report.nowMs) / 1000)) } ?? "?"
            return t("retry in \(wait)", "coba lagi dalam \(wait)")
        case .refused: return t("refused", "ditolak")
        case .disconnected: return t("disconnected", "terputus")
        }
    }
}
