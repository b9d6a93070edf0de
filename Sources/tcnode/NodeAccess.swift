import Foundation
import NodeAPI
import Replication

/// How the CLI reaches the node: through tcnoded's control socket when it
/// answers (operators in group tcnode need no access to the data
/// directory), otherwise the database directly.
enum NodeAccess {
    case daemon(ControlClient, node: NodeID, network: NodeID)
    case local(Store)

    static func open(_ data: DataOptions) async throws -> NodeAccess {
        // An explicit --data-dir means that node's files, whatever daemon runs.
        if data.dataDir != nil { return .local(try await data.openStore()) }
        let client = ControlClient(socketPath: try data.socketPath())
        if let identity = try? await client.identity(), let node = NodeID(identity.node), let network = NodeID(identity.network) {
            return .daemon(client, node: node, network: network)
        }
        return .local(try await data.openStore())
    }

    var node: NodeID {
        switch self {
        case .daemon(_, let node, _): node
        case .local(let store): store.node
        }
    }

    var network: NodeID {
        switch self {
        case .daemon(_, _, let network): network
        case .local(let store): store.network
        }
    }

    func records(kind: String, author: NodeID?, deleted: Bool) async throws -> [Entry] {
        switch self {
        case .daemon(let c, _, _): try await c.records(kind: kind, author: author?.description, deleted: deleted)
        case .local(let store): try await store.offPool { try $0.records(kind: kind, author: author, includeDeleted: deleted) }
        }
    }

    func record(author: NodeID, kind: String, key: String) async throws -> Entry? {
        switch self {
        case .daemon(let c, _, _): try await c.record(author: author.description, kind: kind, key: key)
        case .local(let store): try await store.offPool { try $0.record(author: author, kind: kind, key: key) }
        }
    }

    func log(author: NodeID?, limit: Int) async throws -> [Entry] {
        switch self {
        case .daemon(let c, _, _): try await c.log(author: author?.description, limit: limit)
        case .local(let store): try await store.offPool { try $0.log(author: author, limit: limit) }
        }
    }

    /// The network's members as the node's roster has them: tcnoded's
    /// (`/v1/members`), or the store's when the CLI uses the files itself.
    func members() async throws -> MemberList {
        switch self {
        case .daemon(let c, _, _): try await c.members()
        case .local(let store): MemberList(roster: store.roster, heads: try await heads())
        }
    }

    func heads() async throws -> [NodeID: UInt64] {
        switch self {
        case .daemon(let c, _, _):
            var out: [NodeID: UInt64] = [:]
            for (author, seq) in try await c.heads() { if let id = NodeID(author) { out[id] = seq } }
            return out
        case .local(let store):
            return Dictionary(try await store.heads(movedAfter: 0).heads.map { ($0.author, $0.seq) }, uniquingKeysWith: max)
        }
    }

    /// Every node known here (the members and every author held), with the
    /// members for their names.
    func knownNodes() async throws -> (nodes: [NodeID], members: MemberList) {
        let members = try await members()
        return (Array(Set(members.nodes).union(try await heads().keys)).sorted(), members)
    }

    /// An author typed after `option`: a whole id or the unique beginning of
    /// a node known here (as tables show them).
    func author(_ text: String?, option: String = "--author") async throws -> NodeID? {
        guard let text else { return nil }
        let (nodes, members) = try await knownNodes()
        return try NodeIDInput.resolve(text, option: option, known: nodes, unknownAllowed: false) { members.member($0)?.name }
    }

    /// The record of `author` with key `key`, or else with the one key of
    /// that author and kind that begins with `key` (tables used to cut long
    /// keys, and a trailing "…" or "..." copied with the key is ignored).
    /// More than one such key is an error that lists them.
    func record(author: NodeID, kind: String, keyOrPrefix key: String) async throws -> Entry? {
        if let exact = try await record(author: author, kind: kind, key: key), exact.op == .put { return exact }
        var prefix = key
        for cut in ["…", "..."] where prefix.hasSuffix(cut) { prefix = String(prefix.dropLast(cut.count)) }
        guard !prefix.isEmpty else { return nil }
        let matches = try await records(kind: kind, author: author, deleted: false).filter { $0.key.hasPrefix(prefix) && $0.op == .put }
        if matches.count > 1 {
            let list = matches.prefix(10).map(\.key).joined(separator: "\n  ")
            let more = matches.count > 10 ? "\n  ..." : ""
            throw Failure(message: tr("'\(key)' is the beginning of \(matches.count) \(kind) keys; give the whole key:\n  \(list)\(more)",
                                      "'\(key)' adalah awal dari \(matches.count) kunci \(Words.kind(kind, .id)); berikan kunci lengkapnya:\n  \(list)\(more)"),
                          code: 2)
        }
        return matches.first
    }
}
