import Foundation
import Logging
import Replication

/// A running node as one connection's environment (`ConnectionEnvironment`):
/// its store, photo policy and blob store, the node-wide bookkeeping, and
/// the peer's row in status, which only this type writes while the
/// connection runs.
struct NodeEnvironment: ConnectionEnvironment {
    let node: Node
    let peer: NodeID
    let direction: String
    let address: String?
    let counts: ByteCounts
    let ticket: ConnectionAdmission.Ticket?
    let logger: Logger
    private let origin = ContinuousClock.now
    /// The peer row's totals when this connection began.
    private let bytesBefore: (in: Int, out: Int)

    init(node: Node, peer: NodeID, direction: String, address: String?, counts: ByteCounts,
         ticket: ConnectionAdmission.Ticket?, logger: Logger) {
        self.node = node
        self.peer = peer
        self.direction = direction
        self.address = address
        self.counts = counts
        self.ticket = ticket
        self.logger = logger
        let row = node.peers.status(of: peer)
        self.bytesBefore = (row?.bytesInTotal ?? 0, row?.bytesOutTotal ?? 0)
    }

    var store: Store { node.store }

    func now() -> Int64 { (ContinuousClock.now - origin).milliseconds }

    func choosePhotos(excluding refused: Set<Bytes32>) async -> [PhotoRequest] {
        guard let photos = node.photos else { return [] }
        let id = node.id
        return node.claimPhotos(await OffPool.run { photos.wanted(node: id, excluding: refused) })
    }

    func releasePhotos(_ photos: Set<Bytes32>) { node.releasePhotos(photos) }

    func readPhoto(_ sha: Bytes32, offset: UInt64, length: Int) async -> (total: UInt64, bytes: [UInt8])? {
        guard let photos = node.photos else { return nil }
        return await OffPool.run { () -> (total: UInt64, bytes: [UInt8])? in
            guard photos.serves(sha), let total = photos.blobs.size(sha) else { return nil }
            return (total, photos.blobs.read(sha, offset: min(offset, total), length: length) ?? [])
        }
    }

    func storePhotoChunk(_ sha: Bytes32, total: UInt64, offset: UInt64, bytes: [UInt8]) async throws -> Bool {
        guard let photos = node.photos else { return false }
        // Written, fsynced and (at the end) hashed off the cooperative pool.
        do {
            return try await OffPool.run { () throws -> Bool in
                try photos.blobs.append(sha, total: total, offset: offset, bytes: bytes)
            }
        } catch BlobStore.Failure.offsetMismatch(let held, let offered) {
            throw BlobStore.Failure.offsetMismatch(held: held, offered: offered)
        } catch {
            logger.warning("photo \(sha.hex.prefix(12)) from this peer was refused: \(error)")
            throw error
        }
    }

    func photoPieces(_ sha: Bytes32) async -> (total: UInt64, hashes: [Bytes32])? {
        guard let photos = node.photos else { return nil }
        return await OffPool.run { () -> (total: UInt64, hashes: [Bytes32])? in
            guard photos.serves(sha) else { return nil }
            return photos.blobs.pieceHashes(sha)
        }
    }

    func storePhotoPieces(_ sha: Bytes32, total: UInt64, hashes: [Bytes32]) async throws -> UInt64 {
        guard let photos = node.photos else { return 0 }
        do {
            return try await OffPool.run { () throws -> UInt64 in
                try photos.blobs.storePieces(sha, total: total, hashes: hashes)
            }
        } catch {
            logger.warning("piece list of photo \(sha.hex.prefix(12)) from this peer was refused: \(error)")
            throw error
        }
    }

    func photoHeld(_ sha: Bytes32) async {
        logger.debug("photo \(sha.hex.prefix(12)) received and verified")
        await node.notePhotoHeld(sha)
    }

    func offered(_ heads: [Head]) { node.noteOffered(heads) }

    func established(_ hello: Hello) {
        ticket?.established()
        node.metrics.connected.increment()
        let now = PeerConnection.nowMs()
        node.peers.update(peer, direction: direction, address: address) {
            $0.state = .connected
            $0.connections += 1
            $0.agent = hello.agent
            if let name = hello.name, !name.isEmpty { $0.name = String(name.prefix(100)) }
            $0.connectedSinceMs = now
            $0.lastConnectedMs = now
            $0.lastSeenMs = now
            $0.detail = nil
            $0.retryAtMs = nil
        }
        logger.info("connected", metadata: ["agent": "\(hello.agent)", "direction": "\(direction)"])
    }

    func report(_ status: ConnectionStatus, previous: ConnectionStatus) {
        let now = PeerConnection.nowMs()
        let received = status.entriesReceived - previous.entriesReceived
        let sent = status.entriesSent - previous.entriesSent
        let forks = status.forks - previous.forks
        let resent = status.entriesDuplicate - previous.entriesDuplicate
        node.peers.update(peer, direction: direction, address: nil) {
            // The row's counts are since the daemon started; the
            // connection's since it opened.
            $0.entriesReceived += received
            $0.entriesSent += sent
            $0.forks += forks
            $0.entriesResent += resent
            if received > 0 { $0.lastEntryReceivedMs = now }
            if sent > 0 { $0.lastEntrySentMs = now }
            $0.entriesBehind = status.entriesBehind
            $0.entriesRequestedByPeer = status.entriesRequestedByPeer
            $0.entriesPeerBehind = status.entriesPeerBehind
            $0.entriesWantedTwice = status.entriesWantedTwice
            $0.pendingDropped = status.pendingDropped
            $0.inSync = status.inSync
            $0.bytesBehind = status.bytesBehind
            $0.photosFetching = status.photosFetching
            $0.photoBytesHeld = status.photoBytesHeld
            $0.photoBytesTotal = status.photoBytesTotal
            $0.entryBytesReceived += status.entryBytesReceived - previous.entryBytesReceived
            $0.photoBytesReceived += status.photoBytesReceived - previous.photoBytesReceived
            $0.bytesIn = counts.receivedBytes
            $0.bytesOut = counts.sentBytes
            $0.bytesInTotal = bytesBefore.in + counts.receivedBytes
            $0.bytesOutTotal = bytesBefore.out + counts.sentBytes
        }
    }

    /// At each tick: bytes that moved, for metrics, the last-seen time and
    /// the receive rate (over `seconds`).
    func linkTick(_ moved: (in: Int, out: Int), seconds: Double) {
        node.metrics.bytesIn.increment(by: moved.in)
        node.metrics.bytesOut.increment(by: moved.out)
        let now = PeerConnection.nowMs()
        let rate = seconds > 0 ? Double(moved.in) / seconds : 0
        node.peers.update(peer, direction: direction, address: nil) {
            // Smoothed over a few ticks: a cut-up link's rate jumps.
            $0.receiveRate = Int(0.5 * Double($0.receiveRate) + 0.5 * rate)
            guard moved.in + moved.out > 0 else { return }
            $0.lastSeenMs = now
            $0.bytesIn = counts.receivedBytes
            $0.bytesOut = counts.sentBytes
            $0.bytesInTotal = bytesBefore.in + counts.receivedBytes
            $0.bytesOutTotal = bytesBefore.out + counts.sentBytes
        }
    }
}
