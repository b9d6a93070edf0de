import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import Replication
import Synchronization

/// Prometheus text format on GET /metrics: the node's event counters
/// (`NodeMetrics`), the figures read at each scrape (`ScrapedMetrics`), and
/// whatever was recorded through swift-metrics into `registry`.
public enum MetricsEndpoint {
    public static func application(registry: PrometheusCollectorRegistry?, node: Node, host: String, port: Int, logger: Logger,
                                   bound: (@Sendable (Int) async -> Void)? = nil) -> some ApplicationProtocol {
        let router = Router()
        let scraped = ScrapedMetrics(node: node)
        router.get("/metrics") { _, _ -> Response in
            await scraped.refresh()
            var buffer = node.metrics.registry.emitToBuffer()
            if let registry, registry !== node.metrics.registry { registry.emit(into: &buffer) }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        var quiet = logger
        quiet.logLevel = .warning
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
                           onServerRunning: { channel in
                               if let port = channel.localAddress?.port { await bound?(port) }
                           },
                           logger: quiet)
    }
}

/// The figures a scrape reads from the node: build, store, and per peer
/// and (on a hub) per centre. Series are labelled by short node id and only
/// for nodes the roster or the config names (members, authorities, pinned
/// peers: never a stranger's key), so their number is bounded by the
/// network's size; a peer or centre that leaves loses its series.
final class ScrapedMetrics: Sendable {
    let node: Node
    let registry: PrometheusCollectorRegistry
    private let figures: StatusFigures
    private let peerSeries = Mutex<[String: PeerSeries]>([:])
    private let centreSeries = Mutex<[String: (name: String, gauge: Gauge)]>([:])

    init(node: Node) {
        self.node = node
        registry = node.metrics.registry
        figures = StatusFigures(store: node.store)
        registry.makeGauge(name: "tcnode_build_info", labels: [("version", TCNodeVersion.current)],
                           help: "The tcnode version running (always 1).").set(to: 1)
        registry.makeGauge(name: "tcnode_start_time_seconds", help: "When the daemon started, Unix time in seconds.")
            .set(Date().timeIntervalSince1970 - node.uptime)
    }

    private func gauge(_ name: String, _ help: String) -> Gauge { registry.makeGauge(name: name, help: help) }

    func refresh() async {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let store = try? await figures.current()
        let roster = node.store.roster
        var peers = node.peers.snapshot().filter { NodeID($0.node).map(node.trusts) ?? false }
        for i in peers.indices {
            if let id = NodeID(peers[i].node), let wanted = store?.entriesWanted[id], wanted > peers[i].entriesBehind {
                peers[i].entriesBehind = wanted
                peers[i].deriveFigures()
            }
        }
        if let store {
            gauge("tcnode_store_entries", "Entries in the database.").set(Double(store.stats.entries))
            gauge("tcnode_store_authors", "Authors in the database.").set(Double(store.stats.authors))
            gauge("tcnode_store_forks", "Forks recorded in the database (they stay recorded after they are dealt with).")
                .set(Double(store.stats.forks))
            gauge("tcnode_store_database_bytes", "Size of the database file and its write-ahead log, in bytes.")
                .set(Double(store.stats.databaseBytes))
            if let free = store.diskFreeBytes {
                gauge("tcnode_disk_free_bytes", "Space left on the file system of the data directory, in bytes.").set(Double(free))
            }
            let unresolved = store.forks.filter { fork in roster.revokedFrom(fork.author).map { $0 > fork.seq } ?? true }
            gauge("tcnode_forks_unresolved",
                  "Forks recorded whose author is not revoked from the fork's seq yet: the authority has to act.")
                .set(Double(unresolved.count))
        }
        gauge("tcnode_sync_lag_entries", "Entries still to fetch, summed over peers.")
            .set(Double(peers.reduce(UInt64(0)) { $0.saturatingAdd($1.entriesBehind) }))
        gauge("tcnode_peers_known", "Peers in the status table (dialled, or connected in since the daemon started).")
            .set(Double(node.peers.snapshot().count))
        updatePeers(peers, now: now)
        await updateCentres(peers: peers, now: now)
    }

    private func updatePeers(_ peers: [PeerStatus], now: Int64) {
        let current = Dictionary(peers.compactMap { p in NodeID(p.node).map { ($0.short, p) } }, uniquingKeysWith: { a, _ in a })
        peerSeries.withLock { series in
            for (peer, gone) in series where current[peer] == nil {
                gone.unregister(from: registry)
                series[peer] = nil
            }
            for (peer, row) in current {
                if series[peer] == nil { series[peer] = PeerSeries(peer: peer, registry: registry) }
                series[peer]!.record(row, now: now, registry: registry)
            }
        }
    }

    /// On a hub: when each centre (a member admitted as telecenter or hub)
    /// was last heard from, by the network or by bundle.
    private func updateCentres(peers: [PeerStatus], now: Int64) async {
        let roster = node.store.roster
        let isHub = roster.standing(of: node.id) == .genesis || roster.standing(of: node.id) == .member(role: .hub)
        var heard: [String: (name: String, ms: Int64)] = [:]
        var never = 0
        if isHub, let read = try? await node.store.offPool({ (try $0.authorSummaries(), try $0.bundleHeard()) }) {
            let (stored, bundles) = (Dictionary(read.0.map { ($0.author, $0.storedMs) }, uniquingKeysWith: { a, _ in a }), read.1)
            var contacts: [NodeID: Int64] = [:]
            for p in peers {
                guard let id = NodeID(p.node), let seen = p.connections > 0 ? now : p.lastSeenMs else { continue }
                contacts[id] = seen
            }
            for id in roster.knownNodes where id != node.id {
                let standing = roster.standing(of: id)
                guard standing == .member(role: .telecenter) || standing == .member(role: .hub) else { continue }
                let last = [stored[id] ?? nil, contacts[id], bundles[id]].compactMap { $0 }.max()
                guard let last else {
                    never += 1
                    continue
                }
                heard[id.short] = (roster.governingAdmission(of: id)?.name ?? id.short, last)
            }
        }
        gauge("tcnode_centres_never_heard", "Centres admitted that this hub has never heard from (no entry, connection or bundle).")
            .set(Double(never))
        centreSeries.withLock { series in
            // A centre that left the roster, or was renamed, loses its series.
            for (centre, old) in series where heard[centre]?.name != old.name {
                registry.unregisterGauge(old.gauge)
                series[centre] = nil
            }
            for (centre, h) in heard {
                if series[centre] == nil {
                    series[centre] = (h.name, registry.makeGauge(
                        name: "tcnode_centre_last_heard_timestamp_seconds", labels: [("centre", centre), ("name", h.name)],
                        help: "On a hub: when each centre was last heard from (an entry stored, a connection, or a bundle), Unix time in seconds."))
                }
                series[centre]!.gauge.set(Double(h.ms) / 1000)
            }
        }
    }
}

/// One peer's series.
private struct PeerSeries: Sendable {
    let connected: Gauge
    let reconnecting: Gauge
    let lastContact: Gauge
    let behindEntries: Gauge
    let behindBytes: Gauge
    let peerBehindEntries: Gauge
    let attempts: Gauge
    let photosFetching: Gauge
    let photoHeld: Gauge
    let photoTotal: Gauge
    let received: CounterMirror
    let sent: CounterMirror
    let resentBytes: CounterMirror
    let resentEntries: CounterMirror

    init(peer: String, registry r: PrometheusCollectorRegistry) {
        let l = [("peer", peer)]
        connected = r.makeGauge(name: "tcnode_peer_connected", labels: l, help: "1 while a connection with the peer is established.")
        reconnecting = r.makeGauge(name: "tcnode_peer_reconnecting", labels: l,
                                   help: "1 while this node is between two connections with a peer it dials.")
        lastContact = r.makeGauge(name: "tcnode_peer_last_contact_timestamp_seconds", labels: l,
                                  help: "When bytes last moved with the peer (now while connected), Unix time in seconds; 0 if never since the daemon started.")
        behindEntries = r.makeGauge(name: "tcnode_peer_behind_entries", labels: l,
                                    help: "Entries the peer offered that this node has still to fetch.")
        behindBytes = r.makeGauge(name: "tcnode_peer_behind_bytes", labels: l,
                                  help: "About how many bytes those entries are (times the average entry from the peer).")
        peerBehindEntries = r.makeGauge(name: "tcnode_peer_sending_entries", labels: l,
                                        help: "Entries the peer asked for that this node has not finished sending.")
        attempts = r.makeGauge(name: "tcnode_peer_connect_attempts", labels: l,
                               help: "Connection attempts since the last connection with the peer that worked.")
        photosFetching = r.makeGauge(name: "tcnode_peer_photos_fetching", labels: l, help: "Photos being fetched from the peer.")
        photoHeld = r.makeGauge(name: "tcnode_peer_photo_held_bytes", labels: l,
                                help: "Bytes already held of the photos being fetched from the peer.")
        photoTotal = r.makeGauge(name: "tcnode_peer_photo_size_bytes", labels: l, help: "Sizes of the photos being fetched from the peer, in bytes.")
        received = CounterMirror(r.makeCounter(name: "tcnode_peer_received_bytes_total", labels: l,
                                               help: "Bytes received from the peer since the daemon started, TLS included."))
        sent = CounterMirror(r.makeCounter(name: "tcnode_peer_sent_bytes_total", labels: l,
                                           help: "Bytes sent to the peer since the daemon started, TLS included."))
        resentBytes = CounterMirror(r.makeCounter(name: "tcnode_peer_resent_bytes_total", labels: l,
                                                  help: "About how many bytes of entries the peer sent that were already stored here."))
        resentEntries = CounterMirror(r.makeCounter(name: "tcnode_peer_resent_entries_total", labels: l,
                                                    help: "Entries the peer sent that were already stored here."))
    }

    func record(_ p: PeerStatus, now: Int64, registry: PrometheusCollectorRegistry) {
        connected.set(to: p.state == .connected ? 1 : 0)
        reconnecting.set(to: p.reconnecting ? 1 : 0)
        let contact = p.state == .connected ? now : p.lastSeenMs ?? p.lastConnectedMs
        lastContact.set(contact.map { Double($0) / 1000 } ?? 0)
        behindEntries.set(Double(p.entriesBehind))
        behindBytes.set(Double(p.bytesBehind))
        peerBehindEntries.set(Double(p.entriesPeerBehind))
        attempts.set(Double(p.connectAttempts))
        photosFetching.set(Double(p.photosFetching))
        photoHeld.set(Double(p.photoBytesHeld))
        photoTotal.set(Double(p.photoBytesTotal))
        received.mirror(p.bytesInTotal)
        sent.mirror(p.bytesOutTotal)
        resentBytes.mirror(p.bytesResent)
        resentEntries.mirror(p.entriesResent)
    }

    func unregister(from r: PrometheusCollectorRegistry) {
        for g in [connected, reconnecting, lastContact, behindEntries, behindBytes, peerBehindEntries, attempts, photosFetching,
                  photoHeld, photoTotal] {
            r.unregisterGauge(g)
        }
        for c in [received, sent, resentBytes, resentEntries] { r.unregisterCounter(c.counter) }
    }
}

/// A Prometheus counter that follows a total kept elsewhere (a peer row's,
/// since the daemon started): it counts the difference at each scrape, and
/// starts again if the total did.
private final class CounterMirror: Sendable {
    let counter: Counter
    private let last = Mutex<Int>(0)

    init(_ counter: Counter) { self.counter = counter }

    func mirror(_ total: Int) {
        last.withLock { last in
            if total < last {
                counter.reset()
                last = 0
            }
            if total > last { counter.increment(by: total - last) }
            last = total
        }
    }
}
