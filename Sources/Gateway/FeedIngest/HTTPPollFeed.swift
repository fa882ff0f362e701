import Configuration
import FeedFraming
import Logging
import Timing

/// `transport = "http-poll"`: asks the AODB's web service every `interval` (DESIGN.md "Pull
/// transports"). A new answer's body is a frame (`framing = "file"`, the default for aidx and
/// mvt) or is cut into frames (`lf` for csv and jsonl); each frame's position is the poll's time,
/// the answer's ETag and the offset. When to ask and with which conditional headers is
/// ``HTTPPollPolicy``'s: a 304, or a body equal to the last one, delivers nothing, so an
/// unchanged answer costs one request and no decoding. A body over `max_frame_bytes` is a
/// rejected frame holding its first bytes. The feed counts as up while its last poll was
/// answered; the loss and the recovery are logged once each.
///
/// Flights missing from a full answer are left as they are: a poll window is not a cancellation.
public struct HTTPPollFeed: Sendable {
    public let config: FeedConfig
    public let sink: FrameSink
    public let logger: Logger
    /// The wait a body asks for (an AIDX `FlightLegRS`'s warnings), or nil.
    public let requestedWait: @Sendable ([UInt8]) -> Duration?

    public init(
        config: FeedConfig, sink: FrameSink, logger: Logger, requestedWait: @escaping @Sendable ([UInt8]) -> Duration? = { _ in nil }
    ) {
        self.config = config
        self.sink = sink
        self.logger = logger
        self.requestedWait = requestedWait
    }

    /// Polls until the task is cancelled; throws only when the feed cannot start (an unreadable
    /// body file, secret or CA file).
    public func run() async throws {
        guard let settings = config.httpPoll else { return }
        let client = try HTTPPollClient(feed: config)
        var poller = Poller(policy: HTTPPollPolicy(interval: settings.interval, maxBackoff: settings.maxBackoff))
        while !Task.isCancelled {
            let wait = await poll(client, &poller)
            guard let wait else { break }
            do { try await Task.sleep(for: wait) } catch { break }
        }
        if poller.isUp { sink.counters.connectionClosed() }
        await client.shutdown()
    }

    /// What one feed remembers between polls.
    struct Poller {
        var policy: HTTPPollPolicy
        var lastBody: Int?
        var isUp = false
        var random = SystemRandomNumberGenerator()
    }

    /// One poll: the request, its outcome delivered and counted; the wait before the next, or nil
    /// when the pipeline takes no more frames (shutdown).
    private func poll(_ client: HTTPPollClient, _ poller: inout Poller) async -> Duration? {
        let counters = sink.counters.pull
        let polledAt = WallClock.milliseconds
        counters.polled()
        let outcome: HTTPPollPolicy.Outcome
        var frames: [Frame] = []
        do {
            let response = try await client.fetch(conditional: poller.policy.conditionalHeaders)
            var hasher = Hasher()
            hasher.combine(response.size)
            response.body.withUnsafeBytes { hasher.combine(bytes: $0) }
            let digest = hasher.finalize()
            let isBody = (200..<300).contains(response.status)
            let bodyWait = isBody && !response.isOversize ? requestedWait(response.body) : nil
            outcome = poller.policy.response(
                status: response.status, headers: response.headers, sameBody: isBody && digest == poller.lastBody,
                bodyWait: bodyWait, random: &poller.random)
            switch outcome {
            case .fresh, .serverWait(_, body: true):
                poller.lastBody = digest
                frames = self.frames(of: response, polledAt: polledAt, tag: poller.policy.tag, maxBytes: client.maxBodyBytes)
            case .unchanged, .serverWait, .failed: break
            }
        } catch is CancellationError {
            return nil
        } catch {
            outcome = poller.policy.failed("\(error)", random: &poller.random)
        }
        record(outcome, at: polledAt, poller: &poller)
        for frame in frames {
            guard await sink.deliver(frame) else { return nil }
        }
        return outcome.wait
    }

    /// Counts the outcome and logs a change between answered and failing.
    private func record(_ outcome: HTTPPollPolicy.Outcome, at polledAt: Int64, poller: inout Poller) {
        let counters = sink.counters.pull
        let metadata: Logger.Metadata = ["feed": "\(config.name)"]
        switch outcome {
        case .failed(let wait, let reason):
            counters.failed(reason)
            if poller.isUp || poller.policy.failures == 1 {
                logger.error(
                    "feed poll failed; retrying with backoff",
                    metadata: metadata.merging(["error": "\(reason)", "retry_in": "\(wait)"]) { $1 })
            }
            if poller.isUp { sink.counters.connectionClosed() }
            poller.isUp = false
            return
        case .unchanged: counters.answeredUnchanged()
        case .serverWait(let wait, _):
            counters.serverImposedWait(milliseconds: HTTPPollPolicy.milliseconds(wait))
            logger.notice("feed server asks for a wait", metadata: metadata.merging(["wait": "\(wait)"]) { $1 })
        case .fresh: break
        }
        counters.succeeded(at: polledAt)
        if !poller.isUp {
            sink.counters.connectionOpened()
            poller.isUp = true
            logger.info("feed answered", metadata: metadata.merging(["url": "\(config.httpPoll?.url ?? "")"]) { $1 })
        }
    }

    /// The frames of a new body: one, or the framer's lines; an oversize body one rejected frame.
    func frames(of response: HTTPPollResponse, polledAt: Int64, tag: String?, maxBytes: Int) -> [Frame] {
        let (frames, skipped) = Self.frames(of: response, config: config, polledAt: polledAt, tag: tag, maxBytes: maxBytes)
        if skipped > 0 { sink.counters.bytesSkipped(skipped) }
        return frames
    }

    /// The frames of `response` for `config`, and the bytes its framing skipped.
    static func frames(
        of response: HTTPPollResponse, config: FeedConfig, polledAt: Int64, tag: String?, maxBytes: Int
    ) -> (frames: [Frame], skipped: Int64) {
        let position = { (offset: Int64, _: Int64) in FramePosition.poll(at: polledAt, tag: tag, offset: offset) }
        if response.isOversize {
            let limit = config.framing == .file ? "max_frame_bytes (\(config.maxFrameBytes))" : "\(maxBytes) bytes"
            let frame = Frame(
                feed: config.name, position: position(0, 0), bytes: response.body, receivedAtMilliseconds: polledAt,
                framingError: "response of \(response.size) bytes exceeds \(limit); first \(response.body.count) bytes kept")
            return ([frame], 0)
        }
        let (outputs, skipped) = WholeInputFraming.frames(
            of: response.body, framing: config.framing, maxFrameBytes: config.maxFrameBytes)
        return (outputs.map { Frame($0, feed: config.name, receivedAtMilliseconds: polledAt, position: position) }, skipped)
    }
}
