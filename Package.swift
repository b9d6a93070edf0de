// swift-tools-version: 6.1
import PackageDescription

// Versions are the ones known to build together on the project's machines; `from:`
// keeps them open to compatible updates from the local package mirror.
let package = Package(
    name: "tcnode",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Replication", targets: ["Replication"]),
        .library(name: "NodeRuntime", targets: ["NodeRuntime"]),
        .executable(name: "tcnoded", targets: ["NodeDaemon"]),
        .executable(name: "tcnode", targets: ["tcnode"]),
        .executable(name: "tcbench", targets: ["tcbench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Tests start tcnode and tcnoded with it, not Foundation's Process (see Tests/ReplicationTests/Support/Processes.swift).
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
    ],
    targets: [
        // Entry format, signing, SQLite store, trust rules, sync state machine, wire framing.
        // No sockets and no clocks: the daemon and the test simulator both drive it.
        .target(
            name: "Replication",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the two statements each stored entry runs (Store/DirectBinding.swift).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // Telecenter records (products, trainings, monitoring, ...): their
        // keys, vocabulary and validation, and reading a centre's CSV files.
        .target(
            name: "Telecenter",
            dependencies: [
                "Replication",
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The hub's network-wide views: the views database rebuilt from the
        // log, its JSON and CSV exports, the dashboard's pages and the HTTP
        // server of both; plugged into a node by its composition root.
        .target(
            name: "HubViews",
            dependencies: [
                "NodeRuntime",
                "Replication",
                "Telecenter",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // A generated demo network (East Java's telecenters) for `tcnode demo`,
        // benchmarks and tests.
        .target(
            name: "DemoData",
            dependencies: ["Replication", "Telecenter"]
        ),
        // The control socket's API as `tcnode` and tcnoded share it: request,
        // response and error types, the checks every record passes before it
        // is signed, and the client.
        .target(
            name: "NodeAPI",
            dependencies: [
                "Replication",
                "Telecenter",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The node as a library: config, TLS transport, services, control API,
        // metrics. `tcnoded` is a thin shell around it, so tests start exactly
        // the node that production starts.
        .target(
            name: "NodeRuntime",
            dependencies: [
                "NodeAPI",
                "Replication",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        // Whole networks in one process, in virtual time and deterministic
        // from a seed: real stores, the production connection code, simulated
        // links. For the tests and `tcbench federation`.
        .target(
            name: "Simulation",
            dependencies: [
                "Replication",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // A TCP proxy that behaves like a slow, cut-up link (rate, latency,
        // bounded queue, cuts), for tests and `tcbench link`.
        .target(
            name: "LinkEmulator",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "NodeDaemon",
            dependencies: [
                "HubViews",
                "NodeRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "tcnode",
            dependencies: [
                "NodeAPI",
                "NodeRuntime",
                "Replication",
                "Telecenter",
                "DemoData",
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "tcbench",
            dependencies: [
                "LinkEmulator",
                "NodeRuntime",
                "Replication",
                "Telecenter",
                "HubViews",
                "DemoData",
                "Simulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Test helpers every test target shares (one place, no copies).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "ReplicationTests",
            dependencies: [
                "TestSupport",
                "LinkEmulator",
                "Replication",
                "Simulation",
                "NodeRuntime",
                "Telecenter",
                "HubViews",
                "DemoData",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            resources: [.copy("Fixtures")]
        ),
        // The views database, its exports and the dashboard (HubViews).
        .testTarget(
            name: "HubViewsTests",
            dependencies: [
                "TestSupport",
                "HubViews",
                "LinkEmulator",
                "DemoData",
                "NodeRuntime",
                "Replication",
                "Telecenter",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // To change the test server's schema behind the views' back (PostgresPartitionTests).
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
