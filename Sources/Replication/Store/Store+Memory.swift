import GRDB

extension Store {
    /// Frees SQLite's page caches of every connection (they refill on use).
    /// An idle node gives back what a bulk sync took.
    @available(*, noasync, message: "waits for the database's connections; call it through store.offPool")
    public func releaseMemory() {
        (writer as? DatabasePool)?.releaseMemory()
    }
}
