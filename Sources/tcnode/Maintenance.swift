import ArgumentParser
import DemoData
import Foundation
import Replication
import Telecenter

struct ResetSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-sync",
        abstract: tr("After restoring a backup: make peers send everything again.",
                     "Setelah memulihkan cadangan: minta peer mengirim semuanya lagi."),
        discussion: tr("""
            A restored database is older than what peers remember of it. This gives it a new feed id and
            forgets all peer checkpoints, so peers offer every entry again, this node's own included.
            Run it with tcnoded stopped, before the node writes anything new.
            """, """
            Basis data yang dipulihkan lebih tua dari yang diingat peer tentangnya. Perintah ini memberinya id feed baru
            dan melupakan semua checkpoint peer, sehingga peer menawarkan lagi setiap entri, termasuk milik node ini.
            Jalankan saat tcnoded berhenti, sebelum node menulis apa pun yang baru.
            """))

    @OptionGroup var data: DataOptions

    func run() async throws {
        let store = try await data.openStoreForWriting(stopFirst: "reset-sync")
        let feed = try await store.offPool { try $0.resetSyncState() }
        say(tr("sync state reset (new feed \(feed.hex.prefix(8))); start tcnoded and let it sync before writing new records",
               "status sinkron diatur ulang (feed baru \(feed.hex.prefix(8))); jalankan tcnoded dan biarkan sinkron sebelum menulis rekaman baru"))
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: tr("Check the database for damage (SQLite integrity check; slow on large databases).",
                     "Periksa kerusakan basis data (pemeriksaan integritas SQLite; lambat untuk basis data besar)."))

    @OptionGroup var data: DataOptions

    func run() throws {
        let store: Store
        let directory = try data.checkedDirectory()
        // Opening with checkIntegrity runs SQLite's full integrity_check on a
        // read-only connection first; a damaged file is refused unchanged.
        do { store = try directory.openStore(checkIntegrity: true) } catch { throw Failure(message: ErrorText.plain(error)) }
        let stats = try store.stats()
        let l = Language.current
        say(l.t("ok: \(l.count(stats.entries)) entries from \(l.count(stats.authors)) authors, \(stats.forks) forks recorded",
                "baik: \(l.count(stats.entries)) entri dari \(l.count(stats.authors)) penulis, \(stats.forks) fork tercatat"))
    }
}

struct GenerateDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-demo",
        abstract: "Fill a genesis node with a realistic demo network (for demos and training).",
        discussion: """
            Admits generated East Java telecenters and writes their profiles, products, sales, trainings and activities
            (signed with their own generated keys) and the province's monitoring surveys with photos, as if they had
            replicated here. Run it on a new genesis node, with tcnoded stopped. Never on a real network's node.
            """,
        shouldDisplay: false)

    @OptionGroup var data: DataOptions
    @Option(parsing: .unconditional, help: "How many centres.") var centres = 40
    @Option(parsing: .unconditional, help: "Year of the records.") var year = Calendar(identifier: .gregorian).component(.year, from: Date())
    @Option(parsing: .unconditional, help: "Seed (the same seed makes the same network).") var seed: UInt64 = 2026

    static let maxCentres = 10_000

    func validate() throws {
        guard (1...Self.maxCentres).contains(centres) else {
            throw ValidationError("--centres must be 1 to \(Self.maxCentres), got \(centres)")
        }
        guard (1900...2200).contains(year) else { throw ValidationError("--year must be 1900 to 2200, got \(year)") }
    }

    func run() async throws {
        let key = try data.openKey()
        let store = try await data.openStoreForWriting(stopFirst: "generate-demo")
        guard store.network == key.id else {
            throw Failure(message: "generate-demo only runs on a genesis node of its own demo network")
        }
        var options = DemoNetwork.Options()
        options.centres = centres
        options.year = year
        let blobs = BlobStore(root: try data.directory().blobsPath)
        do {
            let (seed, options) = (self.seed, options)
            let generated = try await OffPool.run {
                try DemoNetwork.populate(hub: key, store: store, blobs: blobs, options: options, seed: seed)
            }
            let stats = try await store.stats()
            say("generated \(generated.count) centres; the node now holds \(stats.entries) entries")
        } catch {
            throw Failure(message: ErrorText.plain(error))
        }
    }
}
