import ArgumentParser
import Foundation
import Replication

struct Admit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Admit a node to the network (run on an authority).",
        discussion: "A later admit of the same node by the same authority updates its role, name and region.")

    @OptionGroup var data: DataOptions
    @Argument(help: "The node id to admit (as its `tcnode id` prints).") var node: String
    @Option(help: "telecenter, hub, monitor or authority.") var role: String
    @Option(help: "The centre's name, e.g. \"Telecenter Kab. Blitar\".") var name: String
    @Option(help: "Region, e.g. \"Jawa Timur / Kab. Blitar\".") var region: String

    func validate() throws {
        _ = try parseNodeID(node, option: "NODEID")
        guard Role(rawValue: role) != nil else {
            throw ValidationError("--role must be one of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--name must not be empty") }
    }

    func run() async throws {
        let subject = try parseNodeID(node, option: "NODEID")
        let (access, roster) = try await authority(data, to: "admit")
        let me = access.node
        if role == Role.authority.rawValue && me != roster.genesis {
            throw Failure(message: "only the genesis authority (\(roster.genesis.short)) can make authorities")
        }
        if roster.revokedFrom(subject) != nil {
            throw Failure(message: "node \(subject.short) was revoked; a revoked key is never admitted again. The centre must make a new key (`tcnode init` in a new data directory).")
        }
        let body = try JSONSerialization.data(
            withJSONObject: ["node": subject.description, "role": role, "name": name, "region": region], options: [.sortedKeys])
        let done = try await append(.put(kind: "admit", key: subject.description, body: String(decoding: body, as: UTF8.self),
                                         time: TimeText.nowMs()), data: data)
        print("admitted \(subject.short) as \(role) (entry seq \(done.seq)); it replicates to the network from here")
    }
}

struct Revoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Revoke a node's membership (run on an authority).",
        discussion: """
            Entries the node wrote from --from-seq on are refused everywhere and removed where held; earlier ones
            stay valid. The default is one past the newest entry of that node this node holds, which keeps
            everything written before the revocation. A revoked key can never be admitted again.
            """)

    @OptionGroup var data: DataOptions
    @Argument(help: "The node id to revoke.") var node: String
    @Option(name: .customLong("from-seq"), help: "First seq of the node's log to refuse (default: its head here + 1).")
    var fromSeq: UInt64?
    @Option(help: "Why, for the record (e.g. \"laptop stolen\").") var reason: String

    func validate() throws {
        _ = try parseNodeID(node, option: "NODEID")
        if let fromSeq, fromSeq < 1 { throw ValidationError("--from-seq must be 1 or more") }
    }

    func run() async throws {
        let subject = try parseNodeID(node, option: "NODEID")
        let (access, roster) = try await authority(data, to: "revoke")
        let me = access.node
        guard subject != roster.genesis else { throw Failure(message: "the genesis authority cannot be revoked") }
        if roster.isAuthority(subject) && me != roster.genesis {
            throw Failure(message: "only the genesis authority (\(roster.genesis.short)) can revoke an authority")
        }
        let heldSeq = try await access.heads()[subject] ?? 0
        let from = fromSeq ?? (heldSeq + 1)
        let body = try JSONSerialization.data(
            withJSONObject: ["node": subject.description, "from_seq": from, "reason": reason] as [String: Any], options: [.sortedKeys])
        let done = try await append(.put(kind: "revoke", key: subject.description, body: String(decoding: body, as: UTF8.self),
                                         time: TimeText.nowMs()), data: data)
        print("revoked \(subject.short) from seq \(from) (entry seq \(done.seq)); peers will refuse it once this replicates")
    }
}

/// This node's access and the roster it holds, once it is sure this node is
/// an authority of its network: admit and revoke are only valid from one.
private func authority(_ data: DataOptions, to action: String) async throws -> (NodeAccess, Roster) {
    let access = try await NodeAccess.open(data)
    let roster = try await access.roster()
    guard roster.isAuthority(access.node) else {
        throw Failure(message: "this node is not an authority of network \(access.network.short); only an authority can \(action). Run this on the genesis node or a delegated authority.")
    }
    return (access, roster)
}

struct Members: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the network's members as this node knows them.")

    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let access = try await NodeAccess.open(data)
        let roster = try await access.roster()
        let heads = try await access.heads()
        var rows: [[String: Any]] = []
        for node in roster.knownNodes {
            let admission = roster.governingAdmission(of: node)
            let standing = roster.standing(of: node)
            let status: String
            var role = admission?.role ?? ""
            switch standing {
            case .genesis:
                status = "genesis"
                role = "authority"
            case .member: status = "member"
            case .revoked(_, let from): status = "revoked from seq \(from)"
            case .notMember: status = "not a member"
            }
            var row: [String: Any] = [
                "node": node.description, "role": role, "status": status,
                "head_seq": heads[node] ?? 0,
            ]
            if let admission {
                row["name"] = admission.name ?? ""
                row["region"] = admission.region ?? ""
                row["admitted_by"] = admission.authority.description
            }
            if case .revoked(_, let from) = standing { row["revoked_from_seq"] = from }
            rows.append(row)
        }
        if output.json {
            try writeJSON(["network": access.network.description, "members": rows])
            return
        }
        var table = Table("NODE", "NAME", "ROLE", "REGION", "STATUS", "ENTRIES")
        for r in rows {
            table.add((r["node"] as! String).prefix(8).description, (r["name"] as? String ?? "").clipped(30), r["role"] as! String,
                      (r["region"] as? String ?? "").clipped(30), r["status"] as! String, "\(r["head_seq"]!)")
        }
        print("Network \(access.network)")
        table.print()
    }
}
