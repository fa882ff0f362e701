import Configuration
import FeedIngest
import FlightModel
import HistoryStore
import JSON
import Publisher
import Synchronization
import Telemetry
import Timing

/// Looks at every part of the running gateway at one moment, for `/healthz`, `/metrics` and
/// the status line: the same truth everywhere.
final class GatewayObserver: Sendable {
    let writer: HistoryWriter
    let broker: BrokerLink
    let publisher: OutboxPublisher
    let feeds: FeedRoster
    let progress: PipelineProgress
    let metrics: GatewayMetrics
    let startedAtMilliseconds = Timestamp.now.millisecondsSinceEpoch
    /// Unpublished outbox rows and the age of the oldest, from the last look at PostgreSQL.
    let outbox = Mutex<(rows: Int64, oldestAgeSeconds: Double)>((0, 0))

    init(
        writer: HistoryWriter, broker: BrokerLink, publisher: OutboxPublisher,
        feeds: FeedRoster, progress: PipelineProgress, metrics: GatewayMetrics
    ) {
        self.writer = writer
        self.broker = broker
        self.publisher = publisher
        self.feeds = feeds
        self.progress = progress
        self.metrics = metrics
    }

    /// One feed as health sees it.
    struct FeedView: Sendable {
        var config: FeedConfig
        var counters: FeedCounters.Snapshot
        /// Seconds since the last frame (since start when none came yet).
        var silentSeconds: Double
        var isStale: Bool
        /// Can receive: a listener or watcher runs; a `tcp-connect` feed is connected.
        var isUp: Bool
    }

    /// Everything at one moment.
    struct Snapshot: Sendable {
        var databaseUp: Bool
        var databaseOutages: Int
        var brokerUp: Bool
        var pendingMessages: Int
        var publishedMessages: Int64
        var outboxRows: Int64
        var outboxOldestAgeSeconds: Double
        var feeds: [FeedView]
        /// Seconds the pipeline has held work without progress (0 when idle).
        var pipelineStalledSeconds: Double = 0
        /// The pipeline progresses: the watchdog's verdict (``PipelineProgress/isProgressing``).
        var pipelineProgressing = true

        var isHealthy: Bool { databaseUp && brokerUp && pipelineProgressing && !feeds.contains(where: \.isStale) }
    }

    func snapshot() async -> Snapshot {
        let now = Timestamp.now.millisecondsSinceEpoch
        let feeds = feeds.feeds.map { running -> FeedView in
            let feed = running.config
            let snapshot = running.counters.snapshot
            let last = snapshot.lastFrameAtMilliseconds > 0 ? snapshot.lastFrameAtMilliseconds : startedAtMilliseconds
            let silent = Double(max(0, now - last)) / 1000
            let stale = feed.staleAfterSeconds.map { silent > Double($0) } ?? false
            let up = running.isUp
            return FeedView(config: feed, counters: snapshot, silentSeconds: silent, isStale: stale, isUp: up)
        }
        let outbox = outbox.withLock { $0 }
        return Snapshot(
            databaseUp: !writer.outage, databaseOutages: writer.outages, brokerUp: broker.isConnected,
            pendingMessages: await publisher.pendingCount, publishedMessages: await publisher.published,
            outboxRows: outbox.rows, outboxOldestAgeSeconds: outbox.oldestAgeSeconds, feeds: feeds,
            pipelineStalledSeconds: progress.stalledSeconds, pipelineProgressing: progress.isProgressing)
    }

    /// Every few seconds: how much of the outbox waits, and since when. A separate loop, so a
    /// database outage only makes this figure stale, never the health endpoint slow.
    func watchOutbox(every interval: Duration = .seconds(5)) async {
        while !Task.isCancelled {
            if let backlog = try? await writer.outboxBacklog() {
                outbox.withLock { $0 = (backlog.rows, backlog.oldestAgeSeconds) }
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// `/healthz`: the verdict and why, as JSON.
    func healthJSON(_ snapshot: Snapshot) -> [UInt8] {
        var writer = JSONWriter(capacity: 512)
        writer.beginObject()
        writer.field("status", snapshot.isHealthy ? "ok" : "unhealthy")
        writer.field("database", snapshot.databaseUp ? "up" : "down")
        writer.field("broker", snapshot.brokerUp ? "up" : "down")
        writer.field("pipeline", snapshot.pipelineProgressing ? "progressing" : "stalled")
        writer.key("pipeline_stalled_seconds")
        writer.raw(Array(NumberText.format(snapshot.pipelineStalledSeconds.rounded(toPlaces: 1)).utf8))
        writer.field("outbox_unpublished", snapshot.outboxRows)
        writer.key("outbox_oldest_age_seconds")
        writer.raw(Array(NumberText.format(snapshot.outboxOldestAgeSeconds.rounded(toPlaces: 3)).utf8))
        writer.key("feeds")
        writer.beginArray()
        for feed in snapshot.feeds {
            writer.beginObject()
            writer.field("name", feed.config.name)
            writer.key("up")
            writer.bool(feed.isUp)
            writer.key("stale")
            writer.bool(feed.isStale)
            writer.key("silent_seconds")
            writer.raw(Array(NumberText.format(feed.silentSeconds.rounded(toPlaces: 1)).utf8))
            if let staleAfter = feed.config.staleAfterSeconds { writer.field("stale_after_seconds", staleAfter) }
            writer.field("frames", feed.counters.frames)
            writer.field("rejected", feed.counters.rejected)
            if feed.config.transport == .tcpListen {
                // Slot use: a feed whose slots are all taken refuses its next sender.
                writer.field("connections", feed.counters.openConnections)
                writer.field("connection_slots", feed.counters.connectionSlots)
                writer.field("refused_connections", feed.counters.refusedPeers)
                writer.field("frame_timeouts", feed.counters.frameTimeouts)
            }
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }
}

extension Double {
    fileprivate func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
