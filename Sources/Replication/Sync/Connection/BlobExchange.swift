/// One connection's side of the photo exchange (PROTOCOL.md §11): the
/// photos this node fetches from the peer, and the peer's requests it serves.
/// Pure: the driver asks the node's photo policy which photos to fetch,
/// reads and writes the blob store, and reports back.
struct BlobExchange: Sendable {
    /// Photos asked of this peer and not yet whole.
    private(set) var outstanding: Set<Bytes32> = []
    /// Photos this peer said it does not have, or sent badly, and when: not
    /// asked of it again for a while (it may learn of the record later).
    private var refusedAt: [Bytes32: Int64] = [:]
    /// The driver is asking the policy which photos to fetch.
    private(set) var choosing = false
    private var lastProgress: Int64 = 0
    /// Of each photo being fetched: bytes held and its size, from its chunks.
    private(set) var progress: [Bytes32: (held: UInt64, total: UInt64)] = [:]
    /// Photos whose piece list was asked for, with the `pieces` it must hash to.
    private var awaitingPieces: [Bytes32: Bytes32] = [:]
    /// The offset each outstanding photo was asked from.
    private var askedFrom: [Bytes32: UInt64] = [:]

    /// One thing the peer asked for: a blob's bytes from an offset, or its piece list.
    enum Serve: Equatable {
        case data(BlobRequest)
        case pieces(Bytes32)
    }

    /// The peer's requests being served, oldest first (PROTOCOL.md §11.5).
    private var serving: [Serve] = []
    private(set) var reading = false
    /// Photos answered BLOB_NONE on this connection, oldest first: when one
    /// arrives here, the peer is told (BLOB_HELD) instead of waiting for its
    /// retry (a provincial hub asked by the national hub before its centre's
    /// photo reached it).
    private var answeredNone: [Bytes32] = []
    /// The most remembered; older ones wait for the peer's retry.
    static let answeredNoneKept = 256

    // MARK: Fetching

    /// The photos not to ask this peer for now; forgets refusals older than `retryMs`.
    mutating func refused(at now: Int64, retryMs: Int64) -> Set<Bytes32> {
        refusedAt = refusedAt.filter { now - $0.value < retryMs }
        return Set(refusedAt.keys)
    }

    /// The peer holds a photo now (BLOB_HELD): it may be asked again at once.
    mutating func peerHolds(_ sha: Bytes32) -> Bool {
        refusedAt.removeValue(forKey: sha) != nil
    }

    /// A refusal has expired: time to ask the policy again.
    func refusalExpired(at now: Int64, retryMs: Int64) -> Bool {
        refusedAt.values.contains { now - $0 >= retryMs }
    }

    /// Whether to ask the policy for photos now.
    mutating func shouldChoose() -> Bool {
        guard !choosing, outstanding.isEmpty else { return false }
        choosing = true
        return true
    }

    /// The policy chose (and claimed) these; the frames to send: the piece
    /// lists still needed first, so that they arrive before the data.
    mutating func chosen(_ requests: [PhotoRequest], at now: Int64) -> [Frame] {
        choosing = false
        guard !requests.isEmpty else { return [] }
        outstanding.formUnion(requests.map(\.sha256))
        lastProgress = now
        var frames: [Frame] = []
        let listed = requests.filter { $0.pieces != nil }
        if !listed.isEmpty {
            for r in listed { awaitingPieces[r.sha256] = r.pieces }
            frames.append(.blobPiecesWant(listed.map(\.sha256)))
        }
        for r in requests { askedFrom[r.sha256] = r.offset }
        frames.append(.blobWant(requests.map { BlobRequest(sha256: $0.sha256, offset: $0.offset) }))
        return frames
    }

    enum PieceListVerdict: Equatable {
        /// Not asked for (or no longer): ignored.
        case ignore
        /// Hashes to the reference's `pieces`: keep it.
        case keep
        /// Does not: the peer sent a bad list.
        case bad(String)
    }

    /// A piece list arrived.
    mutating func piecesArrived(_ sha: Bytes32, total: UInt64, hashes: [Bytes32], at now: Int64) -> PieceListVerdict {
        guard outstanding.contains(sha), let root = awaitingPieces.removeValue(forKey: sha) else { return .ignore }
        lastProgress = now
        guard BlobPieces.root(hashes) == root else {
            return .bad("its piece list does not hash to the record's pieces \(root.hex.prefix(12))...")
        }
        return .keep
    }

    /// The piece list was kept and the bytes held checked against it. If
    /// some were cut back, the BLOB_WANT already sent asks from too far on:
    /// ask again from where the copy now ends.
    mutating func piecesKept(_ sha: Bytes32, held: UInt64) -> Frame? {
        guard outstanding.contains(sha), let asked = askedFrom[sha], held < asked else { return nil }
        askedFrom[sha] = held
        return .blobWant([BlobRequest(sha256: sha, offset: held)])
    }

    /// A chunk arrived: true when it belongs to a photo asked of this peer.
    mutating func chunkArrived(_ sha: Bytes32, total: UInt64, offset: UInt64, count: Int, at now: Int64) -> Bool {
        guard outstanding.contains(sha) else { return false }
        // Data without the list asked for first: a peer that does not know
        // BLOB_PIECES_WANT (it ignores it); the photo is verified whole.
        awaitingPieces[sha] = nil
        lastProgress = now
        progress[sha] = (offset + UInt64(count), total)
        return true
    }

    /// A photo is whole, or refused by the peer or by verification: returns
    /// whether it was one of ours (only then is its claim released).
    mutating func finish(_ sha: Bytes32, refused isRefused: Bool, at now: Int64) -> Bool {
        if isRefused { refusedAt[sha] = now }
        progress[sha] = nil
        awaitingPieces[sha] = nil
        askedFrom[sha] = nil
        guard outstanding.remove(sha) != nil else { return false }
        lastProgress = now
        return true
    }

    /// Requests that made no progress for `stallMs`: given up (returned, to
    /// release their claims) and not asked of this peer again.
    mutating func stalled(at now: Int64, stallMs: Int64) -> Set<Bytes32> {
        guard !outstanding.isEmpty, now - lastProgress >= stallMs else { return [] }
        let given = outstanding
        for sha in given { refusedAt[sha] = now }
        outstanding = []
        progress = [:]
        awaitingPieces = [:]
        askedFrom = [:]
        return given
    }

    // MARK: Serving

    mutating func asked(_ requests: [BlobRequest]) { serving += requests.map { .data($0) } }
    mutating func askedPieces(_ shas: [Bytes32]) { serving += shas.map { .pieces($0) } }

    /// The next chunk or piece list to read for the peer, unless one is being read.
    mutating func nextRead() -> Serve? {
        guard !reading, let first = serving.first else { return nil }
        reading = true
        return first
    }

    /// A piece list was read (nil: the photo is not served here). Returns
    /// the frame to send.
    mutating func piecesRead(_ sha: Bytes32, _ list: (total: UInt64, hashes: [Bytes32])?) -> Frame {
        reading = false
        if let i = serving.firstIndex(of: .pieces(sha)) { serving.remove(at: i) }
        guard let list else { return answerNone(sha) }
        return .blobPieces(sha256: sha, total: list.total, hashes: list.hashes)
    }

    /// A chunk was read (nil total: the photo is not served here). Returns
    /// the frame to send.
    mutating func read(_ sha: Bytes32, total: UInt64?, offset: UInt64, bytes: [UInt8]) -> Frame {
        reading = false
        let index = serving.firstIndex { if case .data(let r) = $0 { r.sha256 == sha } else { false } }
        guard let total else {
            if let index { serving.remove(at: index) }
            return answerNone(sha)
        }
        let next = offset + UInt64(bytes.count)
        if let i = index {
            if bytes.isEmpty || next >= total {
                serving.remove(at: i)
            } else {
                serving[i] = .data(BlobRequest(sha256: sha, offset: next))
            }
        }
        return .blobData(sha256: sha, total: total, offset: offset, bytes: bytes)
    }

    private mutating func answerNone(_ sha: Bytes32) -> Frame {
        if !answeredNone.contains(sha) {
            answeredNone.append(sha)
            if answeredNone.count > Self.answeredNoneKept { answeredNone.removeFirst() }
        }
        return .blobNone(sha)
    }

    /// This node holds `sha` now: BLOB_HELD for the peer, once, if it was
    /// answered BLOB_NONE here.
    mutating func heldHere(_ sha: Bytes32) -> Frame? {
        guard let i = answeredNone.firstIndex(of: sha) else { return nil }
        answeredNone.remove(at: i)
        return .blobHeld(sha)
    }
}
