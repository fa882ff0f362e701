import Configuration
import FeedIngest
import FlightModel
import Foundation
import HistoryStore
import Logging
import Prometheus
import Publisher
import ServiceLifecycle
import Synchronization
import Systemd
import Telemetry
import UnixSignals

/// `flightedge run`: the whole gateway under swift-service-lifecycle.
///
/// Start: PostgreSQL (migrated), current flights restored, broker connected, feeds listening,
/// then `READY=1`. Stop (SIGTERM/SIGINT): `STOPPING=1`, feeds stop reading, the batch in hand
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
        // PostgreSQL first: nothing is taken before it can be committed.
        let databasePassword = try SecretFile.read(path: config.database.passwordFile, credential: "db-password")
        let connector = DatabaseConnector(conninfo: config.database.url, password: databasePassword, logger: logger)
        let writer = HistoryWriter(connector: connector, logger: logger)
        let outcome = try await writer.start()
        logger.info("database schema ready", metadata: ["version": "\(outcome.version)", "applied": "\(outcome.applied)"])
        let startup = try await StartupState.load(from: writer, retainHours: config.housekeeping.retainHours, logger: logger)

        let context = PayloadContext(
            airport: config.airport.iata, timeZone: TimeZone(identifier: config.airport.timezone) ?? .gmt)
        var engine = StateEngine(
            policy: EventPolicy(
                delayThresholdMinutes: config.events.delayThresholdMinutes,
                delayStepMinutes: config.events.delayStepMinutes),
            precedence: Dictionary(config.feeds.map { ($0.name, $0.precedence) }, uniquingKeysWith: { first, _ in first }))
        var board = RetainedBoard(topicRoot: topicRoot, stateQoS: config.mqtt.stateQoS, context: context)
        for (state, _) in startup.flights { engine.load(state) }
        _ = board.update(startup.flights, now: .now)
        logger.info("flights restored", metadata: ["flights": "\(startup.flights.count)"])

        let broker = try makeBrokerLink()
        // Two full batches: enough to keep the pipeline busy; beyond that the senders' sockets
        // hold the backlog (backpressure) instead of the heap.
        let queue = IngestQueue<Frame>(capacityBytes: 16 << 20, capacityItems: 2 * FlightPipeline.Settings.defaultMaxBatch)
        let feeds = try FeedRoster(config: config)
        let progress = PipelineProgress()
        let boardBox = BoardBox()
        var publisherSettings = OutboxPublisher.Settings(
            statusTopic: "\(topicRoot)/status", onlinePayload: status.payload(online: true),
            offlinePayload: status.payload(online: false), resyncTopic: "\(topicRoot)/cmd/resync")
        publisherSettings.maxInflight = config.mqtt.maxInflight
        // The daemon's own registry, made here and passed in (no process-wide bootstrap).
        let metrics = GatewayMetrics(factory: PrometheusMetricsFactory(registry: PrometheusCollectorRegistry()))
        let publisher = OutboxPublisher(
            link: broker, store: writer, settings: publisherSettings, logger: logger, metrics: metrics
        ) {
            boardBox.birth()
        }
        let pipeline = FlightPipeline(
            queue: queue, writer: writer, publisher: publisher, engine: engine, board: board,
            storedOnly: startup.storedOnly, feeds: feeds,
            settings: FlightPipeline.Settings(context: context, topicRoot: topicRoot), progress: progress, metrics: metrics,
            logger: logger)
        boardBox.pipeline.withLock { $0 = pipeline }
        let observer = GatewayObserver(
            writer: writer, broker: broker, publisher: publisher, feeds: feeds, progress: progress,
            metrics: metrics)

        try broker.start()
        let publisherTask = Task { await publisher.run() }
        let pipelineTask = Task { try await pipeline.run() }
        let runner = FeedRunner(queue: queue, logger: logger)
        let listening = ReadyCounter(expected: config.feeds.filter { $0.transport == .tcpListen }.count)
        for feed in feeds.feeds {
            runner.start(feed.config, counters: feed.counters, positions: startup.positions) { listening.arrived() }
        }
        let reporter = StatusReporter(
            topicRoot: topicRoot, broker: broker, writer: writer, publisher: publisher, feeds: feeds,
            progress: progress, notifier: notifier, logger: logger)
        let reporterTask = Task { await reporter.run() }
        let reloader = ConfigReloader(
            path: configPath, running: config, feeds: feeds, runner: runner, queue: queue, pipeline: pipeline,
            writer: writer, notifier: notifier, logger: logger)
        let reloadTask = Task {
            for await _ in hangups {
                await reloader.reload { await reporter.statusLine() }
            }
        }
        let outboxTask = Task { await observer.watchOutbox() }
        let operationsTask = config.http.map { http in
            let server = OperationsServer(address: http.listen, routes: OperationsRoutes(observer: observer), logger: logger)
            // Detached: the daemon's graceful shutdown (a task-local) must not reach the server, so
            // /healthz answers while the gateway drains; it is stopped below, where it always was.
            let task = Task.detached {
                do {
                    try await server.run()
                } catch is CancellationError {
                } catch {
                    logger.error("operations endpoint cannot listen; /healthz and /metrics are unavailable",
                        metadata: ["address": "\(http.listen)", "error": "\(error)"])
                }
            }
            return (server: server, task: task)
        }
        let housekeepingTask = Task {
            // Soon after start (flights may have ended while the daemon was down), then every minute.
            var interval = Duration.seconds(5)
            while (try? await Task.sleep(for: interval)) != nil {
                await pipeline.housekeep(retainHours: config.housekeeping.retainHours)
                interval = .seconds(60)
            }
        }

        // READY=1 once the broker answered and every tcp-listen feed is bound.
        let ready = await waitUntilReady(broker: broker, listening: listening, runner: runner)
        if ready {
            notifier.post(.ready(status: await reporter.statusLine()))
            logger.info(
                "FlightEdge ready",
                metadata: ["airport": "\(config.airport.iata)", "feeds": "\(config.feeds.count)", "flights": "\(startup.flights.count)"])
            try? await gracefulShutdown()
        }

        notifier.post(.stopping)
        logger.info("stopping: no new frames; committing what is in hand")
        reloadTask.cancel()
        await reloadTask.value
        await runner.stopAll()
        queue.finish()
        do {
            try await pipelineTask.value
        } catch {
            logger.error("pipeline stopped with an error", metadata: ["error": "\(error)"])
        }
        housekeepingTask.cancel()
        let drained = await publisher.drain(timeout: .seconds(10))
        if !drained { logger.warning("stopping with events unacknowledged; they stay in the outbox for the next start") }
        await publisher.sayOffline(timeout: .seconds(2))
        reporterTask.cancel()
        if let operationsTask {
            // Where the old server was cancelled: now a graceful stop, no new connections, open
            // requests finish (2 s at most, then 1 s of cancellation).
            await operationsTask.server.stop()
            await operationsTask.task.value
        }
        outboxTask.cancel()
        broker.stop()
        await publisherTask.value
        logger.info("stopped", metadata: ["updates": "\(progress.committedUpdates)", "events": "\(progress.derivedEvents)"])
        if !ready, let failure = runner.startFailure {
            throw failure.error
        }
    }

    /// Waits for the broker's first CONNACK and every listener; false when shutdown or a feed
    /// failure came first.
    private func waitUntilReady(broker: BrokerLink, listening: ReadyCounter, runner: FeedRunner) async -> Bool {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if broker.isConnected && listening.isComplete { return true }
            if runner.startFailure != nil { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    private func makeBrokerLink() throws -> BrokerLink {
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
        return BrokerLink(settings: settings, logger: logger)
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

/// Counts listeners that are bound, for readiness.
final class ReadyCounter: Sendable {
    private let expected: Int
    private let count = Atomic<Int>(0)

    init(expected: Int) { self.expected = expected }
    func arrived() { count.add(1, ordering: .relaxed) }
    var isComplete: Bool { count.load(ordering: .relaxed) >= expected }
}
