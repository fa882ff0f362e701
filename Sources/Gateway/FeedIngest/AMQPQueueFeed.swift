import AMQP
import Configuration
import FeedFraming
import Foundation
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
/// * Exactly once across a crash: messages committed but not yet acknowledged come back first
///   (`redelivered`, in their order). Each frame's position names its message's digest, which
///   the commit keeps in `feed_checkpoints`; after a restart the redelivered messages up to the
///   one with the committed digest are acknowledged without being applied again. After a lost
///   connection the feed first lets the pipeline commit what it handed over, then does the same
///   with the digest of the last message it handed over.
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

    /// The digest of the last message committed before a restart (its checkpoint), if any.
    private let committedDigest: String?

    /// - Parameter digest: what the feed's checkpoint says of its last committed message (the
    ///   `file_name` of its position, ``digest(of:)``), so that a restart does not apply the
    ///   messages committed but not yet acknowledged when the daemon died a second time.
    public init(config: FeedConfig, sink: FrameSink, logger: Logger, resumingAfter digest: String? = nil) throws(AMQPError) {
        committedDigest = digest.map { $0.split(separator: "#").last.map(String.init) ?? $0 }
        guard let settings = config.amqp else {
            throw AMQPError(code: .invalidURL, message: "feed \(config.name) is not an amqp feed")
        }
        self.config = config
        self.sink = sink
        self.logger = logger
        self.settings = settings
    }

    /// What `check-config` verifies before the feed starts: every URL parses and the password
    /// and CA files can be read. Throws what is wrong, naming the feed and the key.
    public static func check(_ config: FeedConfig) throws(PullFeedCheckError) {
        guard let settings = config.amqp else { return }
        for (index, url) in settings.urls.enumerated() {
            do {
                _ = try AMQPEndpoint(url: url)
            } catch {
                throw PullFeedCheckError(feed: config.name, key: settings.urls.count == 1 ? "url" : "urls[\(index)]", error.message)
            }
        }
        do {
            _ = try SecretFile.read(path: settings.passwordFile, credential: "amqp password")
        } catch {
            throw PullFeedCheckError(feed: config.name, key: "password_file", "\(error)")
        }
        if let caFile = settings.caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw PullFeedCheckError(feed: config.name, key: "ca_file", "cannot read \(caFile)")
        }
    }

    /// The broker nodes of the feed's `url` or `urls`, in order, each with the password from
    /// `password_file`.
    func endpoints() throws -> [AMQPEndpoint] {
        let password = try SecretFile.read(path: settings.passwordFile, credential: "amqp password")
        return try settings.urls.map { url in
            var endpoint = try AMQPEndpoint(url: url)
            if let password { endpoint.password = password }
            return endpoint
        }
    }

    /// Consumes until the task is cancelled or the pipeline stops taking frames. Throws only
    /// when the URL or the password file cannot be read.
    public func run() async throws {
        let endpoints = try endpoints()
        var connectionSettings = AMQPConnection.Settings(caFile: settings.caFile)
        connectionSettings.heartbeatSeconds = 30
        let prefetch = UInt16(clamping: settings.prefetch)
        let session = AMQPQueueSession()
        defer { session.shutdown() }
        let ledger = AMQPQueueLedger()
        var backoff = backoff
        var connectionNumber = 0
        var nextNode = 0
        var lastFailure: String?
        var connected = false
        var skipThrough = committedDigest
        let lastDelivered = AMQPQueueLedger.Digest()
        while !Task.isCancelled {
            do {
                let (node, index) = try await session.connect(
                    toFirstOf: endpoints, startingAt: nextNode, settings: connectionSettings, queue: settings.queue,
                    prefetch: prefetch)
                // After this connection is lost, the next node first (the same one comes last).
                nextNode = (index + 1) % endpoints.count
                connectionNumber += 1
                ledger.connected(connectionNumber)
                if connectionNumber > 1 { sink.counters.reconnected() }
                sink.counters.connectionOpened()
                sink.counters.pull.succeeded(at: WallClock.milliseconds)
                connected = true
                logger.info(
                    "feed consuming an AMQP queue",
                    metadata: ["feed": "\(config.name)", "node": "\(node)", "queue": "\(settings.queue)", "prefetch": "\(prefetch)"])
                lastFailure = nil
                backoff.reset()
                let finished = try await consume(
                    session, ledger: ledger, connection: connectionNumber, skipThrough: skipThrough,
                    lastDelivered: lastDelivered)
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
                sink.counters.pull.failed(reason)
                if reason != lastFailure {
                    logger.error(
                        "amqp feed lost its broker or cannot reach it; retrying with backoff (unacknowledged messages come back)",
                        metadata: ["feed": "\(config.name)", "queue": "\(settings.queue)", "error": "\(reason)"])
                    lastFailure = reason
                }
                if Task.isCancelled { break }
                // What was handed over still commits (it is in the pipeline's queue); once it has,
                // the broker's redeliveries of it can be recognised and skipped.
                let clock = ContinuousClock()
                let deadline = clock.now + drainTimeout
                while ledger.uncommitted > 0 && clock.now < deadline && !Task.isCancelled {
                    await ledger.waitForCommit(timeout: .milliseconds(200))
                }
                skipThrough = ledger.uncommitted == 0 ? (lastDelivered.value ?? skipThrough) : nil
                try? await Task.sleep(for: backoff.nextDelay())
            }
        }
        await session.close(acknowledging: nil)
    }

    /// Reads and hands over messages until the task is cancelled (true) or the pipeline stops
    /// taking frames (true); throws when the connection is lost.
    private func consume(
        _ session: AMQPQueueSession, ledger: AMQPQueueLedger, connection: Int, skipThrough: String?,
        lastDelivered: AMQPQueueLedger.Digest
    ) async throws -> Bool {
        let name = config.name
        let maxBytes = config.maxFrameBytes
        let queue = settings.queue
        var pending = try await skipCommitted(session, ledger: ledger, connection: connection, through: skipThrough)
        while !Task.isCancelled {
            // With messages waiting for their commit, reading blocks no longer than a poll: the
            // acks that commit allows are what lets the broker send more.
            let waiting = ledger.uncommitted > 0
            var deliveries = pending
            pending = []
            if deliveries.isEmpty {
                deliveries = try await session.exchange(
                    acknowledging: ledger.takeAcknowledgements(), maxCount: Int(settings.prefetch),
                    wait: waiting ? .zero : .milliseconds(250))
            }
            if deliveries.isEmpty {
                if waiting { await ledger.waitForAcknowledgements(timeout: .seconds(1)) }
                continue
            }
            let now = WallClock.milliseconds
            sink.counters.pull.succeeded(at: now)
            for (index, delivery) in deliveries.enumerated() {
                let digest = Self.digest(of: delivery.body)
                let position = FramePosition.file(name: "\(queue)#\(digest)", offset: Int64(delivery.deliveryTag))
                var frame: Frame
                if delivery.body.count > maxBytes {
                    frame = Frame(
                        feed: name, position: position, bytes: Array(delivery.body.prefix(keptPrefixBytes)), receivedAtMilliseconds: now,
                        framingError: "message of \(delivery.body.count) bytes exceeds max_frame_bytes; first \(keptPrefixBytes) bytes kept")
                } else {
                    frame = Frame(feed: name, position: position, bytes: delivery.body, receivedAtMilliseconds: now)
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
                lastDelivered.value = digest
                guard await sink.deliver(frame) else { return true }
            }
        }
        return true
    }

    /// The first deliveries of a connection: the redelivered ones up to and including the one
    /// whose digest is `digest` (the first such) were committed before, and are acknowledged
    /// now; the others are returned to be handed over. Redelivered messages come first and are
    /// at most a prefetch window: they are gathered until a new one, a full window, or a quiet
    /// moment.
    private func skipCommitted(
        _ session: AMQPQueueSession, ledger: AMQPQueueLedger, connection: Int, through digest: String?
    ) async throws -> [AMQPDelivery] {
        guard let digest else { return [] }
        var run: [AMQPDelivery] = []
        while run.count < Int(settings.prefetch) && run.allSatisfy(\.redelivered) {
            let more = try await session.exchange(
                acknowledging: nil, maxCount: Int(settings.prefetch) - run.count, wait: .milliseconds(run.isEmpty ? 1_000 : 200))
            if more.isEmpty { break }
            run += more
        }
        let redelivered = run.prefix { $0.redelivered }
        guard let match = redelivered.firstIndex(where: { Self.digest(of: $0.body) == digest }) else { return run }
        ledger.delivered(through: run[match].deliveryTag)
        ledger.committed(connection: connection, through: run[match].deliveryTag)
        logger.notice(
            "amqp feed: messages committed before the restart came back unacknowledged; acknowledging them without applying them again",
            metadata: ["feed": "\(config.name)", "messages": "\(match + 1)"])
        return Array(run[(match + 1)...])
    }

    /// What a frame's position and the feed's checkpoint say of a message: its length and a
    /// 64-bit FNV-1a hash of its bytes.
    public static func digest(of body: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body {
            hash ^= UInt64(byte)
            hash = hash &* 0x0100_0000_01b3
        }
        return "\(body.count):" + String(hash, radix: 16)
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
