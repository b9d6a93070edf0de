import ArgumentParser
import Foundation
import NodeRuntime
import Replication

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: tr("Show whether this centre replicates: verdict, node, store and every peer.",
                     "Tampilkan apakah pusat ini bereplikasi: kesimpulan, node, data dan setiap peer."),
        discussion: tr("""
            Fits 80 columns; --wide shows every figure of every peer. Exit codes: 0 the daemon answered, 1 failure,
            3 tcnoded is not running (store figures are still shown), 78 the config file or data directory is wrong
            (as tcnoded would exit).
            """, """
            Muat dalam 80 kolom; --wide menampilkan semua angka setiap peer. Kode keluar: 0 daemon menjawab, 1 gagal,
            3 tcnoded tidak berjalan (angka data tetap ditampilkan), 78 berkas konfigurasi atau direktori data salah
            (seperti tcnoded keluar).
            """))

    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    @Flag(help: ArgumentHelp(tr("Every column of the peer table and the whole of long lines (wider than 80 columns).",
                                "Semua kolom tabel peer dan baris panjang secara utuh (lebih lebar dari 80 kolom).")))
    var wide = false
    @Option(name: .customLong("from"), help: ArgumentHelp(tr(
        "Show a status saved with `tcnode status --json` (for example one a centre sent) instead of asking tcnoded.",
        "Tampilkan status yang disimpan dengan `tcnode status --json` (mis. kiriman sebuah pusat), bukan menanyai tcnoded.")))
    var from: String?

    func run() async throws {
        let language = data.language
        if let from {
            let bytes = try FileInput.read(from)
            guard let report = try? StatusReport.decoder.decode(StatusReport.self, from: Data(bytes)) else {
                throw Failure(message: language.t("\(from) is not a status saved with `tcnode status --json`",
                                                  "\(from) bukan status yang disimpan dengan `tcnode status --json`"))
            }
            render(report, language: language)
            return
        }
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
                let region = await InterestChoice.region(configured: config?.region, store: store)
                report = try await StatusReport.make(store: store, node: store.node, name: config?.name, region: region,
                                                     running: nil, listen: nil)
                report.interest = (config?.interest ?? InterestChoice()).status(node: store.node, roster: store.roster,
                                                                                configuredRegion: region)
                render(report, language: language)
            } catch {
                render(StatusReport.unreadable(node: "", nowMs: TimeText.nowMs()), language: language)
                note(language.t("(store figures of \(directory.path) unavailable: \(ErrorText.plain(error)))",
                                "(angka data \(directory.path) tidak tersedia: \(ErrorText.plain(error)))"))
            }
            throw ExitCode(3)
        } catch let failure as ControlClient.Failure {
            throw Failure(message: ErrorText.plain(failure))
        }
        render(report, language: language)
    }

    func render(_ report: StatusReport, language: Language) {
        if output.json {
            if let data = try? StatusReport.encoder.encode(report) {
                Output.write(data + Data("\n".utf8), to: STDOUT_FILENO)
            }
            return
        }
        say(StatusText(report: report, language: language, wide: wide).render())
    }
}

/// `tcnode status` for people, in English or Bahasa Indonesia: 80 columns
/// unless `wide`.
struct StatusText {
    let report: StatusReport
    let language: Language
    var wide = false

    static let width = 80
    /// Labels are this wide; continuation lines are indented as much.
    static let label = 10

    func t(_ en: String, _ id: String) -> String { language.t(en, id) }

    func reason(_ text: String?) -> String {
        text.map { PeerDetailText.plain($0, language: language) } ?? t("no reason given", "tanpa alasan")
    }

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
        case .slowLink(let peer, let entries, let bytes, let seconds, let rate, let reconnecting, let retryAt):
            let n = language.count(Int(clamping: entries))
            let (size, time, speed) = (language.bytes(Int64(clamping: bytes)), language.duration(seconds: Self.roughly(seconds)),
                                       language.bytes(Int64(rate)) + "/s")
            let head = t("Syncing with \(peer) over a slow link: \(n) entries, \(size) to go, about \(time) at the current rate (\(speed))",
                         "Sinkron dengan \(peer) lewat jaringan lambat: \(n) entri, \(size) lagi, sekitar \(time) dengan kecepatan sekarang (\(speed))")
            guard reconnecting else { return head }
            let wait = retryAt.map { language.duration(seconds: Self.secondsUntil($0, now: now)) }
            return head + (wait.map { t("; the link dropped, reconnecting in \($0)", "; jaringan putus, menyambung ulang dalam \($0)") }
                ?? t("; the link dropped, reconnecting now", "; jaringan putus, sedang menyambung ulang"))
        case .notConnected(let peer, let since, let retryAt, _):
            let duration = since.map { language.duration(seconds: (now - $0) / 1000) }
            let retry = retryAt.map { language.duration(seconds: Self.secondsUntil($0, now: now)) }
            let head = duration.map { t("Not connected to \(peer) for \($0)", "Tidak terhubung ke \(peer) selama \($0)") }
                ?? t("Never connected to \(peer) yet", "Belum pernah terhubung ke \(peer)")
            let tail = retry.map { t("; next retry in \($0)", "; coba lagi dalam \($0)") } ?? ""
            return head + t(": check the network and the peer address", ": periksa jaringan dan alamat peer") + tail
        case .refused(let peer, let why):
            return t("\(peer) refuses this node (\(reason(why))): ask the network authority to check its membership",
                     "\(peer) menolak node ini (\(reason(why))): minta otoritas jaringan memeriksa keanggotaannya")
        case .peerFailed(let peer, let why):
            return t("\(peer) had a failure of its own (\(reason(why))); nothing to fix here, this node retries by itself. If it lasts, tell \(peer)'s operator.",
                     "\(peer) mengalami gangguan sendiri (\(reason(why))); tidak ada yang perlu diperbaiki di sini, node ini mencoba lagi sendiri. Jika berlanjut, beri tahu operator \(peer).")
        case .refusedPeer(let peer, let why):
            return t("This node refused \(peer) (\(reason(why))): check that peer's address and node id in the config",
                     "Node ini menolak \(peer) (\(reason(why))): periksa alamat dan id node peer itu di konfigurasi")
        case .localStorage(let full, let directory, let free, let why):
            let dir = directory ?? t("the data directory", "direktori data")
            if full {
                let left = free.map { t(" (\(language.bytes($0)) left)", " (sisa \(language.bytes($0)))") } ?? ""
                return t("This node's disk is full: free space on \(dir)\(left). tcnoded resumes syncing by itself once there is room.",
                         "Disk node ini penuh: kosongkan ruang di \(dir)\(left). tcnoded melanjutkan sinkron sendiri setelah ada ruang.")
            }
            return t("This node's database failed (\(reason(why))): check the disk of \(dir) (`journalctl -u tcnoded`, `dmesg`); tcnoded retries by itself.",
                     "Basis data node ini gagal (\(reason(why))): periksa disk \(dir) (`journalctl -u tcnoded`, `dmesg`); tcnoded mencoba lagi sendiri.")
        case .revoked:
            return t("This node was revoked from the network: peers refuse it. A revoked centre needs a new key.",
                     "Node ini telah dicabut dari jaringan: peer menolaknya. Pusat yang dicabut perlu kunci baru.")
        }
    }

    func render() -> String {
        let r = report
        // Nothing more is known when neither the daemon nor the database answered.
        if r.role == "unknown" { return fit([verdict], indent: 0).joined(separator: "\n") }
        var lines: [String] = []
        let role = Words.role(r.role, language)
        let network = NodeID(r.network).map(\.short) ?? String(r.network.prefix(8))
        let region = r.region.map { t(", region ", ", wilayah ") + $0 } ?? ""
        lines.append(t("Node      ", "Node      ") + (r.name.map { "\($0): " } ?? "") + role + t(" in network ", " di jaringan ") + network + region)
        lines.append(t("Id        ", "Id        ") + (NodeID(r.node)?.checked ?? r.node))
        var version = "tcnode \(r.version)"
        if let up = r.uptimeSeconds { version += t(", up ", ", aktif ") + language.duration(seconds: Int64(up)) }
        lines.append(t("Version   ", "Versi     ") + version)
        if let listen = r.listen { lines.append(t("Listening ", "Mendengar ") + listen) }
        if let interest = r.interest { lines.append(t("Interest  ", "Minat     ") + interestText(interest)) }
        lines.append("")
        let s = r.store
        lines.append(t("Store     ", "Data      ") + t(
            "\(language.count(s.entries)) entries from \(language.count(s.authors)) authors, \(language.bytes(s.databaseBytes))",
            "\(language.count(s.entries)) entri dari \(language.count(s.authors)) penulis, \(language.bytes(s.databaseBytes))"))
        if let free = r.diskFreeBytes, let dir = r.dataDir {
            lines.append(t("Disk      ", "Disk      ") + t("\(language.bytes(free)) free on \(dir)", "\(language.bytes(free)) kosong di \(dir)"))
        }
        let kinds = s.recordsByKind.sorted { $0.key < $1.key }.map { "\(Words.kind($0.key, language)) \(language.count($0.value))" }
            .joined(separator: ", ")
        lines.append(t("Records   ", "Rekaman   ") + (kinds.isEmpty ? t("none yet", "belum ada") : kinds))
        if let views = r.views { lines.append(t("Views     ", "Tampilan  ") + viewsText(views)) }
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
            return (fit([verdict], indent: 0) + [""] + fit(lines)).joined(separator: "\n")
        }
        lines.append(t("Peers", "Peer"))
        var out = fit([verdict], indent: 0) + [""] + fit(lines)
        out.append(peerTable())
        var details: [String] = []
        for p in r.peers {
            if !(p.state == .connected && p.inSync) { details += progress(p) }
            if p.state != .connected, let detail = p.detail {
                details.append("  " + label(p) + ": " + reason(detail))
            }
        }
        out += fit(details, indent: 4)
        return out.joined(separator: "\n")
    }

    /// The views (dashboard tables): up to date, catching up, or their
    /// database away while the node goes on syncing.
    func viewsText(_ v: ViewsStatus) -> String {
        let backend = v.backend == "postgresql" ? "PostgreSQL" : "SQLite"
        let entries = language.count(Int(v.behind)) + t(v.behind == 1 ? " entry" : " entries", " entri")
        let after = t("This node goes on syncing; the views catch up by themselves once the database answers.",
                      "Node ini tetap sinkron; tampilan menyusul sendiri begitu basis data menjawab.")
        if !v.available {
            let why = v.error.map { ": " + $0 } ?? ""
            // Away since the start, the views' position is unknown: no count.
            guard v.appliedKnown else {
                return t("their \(backend) database has not answered since tcnoded started\(why). ",
                         "basis data \(backend)-nya belum menjawab sejak tcnoded mulai\(why). ") + after
            }
            return t("\(entries) behind; their \(backend) database does not answer\(why). ",
                     "tertinggal \(entries); basis data \(backend)-nya tidak menjawab\(why). ") + after
        }
        if v.behind > 0 {
            return t("\(backend), catching up: \(entries) to go", "\(backend), sedang menyusul: \(entries) lagi")
        }
        return t("\(backend), up to date with the store", "\(backend), mutakhir dengan data")
    }

    /// What the node fetches from its peers, in words.
    func interestText(_ i: InterestStatus) -> String {
        let mode = "(interest = \(i.mode))"
        if i.everything {
            return t("every author's entries \(mode)", "entri semua penulis \(mode)")
        }
        var parts: [String] = []
        if !i.regions.isEmpty { parts.append(t("region ", "wilayah ") + i.regions.joined(separator: ", ")) }
        if !i.authors.isEmpty {
            parts.append(t("authors ", "penulis ") + i.authors.map { NodeID($0)?.short ?? String($0.prefix(8)) }.joined(separator: ", "))
        }
        if !i.roles.isEmpty { parts.append(t("roles ", "peran ") + i.roles.map { Words.role($0, language) }.joined(separator: ", ")) }
        return parts.joined(separator: "; ")
            + t(", the roster and its own entries \(mode)", ", daftar anggota dan entrinya sendiri \(mode)")
    }

    /// A peer still syncing, or between connections: what is left to fetch,
    /// the bytes moved since the daemon started (re-sent ones apart), the
    /// recent rate, and photos on their way.
    func progress(_ p: PeerStatus) -> [String] {
        var lines: [String] = []
        var parts: [String] = []
        if p.bytesBehind > 0 {
            parts.append(t("\(language.bytes(Int64(clamping: p.bytesBehind))) to fetch", "\(language.bytes(Int64(clamping: p.bytesBehind))) lagi"))
        }
        if p.bytesInTotal + p.bytesOutTotal > 0 {
            var moved = t("in \(language.bytes(Int64(p.bytesInTotal))), out \(language.bytes(Int64(p.bytesOutTotal))) since start",
                          "masuk \(language.bytes(Int64(p.bytesInTotal))), keluar \(language.bytes(Int64(p.bytesOutTotal))) sejak mulai")
            if p.bytesResent > 0 {
                moved += t(", \(language.bytes(Int64(p.bytesResent))) re-sent", ", \(language.bytes(Int64(p.bytesResent))) dikirim ulang")
            }
            parts.append(moved)
        }
        if p.averageReceiveRate > 0 {
            parts.append(t("\(language.bytes(Int64(p.averageReceiveRate)))/s lately", "\(language.bytes(Int64(p.averageReceiveRate)))/s belakangan ini"))
        }
        if !parts.isEmpty { lines.append("  " + label(p) + ": " + parts.joined(separator: "; ")) }
        if p.photosFetching > 0 {
            var photos = t("photos: \(p.photosFetching) coming", "foto: \(p.photosFetching) sedang datang")
            if p.photoBytesTotal > 0 {
                let percent = Int(p.photoBytesHeld * 100 / p.photoBytesTotal)
                photos += t(", \(language.bytes(Int64(clamping: p.photoBytesHeld))) of \(language.bytes(Int64(clamping: p.photoBytesTotal))) (\(percent)%)",
                            ", \(language.bytes(Int64(clamping: p.photoBytesHeld))) dari \(language.bytes(Int64(clamping: p.photoBytesTotal))) (\(percent)%)")
            }
            if p.photoRate > 0 { photos += ", \(language.bytes(Int64(p.photoRate)))/s" }
            lines.append("  " + label(p) + ": " + photos)
        }
        return lines
    }

    func label(_ p: PeerStatus) -> String { p.name ?? String(p.node.prefix(8)) }

    func peerTable() -> String {
        let now = report.nowMs
        if wide {
            var table = Table(
                t("PEER", "PEER"), t("ADDRESS", "ALAMAT"), t("STATE", "KEADAAN"), t("LAST CONNECTED", "TERAKHIR TERHUBUNG"),
                t("LAST ENTRY IN/OUT", "ENTRI TERAKHIR MASUK/KELUAR"), t("BEHIND US/THEM", "TERTINGGAL KITA/MEREKA"),
                t("TO FETCH", "SISA"), t("TIME LEFT", "SISA WAKTU"), t("BYTES IN/OUT", "BYTE MASUK/KELUAR"),
                t("SINCE START IN/OUT", "SEJAK MULAI MASUK/KELUAR"), t("RE-SENT", "DIKIRIM ULANG"), t("RATE", "KECEPATAN"),
                t("PHOTOS", "FOTO"), t("FORKS", "FORK"), t("NODE ID", "ID NODE"))
            for p in report.peers {
                table.add(row: [
                    label(p) + (p.role.map { " [\(Words.role($0, language))]" } ?? ""), p.address ?? "-", state(p),
                    language.ago(p.lastConnectedMs, now: now),
                    language.ago(p.lastEntryReceivedMs, now: now) + " / " + language.ago(p.lastEntrySentMs, now: now),
                    behind(p), language.bytes(Int64(clamping: p.bytesBehind)),
                    p.secondsToFetch.map { language.duration(seconds: Self.roughly($0)) } ?? "-",
                    language.bytes(Int64(p.bytesIn)) + " / " + language.bytes(Int64(p.bytesOut)),
                    language.bytes(Int64(p.bytesInTotal)) + " / " + language.bytes(Int64(p.bytesOutTotal)),
                    language.bytes(Int64(p.bytesResent)),
                    p.averageReceiveRate > 0 ? language.bytes(Int64(p.averageReceiveRate)) + "/s" : "-",
                    p.photosFetching == 0 ? "-"
                        : "\(p.photosFetching): " + language.bytes(Int64(clamping: p.photoBytesHeld)) + " / "
                            + language.bytes(Int64(clamping: p.photoBytesTotal)),
                    "\(p.forks)", NodeID(p.node)?.checked ?? p.node,
                ])
            }
            return table.render()
        }
        var table = Table(t("PEER", "PEER"), t("STATE", "KEADAAN"), t("LAST CONTACT", "KONTAK TERAKHIR"), t("BEHIND US/THEM", "TERTINGGAL"))
        for p in report.peers {
            table.add(row: [
                label(p), state(p), language.ago(p.lastSeenMs ?? p.lastConnectedMs, now: now), behind(p),
            ])
        }
        return table.render(maxWidth: Self.width, shrinking: 0)
    }

    /// An estimate to the nearest minute from a minute on (`duration`
    /// leaves out the seconds, and 2 min 55 s is about 3 min, not 2).
    static func roughly(_ seconds: Int) -> Int64 {
        seconds < 60 ? Int64(seconds) : Int64((seconds + 30) / 60 * 60)
    }

    /// Whole seconds until `ms`, rounded up: a retry 400 ms away is in 1 s.
    static func secondsUntil(_ ms: Int64, now: Int64) -> Int64 { max(0, (ms - now + 999) / 1000) }

    /// Entries behind us / them. Between connections the figures of the
    /// last one (or of what the peer offered before) stand; a peer not
    /// connected with nothing known waiting shows `-`, not a `0 / 0` that
    /// would claim nothing is waiting.
    func behind(_ p: PeerStatus) -> String {
        if p.state != .connected && p.entriesBehind == 0 && p.entriesPeerBehind == 0 { return "-" }
        return "\(language.count(Int(clamping: p.entriesBehind))) / \(language.count(Int(clamping: p.entriesPeerBehind)))"
    }

    func state(_ p: PeerStatus) -> String {
        if p.reconnecting {
            if p.state == .backingOff, let retry = p.retryAtMs {
                let wait = language.duration(seconds: Self.secondsUntil(retry, now: report.nowMs))
                return t("reconnecting in \(wait), try \(p.connectAttempts + 1)", "sambung ulang \(wait), ke-\(p.connectAttempts + 1)")
            }
            return p.connectAttempts > 0 ? t("reconnecting, try \(p.connectAttempts)", "menyambung ulang, ke-\(p.connectAttempts)")
                : t("reconnecting", "menyambung ulang")
        }
        switch p.state {
        case .connected: return p.inSync ? t("connected, in sync", "terhubung, sinkron") : t("connected, syncing", "sedang sinkron")
        case .connecting: return t("connecting", "menghubungkan")
        case .backingOff:
            let wait = p.retryAtMs.map { language.duration(seconds: Self.secondsUntil($0, now: report.nowMs)) } ?? "?"
            return t("retry in \(wait)", "coba lagi \(wait)")
        case .refused: return t("refused", "ditolak")
        case .disconnected: return t("disconnected", "terputus")
        }
    }

    /// Lines cut at word boundaries to 80 columns (unless wide), continued
    /// under their label.
    func fit(_ lines: [String], indent: Int = StatusText.label) -> [String] {
        guard !wide else { return lines }
        return lines.flatMap { Self.wrap($0, width: Self.width, indent: indent) }
    }

    static func wrap(_ line: String, width: Int, indent: Int) -> [String] {
        guard line.count > width else { return [line] }
        let lead = String(line.prefix { $0 == " " })
        var out: [String] = []
        var current = lead
        let text = line.dropFirst(lead.count)
        let pad = String(repeating: " ", count: indent)
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let candidate = current == lead ? current + word : current + " " + word
            if candidate.count > width && !current.trimmingCharacters(in: .whitespaces).isEmpty {
                out.append(current)
                current = pad + word
            } else {
                current = candidate
            }
        }
        out.append(current)
        // A word longer than the width (a path) is cut where it must be.
        return out.flatMap { l -> [String] in
            guard l.count > width else { return [l] }
            var rest = Substring(l)
            var pieces: [String] = []
            while rest.count > width {
                pieces.append(String(rest.prefix(width)))
                rest = Substring(pad) + rest.dropFirst(width)
            }
            pieces.append(String(rest))
            return pieces
        }
    }
}

/// Why a peer's connection ended, as the daemon words it (`detail`), in
/// plain words of the operator's language: the cause and what to do, never
/// a BoringSSL error stack or a Swift error dump.
enum PeerDetailText {
    static func plain(_ detail: String, language l: Language) -> String {
        if detail.hasPrefix("TLS handshake failed: ") {
            return handshake(String(detail.dropFirst("TLS handshake failed: ".count)), language: l)
        }
        if detail.hasPrefix("cannot connect to ") {
            let rest = detail.dropFirst("cannot connect to ".count)
            let colon = rest.range(of: ": ")
            let address = colon.map { String(rest[..<$0.lowerBound]) } ?? String(rest)
            let why = colon.map { String(rest[$0.upperBound...]) } ?? ""
            return l.t("cannot connect to \(address): ", "tidak bisa terhubung ke \(address): ") + connect(why, language: l)
        }
        if let refusal = StatusReport.Refusal(parsing: detail) {
            return refused(refusal, language: l)
        }
        if detail.hasPrefix("no data from the peer for too long") {
            return l.t("no data from the peer for too long (the link dropped?)", "tidak ada data dari peer terlalu lama (jaringan putus?)")
        }
        if detail == "this node is shutting down" { return l.t(detail, "node ini sedang berhenti") }
        if detail.hasPrefix("connection error") || detail.hasPrefix("connection lost") || detail == "the connection ended" {
            return l.t("the connection was cut (the link or the peer dropped it); this node retries by itself",
                       "koneksi terputus (jaringan atau peer memutusnya); node ini mencoba lagi sendiri")
        }
        return l.t(ErrorText.scrub(detail), "alasan dari tcnoded: " + ErrorText.scrub(detail))
    }

    static func handshake(_ why: String, language l: Language) -> String {
        if why.hasPrefix("expected node "), let found = why.range(of: " but found ") {
            let expected = why.dropFirst("expected node ".count).prefix { $0 != " " }
            let actual = why[found.upperBound...].prefix { $0 != ";" && $0 != " " }
            return l.t("another node answers at this address (\(actual), not \(expected)): check the peer's node id and address in the config",
                       "node lain yang menjawab di alamat ini (\(actual), bukan \(expected)): periksa id node dan alamat peer itu di konfigurasi")
        }
        let text = why.uppercased()
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") || text.contains("UNKNOWN_PROTOCOL") {
            return l.t("the address answers, but not as a tcnode node (another program on that port?): check the port, it is tcnoded's `listen` port (7447 by default)",
                       "alamat itu menjawab, tapi bukan sebagai node tcnode (program lain di port itu?): periksa port-nya, yaitu port `listen` tcnoded (bawaan 7447)")
        }
        if text.contains("ALPN") || text.contains("APPLICATION_PROTOCOL") {
            return l.t("the peer does not speak this version's protocol (tcnode/1): update tcnode on both sides",
                       "peer tidak memakai protokol versi ini (tcnode/1): perbarui tcnode di kedua sisi")
        }
        if text.contains("CERTIFICATE") || text.contains("NO PEER KEY") {
            return l.t("the peer's identity was not accepted during TLS: check its node id in the config",
                       "identitas peer tidak diterima saat TLS: periksa id node-nya di konfigurasi")
        }
        return l.t("the secure connection could not be set up (the peer closed it, or the address is not a tcnode node); this node retries by itself",
                   "koneksi aman tidak bisa dibuat (peer menutupnya, atau alamat itu bukan node tcnode); node ini mencoba lagi sendiri")
    }

    static func connect(_ why: String, language l: Language) -> String {
        let text = why.lowercased()
        if text.contains("connection refused") {
            return l.t("connection refused (is tcnoded running there, and the port right?)",
                       "koneksi ditolak (apakah tcnoded berjalan di sana, dan port-nya benar?)")
        }
        if text.contains("no answer") || text.contains("timed out") || text.contains("timeout") {
            return l.t("no answer (link down, firewall, or wrong address)", "tidak ada jawaban (jaringan putus, firewall, atau alamat salah)")
        }
        if text.contains("unknownhost") || text.contains("resolve") || text.contains("name or service not known") || text.contains("dns") {
            return l.t("the host name cannot be found (check the spelling, the DNS, or use an IP address)",
                       "nama host tidak ditemukan (periksa ejaannya, DNS-nya, atau pakai alamat IP)")
        }
        if text.contains("unreachable") || text.contains("no route") {
            return l.t("no route to the peer (check this PC's network connection)", "tidak ada rute ke peer (periksa koneksi jaringan PC ini)")
        }
        return l.t("the network or the address (\(ErrorText.scrub(why)))", "jaringan atau alamatnya (\(ErrorText.scrub(why)))")
    }

    static func refused(_ r: StatusReport.Refusal, language l: Language) -> String {
        let byPeer = r.byPeer
        let message = ErrorText.scrub(r.message)
        guard l == .id else {
            return (byPeer ? "the peer closed the connection" : "this node closed the connection") + " (\(r.code)): \(message)"
        }
        let who = byPeer ? "peer menutup koneksi" : "node ini menutup koneksi"
        let why: String
        switch ErrorCode(rawValue: r.code) {
        case .notAMember?:
            why = message.contains("revoked")
                ? "node itu telah dicabut dari jaringan; kunci yang dicabut perlu diganti kunci baru (`tcnode init` di direktori data baru) lalu diterima lagi"
                : "node itu bukan anggota jaringan; minta otoritas jaringan menerimanya (`tcnode admit`)"
        case .networkMismatch?: why = "node itu dari jaringan lain; periksa id jaringan (`tcnode init --network`) dan alamat peer"
        case .protocolVersion?: why = "versi protokol berbeda; perbarui tcnode di kedua sisi"
        case .identityMismatch?: why = "id node tidak cocok dengan kunci TLS-nya; periksa id node peer di konfigurasi"
        case .badFrame?, .badEntry?: why = "data yang diterima rusak atau tidak sah; jika berlanjut, beri tahu operator peer itu"
        case .tooLarge?: why = "pesan terlalu besar; perbarui tcnode di kedua sisi"
        case .shuttingDown?: why = "node itu sedang berhenti; node ini mencoba lagi nanti"
        case .internal?:
            why = r.isLocalStorage ? "basis data node ini gagal (\(message))" : "gangguan di node itu sendiri (\(message))"
        case nil: why = message
        }
        return "\(who): \(why)"
    }
}
