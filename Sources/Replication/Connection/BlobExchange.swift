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

    /// The peer's requests being served, oldest first.
    private var serving: [BlobRequest] = []
    private(set) var reading = false

    // MARK: Fetching

    /// The photos not to ask this peer for now; forgets refusals older than `retryMs`.
    mutating func refused(at now: Int64, retryMs: Int64) -> Set<Bytes32> {
        refusedAt = refusedAt.filter { now - $0.value < retryMs }
        return Set(refusedAt.keys)
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

    /// The policy chose (and claimed) these; the BLOB_WANT to send, if any.
    mutating func chosen(_ requests: [BlobRequest], at now: Int64) -> Frame? {
        choosing = false
        guard !requests.isEmpty else { return nil }
        outstanding.formUnion(requests.map(\.sha256))
        lastProgress = now
        return .blobWant(requests)
    }

    /// A chunk arrived: true when it belongs to a photo asked of this peer.
    mutating func chunkArrived(_ sha: Bytes32, total: UInt64, offset: UInt64, count: Int, at now: Int64) -> Bool {
        guard outstanding.contains(sha) else { return false }
        lastProgress = now
        progress[sha] = (offset + UInt64(count), total)
        return true
    }

    /// A photo is whole, or refused by the peer or by verification: returns
    /// whether it was one of ours (only then is its claim released).
    mutating func finish(_ sha: Bytes32, refused isRefused: Bool, at now: Int64) -> Bool {
        if isRefused { refusedAt[sha] = now }
        progress[sha] = nil
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
        return given
    }

    // MARK: Serving

    mutating func asked(_ requests: [BlobRequest]) { serving.append(contentsOf: requests) }

    /// The next chunk to read for the peer, unless one is being read.
    mutating func nextRead() -> BlobRequest? {
        guard !reading, let first = serving.first else { return nil }
        reading = true
        return first
    }

    /// A chunk was read (nil total: the photo is not served here). Returns
    /// the frame to send.
    mutating func read(_ sha: Bytes32, total: UInt64?, offset: UInt64, bytes: [UInt8]) -> Frame {
        reading = false
        guard let total else {
            serving.removeAll { $0.sha256 == sha }
            return .blobNone(sha)
        }
        let next = offset + UInt64(bytes.count)
        if let i = serving.firstIndex(where: { $0.sha256 == sha }) {
            if bytes.isEmpty || next >= total {
                serving.remove(at: i)
            } else {
                serving[i] = BlobRequest(sha256: sha, offset: next)
            }
        }
        return .blobData(sha256: sha, total: total, offset: offset, bytes: bytes)
    }
}
