import Foundation
import NodeRuntime
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

    /// The roster, folded from the node's admit and revoke entries.
    func roster() async throws -> Roster {
        switch self {
        case .daemon(let c, _, let network):
            var roster = Roster(genesis: network)
            for entry in try await c.networkEntries() { roster.apply(entry) }
            return roster
        case .local(let store):
            return store.roster
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
}
