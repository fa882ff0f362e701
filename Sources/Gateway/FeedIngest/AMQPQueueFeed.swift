import AMQP
import Configuration
import FeedFraming
import Logging
import Timing

/// `transport = "amqp"`: consumes a queue the AODB publishes to (RabbitMQ or another AMQP 0-9-1
/// broker) through the project's rabbitmq-c wrapper; each message is one frame.
///
/// * A message is acknowledged only after the batch holding it committed: its frame carries a
///   ``FileCompletion`` (the hook the pipeline calls after the commit covering a spool file's
///   last frame), and the acks go out on the connection's thread. A crash before the commit
///   leaves the message unacknowledged, and the broker delivers it again: nothing is lost. A
///   crash between the commit and the ack delivers a committed message again, which changes
///   nothing (same values, an older source time never overwrites a newer one).
/// * A message that cannot be decoded (or is larger than `max_frame_bytes`) is rejected like
///   any frame, kept in `rejected_frames`, and acknowledged after that commit.
/// * The broker sends up to `prefetch` unacknowledged messages ahead: this bounds how much one
///   batch can hold. When the window is full the feed waits for the pipeline's commit, not a
///   timer.
/// * A lost connection (node stopped, network, missed heartbeats) is reopened with backoff
///   (500 ms to 30 s); the messages of the old one come back from the queue. A stop
///   acknowledges what committed before it closes.
public struct AMQPQueueFeed: Sendable {
    public let config: FeedConfig
    public let sink: FrameSink
    public let logger: Logger
    let settings: AMQPFeedSettings
    public var backoff = RetryBackoff(initial: .milliseconds(500), maximum: .seconds(30))
    /// How long a stop waits for the pipeline to commit what the feed handed over, so that it
    /// can acknowledge it before closing.
    public var drainTimeout: Duration = .seconds(5)

    public init(config: FeedConfig, sink: FrameSink, logger: Logger) throws(AMQPError) {
        guard let settings = config.amqp else {
            throw AMQPError(code: .invalidURL, message: "feed \(config.name) is not an amqp feed")
        }
        self.config = config
        self.sink = sink
        self.logger = logger
        self.settings = settings
    }

    /// The broker address of the feed's URL with the password from `password_file`.
    func endpoint() throws -> AMQPEndpoint {
        var endpoint = try AMQPEndpoint(url: settings.url)
        if let password = try SecretFile.read(path: settings.passwordFile, credential: "amqp password") {
            endpoint.password = password
        }
        return endpoint
    }

    /// Consumes until the task is cancelled or the pipeline stops taking frames. Throws only
    /// when the URL or the password file cannot be read.
    public func run() async throws {
        let endpoint = try endpoint()
        var connectionSettings = AMQPConnection.Settings(caFile: settings.caFile)
        connectionSettings.heartbeatSeconds = 30
        let prefetch = UInt16(clamping: settings.prefetch)
        let session = AMQPQueueSession()
        defer { session.shutdown() }
        let ledger = AMQPQueueLedger()
        var backoff = backoff
        var connectionNumber = 0
        var lastFailure: String?
        var connected = false
        while !Task.isCancelled {
            do {
                let node = try await session.connect(
                    to: endpoint, settings: connectionSettings, queue: settings.queue, prefetch: prefetch)
                connectionNumber += 1
                ledger.connected(connectionNumber)
                if connectionNumber > 1 { sink.counters.reconnected() }
                sink.counters.connectionOpened()
                connected = true
                logger.info(
                    "feed consuming an AMQP queue",
                    metadata: ["feed": "\(config.name)", "node": "\(node)", "queue": "\(settings.queue)", "prefetch": "\(prefetch)"])
                lastFailure = nil
                backoff.reset()
                let finished = try await consume(session, ledger: ledger, connection: connectionNumber, peer: node)
                sink.counters.connectionClosed()
                connected = false
                if finished {
                    await stop(session, ledger: ledger)
                    return
                }
            } catch {
                if connected {
                    sink.counters.connectionClosed()
                    connected = false
                }
                let reason = "\(error)"
                if reason != lastFailure {
                    logger.error(
                        "amqp feed lost its broker or cannot reach it; retrying with backoff (unacknowledged messages come back)",
                        metadata: ["feed": "\(config.name)", "queue": "\(settings.queue)", "error": "\(reason)"])
                    lastFailure = reason
                }
                if Task.isCancelled { break }
                try? await Task.sleep(for: backoff.nextDelay())
            }
        }
        await session.close(acknowledging: nil)
    }

    /// Reads and hands over messages until the task is cancelled (true) or the pipeline stops
    /// taking frames (true); throws when the connection is lost.
    private func consume(_ session: AMQPQueueSession, ledger: AMQPQueueLedger, connection: Int, peer: String) async throws -> Bool {
        let name = config.name
        let maxBytes = config.maxFrameBytes
        let peer = "\(peer)/\(settings.queue)"
        while !Task.isCancelled {
            // With messages waiting for their commit, reading blocks no longer than a poll: the
            // acks that commit allows are what lets the broker send more.
            let waiting = ledger.uncommitted > 0
            let deliveries = try await session.exchange(
                acknowledging: ledger.takeAcknowledgements(), maxCount: Int(settings.prefetch),
                wait: waiting ? .zero : .milliseconds(250))
            if deliveries.isEmpty {
                if waiting { await ledger.waitForCommit(timeout: .seconds(1)) }
                continue
            }
            let now = WallClock.milliseconds
            for (index, delivery) in deliveries.enumerated() {
                var frame: Frame
                if delivery.body.count > maxBytes {
                    frame = Frame(
                        feed: name, position: .stream(peer: peer, connection: connection, offset: Int64(delivery.deliveryTag)),
                        bytes: Array(delivery.body.prefix(keptPrefixBytes)), receivedAtMilliseconds: now,
                        framingError: "message of \(delivery.body.count) bytes exceeds max_frame_bytes; first \(keptPrefixBytes) bytes kept")
                } else {
                    frame = Frame(
                        feed: name, position: .stream(peer: peer, connection: connection, offset: Int64(delivery.deliveryTag)),
                        bytes: delivery.body, receivedAtMilliseconds: now)
                }
                // The commit of the last message read in one go covers those before it (a feed's
                // frames commit in order): one completion per read is enough.
                if index == deliveries.count - 1 {
                    let tag = delivery.deliveryTag
                    frame.fileCompletion = FileCompletion(name: "amqp:\(settings.queue)", isLast: true) { _ in
                        ledger.committed(connection: connection, through: tag)
                    }
                }
                // Counted before the hand-over: its commit may come before `deliver` returns.
                ledger.delivered(through: delivery.deliveryTag)
                guard await sink.deliver(frame) else { return true }
            }
        }
        return true
    }

    /// At a stop: waits (a while) for the pipeline to commit what the feed handed over, and
    /// acknowledges it, so that a clean stop leaves no committed message in the queue.
    private func stop(_ session: AMQPQueueSession, ledger: AMQPQueueLedger) async {
        let clock = ContinuousClock()
        let deadline = clock.now + drainTimeout
        while ledger.uncommitted > 0 && clock.now < deadline {
            await ledger.waitForCommit(timeout: .milliseconds(200))
        }
        await session.close(acknowledging: ledger.takeAcknowledgements())
    }
}
