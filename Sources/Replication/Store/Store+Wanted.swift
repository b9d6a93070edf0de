import Foundation
import GRDB

extension Store {
    /// Per peer, how many entries it offered (in every HEADS it sent, on any
    /// connection, remembered across restarts) that this node wants and does
    /// not hold yet: the network-wide count still to fetch from it, which a
    /// new connection knows only once it has compared the peer's heads again.
    /// Forked authors and entries past a revocation are not wanted.
    @available(*, noasync, message: "blocks a thread; use the async overload or store.offPool")
    public func entriesWanted() throws -> [NodeID: UInt64] {
        let roster = self.roster
        let rows = try read { db in
            try Row.fetchAll(db, sql: """
                SELECT peer.key, p.author_key, p.seq, coalesce(a.seq, 0) FROM pending_offer p
                JOIN author peer ON peer.ref = p.peer
                LEFT JOIN author a ON a.key = p.author_key
                WHERE p.wanted = 1 AND p.seq > coalesce(a.seq, 0) AND coalesce(a.forked, 0) = 0
                """)
        }
        var out: [NodeID: UInt64] = [:]
        for r in rows {
            guard let peer = NodeID(keyBytes: [UInt8](r[0] as Data)), let author = NodeID(keyBytes: [UInt8](r[1] as Data)) else { continue }
            let offered = min(UInt64(r[2] as Int64), roster.acceptedLimit(author))
            let held = UInt64(r[3] as Int64)
            if offered > held { out[peer, default: 0] += offered - held }
        }
        return out
    }

    public func entriesWanted() async throws -> [NodeID: UInt64] { try await offPool { try $0.entriesWanted() } }
}
