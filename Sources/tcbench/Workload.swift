import Foundation
import Replication

/// Signed entries from many authors, as a network would hold them: a
/// genesis authority that admits every author, then each author's log.
struct Workload {
    let genesis: NodeKey
    let authors: [NodeKey]
    /// The genesis authority's admits, in order.
    let admits: [VerifiedEntry]
    /// Each author's entries, in seq order, author after author.
    let logs: [[VerifiedEntry]]

    /// The region every author is admitted in. The benchmark's fresh
    /// nodes are admitted in it too: a telecenter wants its own region's
    /// records (PROTOCOL.md §7.16), so a node of another region would, once
    /// it knows its own admit, be offered none of them.
    static let region = "Jawa Timur"

    var all: [VerifiedEntry] { admits + logs.flatMap { $0 } }
    var entryCount: Int { logs.reduce(0) { $0 + $1.count } }

    static func make(authors authorCount: Int, entries: Int, bodyBytes: Int = 400) throws -> Workload {
        let genesis = NodeKey()
        let authors = (0..<authorCount).map { _ in NodeKey() }
        var admits: [VerifiedEntry] = []
        var prev = Bytes32.zero
        for (i, a) in authors.enumerated() {
            let body = #"{"node":"\#(a.id)","role":"telecenter","name":"Telecenter \#(i)","region":"\#(Self.region)"}"#
            let e = try Entry.sign(.put(kind: "admit", key: a.id.description, body: body, time: 1_763_798_400_000),
                                   seq: UInt64(i + 1), prev: prev, with: genesis)
            prev = e.entry.id.hash
            admits.append(e)
        }
        var logs: [[VerifiedEntry]] = []
        for (a, key) in authors.enumerated() {
            let n = entries / authorCount + (a < entries % authorCount ? 1 : 0)
            var log: [VerifiedEntry] = []
            log.reserveCapacity(n)
            var prev = Bytes32.zero
            for i in 0..<n {
                let e = try Entry.sign(draft(i, bodyBytes: bodyBytes), seq: UInt64(i + 1), prev: prev, with: key)
                prev = e.entry.id.hash
                log.append(e)
            }
            logs.append(log)
        }
        return Workload(genesis: genesis, authors: authors, admits: admits, logs: logs)
    }

    /// A product record with a body of about `bodyBytes` bytes.
    static func draft(_ i: Int, bodyBytes: Int, time: Int64 = 1_763_798_400_000) -> Entry.Draft {
        let head = #"{"name":"Produk UMKM \#(i)","category":"kerajinan","price_idr":\#(10_000 + i % 90_000),"unit":"buah","description":""#
        let tail = #"","available":true}"#
        let filler = String(repeating: "anyaman bambu ", count: max(0, bodyBytes - head.utf8.count - tail.utf8.count) / 14 + 1)
        let body = head + filler.prefix(max(0, bodyBytes - head.utf8.count - tail.utf8.count)) + tail
        return .put(kind: "product", key: "produk-\(i)", body: body, time: time + Int64(i))
    }
}
