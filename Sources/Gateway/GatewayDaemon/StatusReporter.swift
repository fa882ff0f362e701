import Configuration
import FeedIngest
import FlightModel
import HistoryStore
import JSON
import Logging
import Publisher
import Synchronization
import Systemd

/// Every two seconds: the one-line `STATUS=` for `systemctl status`, `WATCHDOG=1` when the
/// pipeline progresses (``PipelineProgress/isProgressing``, the verdict `/healthz` gives too: a
/// health-gated watchdog, not a timer), and the retained `feeds/{feed}/status` topics when they
/// changed.
final class StatusReporter: Sendable {
    let topicRoot: String
    let broker: BrokerLink
    let writer: HistoryWriter
    let publisher: OutboxPublisher
    let feeds: FeedRoster
    let progress: PipelineProgress
    let notifier: SystemdNotifier
    let logger: Logger
    private let lastPayloads = Mutex<[String: [UInt8]]>([:])

    init(
        topicRoot: String, broker: BrokerLink, writer: HistoryWriter, publisher: OutboxPublisher,
        feeds: FeedRoster, progress: PipelineProgress, notifier: SystemdNotifier, logger: Logger
    ) {
        self.topicRoot = topicRoot
        self.broker = broker
        self.writer = writer
        self.publisher = publisher
        self.feeds = feeds
        self.progress = progress
        self.notifier = notifier
        self.logger = logger
    }

    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(2))
            // Alive: idle waiting for frames, or committed or retried within the stall limit.
            if progress.isProgressing { notifier.post(.watchdog) }
            notifier.post(.status(await statusLine()))
            await publishFeedStatus()
        }
    }

    /// `feeds 2/2 up · lag 0.4 s · outbox 0 · mqtt up · pg up`, after a refused reload's reason
    /// until a reload succeeds.
    func statusLine() async -> String {
        let pending = await publisher.pendingCount
        let outage = writer.outage
        let running = feeds.feeds
        let up = running.filter(\.isUp).count
        let lag = (Double(progress.lastLagMilliseconds) / 100).rounded() / 10
        let line = "feeds \(up)/\(running.count) up · lag \(lag) s · outbox \(pending) · mqtt \(broker.isConnected ? "up" : "down") · pg \(outage ? "down" : "up")"
        return feeds.reloadProblem.map { "\($0) · \(line)" } ?? line
    }

    private func publishFeedStatus() async {
        var messages: [OutgoingMessage] = []
        for running in feeds.feeds {
            let feed = running.config
            let snapshot = running.counters.snapshot
            var writer = JSONWriter(capacity: 200)
            writer.beginObject()
            writer.field("schema", "flightedge.feed-status/1")
            writer.field("feed", feed.name)
            writer.key("connected")
            writer.bool(feed.transport == .tcpConnect ? snapshot.openConnections > 0 : snapshot.openConnections > 0 || feed.transport != .tcpListen)
            writer.field(
                "last_frame_at",
                snapshot.lastFrameAtMilliseconds > 0 ? Timestamp(millisecondsSinceEpoch: snapshot.lastFrameAtMilliseconds).iso8601 : nil)
            writer.field("frames", snapshot.frames)
            writer.field("rejected", snapshot.rejected)
            writer.field("lag_ms", progress.lastLagMilliseconds)
            writer.endObject()
            let topic = "\(topicRoot)/feeds/\(feed.name)/status"
            let changed = lastPayloads.withLock { last -> Bool in
                if last[topic] == writer.bytes { return false }
                last[topic] = writer.bytes
                return true
            }
            if changed {
                messages.append(OutgoingMessage(
                    topic: topic, payload: writer.bytes, qos: 1, retain: true, schema: "flightedge.feed-status/1"))
            }
        }
        if !messages.isEmpty { await publisher.enqueueState(messages) }
    }
}
