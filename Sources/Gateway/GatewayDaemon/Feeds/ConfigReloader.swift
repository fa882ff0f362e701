import Configuration
import FeedIngest
import HistoryStore
import Logging
import Synchronization
import Systemd

/// `systemctl reload` (SIGHUP): reads the configuration file again and checks it as
/// `check-config` does. A file with errors is refused (logged, and shown in `STATUS=` until a
/// reload succeeds) and the running configuration stays. A good one is applied to the feeds:
/// removed feeds stop, added ones start, changed ones restart with their new settings, and the
/// others are not touched (their connections stay open). Other sections only take effect at a
/// restart, which the log says.
///
/// systemd sees `RELOADING=1` with `MONOTONIC_USEC=` first and `READY=1` when it is done.
final class ConfigReloader: Sendable {
    private let path: String
    private let running: Mutex<GatewayConfig>
    private let feeds: FeedRoster
    private let runner: FeedRunner
    private let queue: IngestQueue<Frame>
    private let pipeline: FlightPipeline
    private let writer: HistoryWriter
    private let notifier: SystemdNotifier
    private let logger: Logger

    init(
        path: String, running: GatewayConfig, feeds: FeedRoster, runner: FeedRunner, queue: IngestQueue<Frame>,
        pipeline: FlightPipeline, writer: HistoryWriter, notifier: SystemdNotifier, logger: Logger
    ) {
        self.path = path
        self.running = Mutex(running)
        self.feeds = feeds
        self.runner = runner
        self.queue = queue
        self.pipeline = pipeline
        self.writer = writer
        self.notifier = notifier
        self.logger = logger
    }

    /// Reloads once; `statusLine` gives the `STATUS=` sent with `READY=1` afterwards.
    func reload(statusLine: () async -> String) async {
        notifier.post(.reloading)
        logger.info("reloading the configuration", metadata: ["path": "\(path)"])
        switch GatewayConfig.loadChecked(path: path) {
        case .failure(let refusal):
            logger.error(
                "reload refused: the configuration has errors; the running configuration stays",
                metadata: ["path": "\(path)", "errors": "\(refusal.problems.joined(separator: " | "))"])
            feeds.reloadEnded(problem: "reload refused: \(refusal.problems.count) error(s) in \(path)")
        case .success(let new):
            do {
                try await apply(new)
            } catch is CancellationError {
                return
            } catch {
                logger.error(
                    "reload failed; feeds not yet restarted stay stopped until the next reload",
                    metadata: ["error": "\(error)"])
                feeds.reloadEnded(problem: "reload failed: \(error)")
            }
        }
        notifier.post(.ready(status: await statusLine()))
    }

    private func apply(_ new: GatewayConfig) async throws {
        let old = running.withLock { $0 }
        let changes = ConfigChanges(from: old, to: new)
        if !changes.needRestart.isEmpty {
            logger.warning(
                "reload applies feeds only; other changes take effect at the next restart",
                metadata: ["sections": "\(changes.needRestart.joined(separator: ", "))"])
        }
        if changes.feedsUnchanged {
            feeds.reloadEnded(problem: nil)
            logger.info("configuration reloaded; feeds unchanged")
            return
        }

        // Decoders first: a feed whose options cannot be set up stops nothing.
        let current = Dictionary(feeds.feeds.map { ($0.config.name, $0) }, uniquingKeysWith: { first, _ in first })
        let roster = try new.feeds.map { config -> FeedRoster.Feed in
            if let feed = current[config.name], feed.config == config { return feed }
            return try FeedRoster.makeFeed(config, airport: old.airport, counters: current[config.name]?.counters)
        }

        for name in changes.removed + changes.changed.map(\.name) { await runner.stop(name) }
        // A restarted file feed resumes where its last committed frame left it: let the
        // pipeline commit what the stopped reader queued, then read the checkpoints.
        var positions = FeedPositions()
        if (changes.added + changes.changed).contains(where: { !$0.transport.isNetwork }) {
            await pipeline.waitUntilCommitted(acceptedThrough: queue.acceptedCount)
            positions = try await FeedPositions.load(from: writer)
        }

        feeds.replace(with: roster)
        feeds.reloadEnded(problem: nil)
        pipeline.setPrecedence(feeds.precedence)
        var bound: [String: Latch] = [:]
        for config in changes.added + changes.changed {
            guard let feed = roster.first(where: { $0.config.name == config.name }) else { continue }
            let listening = Latch()
            bound[config.name] = listening
            runner.start(feed.config, counters: feed.counters, positions: positions) { listening.open() }
        }
        running.withLock { $0.feeds = new.feeds }
        logger.info("configuration reloaded", metadata: ["feeds": "\(changes.summary)"])

        // A new listener that cannot bind (the port is taken) is the one thing a file check
        // cannot see: say so where the operator looks.
        let listeners = (changes.added + changes.changed).filter { $0.transport == .tcpListen }
        for config in listeners {
            guard let listening = bound[config.name] else { continue }
            if await !listening.wait(timeout: .seconds(5)) {
                feeds.reloadEnded(problem: "reload incomplete: feed \(config.name) cannot listen on \(config.address.map { "\($0)" } ?? "?")")
            }
        }
    }
}
