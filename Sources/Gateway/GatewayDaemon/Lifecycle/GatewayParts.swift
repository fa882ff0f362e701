import Configuration
import FeedIngest
import HistoryStore
import Logging
import Publisher
import ServiceLifecycle
import Systemd
import UnixSignals

// The long-running parts of the gateway, each a swift-service-lifecycle `Service`. They run in
// one `ServiceGroup` (GatewayService), which stops them in the reverse of their order there:
// readiness, reload, feeds (no new frames), housekeeping, the pipeline (the batch in hand is
// committed), the publisher (in-flight events acknowledged, `offline` said), then the status
// reporter and the operations endpoint, which answer until the end.

/// `READY=1` once the broker answered and every listener is bound; `STOPPING=1` when the stop
/// begins. A feed that cannot start fails the start-up: the group stops and the daemon exits
/// with that feed's error.
struct ReadinessService: Service {
    let gate: StartupGate
    let notifier: SystemdNotifier
    let logger: Logger
    let statusLine: @Sendable () async -> String
    let summary: Logger.Metadata

    func run() async throws {
        let outcome = await withGracefulShutdownHandler {
            await gate.wait()
        } onGracefulShutdown: {
            gate.stop()
        }
        switch outcome {
        case .ready:
            notifier.post(.ready(status: await statusLine()))
            logger.info("FlightEdge ready", metadata: summary)
            try? await gracefulShutdown()
            stopping()
        case .failed(let feed, let error):
            stopping()
            throw FeedStartError(feed: feed, underlying: error)
        case .stopped:
            stopping()
        }
    }

    private func stopping() {
        notifier.post(.stopping)
        logger.info("stopping: no new frames; committing what is in hand")
    }
}

/// A feed could not start: the daemon exits with this (status 2), after a clean stop.
struct FeedStartError: Error, CustomStringConvertible {
    var feed: String
    var underlying: any Error
    var description: String { "feed \(feed) cannot start: \(underlying)" }
}

/// SIGHUP reloads the feeds (`systemctl reload`), until the stop begins.
struct ReloadService: Service {
    let hangups: UnixSignalsSequence
    let reloader: ConfigReloader
    let statusLine: @Sendable () async -> String

    func run() async throws {
        for await _ in hangups.cancelOnGracefulShutdown() {
            await reloader.reload(statusLine: statusLine)
        }
    }
}

/// The feeds: started at once, stopped first when the gateway stops; then the queue is
/// finished, so the pipeline commits what it holds and ends.
struct FeedService: Service {
    let feeds: FeedRoster
    let runner: FeedRunner
    let queue: IngestQueue<Frame>
    let positions: FeedPositions
    let gate: StartupGate

    func run() async throws {
        for feed in feeds.feeds {
            runner.start(feed.config, counters: feed.counters, positions: positions) { gate.listenerBound() }
        }
        try? await gracefulShutdown()
        await runner.stopAll()
        queue.finish()
    }
}

/// The pipeline, until the queue is finished and everything in it is committed.
struct PipelineService: Service {
    let pipeline: FlightPipeline
    let logger: Logger

    func run() async throws {
        do {
            try await pipeline.run()
        } catch is CancellationError {
            return
        } catch {
            logger.error("pipeline stopped with an error", metadata: ["error": "\(error)"])
            throw error
        }
        // Done before its turn (the feeds' stop finished the queue): hold until the group
        // reaches it, so the stop stays in order.
        try? await gracefulShutdown()
    }
}

/// Clears flights that ended long ago: soon after start (flights may have ended while the
/// daemon was down), then every minute.
struct HousekeepingService: Service {
    let pipeline: FlightPipeline
    let retainHours: Int

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var interval = Duration.seconds(5)
            while (try? await Task.sleep(for: interval)) != nil {
                await pipeline.housekeep(retainHours: retainHours)
                interval = .seconds(60)
            }
        }
    }
}

/// The broker side: the link's events consumed by the publisher; at the stop, what is in
/// flight is acknowledged (up to 10 s), `offline` is said, and the link closes.
struct PublisherService: Service {
    let broker: BrokerLink
    let publisher: OutboxPublisher
    /// The broker connection's thread: the publisher takes each read's PUBACKs and refills
    /// the window there, without waking another thread.
    let thread: DaemonThread
    let logger: Logger

    func run() async throws {
        try broker.start()
        await withTaskExecutorPreference(thread.executor) {
            async let consuming: Void = publisher.run()
            try? await gracefulShutdown()
            if !Task.isCancelled {
                let drained = await publisher.drain(timeout: .seconds(10))
                if !drained { logger.warning("stopping with events unacknowledged; they stay in the outbox for the next start") }
                await publisher.sayOffline(timeout: .seconds(2))
            }
            await broker.stop()
            await consuming
        }
    }
}

/// `STATUS=`, the watchdog and the feeds' status topics, until the very end.
struct StatusService: Service {
    let reporter: StatusReporter

    func run() async throws {
        await cancelWhenGracefulShutdown { await reporter.run() }
    }
}

/// `/healthz` and `/metrics` (Hummingbird), and the outbox figures behind them, until the very
/// end. An address it cannot listen on is logged and the gateway runs on without them.
struct OperationsService: Service {
    let observer: GatewayObserver
    let http: HTTPConfig?
    /// The airport boards, served beside `/healthz` (nil without `[http]`).
    var boards: BoardHub? = nil
    /// Told when the endpoint listens (or cannot), so that `READY=1` comes after it.
    var gate: StartupGate? = nil
    let logger: Logger

    func run() async throws {
        let outbox = Task { await observer.watchOutbox() }
        defer { outbox.cancel() }
        guard let http else {
            try? await gracefulShutdown()
            return
        }
        let hub = boards.map { hub in
            Task { [observer] in
                await hub.run { await observer.snapshot().feeds.filter(\.isStale).map(\.config.name) }
            }
        }
        let feedSlots = observer.feeds.configs.filter { $0.transport == .tcpListen }.reduce(0) { $0 + $1.maxConnections }
        let server = OperationsServer(
            address: http.listen, routes: OperationsRoutes(observer: observer), boards: boards.map(BoardRoutes.init(hub:)),
            maxConnections: DescriptorBudget.httpConnections(
                descriptorLimit: DescriptorBudget.raiseLimit(), feedSlots: feedSlots),
            logger: logger, onListening: { gate?.httpSettled() })
        // Detached: the server stops when this part's turn comes, not at the gateway's first signal.
        let serving = Task.detached {
            do {
                try await server.run()
            } catch is CancellationError {
            } catch {
                gate?.httpSettled()
                logger.error(
                    "operations endpoint cannot listen; /healthz and /metrics are unavailable",
                    metadata: ["address": "\(http.listen)", "error": "\(error)"])
            }
        }
        try? await gracefulShutdown()
        // Board streams end first (browsers reconnect later); other open requests finish (2 s at
        // most, then 1 s of cancellation).
        hub?.cancel()
        boards?.close()
        await server.stop()
        await serving.value
    }
}
