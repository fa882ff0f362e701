// swift-tools-version:6.1
import PackageDescription

// The targets follow DESIGN.md §1, left to right:
//   FeedIngest (transports, framing) → FeedFormats (decoders) → FlightModel (state engine)
//   → HistoryStore (PostgreSQL) → Publisher (MQTT), wired together by Gateway.
// Each C library is wrapped once: CLibPQ → Postgres, CMosquitto → MQTT, CSystemd → Systemd.
let package = Package(
    name: "FlightEdge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "flightedge", targets: ["flightedge"]),
        .executable(name: "flightedge-bench", targets: ["flightedge-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // MARK: C libraries, each wrapped once
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // glibc's malloc.h, for malloc_trim (part of libc: nothing to link).
        .systemLibrary(name: "CMalloc"),
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        .target(name: "MQTT", dependencies: ["CMosquitto"]),
        .target(name: "Systemd", dependencies: ["CSystemd"]),

        // MARK: Pure logic: no I/O, no C
        .target(name: "FlightModel"),
        .target(name: "FeedFormats", dependencies: ["FlightModel", "Configuration"]),
        .target(name: "Configuration"),
        .target(name: "FeedFraming", dependencies: ["Configuration"]),
        .target(name: "Metrics"),
        .target(name: "AirportSimulator", dependencies: ["FlightModel"]),

        // MARK: I/O stages of the pipeline
        .target(
            name: "FeedIngest",
            dependencies: [
                "Configuration", "FeedFraming", "FlightModel", "Metrics",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "HistoryStore",
            dependencies: [
                "FlightModel", "Postgres",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Publisher",
            dependencies: ["FlightModel", "MQTT", "Metrics", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "Gateway",
            dependencies: [
                "Configuration", "FeedFormats", "FeedIngest", "FlightModel", "HistoryStore", "Publisher", "Systemd",
                "Postgres", "MQTT", "Metrics", "CMalloc",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "flightedge",
            dependencies: [
                "Gateway", "Configuration", "FeedFormats", "FeedFraming", "HistoryStore", "Postgres", "AirportSimulator", "FlightModel", "MQTT",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Benchmarks (scripts/bench)
        .executableTarget(
            name: "flightedge-bench",
            dependencies: [
                "AirportSimulator", "Configuration", "FeedFormats", "FlightModel", "HistoryStore", "Metrics", "MQTT",
                "Postgres", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/FlightEdgeBench"
        ),

        // MARK: Tests
        .testTarget(name: "FlightModelTests", dependencies: ["FlightModel"]),
        .testTarget(name: "ConfigurationTests", dependencies: ["Configuration"]),
        .testTarget(name: "FeedFramingTests", dependencies: ["FeedFraming"]),
        .testTarget(name: "FeedIngestTests", dependencies: ["FeedIngest", "Configuration"]),
        .testTarget(
            name: "FeedFormatsTests", dependencies: ["FeedFormats", "FlightModel", "Configuration"],
            exclude: ["Samples"]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Postgres", "MQTT", "Systemd", "HistoryStore", "FlightModel",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
    ]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .swiftLanguageMode(.v6),
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
    ]
}
