/// Failures of the store, worded for the operator who reads them.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case missing(path: String)
    case exists(path: String)
    case corrupt(path: String, detail: String)
    case newerSchema(path: String, unknown: [String])
    case notInitialised(path: String)
    case busy(path: String)
    case revokedAuthor(fromSeq: UInt64)
    case invalid(EntryError)
    case io(path: String, detail: String)

    public var description: String {
        switch self {
        case .missing(let path):
            "no database at \(path): run `tcnode init` first (or pass the right --data-dir)"
        case .exists(let path):
            "a database already exists at \(path); this directory already holds a node"
        case .corrupt(let path, let detail):
            "database \(path) is damaged (\(detail)). Nothing was changed. Stop tcnoded, copy it together with its -wal and -shm files (where present) somewhere safe, restore the data directory from a backup and run `tcnode reset-sync`; peers then send back what was replicated since."
        case .newerSchema(let path, let unknown):
            "database \(path) was written by a newer tcnode (it has schema changes this version does not know: \(unknown.joined(separator: ", "))). Install that newer version again; downgrading is not supported."
        case .notInitialised(let path):
            "database \(path) is not a tcnode database (no metadata); check --data-dir"
        case .busy(let path):
            "database \(path) stayed locked by another process; try again, or check for a stuck tcnode process"
        case .revokedAuthor(let fromSeq):
            "this node was revoked from seq \(fromSeq): peers refuse anything it writes now. Ask the network authority; a revoked centre needs a new key (`tcnode init` in a new data directory)."
        case .invalid(let error):
            error.description
        case .io(let path, let detail):
            "cannot use \(path): \(detail)"
        }
    }
}
