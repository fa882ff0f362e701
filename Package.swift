// swift-tools-version:6.1
import PackageDescription

// swift-configuration's `Configuration`, renamed where Hummingbird imports it (ours keeps the name).
let hummingbirdAliases = ["Configuration": "SwiftConfiguration"]

// The layout is the architecture (docs/ARCHITECTURE.md draws it):
//
//   Sources/Gateway/  the airport gateway, `flightedge`, read left to right:
//       FeedIngest (transports) → FeedFraming → FeedFormats (decoders) → FlightModel's state engine
//       → HistoryStore (PostgreSQL; the only module that speaks SQL) → Publisher (MQTT),
//       run together by GatewayDaemon; `flightedge` is the thin command line over them.
//   Sources/Relay/    the central relay, `flightedge-relay`, read left to right:
//       EventSource (MQTT; AMQP next) → RelayStore (PostgreSQL schema `relay`) → NotificationRules
//       (pure: what to send, when) → NotificationText (templates) → Channels (one protocol):
//       SMTPChannel, SMSChannel, FCMChannel, WebPushChannel; run together by RelayDaemon.
//   Sources/Shared/   what every program uses: FlightModel (the pure domain), JSON, MQTTWire (MQTT packets as
//                     bytes, pure), Configuration (TOML),
//                     Timing (clocks, retry backoff), Telemetry (swift-metrics instruments exported by
//                     swift-prometheus, the console log handler), AirportSimulator.
//   Sources/System/   each C library wrapped once: CLibPQ → Postgres (+ PostgresSupport: connecting through
//                     outages, migrations), CMosquitto → MQTT (the relay's source, `flightedge watch`),
//                     CSystemd → Systemd (CJemalloc: the allocator); and MQTTConnection, MQTT on swift-nio
//                     that batches (on MQTTWire): the daemon's publisher link.
let package = Package(
    name: "FlightEdge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "flightedge", targets: ["flightedge"]),
        .executable(name: "flightedge-relay", targets: ["flightedge-relay"]),
        .executable(name: "flightedge-bench", targets: ["flightedge-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Already resolved through hummingbird; named because GatewayDaemon imports NIOHTTPTypes.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // Brings swift-configuration, whose module `Configuration` has the name of ours: the
        // Hummingbird products below see it as `SwiftConfiguration` (SwiftPM refuses the graph
        // otherwise, even with Hummingbird's "ConfigurationSupport" trait off).
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // The relay's providers: HTTPS clients (Twilio, FCM, Web Push), their cryptography
        // (RS256 for Google's OAuth, ES256 for VAPID, RFC 8291's ECDH + HKDF + AES-GCM), templates.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // MARK: System: C libraries, each wrapped once
        .systemLibrary(name: "CLibPQ", path: "Sources/System/CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CMosquitto", path: "Sources/System/CMosquitto", pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]),
        .systemLibrary(
            name: "CSystemd", path: "Sources/System/CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(
            name: "CRabbitMQ", path: "Sources/System/CRabbitMQ", pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]),
        // unixODBC's driver manager: the sql-poll feed reaches the site's database driver through it.
        .systemLibrary(name: "CODBC", path: "Sources/System/CODBC", pkgConfig: "odbc", providers: [.apt(["unixodbc-dev"])]),
        // jemalloc (libjemalloc-dev), the gateway's allocator: linked, not preloaded, so that its
        // malloc serves the whole process; its settings are built in (settings.c).
        .target(name: "CJemalloc", path: "Sources/System/CJemalloc", linkerSettings: [.linkedLibrary("jemalloc")]),
        .target(name: "Postgres", dependencies: ["CLibPQ"], path: "Sources/System/Postgres"),
        .target(name: "MQTT", dependencies: ["CMosquitto"], path: "Sources/System/MQTT"),
        .target(name: "AMQP", dependencies: ["CRabbitMQ"], path: "Sources/System/AMQP"),
        .target(name: "ODBC", dependencies: ["CODBC"], path: "Sources/System/ODBC"),
        .target(name: "Systemd", dependencies: ["CSystemd"], path: "Sources/System/Systemd"),
        // What every PostgreSQL-backed store shares: connecting through an outage, the schema migrator.
        .target(
            name: "PostgresSupport",
            dependencies: [
                "Postgres", "Timing", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/System/PostgresSupport"
        ),

        // MARK: Shared: pure logic, no I/O, no C
        // JSON read and written byte by byte (payloads, jsonl, the relay's API).
        .target(name: "JSON", path: "Sources/Shared/JSON"),
        // MQTT 3.1.1 and 5.0 packets as bytes, no I/O: the wire format of a batching client on swift-nio.
        .target(name: "MQTTWire", path: "Sources/Shared/MQTTWire"),
        .target(name: "FlightModel", dependencies: ["JSON"], path: "Sources/Shared/FlightModel"),
        .target(name: "Configuration", dependencies: ["FlightModel"], path: "Sources/Shared/Configuration"),
        // The clocks and retry timing: kept out of the pure modules.
        .target(name: "Timing", dependencies: ["FlightModel"], path: "Sources/Shared/Timing"),
        // Not `Metrics`: swift-metrics has a module of that name.
        .target(
            name: "Telemetry",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Shared/Telemetry"
        ),
        .target(name: "AirportSimulator", dependencies: ["FlightModel", "JSON"], path: "Sources/Shared/AirportSimulator"),

        // MARK: Gateway, left to right
        .target(
            name: "FeedIngest",
            dependencies: [
                "Configuration", "FeedFraming", "FlightModel", "JSON", "Telemetry", "Timing", "AMQP", "ODBC",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Gateway/FeedIngest"
        ),
        .target(name: "FeedFraming", dependencies: ["Configuration"], path: "Sources/Gateway/FeedFraming"),
        .target(name: "FeedFormats", dependencies: ["FlightModel", "Configuration", "JSON"], path: "Sources/Gateway/FeedFormats"),
        .target(
            name: "HistoryStore",
            dependencies: [
                "FlightModel", "JSON", "Postgres", "PostgresSupport", "Timing",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Gateway/HistoryStore"
        ),
        .target(
            name: "Publisher",
            dependencies: [
                "FlightModel", "JSON", "MQTT", "MQTTConnection", "MQTTWire", "Telemetry", "Timing",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/Gateway/Publisher"
        ),
        // The airport boards (pure): which flights each shows, rows as escaped HTML, the SSE events.
        .target(name: "Boards", dependencies: ["FlightModel", "JSON"], path: "Sources/Gateway/Boards"),
        .target(
            name: "GatewayDaemon",
            dependencies: [
                "Boards", "Configuration", "FeedFormats", "FeedIngest", "FlightModel", "HistoryStore", "JSON", "PostgresSupport", "Publisher", "Systemd",
                "MQTT", "Telemetry", "Timing", "CJemalloc",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Hummingbird", package: "hummingbird", moduleAliases: hummingbirdAliases),
                .product(name: "HummingbirdCore", package: "hummingbird", moduleAliases: hummingbirdAliases),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Gateway/GatewayDaemon"
        ),
        .executableTarget(
            name: "flightedge",
            dependencies: [
                "GatewayDaemon", "Configuration", "FeedFormats", "FeedFraming", "FeedIngest", "HistoryStore", "PostgresSupport",
                "Telemetry",
                "AirportSimulator", "FlightModel", "JSON", "MQTT", "Timing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Gateway/flightedge"
        ),

        // MARK: Relay, left to right
        // EventSource (MQTT; AMQP next) → RelayStore (PostgreSQL schema `relay`; the relay's only SQL)
        // → NotificationRules (pure: what to send, when) → NotificationText (templates)
        // → Channels (one protocol) → SMTPChannel, SMSChannel, FCMChannel, WebPushChannel,
        // run together by RelayDaemon (intake, dispatch, HTTP API); `flightedge-relay` is its command line.
        .target(name: "Channels", path: "Sources/Relay/Channels"),
        .target(
            name: "MQTTConnection",
            dependencies: [
                "MQTTWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/System/MQTTConnection"
        ),
        .target(
            name: "SMTPChannel",
            dependencies: [
                "Channels",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/Relay/SMTPChannel"
        ),
        // The HTTP client setup and answer reading the HTTP providers' channels share.
        .target(
            name: "ProviderHTTP",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/Relay/ProviderHTTP"
        ),
        .target(
            name: "SMSChannel",
            dependencies: [
                "Channels", "ProviderHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Relay/SMSChannel"
        ),
        .target(
            name: "FCMChannel",
            dependencies: [
                "Channels", "ProviderHTTP", "JSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Sources/Relay/FCMChannel"
        ),
        .target(
            name: "WebPushChannel",
            dependencies: [
                "Channels", "JSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Relay/WebPushChannel"
        ),
        .target(name: "NotificationRules", dependencies: ["FlightModel", "JSON"], path: "Sources/Relay/NotificationRules"),
        .target(
            name: "NotificationText",
            dependencies: ["Channels", "NotificationRules", .product(name: "Mustache", package: "swift-mustache")],
            path: "Sources/Relay/NotificationText"
        ),
        .target(
            name: "RelayStore",
            dependencies: [
                "Channels", "JSON", "Postgres", "PostgresSupport", "Timing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/Relay/RelayStore"
        ),
        .target(
            name: "EventSource",
            dependencies: ["AMQP", "JSON", "MQTT", "Timing", .product(name: "Logging", package: "swift-log")],
            path: "Sources/Relay/EventSource"
        ),
        .target(
            name: "RelayDaemon",
            dependencies: [
                "Channels", "Configuration", "EventSource", "FCMChannel", "JSON", "NotificationRules", "NotificationText",
                "RelayStore", "SMSChannel", "SMTPChannel", "Systemd", "Telemetry", "Timing", "WebPushChannel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird", moduleAliases: hummingbirdAliases),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Relay/RelayDaemon"
        ),
        .executableTarget(
            name: "flightedge-relay",
            dependencies: [
                "RelayDaemon", "Configuration", "RelayStore", "Channels", "PostgresSupport", "Telemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/Relay/flightedge-relay"
        ),

        // MARK: Benchmarks (scripts/bench)
        .executableTarget(
            name: "flightedge-bench",
            dependencies: [
                "AirportSimulator", "AMQP", "Configuration", "FeedFormats", "FeedIngest", "FlightEdgeTestSupport", "FlightModel", "HistoryStore", "JSON", "PostgresSupport",
                "MQTT", "MQTTConnection", "MQTTWire", "Postgres", "Telemetry", "Timing", .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                // The relay's figures: its channels as the raw clients, NIO for the fast sinks.
                "Channels", "FCMChannel", "SMTPChannel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Benchmarks/FlightEdgeBench"
        ),

        // The central side's figures (scripts/central-bench): real processes, the cluster of scripts/central.
        .executableTarget(
            name: "flightedge-central-bench", dependencies: ["AMQP", "FlightEdgeTestSupport", "Postgres"],
            path: "Benchmarks/CentralBench"
        ),

        // MARK: Tests: unit tests beside each module's side, integration tests against real services
        // What the integration tests and the benchmark share: a daemon process, the services'
        // environment, loopback sockets. No Testing or XCTest here: the benchmark links it.
        .target(name: "FlightEdgeTestSupport", dependencies: ["MQTTWire", "Postgres"], path: "Tests/Support/FlightEdgeTestSupport"),
        .testTarget(
            name: "FlightModelTests", dependencies: ["FlightModel", "JSON", "Timing", "AirportSimulator"],
            path: "Tests/Shared/FlightModelTests"),
        .testTarget(name: "MQTTWireTests", dependencies: ["MQTTWire", "FlightEdgeTestSupport"], path: "Tests/Shared/MQTTWireTests"),
        .testTarget(name: "ConfigurationTests", dependencies: ["Configuration", "FlightModel"], path: "Tests/Shared/ConfigurationTests"),
        .testTarget(
            name: "TelemetryTests",
            dependencies: [
                "Telemetry", .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Tests/Shared/TelemetryTests"
        ),
        .testTarget(
            name: "FeedIngestTests",
            dependencies: [
                "FeedIngest", "Configuration", "FeedFormats", "AirportSimulator", "FlightModel",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/Gateway/FeedIngestTests"
        ),
        .testTarget(name: "HistoryStoreTests", dependencies: ["HistoryStore", "Postgres"], path: "Tests/Gateway/HistoryStoreTests"),
        .testTarget(
            name: "GatewayDaemonTests",
            dependencies: ["GatewayDaemon", "FeedFormats", "FeedIngest", "FlightModel", "HistoryStore", "Publisher"],
            path: "Tests/Gateway/GatewayDaemonTests"
        ),
        .testTarget(name: "FeedFramingTests", dependencies: ["FeedFraming"], path: "Tests/Gateway/FeedFramingTests"),
        .testTarget(name: "BoardsTests", dependencies: ["Boards", "FlightModel", "JSON"], path: "Tests/Gateway/BoardsTests"),
        .testTarget(
            name: "FeedFormatsTests", dependencies: ["FeedFormats", "FlightModel", "Configuration", "AirportSimulator"],
            path: "Tests/Gateway/FeedFormatsTests", exclude: ["Samples"]
        ),
        .testTarget(
            name: "PublisherTests",
            dependencies: [
                "Publisher", "MQTT", "MQTTWire", "FlightEdgeTestSupport", "FlightModel", "Telemetry", "Timing",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Gateway/PublisherTests"
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "FlightEdgeTestSupport", "Postgres", "PostgresSupport", "MQTT", "Systemd", "HistoryStore", "FlightModel", "JSON", "Timing",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/Gateway/IntegrationTests"
        ),
        .testTarget(name: "SMTPChannelTests", dependencies: ["SMTPChannel", "Channels", "FlightEdgeTestSupport"], path: "Tests/Relay/SMTPChannelTests"),
        .testTarget(
            name: "ProviderChannelTests",
            dependencies: ["SMSChannel", "FCMChannel", "WebPushChannel", "Channels", "JSON", "FlightEdgeTestSupport",
                           .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/Relay/ProviderChannelTests"
        ),
        .testTarget(
            name: "NotificationRulesTests", dependencies: ["NotificationRules", "NotificationText", "Channels", "FlightModel", "JSON"],
            path: "Tests/Relay/NotificationRulesTests"
        ),
        .testTarget(
            name: "RelayTests",
            dependencies: ["RelayDaemon", "RelayStore", "EventSource", "Channels", "NotificationRules", "Configuration",
                           "FlightEdgeTestSupport", "Postgres", "MQTT", "JSON", "Timing"],
            path: "Tests/Relay/RelayTests"
        ),
        .testTarget(
            name: "PassengerPageTests", dependencies: ["RelayDaemon", "WebPushChannel", "Channels", "FlightEdgeTestSupport"],
            path: "Tests/Relay/PassengerPageTests"
        ),
        .testTarget(
            name: "MQTTConnectionTests",
            dependencies: ["MQTTConnection", "MQTTWire", "FlightEdgeTestSupport", .product(name: "NIOPosix", package: "swift-nio")],
            path: "Tests/System/MQTTConnectionTests"),
        .testTarget(name: "AMQPTests", dependencies: ["AMQP", "FlightEdgeTestSupport"], path: "Tests/System/AMQPTests"),
        .testTarget(name: "ODBCTests", dependencies: ["ODBC", "FlightEdgeTestSupport"], path: "Tests/System/ODBCTests"),
        // The amqp feed against the central RabbitMQ: kill -9 while a queue drains (issue 19).
        .testTarget(
            name: "AMQPQueueFeedTests", dependencies: ["AMQP", "FlightEdgeTestSupport", "Postgres"],
            path: "Tests/Gateway/AMQPQueueFeedTests"
        ),
        .testTarget(
            name: "CentralTests",
            dependencies: [
                "AMQP", "EventSource", "MQTT", "Postgres", "RelayStore", "FlightEdgeTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Relay/CentralTests"
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
