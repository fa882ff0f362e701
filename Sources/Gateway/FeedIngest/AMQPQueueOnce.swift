import AMQP
import Configuration
import Logging
import Timing

/// `flightedge poll-once` for an `amqp` feed: the message at the head of the queue, taken with
/// a window of one and given back unacknowledged when the connection closes (the broker
/// delivers it again, marked redelivered). Nothing is kept.
public struct AMQPQueueOnce: PullFetchOnce {
    public let config: FeedConfig
    /// How long to wait for a message before saying the queue is empty.
    public var wait: Duration = .seconds(2)

    public init(config: FeedConfig) {
        self.config = config
    }

    public func fetchOnce() async throws -> PulledOnce {
        let feed = try AMQPQueueFeed(
            config: config, sink: FrameSink(queue: IngestQueue(), counters: FeedCounters(feed: config.name)),
            logger: Logger(label: "poll-once"))
        let endpoints = try feed.endpoints()
        guard let settings = config.amqp else { return PulledOnce(summary: "not an amqp feed", frames: []) }
        let session = AMQPQueueSession()
        defer { session.shutdown() }
        let (node, _) = try await session.connect(
            toFirstOf: endpoints, settings: AMQPConnection.Settings(caFile: settings.caFile), queue: settings.queue, prefetch: 1)
        let deliveries: [AMQPDelivery]
        do {
            deliveries = try await session.exchange(acknowledging: nil, maxCount: 1, wait: wait)
        } catch {
            await session.close(acknowledging: nil)
            throw error
        }
        await session.close(acknowledging: nil)
        guard let delivery = deliveries.first else {
            return PulledOnce(summary: "\(node), queue \(settings.queue): no message within \(wait)", frames: [])
        }
        let digest = AMQPQueueFeed.digest(of: delivery.body)
        let summary =
            "\(node), queue \(settings.queue): one message of \(delivery.body.count) bytes"
            + (delivery.redelivered ? ", redelivered" : "") + (delivery.messageID.map { ", message-id \($0)" } ?? "")
            + " (given back, not acknowledged)"
        var frame = Frame(
            feed: config.name, position: .file(name: "\(settings.queue)#\(digest)", offset: Int64(delivery.deliveryTag)),
            bytes: delivery.body, receivedAtMilliseconds: WallClock.milliseconds)
        if delivery.body.count > config.maxFrameBytes {
            frame.framingError = "message of \(delivery.body.count) bytes exceeds max_frame_bytes"
        }
        return PulledOnce(summary: summary, frames: [frame])
    }
}
