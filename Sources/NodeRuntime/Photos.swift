import Foundation
import Replication
import Synchronization
import HubViews
import Telecenter

/// Photo exchange of a node: where blobs are kept, which ones it fetches
/// (a hub every photo; a centre those of its own records and of surveys
/// about it) and which ones it serves (any it holds that a record it keeps
/// refers to).
public struct Photos: Sendable {
    public let blobs: BlobStore
    public let views: Views
    /// True on a hub: fetch every referenced photo.
    public let fetchAll: Bool

    public init(blobs: BlobStore, views: Views, fetchAll: Bool) {
        self.blobs = blobs
        self.views = views
        self.fetchAll = fetchAll
    }

    /// Photos to ask a peer for, with the offset already held of each.
    @available(*, noasync, message: "reads the views database; call it through OffPool.run")
    func wanted(node: NodeID, excluding refused: Set<Bytes32>, limit: Int = 16) -> [PhotoRequest] {
        let missing = (try? views.missingBlobs(all: fetchAll, node: node, limit: limit + refused.count)) ?? []
        return missing.filter { !refused.contains($0.sha256) && !blobs.has($0.sha256) }.prefix(limit).map {
            // The piece list is asked for once; after that it is kept beside
            // the partial copy (PROTOCOL.md §11.7).
            PhotoRequest(sha256: $0.sha256, offset: blobs.heldBytes($0.sha256),
                         pieces: blobs.hasPieces($0.sha256) ? nil : $0.pieces)
        }
    }

    @available(*, noasync, message: "reads the views database; call it through OffPool.run")
    func serves(_ sha: Bytes32) -> Bool { blobs.has(sha) && ((try? views.isReferenced(sha)) ?? false) }
}
