import Foundation
import GRDB
import Replication
import Testing

@Suite struct StoreTests {
    @Test func appendChainsEntriesAndTracksRecords() throws {
        let dir = TemporaryDirectory()
        let node = try makeNode(in: dir, name: "a")
        let e1 = try node.put("product", "keripik", jsonBody(1))
        let e2 = try node.put("product", "batik", jsonBody(2))
        let e3 = try node.store.append([.delete(kind: "product", key: "keripik", time: 5)], signer: node.key)[0]
        #expect([e1.seq, e2.seq, e3.seq] == [1, 2, 3])
        #expect(e1.prev == .zero && e2.prev == e1.id.hash && e3.prev == e2.id.hash)
        #expect(try node.store.head(of: node.id) == Head(author: node.id, seq: 3, id: e3.id))
        #expect(try node.store.records(kind: "product").map(\.key) == ["batik"])
        #expect(try node.store.record(author: node.id, kind: "product", key: "keripik")?.isTombstone == true)
        #expect(try node.store.position() == 3)
    }

    @Test func authoringRefusesInvalidKindBodyAndSize() throws {
        let dir = TemporaryDirectory()
        let node = try makeNode(in: dir, name: "a")
        func reason(_ draft: Entry.Draft) -> String? {
            do { try node.store.append([draft], signer: node.key); return nil } catch let StoreError.invalid(e) {
                return e.reason
            } catch { return "\(error)" }
        }
        #expect(reason(.put(kind: "Product", key: "k", body: "{}", time: 0)) == "kind")
        #expect(reason(.put(kind: "pro duct", key: "k", body: "{}", time: 0)) == "kind")
        #expect(reason(.put(kind: "product", key: "", body: "{}", time: 0)) == "key")
        #expect(reason(.put(kind: "product", key: "k", body: "[1,2]", time: 0)) == "body")
        #expect(reason(.put(kind: "product", key: "k", body: "{\"a\":1,}", time: 0)) == "body")
        #expect(reason(.put(kind: "product", key: "k", body: "not json", time: 0)) == "body")
        let big = "{\"x\":\"" + String(repeating: "a", count: Entry.maximumBodySize) + "\"}"
        #expect(reason(.put(kind: "product", key: "k", body: big, time: 0)) == "too-large")
        // Nothing was stored by the failed attempts.
        #expect(try node.store.position() == 0)
        #expect(try node.store.head(of: node.id) == nil)
    }

    @Test func ingestStoresInOrderAndIsIdempotent() throws {
        let dir = TemporaryDirectory()
        let hub = try makeNode(in: dir, name: "hub")
        let centre = try makeNode(in: dir, name: "centre", network: hub.id)
        try hub.admit(centre.id)
        for i in 1...5 { try centre.put("product", "p\(i)", jsonBody(i)) }

        let copy = try makeNode(in: dir, name: "copy", network: hub.id)
        var r = try copy.store.ingest(try entries(of: hub), from: hub.id)
        #expect(r.stored == 1 && r.admitted == [centre.id])
        r = try copy.store.ingest(try entries(of: centre), from: centre.id)
        #expect(r.stored == 5 && r.heads[centre.id] == 5)
        r = try copy.store.ingest(try entries(of: centre), from: centre.id)
        #expect(r.stored == 0 && r.duplicates == 5)
        #expect(try copy.store.head(of: centre.id) == centre.store.head(of: centre.id))
    }

    /// Entries are bound to SQLite by hand (Store/DirectBinding.swift): keys
    /// of several bytes a character, deletes with no body and each field
    /// must read back exactly, and a statement SQLite refuses must fail the
    /// batch and store nothing of it.
    @Test func storedEntriesReadBackByteForByteAndARefusedInsertStoresNothing() throws {
        let dir = TemporaryDirectory()
        let hub = try makeNode(in: dir, name: "hub")
        let centre = try makeNode(in: dir, name: "centre", network: hub.id)
        try hub.admit(centre.id)
        let keys = ["kopi-luwak", "kripik-tempe-ñ", "batik-寸法", "🌶 sambal"]
        for (i, key) in keys.enumerated() { try centre.put("product", key, jsonBody(i), time: -1_000 + Int64(i)) }
        try centre.store.append([.delete(kind: "product", key: keys[1], time: 7)], signer: centre.key)

        let copy = try makeNode(in: dir, name: "copy", network: hub.id)
        _ = try copy.store.ingest(try entries(of: hub), from: hub.id)
        let sent = try entries(of: centre)
        #expect(try copy.store.ingest(sent, from: centre.id).stored == 5)
        for e in sent {
            #expect(try copy.store.entry(author: centre.id, seq: e.entry.seq)?.bytes == e.entry.bytes)
        }
        #expect(try copy.store.records(kind: "product", author: centre.id).map(\.key).sorted() == [keys[0], keys[2], keys[3]].sorted())
        let tombstone = try #require(try copy.store.record(author: centre.id, kind: "product", key: keys[1]))
        #expect(tombstone.isTombstone && tombstone.time == 7 && tombstone.bytes == sent[4].entry.bytes)
        #expect(try copy.store.record(author: centre.id, kind: "product", key: keys[3])?.time == -997)

        // SQLite refuses the third entry: the batch fails, nothing of it stays.
        let refusing = try makeNode(in: dir, name: "refusing", network: hub.id)
        _ = try refusing.store.ingest(try entries(of: hub), from: hub.id)
        let before = try refusing.store.position()
        try refusing.store.close()
        try DatabaseQueue(path: dir.file("refusing.sqlite")).write { db in
            try db.execute(sql: "CREATE TRIGGER refuse BEFORE INSERT ON entry WHEN NEW.seq = 3 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
        }
        let reopened = try Store.open(at: dir.file("refusing.sqlite"))
        #expect(throws: (any Error).self) { try reopened.ingest(sent, from: centre.id) }
        #expect(try reopened.position() == before && reopened.head(of: centre.id) == nil)
        try reopened.close()
    }

    /// The summaries are cached between writes (a hub's every dashboard
    /// page asks for them): each kind of write must show in the next call.
    @Test func authorSummariesFollowEveryWrite() throws {
        let dir = TemporaryDirectory()
        let hub = try makeNode(in: dir, name: "hub")
        let centre = try makeNode(in: dir, name: "centre", network: hub.id)
        try hub.admit(centre.id)
        for i in 1...3 { try centre.put("product", "p\(i)", jsonBody(i)) }
        let copy = try makeNode(in: dir, name: "copy", network: hub.id)
        func heads() throws -> [NodeID: UInt64] {
            Dictionary(uniqueKeysWithValues: try copy.store.authorSummaries().map { ($0.author, $0.seq) })
        }
        #expect(try heads().isEmpty)
        _ = try copy.store.ingest(try entries(of: hub), from: hub.id)
        #expect(try heads() == [hub.id: 1])
        _ = try copy.store.ingest(try entries(of: centre), from: centre.id)
        #expect(try heads() == [hub.id: 1, centre.id: 3])
        #expect(try heads() == [hub.id: 1, centre.id: 3])
        try copy.put("product", "own")
        #expect(try heads() == [hub.id: 1, centre.id: 3, copy.id: 1])
    }

    @Test func gapsAreSkippedAndNothingIsStored() throws {
        let dir = TemporaryDirectory()
        let hub = try makeNode(in: dir, name: "hub")
        for i in 1...3 { try hub.put("product", "p\(i)", jsonBody(i)) }
        let other = try makeNode(in: dir, name: "other", network: hub.id)
        let r = try other.store.ingest(try entries(of: hub, from: 2), from: hub.id)
        #expect(r.stored == 0 && r.gaps == 2)
        #expect(try other.store.position() == 0)
    }

    @Test func forkIsRecordedAndTheAuthorFrozen() throws {
        let dir = TemporaryDirectory()
        // Two stores holding the same key: the same author signs two different seq 2.
        let key = NodeKey()
        let a = try makeNode(in: dir, name: "a", key: key)
        let b = try makeNode(in: dir, name: "b", network: key.id, key: key)
        let first = try a.put("product", "p1", jsonBody(1))
        _ = try b.store.ingest([try first.verified()], from: a.id)
        try a.put("product", "p2", jsonBody(2))
        try b.put("product", "p2", jsonBody(99))
        let copy = try makeNode(in: dir, name: "copy", network: key.id)
        _ = try copy.store.ingest(try entries(of: a), from: a.id)
        let r = try copy.store.ingest(try entries(of: b, author: key.id), from: b.id)
        #expect(r.forks.count == 1 && r.forks.first?.seq == 2)
        #expect(try copy.store.forks().count == 1)
        #expect(try copy.store.forkedAuthors() == [key.id])
        // The held log is unchanged, and the author is frozen.
        #expect(try copy.store.head(of: key.id) == a.store.head(of: key.id))
        try a.put("product", "p3", jsonBody(3))
        let later = try copy.store.ingest(try entries(of: a, from: 3), from: a.id)
        #expect(later.stored == 0 && later.refused.first?.reason == .forkedAuthor)
    }

    @Test func nonMembersAreRejectedAndEarlierEntriesKept() throws {
        let dir = TemporaryDirectory()
        let hub = try makeNode(in: dir, name: "hub")
        try hub.put("product", "x", jsonBody(1))
        let stranger = try makeNode(in: dir, name: "stranger", network: hub.id)
        try stranger.put("product", "y", jsonBody(2))
        let copy = try makeNode(in: dir, name: "copy", network: hub.id)
        let batch = try entries(of: hub) + entries(of: stranger)
        let r = try copy.store.ingest(batch, from: hub.id)
        #expect(r.stored == 1)
        #expect(r.rejection?.index == 1 && r.rejection?.author == stranger.id && r.rejection?.seq == 1)
        #expect(try copy.store.head(of: hub.id)?.seq == 1)
        #expect(try copy.store.head(of: stranger.id) == nil)
    }

    @Test func ingestPipelineLooksAtNothingAfterANonMembersEntry() async throws {
        let dir = TemporaryDirectory()
        let hub = try makeNode(in: dir, name: "hub")
        try hub.put("product", "x", jsonBody(1))
        try hub.put("product", "y", jsonBody(2))
        let stranger = try makeNode(in: dir, name: "stranger", network: hub.id)
        try stranger.put("product", "z", jsonBody(3))
        let copy = try makeNode(in: dir, name: "copy", network: hub.id)
        let raw = { (e: [VerifiedEntry]) in e.map(\.entry.bytes) }
        let hubEntries = try entries(of: hub)
        let (batches, input) = AsyncStream<(tag: Int, raw: [[UInt8]])>.makeStream()
        input.yield((1, raw([hubEntries[0]]) + raw(try entries(of: stranger))))
        input.yield((2, raw([hubEntries[1]])))
        input.finish()
        var outcomes: [IngestPipeline.Outcome] = []
        try await IngestPipeline(store: copy.store, origin: hub.id).run(batches) { outcomes.append($0) }
        #expect(outcomes.map(\.tag) == [1])
        #expect(outcomes.first?.result.rejection?.author == stranger.id)
        #expect(try await copy.store.head(of: hub.id)?.seq == 1, "the batch after the rejected entry was stored")
    }

    @Test func headsMovedAfterAPositionIsOneIndexedQuery() throws {
        let dir = TemporaryDirectory()
        let hub = try makeNode(in: dir, name: "hub")
        let centres = try (0..<3).map { try makeNode(in: dir, name: "c\($0)", network: hub.id) }
        for c in centres { try hub.admit(c.id) }
        let copy = try makeNode(in: dir, name: "copy", network: hub.id)
        _ = try copy.store.ingest(try entries(of: hub), from: hub.id)
        let mark = try copy.store.position()
        try centres[1].put("product", "a", jsonBody(1))
        _ = try copy.store.ingest(try entries(of: centres[1]), from: centres[1].id)
        let moved = try copy.store.heads(movedAfter: mark)
        #expect(moved.heads.map(\.author) == [centres[1].id])
        #expect(moved.position == mark + 1)
        #expect(try copy.store.heads(movedAfter: 0).heads.count == 2)
        // Heads that moved only because of what a peer sent are not offered back to it.
        #expect(try copy.store.heads(movedAfter: mark, excludingOrigin: centres[1].id).heads.isEmpty)

        let plan = try DatabaseQueue(path: copy.store.path).read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT key, seq, head_id FROM author WHERE seq > 0 AND head_position > 5")
                .map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("author_head_position") }, "\(plan)")
    }

    @Test func databaseFromANewerVersionIsRefused() throws {
        let dir = TemporaryDirectory()
        let node = try makeNode(in: dir, name: "a")
        try node.put("product", "x", jsonBody(1))
        try node.store.close()
        try DatabaseQueue(path: node.store.path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations(identifier) VALUES ('v99 from the future')")
        }
        #expect {
            _ = try Store.open(at: node.store.path)
        } throws: { error in
            guard case StoreError.newerSchema(_, let unknown) = error else { return false }
            return unknown == ["v99 from the future"] && "\(error)".contains("newer tcnode")
        }
    }

    @Test func corruptDatabaseIsRefusedAndLeftUntouched() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("garbage.sqlite")
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try garbage.write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try Store.open(at: path)
        } throws: { error in
            guard case StoreError.corrupt = error else { return false }
            return "\(error)".contains("damaged")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test func truncatedDatabaseIsRefusedAndLeftUntouched() throws {
        let dir = TemporaryDirectory()
        let node = try makeNode(in: dir, name: "a")
        for i in 0..<300 { try node.put("product", "p\(i)", jsonBody(i)) }
        try node.store.close()
        let url = URL(fileURLWithPath: node.store.path)
        // Fold the WAL into the main file so that truncating it loses pages.
        try DatabaseQueue(path: node.store.path).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        let full = try Data(contentsOf: url)
        let truncated = full.prefix(full.count / 2)
        try truncated.write(to: url)
        #expect {
            _ = try Store.open(at: node.store.path, checkIntegrity: true)
        } throws: { error in
            guard case StoreError.corrupt = error else { return false }
            return true
        }
        #expect(try Data(contentsOf: url) == truncated)
    }

    @Test func concurrentAppendsFromTwoConnectionsStayContiguous() async throws {
        let dir = TemporaryDirectory()
        let node = try makeNode(in: dir, name: "a")
        // A second, independent connection pool on the same file behaves as a
        // second process does for SQLite's locks (the CLI test uses real processes).
        let second = try await OffPool.run { try Store.open(at: node.store.path) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (n, store) in [node.store, second].enumerated() {
                group.addTask {
                    for i in 0..<100 {
                        try await store.append([.put(kind: "product", key: "s\(n)-\(i)", body: jsonBody(i), time: 0)], signer: node.key)
                    }
                }
            }
            try await group.waitForAll()
        }
        let log = try await node.store.log(author: node.id, limit: .max, newestFirst: false)
        #expect(log.map(\.seq) == Array(1...200))
        for (a, b) in zip(log, log.dropFirst()) { try b.checkLink(after: a) }
        #expect(Set(log.map(\.key)).count == 200)
    }
}
