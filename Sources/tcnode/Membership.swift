import ArgumentParser
import Foundation
import NodeAPI
import Replication

struct Admit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: tr("Admit a node to the network (run on an authority).", "Menerima node ke jaringan (dijalankan di otoritas)."),
        discussion: tr("""
            A later admit of the same node by the same authority updates its role, name and region. The id is checked before
            anything is signed: give it as `tcnode id` prints it on that node (its check characters catch a typo).
            """, """
            Admit berikutnya untuk node yang sama oleh otoritas yang sama memperbarui peran, nama dan wilayahnya. Id diperiksa
            sebelum apa pun ditandatangani: berikan seperti dicetak `tcnode id` di node itu (karakter pemeriksanya menangkap salah ketik).
            """))

    @OptionGroup var data: DataOptions
    @Argument(help: ArgumentHelp(tr("The node id to admit (as its `tcnode id` prints).", "Id node yang diterima (seperti dicetak `tcnode id` di node itu)."),
                                 valueName: "nodeid"))
    var node: String
    @Option(help: ArgumentHelp(tr("telecenter, hub, monitor or authority.", "telecenter, hub, monitor atau authority."))) var role: String
    @Option(help: ArgumentHelp(tr("The centre's name, e.g. \"Telecenter Kab. Blitar\".", "Nama pusat, mis. \"Telecenter Kab. Blitar\"."))) var name: String
    @Option(help: ArgumentHelp(tr("Region, e.g. \"Jawa Timur / Kab. Blitar\".", "Wilayah, mis. \"Jawa Timur / Kab. Blitar\"."))) var region: String

    func validate() throws {
        _ = try CommandWords.closed(role, option: "--role", allowed: Role.allCases.map(\.rawValue))
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError(tr("--name must not be empty", "--name tidak boleh kosong"))
        }
    }

    func run() async throws {
        let role = try CommandWords.closed(self.role, option: "--role", allowed: Role.allCases.map(\.rawValue))
        let (access, members) = try await authority(data, to: tr("admit", "menerima anggota"))
        // Resolved against every node known here before anything is signed:
        // a typo of a member's id is refused, not admitted as a new node.
        let known = Array(Set(members.nodes).union(try await access.heads().keys))
        let subject = try NodeIDInput.resolve(node, option: "NODEID", known: known, unknownAllowed: true) {
            members.member($0)?.name
        }
        let me = access.node
        let genesis = access.network
        if role == Role.authority.rawValue && me != genesis {
            throw Failure(message: tr("only the genesis authority (\(genesis.short)) can make authorities",
                                      "hanya otoritas genesis (\(genesis.short)) yang bisa mengangkat otoritas"))
        }
        if members.member(subject)?.revokedFromSeq != nil {
            throw Failure(message: tr("node \(subject.short) was revoked; a revoked key is never admitted again. The centre must make a new key (`tcnode init` in a new data directory).",
                                      "node \(subject.short) sudah dicabut; kunci yang dicabut tidak pernah diterima lagi. Pusat itu harus membuat kunci baru (`tcnode init` di direktori data baru)."))
        }
        let body = try JSONSerialization.data(
            withJSONObject: ["node": subject.description, "role": role, "name": name, "region": region], options: [.sortedKeys])
        let done = try await append(.put(kind: "admit", key: subject.description, body: String(decoding: body, as: UTF8.self),
                                         time: TimeText.nowMs()), data: data)
        say(tr("admitted \(name) (\(subject.checked)) as \(role) (entry seq \(done.seq)); it replicates to the network from here",
               "\(name) (\(subject.checked)) diterima sebagai \(Words.role(role, .id)) (entri seq \(done.seq)); tersebar ke jaringan dari sini"))
    }
}

struct Revoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: tr("Revoke a node's membership (run on an authority).", "Mencabut keanggotaan node (dijalankan di otoritas)."),
        discussion: tr("""
            Entries the node wrote from --from-seq on are refused everywhere and removed where held; earlier ones
            stay valid. The default is one past the newest entry of that node this node holds, which keeps
            everything written before the revocation. A revoked key can never be admitted again.
            """, """
            Entri yang ditulis node itu mulai --from-seq ditolak di mana-mana dan dihapus di tempat yang menyimpannya; yang
            lebih awal tetap sah. Bawaannya satu setelah entri terbaru node itu yang ada di sini, sehingga semua yang ditulis
            sebelum pencabutan tetap ada. Kunci yang dicabut tidak pernah bisa diterima lagi.
            """))

    @OptionGroup var data: DataOptions
    @Argument(help: ArgumentHelp(tr("The node id to revoke (or the beginning of a member's id, as `tcnode members` shows it).",
                                    "Id node yang dicabut (atau awal id anggota, seperti ditampilkan `tcnode members`)."), valueName: "nodeid"))
    var node: String
    @Option(name: .customLong("from-seq"), parsing: .unconditional,
            help: ArgumentHelp(tr("First seq of the node's log to refuse (default: its head here + 1).",
                                  "Seq pertama log node itu yang ditolak (bawaan: head-nya di sini + 1).")))
    var fromSeq: Int64?
    @Option(help: ArgumentHelp(tr("Why, for the record (e.g. \"laptop stolen\").", "Alasannya, untuk catatan (mis. \"laptop dicuri\")."))) var reason: String

    func validate() throws {
        if let fromSeq, fromSeq < 1 { throw ValidationError(tr("--from-seq must be 1 or more", "--from-seq harus 1 atau lebih")) }
    }

    func run() async throws {
        let (access, members) = try await authority(data, to: tr("revoke", "mencabut anggota"))
        let known = Array(Set(members.nodes).union(try await access.heads().keys))
        let subject = try NodeIDInput.resolve(node, option: "NODEID", known: known, unknownAllowed: false) {
            members.member($0)?.name
        }
        let me = access.node
        let genesis = access.network
        guard subject != genesis else {
            throw Failure(message: tr("the genesis authority cannot be revoked", "otoritas genesis tidak bisa dicabut"))
        }
        if members.member(subject)?.authority == true && me != genesis {
            throw Failure(message: tr("only the genesis authority (\(genesis.short)) can revoke an authority",
                                      "hanya otoritas genesis (\(genesis.short)) yang bisa mencabut otoritas"))
        }
        let heldSeq = try await access.heads()[subject] ?? 0
        let from = fromSeq.map { UInt64($0) } ?? (heldSeq + 1)
        let body = try JSONSerialization.data(
            withJSONObject: ["node": subject.description, "from_seq": from, "reason": reason] as [String: Any], options: [.sortedKeys])
        let done = try await append(.put(kind: "revoke", key: subject.description, body: String(decoding: body, as: UTF8.self),
                                         time: TimeText.nowMs()), data: data)
        let who = members.member(subject)?.name.map { "\($0) " } ?? ""
        say(tr("revoked \(who)(\(subject.checked)) from seq \(from) (entry seq \(done.seq)); peers will refuse it once this replicates",
               "\(who)(\(subject.checked)) dicabut mulai seq \(from) (entri seq \(done.seq)); peer menolaknya setelah ini tersebar"))
    }
}

/// This node's access and the members it knows, once it is sure this node
/// is an authority of its network: admit and revoke are only valid from one.
private func authority(_ data: DataOptions, to action: String) async throws -> (NodeAccess, MemberList) {
    let access = try await NodeAccess.open(data)
    let members = try await access.members()
    guard members.member(access.node)?.authority == true else {
        throw Failure(message: tr("this node is not an authority of network \(access.network.short); only an authority can \(action). Run this on the genesis node or a delegated authority.",
                                  "node ini bukan otoritas jaringan \(access.network.short); hanya otoritas yang bisa \(action). Jalankan di node genesis atau otoritas yang ditunjuk."))
    }
    return (access, members)
}

struct Members: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: tr("List the network's members as this node knows them.", "Daftar anggota jaringan yang diketahui node ini."),
        aliases: ["anggota"])

    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let l = Language.current
        let access = try await NodeAccess.open(data)
        let members = try await access.members()
        var rows: [[String: Any]] = []
        var table = Table(l.t("NAME", "NAMA"), l.t("ROLE", "PERAN"), l.t("REGION", "WILAYAH"), l.t("STATUS", "STATUS"),
                          l.t("ENTRIES", "ENTRI"), l.t("NODE ID", "ID NODE"))
        // The admission tree: the genesis, the authorities it admitted
        // (a provincial hub and its region), the nodes each admitted.
        for place in members.tree {
            let member = place.member
            guard let node = NodeID(member.node) else { continue }
            var row: [String: Any] = [
                "node": member.node, "node_checked": node.checked, "role": member.role, "status": Words.standing(member, .en),
                "head_seq": member.headSeq, "depth": place.depth,
            ]
            if let admittedBy = member.admittedBy {
                row["name"] = member.name ?? ""
                row["region"] = member.region ?? ""
                row["admitted_by"] = admittedBy
            }
            if let parent = place.parent { row["parent"] = parent }
            if member.status == "revoked", let from = member.revokedFromSeq { row["revoked_from_seq"] = from }
            rows.append(row)
            let name = member.status == "genesis" && member.name == nil ? l.t("(network genesis)", "(genesis jaringan)") : (member.name ?? "")
            table.add(Self.guides(place) + name.clipped(30), Words.role(member.role, l), (member.region ?? "").clipped(30),
                      Words.standing(member, l), l.count(Int(clamping: member.headSeq)), node.checked)
        }
        if output.json {
            try writeJSON(["network": access.network.description, "members": rows])
            return
        }
        say(l.t("Network ", "Jaringan ") + access.network.checked)
        table.print()
    }

    /// Lines that draw the tree before a member's name.
    static func guides(_ place: MemberList.TreeRow) -> String {
        guard let own = place.lastAtEachLevel.last else { return "" }
        let above = place.lastAtEachLevel.dropLast().map { $0 ? "   " : "│  " }.joined()
        return above + (own ? "└─ " : "├─ ")
    }
}
