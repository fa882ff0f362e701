import CoreMetrics
import Prometheus
import Synchronization

/// The gateway's measurements (DESIGN.md §1 stages) as swift-metrics instruments over one
/// swift-prometheus registry, and `/metrics` as that registry's exposition.
///
/// The hot paths record into the instruments directly (per batch, per acknowledged message).
/// Figures kept elsewhere (feed counters, pipeline progress, the outbox) are read at scrape
/// time: ``exposition(of:)`` brings the scrape-time instruments up to them, then emits.
public final class GatewayMetrics: Sendable {
    /// Frames per committed batch.
    public let batchFrames: Recorder
    /// One batch's transaction, sent to committed.
    public let commitSeconds: LatencyHistogram
    /// A frame's receipt to the PUBACK of an event or state it caused.
    public let receiptToPubackSeconds: LatencyHistogram
    /// Handing a message to the broker to its PUBACK.
    public let publishSeconds: LatencyHistogram
    /// The broker connection came back after being lost.
    public let brokerReconnects: CoreMetrics.Counter
    /// The broker refused a publish (PUBACK reason 0x80 or more: its ACL, a quota).
    public let publishRefusals: CoreMetrics.Counter

    private let factory: PrometheusMetricsFactory
    private let scraped: Mutex<ScrapedInstruments>

    /// Makes every instrument in `factory.registry`, which should hold nothing else of these
    /// names. One registry per gateway: the daemon makes its own, and so can each test.
    public init(factory: PrometheusMetricsFactory) {
        self.factory = factory
        batchFrames = factory.recorder("flightedge_batch_frames", help: "Frames per committed batch.", buckets: Self.batchSizes)
        // The latencies are ours, not the registry's: recorded per acknowledged message, where
        // swift-prometheus's histogram cost ~420 instructions a value (see LatencyHistogram).
        commitSeconds = LatencyHistogram(
            name: "flightedge_commit_seconds", help: "Time to commit one batch.", buckets: Self.latencyBuckets)
        publishSeconds = LatencyHistogram(
            name: "flightedge_publish_seconds", help: "Time from handing a message to the broker to its PUBACK.",
            buckets: Self.latencyBuckets)
        receiptToPubackSeconds = LatencyHistogram(
            name: "flightedge_receipt_to_puback_seconds",
            help: "Time from a frame's receipt to the PUBACK of the events and state it caused.", buckets: Self.latencyBuckets)
        brokerReconnects = factory.counter("flightedge_broker_reconnects_total", help: "Reconnects to the MQTT broker.")
        publishRefusals = factory.counter(
            "flightedge_mqtt_publish_refusals_total",
            help: "Publishes the broker refused (its ACL); each is retried with backoff.")
        scraped = Mutex(ScrapedInstruments(factory: factory))
    }

    /// `/metrics`: the scrape-time instruments set from `figures`, then the whole registry in the
    /// Prometheus text format (version 0.0.4). Scrapes run one at a time.
    public func exposition(of figures: GatewayFigures) -> [UInt8] {
        scraped.withLock { instruments in
            instruments.update(from: figures, factory: factory)
            var text: [UInt8] = []
            text.reserveCapacity(8192)
            factory.registry.emit(into: &text)
            for histogram in [commitSeconds, publishSeconds, receiptToPubackSeconds] { histogram.emit(into: &text) }
            return text
        }
    }

    /// The `Content-Type` of ``exposition(of:)``.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Seconds from 100 µs to 60 s, in 100 µs steps up to 1 ms where the latency targets sit.
    public static let latencySeconds: [Double] = [
        0.0001, 0.0002, 0.0003, 0.0004, 0.0005, 0.0006, 0.0007, 0.0008, 0.0009, 0.001, 0.00125, 0.0015, 0.00175,
        0.002, 0.0025, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
    ]

    /// Frames per batch, 1 to the batch limit.
    public static let batchSizes: [Double] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000]

    static let latencyBuckets: [Duration] = latencySeconds.map { .nanoseconds(Int64(($0 * 1e9).rounded())) }
}

/// The instruments set at scrape time, and the last totals they followed.
private struct ScrapedInstruments: Sendable {
    var feeds: [String: FeedInstruments] = [:]
    var committedFrames: FollowedTotal
    var committedUpdates: FollowedTotal
    var derivedEvents: FollowedTotal
    var publishedMessages: FollowedTotal
    var databaseOutages: FollowedTotal
    let pendingMessages: Meter
    let outboxRows: Meter
    let outboxOldestAge: Meter
    let pipelineLag: Meter
    let databaseUp: Meter
    let brokerUp: Meter

    init(factory: PrometheusMetricsFactory) {
        committedFrames = FollowedTotal(
            factory.counter("flightedge_frames_committed_total", help: "Frames whose batch committed (used or rejected)."))
        committedUpdates = FollowedTotal(
            factory.counter("flightedge_updates_committed_total", help: "Flight updates committed to PostgreSQL."))
        derivedEvents = FollowedTotal(
            factory.counter("flightedge_events_derived_total", help: "Events derived and committed to the outbox."))
        publishedMessages = FollowedTotal(
            factory.counter(
                "flightedge_messages_published_total", help: "MQTT messages (events and state) acknowledged by the broker."))
        databaseOutages = FollowedTotal(
            factory.counter("flightedge_database_outages_total", help: "Times PostgreSQL became unreachable."))
        pendingMessages = factory.meter(
            "flightedge_publisher_pending_messages",
            help: "Messages in memory or in flight to the broker, and events handed over that wait in the outbox only.")
        outboxRows = factory.meter(
            "flightedge_outbox_unpublished_rows", help: "Outbox rows not yet acknowledged by the broker.")
        outboxOldestAge = factory.meter(
            "flightedge_outbox_oldest_unpublished_age_seconds", help: "Age of the oldest unacknowledged outbox row.")
        pipelineLag = factory.meter(
            "flightedge_pipeline_lag_seconds", help: "Receipt to commit of the oldest frame of the last batch.")
        databaseUp = factory.meter("flightedge_database_up", help: "1 when PostgreSQL takes commits.")
        brokerUp = factory.meter("flightedge_broker_up", help: "1 when the MQTT broker connection is up.")
    }

    mutating func update(from figures: GatewayFigures, factory: PrometheusMetricsFactory) {
        var current = Set<String>()
        for feed in figures.feeds {
            current.insert(feed.name)
            var instruments = feeds[feed.name] ?? FeedInstruments(feed: feed.name, factory: factory, pull: feed.pull != nil)
            instruments.update(from: feed)
            feeds[feed.name] = instruments
        }
        for (name, instruments) in feeds where !current.contains(name) {
            instruments.destroy()
            feeds[name] = nil
        }
        committedFrames.follow(figures.committedFrames)
        committedUpdates.follow(figures.committedUpdates)
        derivedEvents.follow(figures.derivedEvents)
        publishedMessages.follow(figures.publishedMessages)
        databaseOutages.follow(figures.databaseOutages)
        pendingMessages.set(figures.pendingMessages)
        outboxRows.set(figures.outboxRows)
        outboxOldestAge.set(figures.outboxOldestAgeSeconds)
        pipelineLag.set(figures.pipelineLagSeconds)
        databaseUp.set(figures.databaseUp ? 1 : 0)
        brokerUp.set(figures.brokerUp ? 1 : 0)
    }
}

/// One feed's instruments, labelled `feed`.
private struct FeedInstruments: Sendable {
    var frames: FollowedTotal
    var rejectedFrames: FollowedTotal
    var skippedBytes: FollowedTotal
    var refusedConnections: FollowedTotal
    var reconnects: FollowedTotal
    let connections: Meter
    let connectionSlots: Meter
    let up: Meter
    let silentSeconds: Meter
    let stale: Meter
    var pull: PullInstruments?

    init(feed: String, factory: PrometheusMetricsFactory, pull: Bool = false) {
        let labels = [("feed", feed)]
        self.pull = pull ? PullInstruments(feed: feed, factory: factory) : nil
        frames = FollowedTotal(factory.counter("flightedge_feed_frames_total", help: "Frames received per feed.", labels: labels))
        rejectedFrames = FollowedTotal(
            factory.counter(
                "flightedge_feed_rejected_frames_total", help: "Frames rejected per feed (kept in rejected_frames).",
                labels: labels))
        skippedBytes = FollowedTotal(
            factory.counter(
                "flightedge_feed_skipped_bytes_total", help: "Bytes outside any frame (stx-etx), skipped.", labels: labels))
        refusedConnections = FollowedTotal(
            factory.counter(
                "flightedge_feed_refused_connections_total", help: "Connections refused (allow list, connection limit).",
                labels: labels))
        reconnects = FollowedTotal(
            factory.counter("flightedge_feed_reconnects_total", help: "Reconnects of tcp-connect feeds.", labels: labels))
        connections = factory.meter(
            "flightedge_feed_connections", help: "Open connections (tcp) or open files (tail-file) per feed.", labels: labels)
        connectionSlots = factory.meter(
            "flightedge_feed_connection_slots", help: "Connection slots of a listening tcp-listen feed (max_connections).",
            labels: labels)
        up = factory.meter("flightedge_feed_up", help: "1 when the feed can receive.", labels: labels)
        silentSeconds = factory.meter(
            "flightedge_feed_silent_seconds", help: "Seconds since the feed's last frame (since start when none).",
            labels: labels)
        stale = factory.meter("flightedge_feed_stale", help: "1 when the feed is silent past its stale_after.", labels: labels)
    }

    mutating func update(from feed: GatewayFigures.Feed) {
        frames.follow(feed.frames)
        rejectedFrames.follow(feed.rejectedFrames)
        skippedBytes.follow(feed.skippedBytes)
        refusedConnections.follow(feed.refusedConnections)
        reconnects.follow(feed.reconnects)
        connections.set(feed.openConnections)
        connectionSlots.set(feed.connectionSlots)
        up.set(feed.isUp ? 1 : 0)
        silentSeconds.set(feed.silentSeconds)
        stale.set(feed.isStale ? 1 : 0)
        if let figures = feed.pull { pull?.update(from: figures) }
    }

    /// Takes the feed's samples out of the registry.
    func destroy() {
        for total in [frames, rejectedFrames, skippedBytes, refusedConnections, reconnects] { total.counter.destroy() }
        for meter in [connections, connectionSlots, up, silentSeconds, stale] { meter.destroy() }
        pull?.destroy()
    }
}
