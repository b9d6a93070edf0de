import ArgumentParser
import Foundation
import HubViews
import LinkEmulator
import Logging
import NodeRuntime
import Replication
import ServiceLifecycle
import Telecenter

struct LinkBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Sync, photos and keep-alive through an emulated slow link that keeps dropping (issue 11).",
        discussion: """
            Runs a hub holding --entries entries and a fresh centre as real nodes in this process (TLS, the daemon's \
            code and timers), the centre dialling the hub through the link emulator: --rate bits/s each way, \
            --latency-ms one way, up --up s then down --down s, repeating (--down 0: no cuts). A cut closes the \
            connection; while down, connections are refused.

            First a reference: a second fresh centre syncs the same entries from the hub through an uncut \
            emulator at loopback speed; its bytes are what the sync needs. Then (a) the centre syncs through the \
            cut-up link until it holds every entry; (b) with --photo-bytes > 0, the centre publishes a record with \
            a photo of that size and, once the photo is flowing and the link has at least half an up window left, \
            a small record; (c) with the schedule stopped and both in sync, the link's bytes over --idle-seconds.

            link_sync_ratio: seconds the link was up until the centre held every entry / ideal seconds (the \
            reference's bytes / rate, the busier direction). resent_fraction: (bytes on the link in (a), cut-off \
            ones included - the reference's bytes) / the reference's bytes. photo_resent_fraction: the same for the \
            centre's upload in (b) against the reference centre publishing a photo of the same size over the uncut \
            emulator. record_behind_photo_ms: from writing the small record to the hub storing it. \
            idle_bytes_per_day: (c) scaled to a day. A phase that does not finish within --timeout is marked \
            (sync=timeout, photo=timeout) and its figures are lower bounds written with '>'.

            Targets (issue 11) for --rate 64000 --latency-ms 300 --up 30 --down 10 --entries 20000 \
            --photo-bytes 5000000: link_sync_ratio <= 1.3, resent_fraction <= 0.05, photo_resent_fraction <= 0.10, \
            record_behind_photo_ms <= 3000, idle_bytes_per_day <= 100000.
            """)

    @Option(help: "Link rate each way, bits per second.") var rate = 64_000
    @Option(help: "One-way latency, milliseconds.") var latencyMs = 300
    @Option(help: "Seconds the link stays up in each cycle.") var up: Double = 30
    @Option(help: "Seconds it then stays down (0: no cuts).") var down: Double = 10
    @Option(help: "Entries the hub holds.") var entries = 20_000
    @Option(help: "Authors of those entries.") var authors = 20
    @Option(help: "Approximate JSON body size in bytes.") var bodyBytes = 400
    @Option(help: "Size of the photo the centre publishes (0: no photo phase).") var photoBytes = 5_000_000
    @Option(help: "Seconds of idle link measured for idle_bytes_per_day (default 450: three keep-alive intervals of 150 s).") var idleSeconds: Double = 450
    @Option(help: "Seconds each phase may take before it is reported unfinished.") var timeout: Double = 7200
    @Option(help: "Bytes the emulator queues per direction before it stops reading (default: one second of --rate, at least 4096).") var queueBytes: Int?
    @Option(help: "Show the nodes' log on stderr from this level (trace, debug, info, warning, ...).")
    var nodeLogs: String?

    func validate() throws {
        guard rate >= 1000 else { throw ValidationError("--rate must be at least 1000 bits/s") }
        guard latencyMs >= 0 else { throw ValidationError("--latency-ms cannot be negative") }
        guard up > 0, down >= 0 else { throw ValidationError("--up must be above 0 and --down at least 0 seconds") }
        guard entries >= 1, authors >= 1, authors <= entries else { throw ValidationError("--authors must be between 1 and --entries") }
        guard photoBytes == 0 || (photoBytes >= 16 && photoBytes <= 10 * 1024 * 1024) else {
            throw ValidationError("--photo-bytes must be 0 or between 16 and 10485760 (the nodes' blob limit)")
        }
        guard idleSeconds > 0, timeout > 0 else { throw ValidationError("--idle-seconds and --timeout must be above 0") }
        if let queueBytes, queueBytes < 1024 { throw ValidationError("--queue-bytes must be at least 1024") }
        if let nodeLogs, Logger.Level(rawValue: nodeLogs) == nil {
            throw ValidationError("--node-logs must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let scratch = Scratch("link")
        defer { scratch.remove() }
        let (counts, logs) = ((authors, entries, bodyBytes), nodeLogs.flatMap(Logger.Level.init(rawValue:)))
        say("signing \(entries) entries from \(authors) authors...")
        let workload = try await OffPool.run { try Workload.make(authors: counts.0, entries: counts.1, bodyBytes: counts.2) }
        // The genesis fetches every photo; the centres only their own (the daemon's rule).
        let hub = try await LinkNode(name: "hub", key: workload.genesis, network: workload.genesis.id, in: scratch, logs: logs)
        let centre = try await LinkNode(name: "centre", key: NodeKey(), network: workload.genesis.id, pinned: [hub.node.id],
                                        in: scratch, logs: logs)
        let reference = try await LinkNode(name: "reference", key: NodeKey(), network: workload.genesis.id, pinned: [hub.node.id],
                                           in: scratch, logs: logs)
        _ = try await hub.node.ingest(workload.admits, from: nil)
        for log in workload.logs {
            for chunk in log.chunked(2000) { _ = try await hub.node.store.ingest(Array(chunk), from: workload.authors[0].id) }
        }
        try await hub.admit(centre)
        try await hub.admit(reference)
        let total = try await hub.node.store.position()

        let line = try await LinkNode.run([hub, centre, reference]) {
            try await measure(hub: hub, centre: centre, reference: reference, total: total)
        }
        print(line)
    }

    func measure(hub: LinkNode, centre: LinkNode, reference: LinkNode, total: Int64) async throws -> String {
        let hubAddress = try await hub.listener.boundAddress()
        let uncut = try await LinkEmulator.start(upstream: hubAddress)
        let shape = LinkShape(bitsPerSecond: rate, latency: .milliseconds(latencyMs),
                              queueBytes: queueBytes ?? max(4096, rate / 8))
        let link = try await LinkEmulator.start(upstream: hubAddress, configuration: LinkConfiguration(both: shape))
        let progress = Task { await Self.report(link: link, centre: centre, hub: hub) }
        do {
            let line = try await phases(hub: hub, centre: centre, reference: reference, total: total, uncut: uncut, link: link)
            progress.cancel()
            try await uncut.stop()
            try await link.stop()
            return line
        } catch {
            progress.cancel()
            try? await uncut.stop()
            try? await link.stop()
            throw error
        }
    }

    func phases(hub: LinkNode, centre: LinkNode, reference: LinkNode, total: Int64, uncut: LinkEmulator,
                link: LinkEmulator) async throws -> String {
        let limit = Duration.seconds(timeout)
        var out = Figures()

        // The reference: the same sync over an uncut link at loopback speed.
        reference.dialers.setPeers([PeerEndpoint(node: hub.node.id, host: "127.0.0.1", port: uncut.port)])
        let referenceDone = try await reference.node.waitOrTimeout(limit) { try await reference.node.store.position() >= total }
        guard referenceDone else { throw Failure("the reference sync over an uncut link did not finish within \(timeout) s") }
        let ref = uncut.counters
        let refBytes = ref.bytesOnWire
        let ideal = Double(max(ref[.toUpstream].bytesOnWire, ref[.fromUpstream].bytesOnWire)) * 8 / Double(rate)
        say("reference: \(total) entries need \(refBytes) bytes on an uncut link (ideal \(fmt(ideal, 1)) s at \(rate) bit/s)")

        // Reference photo: the same size, published by the reference centre over the uncut link,
        // before the centre connects (a hub asks every connected peer for a photo it misses).
        var refPhotoBytes = 0
        if photoBytes > 0 {
            let before = uncut.counters[.toUpstream].bytesOnWire
            let sha = try await reference.publishPhoto(size: photoBytes, seed: 1)
            guard try await hub.node.waitOrTimeout(limit, until: { hub.holds(sha) }) else {
                throw Failure("the reference photo over an uncut link did not arrive within \(timeout) s")
            }
            refPhotoBytes = uncut.counters[.toUpstream].bytesOnWire - before
            say("reference: a \(photoBytes)-byte photo needs \(refPhotoBytes) bytes up an uncut link")
        }
        // Only the centre talks to the hub from now on. The centre's sync
        // holds one entry more than the reference's when the reference
        // published its photo (under 1 kB, within the figures' rounding).
        reference.dialers.setPeers([])
        let syncTotal = try await hub.node.store.position()

        // (a) Initial sync through the cut-up link.
        try await link.startSchedule(up: .seconds(up), down: .seconds(down))
        let start = ContinuousClock.now
        let linkBefore = link.counters
        centre.dialers.setPeers([PeerEndpoint(node: hub.node.id, host: "127.0.0.1", port: link.port)])
        let synced = try await centre.node.waitOrTimeout(limit) { try await centre.node.store.position() >= syncTotal }
        let a = link.counters
        let syncSeconds = (ContinuousClock.now - start).seconds
        let reached = try await centre.node.store.position()
        let upSeconds = (a.timeUp - linkBefore.timeUp).seconds
        let carried = a.bytesOnWire - linkBefore.bytesOnWire
        let mark = synced ? "" : ">"
        out["link_sync_ratio"] = mark + fmt(upSeconds / ideal, 2)
        let useful = synced ? Double(refBytes) : Double(refBytes) * Double(reached) / Double(syncTotal)
        out["resent_fraction"] = mark + fmt((Double(carried) - useful) / Double(refBytes), 3)
        say("(a) sync: \(synced ? "in sync" : "NOT in sync (timeout)"), \(reached)/\(syncTotal) entries in \(fmt(syncSeconds, 1)) s "
            + "(\(fmt(upSeconds, 1)) s up), \(carried) bytes through the link, \(a.cuts) cuts, \(a.connectionsAccepted) connections")

        // (b) A photo, and a small record written while it is in flight.
        var photoDone = false
        if photoBytes > 0 {
            let before = link.counters
            let photoStart = ContinuousClock.now
            let sha = try await centre.publishPhoto(size: photoBytes, seed: 2)
            let flowing = min(photoBytes / 4, 32 * 1024)
            let upWindow = Duration.seconds(up)
            // Flowing, and the link up with half a window left (a record
            // written just before a cut waits for the cut, not the photo).
            let ready = (try? await link.wait(timeout: limit) { c in
                hub.holds(sha) || (c[.toUpstream].bytesOnWire - before[.toUpstream].bytesOnWire >= flowing
                                   && c.isUp && c.connectionsOpen > 0 && (c.timeToNextChange ?? upWindow) >= upWindow / 2)
            }) != nil
            if hub.holds(sha) {
                out["record_behind_photo_ms"] = "n/a"
                say("(b) the photo arrived before a record could be written behind it")
            } else {
                let cutsBefore = link.counters.cuts
                let written = ContinuousClock.now
                let seq = try await centre.node.append([.put(kind: "product", key: "kecil", body: LinkNode.smallBody, time: 2)])[0].seq
                let arrived = try await hub.node.waitOrTimeout(limit) {
                    (try await hub.node.store.head(of: centre.node.id)?.seq ?? 0) >= seq
                }
                let ms = (ContinuousClock.now - written).seconds * 1000
                out["record_behind_photo_ms"] = (arrived ? "" : ">") + fmt(ms, 0)
                out["record_cuts"] = "\(link.counters.cuts - cutsBefore)"
                // Not flowing within the timeout: the record did not race a photo in flight.
                out["record_photo_flowing"] = ready ? "yes" : "no"
                say("(b) record written behind the photo: \(arrived ? "stored on the hub" : "NOT on the hub (timeout)") after \(fmt(ms, 0)) ms")
            }
            photoDone = try await hub.node.waitOrTimeout(limit - (ContinuousClock.now - photoStart)) { hub.holds(sha) }
            let b = link.counters
            let photoLink = b[.toUpstream].bytesOnWire - before[.toUpstream].bytesOnWire
            let held = photoDone ? photoBytes : Int(hub.heldBytes(sha))
            let usefulPhoto = Double(refPhotoBytes) * Double(held) / Double(photoBytes)
            out["photo_resent_fraction"] = (photoDone ? "" : ">") + fmt((Double(photoLink) - usefulPhoto) / Double(refPhotoBytes), 3)
            out["photo"] = photoDone ? "done" : "timeout"
            out["photo_s"] = fmt((ContinuousClock.now - photoStart).seconds, 1)
            out["photo_up_s"] = fmt((b.timeUp - before.timeUp).seconds, 1)
            out["photo_held"] = "\(held)/\(photoBytes)"
            out["photo_link_bytes"] = "\(photoLink)"
            out["ref_photo_bytes"] = "\(refPhotoBytes)"
            say("(b) photo: \(photoDone ? "on the hub" : "NOT on the hub (timeout)"), \(held)/\(photoBytes) bytes after "
                + "\(out["photo_s"]!) s, \(photoLink) bytes up the link (reference \(refPhotoBytes))")
        } else {
            out["photo"] = "off"
            out["photo_resent_fraction"] = "n/a"
            out["record_behind_photo_ms"] = "n/a"
        }

        // (c) Idle: schedule stopped, both in sync, only keep-alive should move.
        try await link.stopSchedule(restore: true)
        let inSync = try await centre.node.waitOrTimeout(limit) {
            try await centre.node.store.position() >= syncTotal
                && centre.node.peers.status(of: hub.node.id)?.inSync == true
                && hub.node.peers.status(of: centre.node.id)?.inSync == true
        }
        if inSync {
            let before = link.counters
            try await Task.sleep(for: .seconds(idleSeconds))
            let after = link.counters
            let idle = after.bytesOnWire - before.bytesOnWire
            out["idle_bytes_per_day"] = fmt(Double(idle) * 86_400 / idleSeconds, 0)
            out["idle_bytes"] = "\(idle)"
            out["idle_reconnects"] = "\(after.connectionsAccepted - before.connectionsAccepted)"
            say("(c) idle: \(idle) bytes in \(fmt(idleSeconds, 0)) s through the link")
        } else {
            out["idle_bytes_per_day"] = "n/a"
            say("(c) idle: not measured, the centre and the hub did not get in sync within \(timeout) s")
        }

        let c = link.counters
        let delays = c.reconnectDelays.map(\.seconds).sorted()
        out["sync"] = synced ? "done" : "timeout"
        out["entries"] = "\(reached)/\(syncTotal)"
        out["sync_s"] = fmt(syncSeconds, 1)
        out["sync_up_s"] = fmt(upSeconds, 1)
        out["ideal_s"] = fmt(ideal, 1)
        out["sync_link_bytes"] = "\(carried)"
        out["ref_sync_bytes"] = "\(refBytes)"
        out["sync_cuts"] = "\(a.cuts - linkBefore.cuts)"
        // Where the extra bytes went: each direction, and entries the centre
        // received although it held them already.
        out["sync_bytes_down"] = "\(a[.fromUpstream].bytesOnWire - linkBefore[.fromUpstream].bytesOnWire)"
        out["sync_bytes_up"] = "\(a[.toUpstream].bytesOnWire - linkBefore[.toUpstream].bytesOnWire)"
        out["sync_entries_resent"] = "\(centre.node.peers.status(of: hub.node.id)?.entriesResent ?? 0)"
        out["sync_connections"] = "\(a.connectionsAccepted - linkBefore.connectionsAccepted)"
        out["cuts"] = "\(c.cuts)"
        out["connections"] = "\(c.connectionsAccepted)"
        out["refused"] = "\(c.connectionsRefused)"
        out["discarded_bytes"] = "\(c[.toUpstream].bytesDiscardedAtCuts + c[.fromUpstream].bytesDiscardedAtCuts)"
        out["reconnect_median_s"] = delays.isEmpty ? "n/a" : fmt(delays[delays.count / 2], 2)
        out["reconnect_max_s"] = delays.last.map { fmt($0, 2) } ?? "n/a"
        out["rate"] = "\(rate)"
        out["latency_ms"] = "\(latencyMs)"
        out["up"] = fmt(up, 0)
        out["down"] = fmt(down, 0)
        return out.line
    }

    /// Progress on stderr every 30 s while the bench runs.
    static func report(link: LinkEmulator, centre: LinkNode, hub: LinkNode) async {
        let start = ContinuousClock.now
        while (try? await Task.sleep(for: .seconds(30))) != nil {
            let c = link.counters
            let have = (try? await centre.node.store.position()) ?? 0
            let total = (try? await hub.node.store.position()) ?? 0
            say("  \(fmt((ContinuousClock.now - start).seconds, 0)) s: centre holds \(have)/\(total) entries; link \(c.isUp ? "up" : "down"), "
                + "\(c.bytesOnWire) bytes carried, \(c.cuts) cuts, \(c.connectionsAccepted) connections")
        }
    }
}

/// The figures of the one-line summary, in a fixed order.
private struct Figures {
    static let order = [
        "link_sync_ratio", "resent_fraction", "photo_resent_fraction", "record_behind_photo_ms", "idle_bytes_per_day",
        "sync", "entries", "sync_s", "sync_up_s", "ideal_s", "sync_link_bytes", "ref_sync_bytes", "sync_cuts", "sync_connections",
        "sync_bytes_down", "sync_bytes_up", "sync_entries_resent",
        "photo", "photo_s", "photo_up_s", "photo_held", "photo_link_bytes", "ref_photo_bytes", "record_cuts", "record_photo_flowing",
        "idle_bytes", "idle_reconnects", "cuts", "connections", "refused", "discarded_bytes", "reconnect_median_s", "reconnect_max_s",
        "rate", "latency_ms", "up", "down",
    ]
    var values: [String: String] = [:]

    subscript(key: String) -> String? {
        get { values[key] }
        set { values[key] = newValue }
    }

    var line: String { Self.order.compactMap { key in values[key].map { "\(key)=\($0)" } }.joined(separator: " ") }
}

private func fmt(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }

/// A node with photos and views, built as the daemon builds it (default
/// timers, `NodeAssembly`), with its listener, dialers and views follower.
struct LinkNode: Sendable {
    let assembly: NodeAssembly
    var node: Node { assembly.node }
    var listener: PeerListener { assembly.listener }
    var dialers: PeerDialers { assembly.dialers }

    static let smallBody = #"{"name":"Catatan kecil","category":"kerajinan","available":true}"#

    init(name: String, key: NodeKey, network: NodeID, pinned: [NodeID] = [], in scratch: Scratch, logs: Logger.Level?) async throws {
        var logger = logs != nil ? Logger(label: name) : Logger(label: name, factory: { _ in SwiftLogNoOpLogHandler() })
        logger.logLevel = logs ?? .critical
        assembly = try await benchNode(name, key: key, network: network, pinned: pinned, photos: true, centreName: name,
                                       logger: logger, in: scratch)
    }

    /// Admits `other` as a telecenter (this node must be the genesis).
    func admit(_ other: LinkNode) async throws {
        let body = #"{"node":"\#(other.node.id)","role":"telecenter","name":"bench","region":"\#(Workload.region)"}"#
        try await node.append([.put(kind: "admit", key: other.node.id.description, body: body, time: 0)])
    }

    func holds(_ sha: Bytes32) -> Bool { node.photos!.blobs.has(sha) }

    func heldBytes(_ sha: Bytes32) -> UInt64 { node.photos!.blobs.heldBytes(sha) }

    /// Stores a photo of exactly `size` bytes (a PNG signature, then noise
    /// that no compression could shrink) and publishes a product with it.
    func publishPhoto(size: Int, seed: UInt64) async throws -> Bytes32 {
        // A node answers a request for a photo its views do not list yet as
        // "not held", and the asker does not ask that connection again: just
        // after a big sync the views lag behind, so wait for them first.
        let (store, views) = (node.store, assembly.hubViews!)
        try await node.wait(for: .seconds(600)) {
            let position = try await store.position()
            return await OffPool.run { views.appliedPosition } >= position
        }
        var random = SplitMix64(seed: seed)
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        bytes.reserveCapacity(size)
        while bytes.count < size { bytes.append(UInt8(truncatingIfNeeded: random.next())) }
        let blobs = node.photos!.blobs
        let photo = bytes
        let (sha, type) = try await OffPool.run { try blobs.add(photo) }
        let pieces = BlobPieces.root(of: photo).hex
        let body = #"{"name":"Foto besar \#(seed)","category":"kerajinan","available":true,"photos":[{"sha256":"\#(sha.hex)","size":\#(size),"type":"\#(type)","pieces":"\#(pieces)"}]}"#
        try await node.append([.put(kind: "product", key: "foto-\(seed)", body: body, time: 1)])
        return sha
    }

    static func run<T: Sendable>(_ nodes: [LinkNode], _ body: @Sendable () async throws -> T) async throws -> T {
        try await withBenchNodes(nodes.map(\.assembly), body)
    }
}

extension Node {
    /// `wait(for:until:)` that answers false at the timeout instead of throwing.
    func waitOrTimeout(_ timeout: Duration, until condition: @escaping @Sendable () async throws -> Bool) async throws -> Bool {
        guard timeout > .zero else { return try await condition() }
        do {
            try await wait(for: timeout, until: condition)
            return true
        } catch is WaitTimeout {
            return false
        }
    }
}
