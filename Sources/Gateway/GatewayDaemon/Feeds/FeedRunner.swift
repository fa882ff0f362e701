import Configuration
import FeedIngest
import FlightModel
import Logging
import Synchronization
import Timing

/// Runs each feed as a task of its own, so a reload can stop, start or restart one feed while
/// the others go on reading. Each feed's task also decodes its frames (`decode`), so one feed's
/// slow frame holds up that feed alone, not the pipeline's commits of the others.
final class FeedRunner: Sendable {
    private let queue: IngestQueue<Frame>
    private let decode: (@Sendable (Frame) -> DecodedFrame)?
    let logger: Logger
    private let tasks = Mutex<[String: Task<Void, Never>]>([:])
    private let onFailure: @Sendable (_ feed: String, _ error: any Error) -> Void

    /// - Parameter onFailure: told when a feed cannot start or stops on an error.
    init(
        queue: IngestQueue<Frame>, logger: Logger, decode: (@Sendable (Frame) -> DecodedFrame)? = nil,
        onFailure: @escaping @Sendable (_ feed: String, _ error: any Error) -> Void = { _, _ in }
    ) {
        self.queue = queue
        self.decode = decode
        self.logger = logger
        self.onFailure = onFailure
    }

    /// Starts reading `feed` into the pipeline's queue, a file feed from its committed
    /// position; `onListening` runs once a tcp-listen feed's port is bound.
    func start(
        _ feed: FeedConfig, counters: FeedCounters, positions: FeedPositions,
        onListening: @escaping @Sendable () -> Void = {}
    ) {
        let sink = FrameSink(queue: queue, counters: counters, decode: decode)
        let task = Task {
            do {
                try await run(feed, sink: sink, positions: positions, onListening: onListening)
            } catch is CancellationError {
            } catch {
                logger.critical("feed stopped", metadata: ["feed": "\(feed.name)", "error": "\(error)"])
                onFailure(feed.name, error)
            }
        }
        tasks.withLock { $0[feed.name] = task }
    }

    /// Stops reading `name` and waits until its reader has let go (connections closed, the
    /// port unbound); what it already queued is still committed.
    func stop(_ name: String) async {
        guard let task = tasks.withLock({ $0.removeValue(forKey: name) }) else { return }
        task.cancel()
        await task.value
    }

    /// Stops every feed.
    func stopAll() async {
        let all = tasks.withLock { tasks in
            defer { tasks.removeAll() }
            return Array(tasks.values)
        }
        for task in all { task.cancel() }
        for task in all { await task.value }
    }

    private func run(
        _ feed: FeedConfig, sink: FrameSink, positions: FeedPositions, onListening: @escaping @Sendable () -> Void
    ) async throws {
        switch feed.transport {
        case .tcpListen:
            try await TCPListenFeed(config: feed, sink: sink, logger: logger).run { _ in onListening() }
        case .tcpConnect:
            try await TCPConnectFeed(config: feed, sink: sink, logger: logger).run()
        case .spoolDir:
            try await retrying(feed, what: "spool folder unusable") {
                try await SpoolDirectoryFeed(
                    config: feed, sink: sink, logger: logger, alreadyCommitted: positions.committedFiles[feed.name] ?? [],
                    resumingAt: positions.spoolPositions[feed.name]
                ).run()
            }
        case .tailFile:
            try await retrying(feed, what: "tailed file unusable") {
                try await TailFileFeed(
                    config: feed, sink: sink, logger: logger, resumingAt: positions.tailPositions[feed.name]
                ).run()
            }
        case .httpPoll, .amqp, .sqlPoll:
            try await runPull(feed, sink: sink, positions: positions)
        }
    }

    /// Runs a file feed again after an error (a folder or file removed, permissions), with
    /// backoff, until it ends or is stopped.
    private func retrying(_ feed: FeedConfig, what: String, _ body: () async throws -> Void) async throws {
        var backoff = RetryBackoff(initial: .seconds(1), maximum: .seconds(30))
        while !Task.isCancelled {
            do {
                try await body()
                return
            } catch is CancellationError {
                return
            } catch {
                logger.error("\(what); retrying", metadata: ["feed": "\(feed.name)", "error": "\(error)"])
                try await Task.sleep(for: backoff.nextDelay())
            }
        }
    }
}
