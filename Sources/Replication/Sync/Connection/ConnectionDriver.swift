/// What a connection needs from the node that runs it: the store, the photo
/// policy and blob store, the node-wide bookkeeping, and a clock. The daemon
/// implements it over a running node; the simulator over its simulated
/// nodes and virtual time.
public protocol ConnectionEnvironment: Sendable {
    var store: Store { get }
    /// Milliseconds on a monotonic clock (virtual in the simulator).
    func now() -> Int64
    /// Photos to fetch from this peer, claimed for this connection.
    func choosePhotos(excluding refused: Set<Bytes32>) async -> [PhotoRequest]
    func releasePhotos(_ photos: Set<Bytes32>)
    /// Up to `length` bytes of a photo this node serves, from `offset`, and
    /// its size; nil when it does not serve that photo.
    func readPhoto(_ sha: Bytes32, offset: UInt64, length: Int) async -> (total: UInt64, bytes: [UInt8])?
    /// Writes a received chunk; true when the photo is whole and verified.
    func storePhotoChunk(_ sha: Bytes32, total: UInt64, offset: UInt64, bytes: [UInt8]) async throws -> Bool
    /// The piece list of a photo this node serves; nil when it does not serve it.
    func photoPieces(_ sha: Bytes32) async -> (total: UInt64, hashes: [Bytes32])?
    /// Keeps a verified piece list and checks the bytes held against it;
    /// returns the bytes held afterwards.
    func storePhotoPieces(_ sha: Bytes32, total: UInt64, hashes: [Bytes32]) async throws -> UInt64
    func photoHeld(_ sha: Bytes32) async
    /// Heads a peer offered (for the node's view of the network).
    func offered(_ heads: [Head])
    func established(_ hello: Hello)
    /// The connection's status changed (from `previous`, last reported).
    func report(_ status: ConnectionStatus, previous: ConnectionStatus)
}

/// Runs one `Connection` against its environment: feeds it an event,
/// carries out every action it answers with (reading and writing the
/// store, the photo policy, the blob store) and feeds the answers back, in
/// order, until nothing is left but the work only the caller can do: write
/// frames to the link, verify and store entries (the daemon overlaps that
/// in a pipeline), or close. The daemon's `PeerConnection` and the test
/// simulator both call `step` for every event; so the simulator runs the
/// production connection code.
public struct ConnectionDriver<Environment: ConnectionEnvironment>: Sendable {
    public enum Work: Sendable, Equatable {
        /// Write these frames; step `.written` when they are.
        case write([Frame])
        /// Verify and store these entries after earlier tags; step `.ingested`.
        case ingest(tag: Int, entries: [[UInt8]])
        /// Write the farewell ERROR (if any) after what is being written, then close.
        case close(farewell: ProtocolError?, ConnectionEnding)
        /// The task was cancelled during a step: step `.shutdown` or `.removed`.
        case interrupted
    }

    public private(set) var connection: Connection
    public let environment: Environment
    let peer: NodeID
    /// What this node asked the peer for: a peer that cannot judge an
    /// author offers its head anyway, and this node drops those it knows
    /// it does not want (PROTOCOL.md §7.16).
    let interest: Interest?
    let local: NodeID
    private var reported = ConnectionStatus()

    public init(_ configuration: Connection.Configuration, environment: Environment) {
        self.connection = Connection(configuration)
        self.environment = environment
        self.peer = configuration.session.peer
        self.interest = configuration.session.interest
        self.local = configuration.session.local
    }

    private func wanted(_ heads: [Head], roster: Roster) -> [Head] {
        guard let interest else { return heads }
        return heads.filter { interest.wants($0.author, receiver: local, roster: roster) }
    }

    public var isClosed: Bool { connection.isClosed }

    public mutating func step(_ event: Connection.Event) async -> [Work] {
        var work: [Work] = []
        var events = [event]
        var next = 0
        defer { report() }
        while next < events.count {
            let event = events[next]
            next += 1
            for action in connection.handle(event, now: environment.now()) {
                switch action {
                case .write(let frames):
                    work.append(.write(frames))
                case .ingest(let tag, let entries):
                    work.append(.ingest(tag: tag, entries: entries))
                case .close(let farewell, let ending):
                    work.append(.close(farewell: farewell, ending))
                    return work
                default:
                    do {
                        if let answer = try await perform(action) { events.append(answer) }
                    } catch where error is CancellationError || Task.isCancelled {
                        work.append(.interrupted)
                        return work
                    } catch {
                        events.append(.storageFailed("\(error)"))
                    }
                }
            }
        }
        return work
    }

    private func perform(_ action: Connection.Action) async throws -> Connection.Event? {
        let store = environment.store
        switch action {
        case .loadHeads(let after, let excludingPeer, let interest):
            let snapshot = try await store.heads(movedAfter: Int64(clamping: after), excludingOrigin: excludingPeer ? peer : nil)
            guard let interest else { return .headsLoaded(snapshot) }
            let roster = store.roster
            return .headsLoaded(snapshot.filter { interest.wants($0, receiver: peer, roster: roster) })
        case .compare(let request, let heads):
            let heads = wanted(heads, roster: store.roster)
            environment.offered(heads)
            return .compared(request: request, try await store.compare(heads))
        case .comparePending(let request, let authors):
            let heads = wanted(try await store.pendingHeads(offeredBy: peer, authors: authors), roster: store.roster)
            return .compared(request: request, heads.isEmpty ? [] : try await store.compare(heads))
        case .saveCheckpoint(let checkpoint, let interest):
            try await store.saveCheckpoint(checkpoint, for: peer, interest: interest)
        case .savePending(let heads):
            try await store.savePending(heads, offeredBy: peer)
        case .saveOffered(let heads):
            try await store.saveOffered(heads, by: peer)
        case .readEntries(let ranges, let maxBytes):
            return .entriesRead(try await store.entryBytes(serving: ranges, maxBytes: maxBytes))
        case .choosePhotos(let refused):
            return .photosChosen(await environment.choosePhotos(excluding: refused))
        case .releasePhotos(let photos):
            environment.releasePhotos(photos)
        case .readPhoto(let sha, let offset, let length):
            let read = await environment.readPhoto(sha, offset: offset, length: length)
            return .photoRead(sha, total: read?.total, offset: offset, bytes: read?.bytes ?? [])
        case .storePhotoChunk(let sha, let total, let offset, let bytes):
            do {
                return .photoChunkStored(sha, complete: try await environment.storePhotoChunk(sha, total: total, offset: offset, bytes: bytes))
            } catch BlobStore.Failure.offsetMismatch {
                // Another connection wrote this photo meanwhile, a chunk
                // repeated after a restart, or a piece list cut the copy
                // back: not the peer's fault.
                return .photoChunkStored(sha, complete: false)
            } catch let failure as BlobStore.Failure {
                switch failure {
                case .badPiece, .badPieceList, .hashMismatch, .notAnImage: return .photoRejected(sha, "\(failure)")
                case .tooLarge, .offsetMismatch, .io: return .photoRefused(sha, "\(failure)")
                }
            } catch {
                return .photoRefused(sha, "\(error)")
            }
        case .readPhotoPieces(let sha):
            return .photoPiecesRead(sha, await environment.photoPieces(sha))
        case .storePhotoPieces(let sha, let total, let hashes):
            do {
                return .photoPiecesStored(sha, held: try await environment.storePhotoPieces(sha, total: total, hashes: hashes))
            } catch let failure as BlobStore.Failure {
                if case .badPieceList = failure { return .photoRejected(sha, "\(failure)") }
                return .photoRefused(sha, "\(failure)")
            } catch {
                return .photoRefused(sha, "\(error)")
            }
        case .photoHeld(let sha):
            await environment.photoHeld(sha)
        case .established(let hello):
            environment.established(hello)
        case .write, .ingest, .close:
            break
        }
        return nil
    }

    private mutating func report() {
        guard connection.status != reported else { return }
        environment.report(connection.status, previous: reported)
        reported = connection.status
    }
}
