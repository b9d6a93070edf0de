import Foundation
import NodeRuntime
import Replication
import Testing

/// Writes through tcnoded's control socket: any valid write fits, an
/// oversized one gets words (HTTP 413), imports go in batches.
@Suite(.serialized, .long) struct ControlLimitsTests {
    static func daemon(_ dir: TemporaryDirectory) async throws -> DaemonProcess {
        let node = DaemonProcess(name: "n", dir: dir)
        try await node.initialise(["--genesis"])
        try node.writeConfig(peers: [])
        try node.start()
        _ = try await node.waitUntilUp()
        return node
    }

    /// A JSON object of exactly `size` bytes whose text is escaped quotes,
    /// the body JSON escaping makes largest (each `\"` becomes `\\\"`).
    static func escapedQuotes(size: Int) -> [UInt8] {
        let frame = Array(#"{"t":""#.utf8), end = Array(#""}"#.utf8)
        let pairs = (size - frame.count - end.count) / 2
        return frame + Array(String(repeating: #"\""#, count: pairs).utf8) + end
    }

    @Test func theLargestValidBodyIsStoredThroughTheDaemonAndALargerOneGetsWords() async throws {
        let dir = TemporaryDirectory("tclimits")
        let node = try await Self.daemon(dir)
        let body = Self.escapedQuotes(size: Entry.maximumBodySize)
        #expect(body.count == Entry.maximumBodySize)
        try Data(body).write(to: URL(fileURLWithPath: dir.file("max.json")))
        let put = try await node.cli(["put", "note", "max", "--file", dir.file("max.json")])
        #expect(put.status == 0 && put.stdout.hasPrefix("stored note/max") && !put.stdout.contains("not running"), "\(put.stdout) \(put.stderr)")

        try Data(Self.escapedQuotes(size: 2 * Entry.maximumBodySize)).write(to: URL(fileURLWithPath: dir.file("big.json")))
        let big = try await node.cli(["put", "note", "big", "--file", dir.file("big.json")])
        #expect(big.status == 1)
        #expect(big.stderr.contains("the record body is larger than 1 MiB (2097152 bytes, the most is 1048576)"), "\(big.stderr)")
        #expect(big.stderr.contains("make it smaller") && big.stderr.contains("nothing was stored"))
        for debugForm in ["NIO", "Failure(", "closed channel", "maxBytes"] { #expect(!big.stderr.contains(debugForm), "\(big.stderr)") }
        let log = try await node.cli(["log", "--json"])
        #expect(log.stdout.contains("\"max\"") && !log.stdout.contains("\"big\""))
        _ = try await node.stop()
    }

    @Test func theSocketAnswersOversizedRequestsWith413InWords() async throws {
        let dir = TemporaryDirectory("tclimits")
        let node = try await Self.daemon(dir)
        let before = try await node.status().store.entries

        // A body over 1 MiB that fits the socket: the entry limit, in words.
        let ask = AppendRequest(kind: "note", key: "two-mib", op: "put",
                                body: String(decoding: Self.escapedQuotes(size: 2 * Entry.maximumBodySize), as: UTF8.self))
        let entry = try await HTTPExchange.send(on: try await HTTPExchange.connect(unixDomainSocketPath: node.socketPath), .POST,
                                                "/v1/entries", host: "tcnoded", body: try JSONEncoder().encode(ask))
        #expect(entry.status == 413)
        let entryError = try JSONDecoder().decode(ControlError.self, from: Data(entry.body)).message
        #expect(entryError.hasPrefix("the record body is larger than 1 MiB"), "\(entryError)")

        // More than the socket reads at all: read to the end (the client is
        // not cut off mid-write) and answered.
        let huge = Data(repeating: UInt8(ascii: "a"), count: ControlAPI.maxRequestBytes + 1_000_000)
        let tooLarge = try await HTTPExchange.send(on: try await HTTPExchange.connect(unixDomainSocketPath: node.socketPath), .POST,
                                                   "/v1/entries/batch", host: "tcnoded", body: huge)
        #expect(tooLarge.status == 413)
        let error = try JSONDecoder().decode(ControlError.self, from: Data(tooLarge.body)).message
        #expect(error.contains("larger than the control socket accepts (8 MiB)"), "\(error)")
        #expect(try await node.status().store.entries == before, "nothing was stored")
        _ = try await node.stop()
    }

    @Test func anImportLargerThanOneRequestIsSentInBatches() async throws {
        let dir = TemporaryDirectory("tclimits")
        let node = try await Self.daemon(dir)
        let before = try await node.status().store.entries
        // 3,000 rows of 2,500-character descriptions with quotes: ~8 MB of
        // JSON, more than one request and more than `batchRecords`.
        let description = String(repeating: #"Anyaman ""halus"" dari bambu. "#, count: 100)
        var csv = "name,category,price_idr,description\n"
        for i in 1...3000 { csv += "Produk \(i),kerajinan,\(15000 + i),\"\(description)\"\n" }
        try csv.write(toFile: dir.file("long.csv"), atomically: true, encoding: .utf8)
        let r = try await run(try Products.path("tcnode"), ["product", "import", dir.file("long.csv"), "--config", node.configPath, "--lang", "en"],
                              timeout: .seconds(300))
        #expect(r.status == 0 && r.stdout.contains("imported 3000 products"), "exit \(r.status): \(r.stdout) \(r.stderr)")
        let status = try await node.status()
        #expect(status.store.entries == before + 3000, "stored through the daemon")
        #expect(status.store.recordsByKind["product"] == 3000)
        let one = try await node.cli(["product", "show", "produk-2999", "--json"])
        #expect(one.stdout.contains(#"Anyaman \"halus\" dari bambu."#), "\(one.stdout.prefix(300))")
        _ = try await node.stop()
    }
}
