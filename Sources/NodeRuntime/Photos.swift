import Foundation
import Replication

/// Which photos a node fetches and which it serves. The node runtime does
/// not know the records that refer to photos: the composition root gives
/// it a policy (HubViews' `ViewsPhotoPolicy`, backed by the views database).
/// Every method reads or writes a database: call them off the pool.
public protocol PhotoPolicy: Sendable {
    /// True on a hub: every referenced photo is fetched, not only those of
    /// the node's own records and of surveys about it. Read from the
    /// roster as it is now (`PhotoFetch.Rule`).
    var fetchesAll: Bool { get }
    /// Photos the node should hold and does not yet, at most `limit`, each
    /// with its piece-list hash when a record gives one.
    @available(*, noasync, message: "reads a database; call it through OffPool.run")
    func missing(node: NodeID, limit: Int) throws -> [(sha256: Bytes32, pieces: Bytes32?)]
    /// Whether a record the node keeps refers to the photo (only those are served).
    @available(*, noasync, message: "reads a database; call it through OffPool.run")
    func isReferenced(_ sha: Bytes32) throws -> Bool
    /// The photo is held now (received from a peer or added locally).
    @available(*, noasync, message: "writes a database; call it through OffPool.run")
    func held(_ sha: Bytes32) throws
}

/// Photo exchange of a node: where blobs are kept, which ones it fetches
/// and which ones it serves (any it holds that its policy says a record
/// refers to).
public struct Photos: Sendable {
    public let blobs: BlobStore
    public let policy: any PhotoPolicy

    public init(blobs: BlobStore, policy: any PhotoPolicy) {
        self.blobs = blobs
        self.policy = policy
    }

    /// Photos to ask a peer for, with the offset already held of each.
    @available(*, noasync, message: "reads the policy's database; call it through OffPool.run")
    func wanted(node: NodeID, excluding refused: Set<Bytes32>, limit: Int = 16) -> [PhotoRequest] {
        let missing = (try? policy.missing(node: node, limit: limit + refused.count)) ?? []
        return missing.filter { !refused.contains($0.sha256) && !blobs.has($0.sha256) }.prefix(limit).map {
            // The piece list is asked for once; after that it is kept beside
            // the partial copy (PROTOCOL.md §11.7).
            PhotoRequest(sha256: $0.sha256, offset: blobs.heldBytes($0.sha256),
                         pieces: blobs.hasPieces($0.sha256) ? nil : $0.pieces)
        }
    }

    @available(*, noasync, message: "reads the policy's database; call it through OffPool.run")
    func serves(_ sha: Bytes32) -> Bool { blobs.has(sha) && ((try? policy.isReferenced(sha)) ?? false) }

    /// Tells the policy a photo is held, so it is not asked for again. A
    /// failure only costs a request a peer answers "held".
    @available(*, noasync, message: "writes the policy's database; call it through OffPool.run")
    func noteHeld(_ sha: Bytes32) { try? policy.held(sha) }
}
