import Configuration
import FeedIngest
import FlightModel
import HistoryStore
import Metrics
import Publisher
import Synchronization
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

        var isHealthy: Bool { databaseUp && brokerUp && !feeds.contains(where: \.isStale) }
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
            outboxRows: outbox.rows, outboxOldestAgeSeconds: outbox.oldestAgeSeconds, feeds: feeds)
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
        writer.field("outbox_unpublished", snapshot.outboxRows)
        writer.key("outbox_oldest_age_seconds")
        writer.raw(Array(PrometheusText.format(snapshot.outboxOldestAgeSeconds.rounded(toPlaces: 3)).utf8))
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
            writer.raw(Array(PrometheusText.format(feed.silentSeconds.rounded(toPlaces: 1)).utf8))
            if let staleAfter = feed.config.staleAfterSeconds { writer.field("stale_after_seconds", staleAfter) }
            writer.field("frames", feed.counters.frames)
            writer.field("rejected", feed.counters.rejected)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    /// `/metrics` in the Prometheus text format.
    func metricsText(_ snapshot: Snapshot) -> String {
        var text = PrometheusText()
        let feeds = snapshot.feeds
        func perFeed(_ value: (FeedView) -> Int64) -> [(labels: [(String, String)], value: Int64)] {
            feeds.map { ([("feed", $0.config.name)], value($0)) }
        }
        func perFeedGauge(_ value: (FeedView) -> Double) -> [(labels: [(String, String)], value: Double)] {
            feeds.map { ([("feed", $0.config.name)], value($0)) }
        }
        text.counter("flightedge_feed_frames_total", help: "Frames received per feed.", perFeed { $0.counters.frames })
        text.counter(
            "flightedge_feed_rejected_frames_total", help: "Frames rejected per feed (kept in rejected_frames).",
            perFeed { $0.counters.rejected })
        text.counter(
            "flightedge_feed_skipped_bytes_total", help: "Bytes outside any frame (stx-etx), skipped.",
            perFeed { $0.counters.skippedBytes })
        text.counter(
            "flightedge_feed_refused_connections_total", help: "Connections refused (allow list, connection limit).",
            perFeed { $0.counters.refusedPeers })
        text.counter(
            "flightedge_feed_reconnects_total", help: "Reconnects of tcp-connect feeds.", perFeed { $0.counters.reconnects })
        text.gauge(
            "flightedge_feed_connections", help: "Open connections (tcp) or open files (tail-file) per feed.",
            perFeedGauge { Double($0.counters.openConnections) })
        text.gauge("flightedge_feed_up", help: "1 when the feed can receive.", perFeedGauge { $0.isUp ? 1 : 0 })
        text.gauge(
            "flightedge_feed_silent_seconds", help: "Seconds since the feed's last frame (since start when none).",
            perFeedGauge { $0.silentSeconds })
        text.gauge("flightedge_feed_stale", help: "1 when the feed is silent past its stale_after.", perFeedGauge { $0.isStale ? 1 : 0 })
        text.counter(
            "flightedge_frames_committed_total", help: "Frames whose batch committed (used or rejected).",
            progress.committedFrames)
        text.counter("flightedge_updates_committed_total", help: "Flight updates committed to PostgreSQL.", progress.committedUpdates)
        text.counter("flightedge_events_derived_total", help: "Events derived and committed to the outbox.", progress.derivedEvents)
        text.counter(
            "flightedge_messages_published_total", help: "MQTT messages (events and state) acknowledged by the broker.",
            snapshot.publishedMessages)
        text.histogram("flightedge_batch_frames", help: "Frames per committed batch.", metrics.batchFrames)
        text.histogram("flightedge_commit_seconds", help: "Time to commit one batch.", metrics.commitSeconds)
        text.histogram(
            "flightedge_publish_seconds", help: "Time from handing a message to the broker to its PUBACK.", metrics.publishSeconds)
        text.histogram(
            "flightedge_receipt_to_puback_seconds",
            help: "Time from a frame's receipt to the PUBACK of the events and state it caused.", metrics.receiptToPubackSeconds)
        text.gauge("flightedge_publisher_pending_messages", help: "Messages in memory or in flight to the broker.", Double(snapshot.pendingMessages))
        text.gauge("flightedge_outbox_unpublished_rows", help: "Outbox rows not yet acknowledged by the broker.", Double(snapshot.outboxRows))
        text.gauge(
            "flightedge_outbox_oldest_unpublished_age_seconds", help: "Age of the oldest unacknowledged outbox row.",
            snapshot.outboxOldestAgeSeconds)
        text.gauge("flightedge_pipeline_lag_seconds", help: "Receipt to commit of the oldest frame of the last batch.",
            Double(progress.lastLagMilliseconds) / 1000)
        text.gauge("flightedge_database_up", help: "1 when PostgreSQL takes commits.", snapshot.databaseUp ? 1 : 0)
        text.counter("flightedge_database_outages_total", help: "Times PostgreSQL became unreachable.", Int64(snapshot.databaseOutages))
        text.gauge("flightedge_broker_up", help: "1 when the MQTT broker connection is up.", snapshot.brokerUp ? 1 : 0)
        text.counter("flightedge_broker_reconnects_total", help: "Reconnects to the MQTT broker.", metrics.brokerReconnectCount)
        text.counter(
            "flightedge_mqtt_publish_refusals_total", help: "Publishes the broker refused (its ACL); each is retried with backoff.",
            metrics.publishRefusalCount)
        return text.text
    }
}

extension Double {
    fileprivate func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
