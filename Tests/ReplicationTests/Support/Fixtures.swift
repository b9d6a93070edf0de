import Foundation
import Replication

/// A small network for tests: a genesis authority and members it admits,
/// with stores in a temporary directory.
struct TestNode {
    let key: NodeKey
    let store: Store
    var id: NodeID { key.id }

    @discardableResult
    func put(_ kind: String, _ key: String, _ body: String = "{}", time: Int64 = 1_763_798_400_000) throws -> Entry {
        try store.append([.put(kind: kind, key: key, body: body, time: time)], signer: self.key)[0]
    }

    @discardableResult
    func admit(_ other: NodeID, role: Role = .telecenter, name: String = "Centre", region: String = "Jawa Timur") throws -> Entry {
        let body = #"{"node":"\#(other)","role":"\#(role.rawValue)","name":"\#(name)","region":"\#(region)"}"#
        return try put("admit", other.description, body)
    }

    @discardableResult
    func revoke(_ other: NodeID, fromSeq: UInt64, reason: String = "test") throws -> Entry {
        let body = #"{"node":"\#(other)","from_seq":\#(fromSeq),"reason":"\#(reason)"}"#
        return try put("revoke", other.description, body)
    }

    /// Every entry held, in log order per author, as verified entries.
    func allEntries() throws -> [VerifiedEntry] {
        try store.log(limit: .max, newestFirst: false).map { try $0.verified() }
    }
}

func makeNode(in dir: TemporaryDirectory, name: String, network: NodeID? = nil, key: NodeKey = NodeKey()) throws -> TestNode {
    let store = try Store.create(at: dir.file("\(name).sqlite"), network: network ?? key.id, node: key.id)
    return TestNode(key: key, store: store)
}

/// Entries of `node` from seq `from` on, verified, ready to ingest elsewhere.
func entries(of node: TestNode, author: NodeID? = nil, from: UInt64 = 1) throws -> [VerifiedEntry] {
    try node.store.entryBytes(of: author ?? node.id, from: from, to: .max).map { try Entry(decoding: $0).verified() }
}

func jsonBody(_ n: Int) -> String {
    #"{"name":"Produk \#(n)","category":"kerajinan","price_idr":\#(15000 + n)}"#
}
