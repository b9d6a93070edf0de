import ArgumentParser
import Foundation
import Replication

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: tr("Create this node's key and database.", "Membuat kunci dan basis data node ini."),
        discussion: tr("""
            With --network it prepares to join an existing network; give the hub or a neighbour with --peer so it has
            someone to sync with. With --genesis (the default when neither --network nor --peer is given) the node starts
            a new network whose id is its own node id: it is the network's first authority.
            Prints the node id (plain form, for scripts) on standard output; the checked form to send to the network's
            authority on standard error.
            """, """
            Dengan --network node bersiap bergabung ke jaringan yang ada; berikan hub atau tetangga dengan --peer agar ada
            yang diajak sinkron. Dengan --genesis (bawaan bila --network dan --peer tidak diberikan) node memulai jaringan
            baru yang id-nya adalah id node ini: node ini otoritas pertama jaringan itu.
            Mencetak id node (bentuk polos, untuk skrip) di keluaran standar; bentuk berpemeriksa untuk dikirim ke otoritas
            jaringan di keluaran galat standar.
            """))

    @OptionGroup var data: DataOptions

    @Flag(help: ArgumentHelp(tr("Start a new network with this node as its genesis authority.",
                                "Mulai jaringan baru dengan node ini sebagai otoritas genesis-nya.")))
    var genesis = false

    @Option(help: ArgumentHelp(tr("Join the network with this id (the genesis authority's node id).",
                                  "Bergabung ke jaringan dengan id ini (id node otoritas genesis).")))
    var network: String?

    @Option(name: .customLong("peer"), help: ArgumentHelp(tr("A peer to trust and dial while joining, as NODEID@HOST:PORT (repeatable).",
                                                             "Peer yang dipercaya dan dihubungi saat bergabung, sebagai NODEID@HOST:PORT (boleh berulang).")))
    var peers: [String] = []

    @Option(help: ArgumentHelp(tr("This centre's region, exactly as its admit will say it (e.g. \"Jawa Timur\"): what the node asks its peers for until its admit arrives. tcnode.toml's region wins when set.",
                                  "Wilayah pusat ini, persis seperti tertulis di penerimaannya (mis. \"Jawa Timur\"): yang diminta node dari peer sampai penerimaannya tiba. region di tcnode.toml didahulukan bila diisi.")))
    var region: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let region {
            if region.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError(tr("--region must not be empty; give the region as the admit will write it, e.g. --region \"Jawa Timur\"",
                                         "--region tidak boleh kosong; tulis wilayah seperti pada penerimaan, mis. --region \"Jawa Timur\""))
            }
            if region != region.trimmingCharacters(in: .whitespaces) {
                throw ValidationError(tr("--region '\(region)' starts or ends with a space; regions are compared exactly, so write it without",
                                         "--region '\(region)' diawali atau diakhiri spasi; wilayah dibandingkan persis, jadi tulis tanpa spasi itu"))
            }
            if region.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                throw ValidationError(tr("--region contains a control character (a tab or line break?); write the region on one line",
                                         "--region berisi karakter kendali (tab atau ganti baris?); tulis wilayah dalam satu baris"))
            }
        }
        if genesis && network != nil {
            throw ValidationError(tr("--genesis and --network exclude each other", "--genesis dan --network tidak bisa dipakai bersama"))
        }
        if let network { _ = try NodeIDInput.parse(network, option: "--network") }
        for peer in peers { _ = try PeerAddress.parse(peer, option: "--peer") }
        // A peer to join through says the node is meant to join: starting a
        // network of its own then would leave it alone with no one to sync.
        if !peers.isEmpty && network == nil && !genesis {
            throw ValidationError(tr(
                "--peer without --network: which network does this node join? Add --network NETWORK_ID (the network's id: the first line of `tcnode members` on the hub shows it). To start a new network instead, add --genesis.",
                "--peer tanpa --network: jaringan mana yang diikuti node ini? Tambahkan --network ID_JARINGAN (id jaringan: baris pertama `tcnode members` di hub menampilkannya). Untuk memulai jaringan baru, tambahkan --genesis."))
        }
    }

    func run() throws {
        let networkID = try network.map { try NodeIDInput.parse($0, option: "--network") }
        let directory = try data.checkedDirectory()
        let (key, store): (NodeKey, Store)
        do {
            (key, store) = try directory.initialise(network: networkID)
        } catch {
            throw Failure(message: ErrorText.plain(error))
        }
        for text in peers {
            let peer = try PeerAddress.parse(text, option: "--peer")
            try store.addBootstrapPeer(peer.node, address: peer.hostPort)
        }
        if let region { try store.setInitRegion(region) }
        if output.json {
            var object: [String: Any] = [
                "node": key.id.description, "node_checked": key.id.checked, "network": store.network.description,
                "data_dir": directory.path, "genesis": store.network == key.id, "peers": peers,
            ]
            if let region { object["region"] = region }
            try writeJSON(object)
            return
        }
        say(key.id.description)
        var note: String
        if store.network == key.id {
            note = tr("Started a new network; this node is its genesis authority. Network id (give it to centres that join):\n  \(key.id.checked)",
                      "Jaringan baru dimulai; node ini otoritas genesis-nya. Id jaringan (berikan ke pusat yang bergabung):\n  \(key.id.checked)")
        } else {
            note = tr("""
                Ready to join network \(store.network.short). Send this node id to the network's authority:
                  \(key.id.checked)
                There they run: tcnode admit \(key.id.checked) --role telecenter --name NAME --region \(regionWord(en: true))
                """, """
                Siap bergabung ke jaringan \(store.network.short). Kirim id node ini ke otoritas jaringan:
                  \(key.id.checked)
                Di sana dijalankan: tcnode admit \(key.id.checked) --role telecenter --name NAMA --region \(regionWord(en: false))
                """)
            if let region {
                note += "\n" + tr("Until that admit arrives, this node asks its peers for region \(region) and the network's roster.",
                                  "Sampai penerimaan itu tiba, node ini meminta wilayah \(region) dan daftar anggota jaringan dari peer.")
            }
        }
        Output.note(note + "\n" + tr("Key and database are in \(directory.path)", "Kunci dan basis data ada di \(directory.path)"))
    }
}

extension Init {
    /// The admit line's region: the one given here, quoted for a shell.
    func regionWord(en: Bool) -> String {
        guard let region else { return en ? "REGION" : "WILAYAH" }
        return "'" + region.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// A peer given as NODEID@HOST:PORT.
struct PeerAddress {
    let node: NodeID
    let host: String
    let port: Int
    var hostPort: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    static func parse(_ text: String, option: String) throws -> PeerAddress {
        let usage = tr("\(option): '\(text)' is not NODEID@HOST:PORT (e.g. abcdefg-...@192.168.1.10:7447)",
                       "\(option): '\(text)' bukan NODEID@HOST:PORT (mis. abcdefg-...@192.168.1.10:7447)")
        guard let at = text.firstIndex(of: "@") else { throw ValidationError(usage) }
        let node = try NodeIDInput.parse(String(text[..<at]), option: option)
        let rest = String(text[text.index(after: at)...])
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else {
            throw ValidationError(usage)
        }
        var host = String(rest[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ValidationError(usage) }
        return PeerAddress(node: node, host: host, port: port)
    }
}

struct ID: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "id",
        abstract: tr("Print this node's id, in the checked form to give to people.", "Cetak id node ini, dalam bentuk berpemeriksa untuk diberikan ke orang."),
        discussion: tr("""
            The checked form (eight blocks of seven characters) carries check characters: a mistyped or missing character
            is refused wherever it is typed back. --plain prints the 52-character form that tcnode.toml's peers use.
            """, """
            Bentuk berpemeriksa (delapan blok tujuh karakter) membawa karakter pemeriksa: karakter yang salah ketik atau hilang
            ditolak di mana pun id itu diketik. --plain mencetak bentuk 52 karakter yang dipakai peers di tcnode.toml.
            """))

    @OptionGroup var data: DataOptions
    @Flag(help: ArgumentHelp(tr("Print the plain 52-character form (for tcnode.toml and scripts).",
                                "Cetak bentuk polos 52 karakter (untuk tcnode.toml dan skrip).")))
    var plain = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let access = try await NodeAccess.open(data)
        if output.json {
            try writeJSON(["node": access.node.description, "node_checked": access.node.checked, "short": access.node.short,
                           "network": access.network.description, "network_checked": access.network.checked])
        } else {
            say(plain ? access.node.description : access.node.checked)
        }
    }
}
