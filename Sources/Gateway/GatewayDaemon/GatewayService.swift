import Boards
import Configuration
import FeedIngest
import FlightModel
import Foundation
import HistoryStore
import Logging
import PostgresSupport
import Prometheus
import Publisher
import ServiceLifecycle
import Synchronization
import Systemd
import Telemetry
import Timing
import UnixSignals

/// `flightedge run`: the whole gateway under swift-service-lifecycle.
///
/// Start: PostgreSQL (migrated), current flights restored; then the long-running parts run as
/// services of one `ServiceGroup` (GatewayParts.swift): broker connected and feeds listening
/// make `READY=1`. Stop (SIGTERM/SIGINT): `STOPPING=1`, feeds stop reading, the batch in hand
/// is committed, in-flight events wait for their PUBACK (up to a deadline), `offline` is
/// published, and the process exits 0.
public struct GatewayService: Service, CustomStringConvertible {
    private let config: GatewayConfig
    /// The file `config` came from, read again by a reload.
    private let configPath: String
    private let logger: Logger
    private let status: GatewayStatus
    private let notifier = SystemdNotifier()

    public init(config: GatewayConfig, path: String, version: String, logger: Logger) {
        self.config = config
        self.configPath = path
        self.logger = logger
        self.status = GatewayStatus(version: version)
    }

    /// How service-lifecycle's log lines name it (not the whole configuration).
    public var description: String { "FlightEdge gateway \(config.airport.iata)" }

    var topicRoot: String { "\(config.mqtt.topicPrefix)/\(config.airport.iata)" }

    public func run() async throws {
        // Trapped from the start: an early `systemctl reload` must not kill the daemon.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        logger.info(
            "allocator",
            metadata: [
                "jemalloc": "\(Jemalloc.version ?? "not answering")", "arenas": "\(Jemalloc.arenas.map(String.init) ?? "?")",
                "settings": "\(Jemalloc.builtInSettings)",
            ])
        // PostgreSQL first: nothing is taken before it can be committed. A stop while it is
        // still out of reach ends the wait at once (nothing was taken, so nothing is lost).
        let databasePassword = try SecretFile.read(path: config.database.passwordFile, credential: "db-password")
        let connector = DatabaseConnector(conninfo: config.database.url, password: databasePassword, logger: logger)
        let writer = HistoryWriter(connector: connector, logger: logger)
        let startup: StartupState
        do {
            startup = try await cancelWhenGracefulShutdown { [config, logger] in
                let outcome = try await writer.start()
                logger.info(
                    "database schema ready", metadata: ["version": "\(outcome.version)", "applied": "\(outcome.applied)"])
                return try await StartupState.load(from: writer, retainHours: config.housekeeping.retainHours, logger: logger)
            }
        } catch is CancellationError where Task.isShuttingDownGracefully {
            logger.notice("stopped while waiting for PostgreSQL at start; no frame was taken")
            return
        }

        let context = PayloadContext(
            airport: config.airport.iata, zone: config.airport.zone)
        var engine = StateEngine(
            airport: config.airport.iata, policy: config.events,
            precedence: Dictionary(config.feeds.map { ($0.name, $0.precedence) }, uniquingKeysWith: { first, _ in first }))
        var board = RetainedBoard(topicRoot: topicRoot, stateQoS: config.mqtt.stateQoS, context: context)
        for (state, _) in startup.flights { engine.load(state) }
        _ = board.update(startup.flights, now: .now)
        logger.info("flights restored", metadata: ["flights": "\(startup.flights.count)"])

        // A thread each for the pipeline and the broker side (DaemonThread).
        let pipelineThread = DaemonThread()
        let brokerThread = DaemonThread()
        let broker = try makeBrokerLink(on: brokerThread)
        // One full batch waiting while the pipeline works on the one before: enough to keep it
        // busy; beyond that the senders' sockets hold the backlog (backpressure), not the heap.
        // Two batches held ~2 MB more of decoded frames at the 10,000-flight burst's peak for no
        // measurable throughput (docs/PERFORMANCE.md).
        let queue = IngestQueue<Frame>(capacityBytes: 16 << 20, capacityItems: FlightPipeline.Settings.defaultMaxBatch)
        let feeds = try FeedRoster(config: config)
        let progress = PipelineProgress()
        let boardBox = BoardBox()
        let gate = StartupGate(listeners: config.feeds.filter { $0.transport == .tcpListen }.count, http: config.http != nil)
        var publisherSettings = OutboxPublisher.Settings(
            statusTopic: "\(topicRoot)/status", onlinePayload: status.payload(online: true),
            offlinePayload: status.payload(online: false), resyncTopic: "\(topicRoot)/cmd/resync")
        publisherSettings.maxInflight = config.mqtt.maxInflight
        publisherSettings.replayTopic = "\(topicRoot)/cmd/replay"
        // The daemon's own registry, made here and passed in (no process-wide bootstrap).
        let registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let replayMetrics = ReplayMetrics(registry: registry, retentionDays: config.housekeeping.outboxRetentionDays)
        let publisher = OutboxPublisher(
            link: broker, store: writer, settings: publisherSettings, logger: logger, metrics: metrics
        ) {
            // Asked for after every CONNACK: the first one is half of being ready.
            gate.brokerConnected()
            return boardBox.birth()
        }
        // The airport boards, from the same committed state (served where `[http]` listens).
        let boards = config.http.map { _ in
            BoardHub(
                settings: BoardSettings(
                    airport: config.airport.iata, zone: context.zone,
                    languages: config.boards.languages.compactMap(BoardLanguage.init(rawValue:))),
                flights: startup.flights.map { $0.0 })
        }
        let pipeline = FlightPipeline(
            queue: queue, writer: writer, publisher: publisher, engine: engine, board: board,
            storedOnly: startup.storedOnly, feeds: feeds,
            settings: FlightPipeline.Settings(context: context, topicRoot: topicRoot), progress: progress, metrics: metrics,
            logger: logger, boards: boards, thread: pipelineThread)
        boardBox.pipeline.withLock { $0 = pipeline }
        let observer = GatewayObserver(
            writer: writer, broker: broker, publisher: publisher, feeds: feeds, progress: progress,
            metrics: metrics)
        let runner = FeedRunner(
            queue: queue, logger: logger, decode: { FrameDecoding.decoded($0, decoder: feeds.decoder(of: $0.feed)) }
        ) { feed, error in gate.feedFailed(feed, error) }
        let reporter = StatusReporter(
            topicRoot: topicRoot, broker: broker, writer: writer, publisher: publisher, feeds: feeds,
            progress: progress, notifier: notifier, logger: logger, status: status)
        let reloader = ConfigReloader(
            path: configPath, running: config, feeds: feeds, runner: runner, queue: queue, pipeline: pipeline,
            writer: writer, notifier: notifier, logger: logger)
        let statusLine: @Sendable () async -> String = { await reporter.statusLine() }

        // Stopped in reverse order: see GatewayParts.swift.
        let parts: [any Service] = [
            OperationsService(observer: observer, http: config.http, boards: boards, gate: gate, logger: logger),
            StatusService(reporter: reporter),
            PublisherService(broker: broker, publisher: publisher, thread: brokerThread, logger: logger),
            ReplayService(publisher: publisher, writer: writer, metrics: replayMetrics, logger: logger),
            OutboxRetentionService(
                writer: writer, retentionDays: config.housekeeping.outboxRetentionDays, metrics: replayMetrics, logger: logger),
            HistoryRetentionService(
                store: RetentionStore(connector: connector, logger: logger), housekeeping: config.housekeeping,
                registry: registry, logger: logger),
            PipelineService(pipeline: pipeline, logger: logger),
            HousekeepingService(pipeline: pipeline, retainHours: config.housekeeping.retainHours),
            FeedService(feeds: feeds, runner: runner, queue: queue, positions: startup.positions, gate: gate),
            ReloadService(hangups: hangups, reloader: reloader, statusLine: statusLine),
            ReadinessService(
                gate: gate, notifier: notifier, logger: logger, statusLine: statusLine,
                summary: [
                    "airport": "\(config.airport.iata)", "feeds": "\(config.feeds.count)",
                    "flights": "\(startup.flights.count)",
                ]),
        ]
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                // A part that ends or fails early stops the others in order too (the batch in
                // hand committed, `offline` said), and its error is the daemon's.
                services: parts.map {
                    ServiceGroupConfiguration.ServiceConfiguration(
                        service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup)
                },
                logger: logger))
        defer {
            logger.info("stopped", metadata: ["updates": "\(progress.committedUpdates)", "events": "\(progress.derivedEvents)"])
        }
        try await withGracefulShutdownHandler {
            try await group.run()
        } onGracefulShutdown: {
            Task { await group.triggerGracefulShutdown() }
        }
    }

    /// The broker connection runs on the broker side's own thread, where the publisher takes
    /// its PUBACKs and refills the window (DaemonThread).
    private func makeBrokerLink(on thread: DaemonThread) throws -> BrokerLink {
        let mqtt = config.mqtt
        var settings = BrokerLink.Settings(
            host: mqtt.host, port: mqtt.port, clientID: mqtt.clientID, statusTopic: "\(topicRoot)/status",
            willPayload: status.payload(online: false))
        settings.username = mqtt.username
        settings.password = try SecretFile.read(path: mqtt.passwordFile, credential: "mqtt-password")
        settings.caFile = mqtt.caFile
        settings.certFile = mqtt.certFile
        settings.keyFile = mqtt.keyFile
        settings.keepaliveSeconds = Int32(mqtt.keepaliveSeconds)
        settings.maxInflight = Int32(mqtt.maxInflight)
        return BrokerLink(settings: settings, logger: logger, group: thread.loop)
    }
}

/// Gives the publisher's birth access to the pipeline's committed board.
final class BoardBox: Sendable {
    let pipeline = Mutex<FlightPipeline?>(nil)

    func birth() -> [OutgoingMessage] {
        guard let pipeline = pipeline.withLock({ $0 }) else { return [] }
        return pipeline.board.withLock { $0.birth(now: .now) }
    }
}
