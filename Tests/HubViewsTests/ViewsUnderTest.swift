import Foundation
import HubViews
import Replication

/// Where the HubViews tests keep their views: SQLite files, or, when the
/// test script gives a PostgreSQL server (scripts/postgres-test-server sets
/// TCNODE_TEST_POSTGRES), that server. The same suite runs once on each
/// (scripts/test), so the dashboard, API and CSV are tested on both.
enum ViewsUnderTest {
    static let environment = ProcessInfo.processInfo.environment

    /// The test server's location, nil when the tests run on SQLite.
    static var postgres: PostgresViewsLocation? {
        guard let url = environment["TCNODE_TEST_POSTGRES"], !url.isEmpty else { return nil }
        return try? PostgresViewsLocation.parse(url, passwordFile: environment["TCNODE_TEST_POSTGRES_PASSWORD_FILE"])
    }

    static var backend: String { postgres == nil ? "sqlite" : "postgresql" }

    /// The views a test would keep in the SQLite file `path`: that file, or
    /// on PostgreSQL a schema of its own named after the path (opening the
    /// same path again opens the same views, as a file would).
    static func open(path: String, store: Store, blobs: BlobStore? = nil) throws -> Views {
        guard let location = postgres else { return try Views(path: path, store: store, blobs: blobs) }
        return try Views(postgres: schema(for: path, in: location), store: store, blobs: blobs)
    }

    static func schema(for path: String, in location: PostgresViewsLocation) -> PostgresViewsLocation {
        var location = location
        // FNV-1a of the path: temporary directories differ, so do their schemas.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        location.schema = "t_" + String(hash, radix: 16)
        return location
    }
}
