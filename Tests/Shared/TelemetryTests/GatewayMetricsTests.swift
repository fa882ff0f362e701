import CoreMetrics
import Prometheus
import Telemetry
import Testing

/// `/metrics` as dashboards know it: every family the hand-written exposition had, with its
/// type and help text, from swift-metrics instruments over a swift-prometheus registry.
@Suite("GatewayMetrics: the /metrics families, from swift-metrics over swift-prometheus")
struct GatewayMetricsTests {
    /// The families of the hand-written exposition this replaced (`GatewayObserver.metricsText`
    /// before the move): name, type, help.
    static let families: [String: (type: String, help: String)] = [
        "flightedge_feed_frames_total": ("counter", "Frames received per feed."),
        "flightedge_feed_rejected_frames_total": ("counter", "Frames rejected per feed (kept in rejected_frames)."),
        "flightedge_feed_skipped_bytes_total": ("counter", "Bytes outside any frame (stx-etx), skipped."),
        "flightedge_feed_refused_connections_total": ("counter", "Connections refused (allow list, connection limit)."),
        "flightedge_feed_reconnects_total": ("counter", "Reconnects of tcp-connect feeds."),
        "flightedge_feed_connections": ("gauge", "Open connections (tcp) or open files (tail-file) per feed."),
        "flightedge_feed_connection_slots": ("gauge", "Connection slots of a listening tcp-listen feed (max_connections)."),
        "flightedge_feed_up": ("gauge", "1 when the feed can receive."),
        "flightedge_feed_silent_seconds": ("gauge", "Seconds since the feed's last frame (since start when none)."),
        "flightedge_feed_stale": ("gauge", "1 when the feed is silent past its stale_after."),
        "flightedge_frames_committed_total": ("counter", "Frames whose batch committed (used or rejected)."),
        "flightedge_updates_committed_total": ("counter", "Flight updates committed to PostgreSQL."),
        "flightedge_events_derived_total": ("counter", "Events derived and committed to the outbox."),
        "flightedge_messages_published_total": ("counter", "MQTT messages (events and state) acknowledged by the broker."),
        "flightedge_batch_frames": ("histogram", "Frames per committed batch."),
        "flightedge_commit_seconds": ("histogram", "Time to commit one batch."),
        "flightedge_publish_seconds": ("histogram", "Time from handing a message to the broker to its PUBACK."),
        "flightedge_receipt_to_puback_seconds": (
            "histogram", "Time from a frame's receipt to the PUBACK of the events and state it caused."
        ),
        "flightedge_publisher_pending_messages": (
            "gauge", "Messages in memory or in flight to the broker, and events handed over that wait in the outbox only."
        ),
        "flightedge_outbox_unpublished_rows": ("gauge", "Outbox rows not yet acknowledged by the broker."),
        "flightedge_outbox_oldest_unpublished_age_seconds": ("gauge", "Age of the oldest unacknowledged outbox row."),
        "flightedge_pipeline_lag_seconds": ("gauge", "Receipt to commit of the oldest frame of the last batch."),
        "flightedge_database_up": ("gauge", "1 when PostgreSQL takes commits."),
        "flightedge_database_outages_total": ("counter", "Times PostgreSQL became unreachable."),
        "flightedge_broker_up": ("gauge", "1 when the MQTT broker connection is up."),
        "flightedge_broker_reconnects_total": ("counter", "Reconnects to the MQTT broker."),
        "flightedge_mqtt_publish_refusals_total": (
            "counter", "Publishes the broker refused (its ACL); each is retried with backoff."
        ),
    ]

    static func makeMetrics() -> GatewayMetrics {
        GatewayMetrics(factory: PrometheusMetricsFactory(registry: PrometheusCollectorRegistry()))
    }

    static func feed(_ name: String, frames: Int64 = 0) -> GatewayFigures.Feed {
        GatewayFigures.Feed(
            name: name, frames: frames, rejectedFrames: 0, skippedBytes: 0, refusedConnections: 0, reconnects: 0,
            openConnections: 1, isUp: true, silentSeconds: 2.5, isStale: false)
    }

    static func text(_ metrics: GatewayMetrics, _ figures: GatewayFigures) -> String {
        String(decoding: metrics.exposition(of: figures), as: UTF8.self)
    }

    /// `name{labels}` → value, as a scraper reads the samples.
    static func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    @Test func everyFamilyOfTheHandWrittenExpositionKeepsItsNameTypeAndHelp() {
        var figures = GatewayFigures()
        figures.feeds = [Self.feed("aodb")]
        let text = Self.text(Self.makeMetrics(), figures)
        var types: [String: String] = [:]
        var helps: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 3)
            guard parts.count >= 4, parts[0] == "#" else { continue }
            if parts[1] == "TYPE" { types[String(parts[2])] = String(parts[3]) }
            if parts[1] == "HELP" { helps[String(parts[2])] = String(parts[3]) }
        }
        #expect(Set(types.keys) == Set(Self.families.keys), "no family missing, none added")
        for (name, family) in Self.families {
            #expect(types[name] == family.type, "\(name)'s type")
            #expect(helps[name] == family.help, "\(name)'s help")
        }
        // Per-feed families keep their `feed` label.
        #expect(Self.samples(text)[#"flightedge_feed_frames_total{feed="aodb"}"#] == 0)
        #expect(Self.samples(text)[#"flightedge_feed_silent_seconds{feed="aodb"}"#] == 2.5)
    }

    @Test func histogramsKeepTheirBucketBounds() {
        let metrics = Self.makeMetrics()
        metrics.commitSeconds.recordNanoseconds(150_000)  // 0.15 ms: in the 0.2 ms bucket
        metrics.commitSeconds.recordNanoseconds(70_000_000_000)  // past 60 s: +Inf only
        metrics.batchFrames.record(3)
        let samples = Self.samples(Self.text(metrics, GatewayFigures()))
        func bounds(_ name: String) -> [Double] {
            samples.keys.compactMap { key -> Double? in
                guard key.hasPrefix(name + #"_bucket{le=""#) else { return nil }
                return Double(key.dropFirst(name.count + 12).dropLast(2))
            }.sorted()
        }
        for name in ["flightedge_commit_seconds", "flightedge_publish_seconds", "flightedge_receipt_to_puback_seconds"] {
            #expect(bounds(name) == GatewayMetrics.latencySeconds + [.infinity], "\(name)'s buckets, then +Inf")
        }
        #expect(bounds("flightedge_batch_frames") == GatewayMetrics.batchSizes + [.infinity])
        #expect(samples[#"flightedge_commit_seconds_bucket{le="0.0001"}"#] == 0)
        #expect(samples[#"flightedge_commit_seconds_bucket{le="0.0002"}"#] == 1)
        #expect(samples[#"flightedge_commit_seconds_bucket{le="60.0"}"#] == 1)
        #expect(samples[#"flightedge_commit_seconds_bucket{le="+Inf"}"#] == 2)
        #expect(samples["flightedge_commit_seconds_count"] == 2)
        #expect(samples["flightedge_commit_seconds_sum"] == 70.00015)
        #expect(samples[#"flightedge_batch_frames_bucket{le="2.0"}"#] == 0)
        #expect(samples[#"flightedge_batch_frames_bucket{le="5.0"}"#] == 1)
        #expect(samples["flightedge_batch_frames_sum"] == 3)
    }

    @Test func countersFollowTotalsReadAtScrapeTime() {
        let metrics = Self.makeMetrics()
        var figures = GatewayFigures()
        figures.committedUpdates = 20
        figures.feeds = [Self.feed("aodb", frames: 21)]
        #expect(Self.samples(Self.text(metrics, figures))["flightedge_updates_committed_total"] == 20)
        figures.committedUpdates = 35
        figures.feeds = [Self.feed("aodb", frames: 40)]
        let later = Self.samples(Self.text(metrics, figures))
        #expect(later["flightedge_updates_committed_total"] == 35)
        #expect(later[#"flightedge_feed_frames_total{feed="aodb"}"#] == 40)
        // A feed made anew by a reload counts from zero again: the counter resets, as before.
        figures.feeds = [Self.feed("aodb", frames: 3)]
        #expect(Self.samples(Self.text(metrics, figures))[#"flightedge_feed_frames_total{feed="aodb"}"#] == 3)
    }

    @Test func aRemovedFeedLeavesTheExpositionAndANewOneJoins() {
        let metrics = Self.makeMetrics()
        var figures = GatewayFigures()
        figures.feeds = [Self.feed("aodb", frames: 1), Self.feed("legacy", frames: 7)]
        #expect(Self.samples(Self.text(metrics, figures))[#"flightedge_feed_frames_total{feed="legacy"}"#] == 7)
        figures.feeds = [Self.feed("aodb", frames: 1), Self.feed("gates", frames: 2)]
        let text = Self.text(metrics, figures)
        #expect(!text.contains(#"feed="legacy""#))
        #expect(Self.samples(text)[#"flightedge_feed_frames_total{feed="gates"}"#] == 2)
        #expect(Self.samples(text)[#"flightedge_feed_frames_total{feed="aodb"}"#] == 1)
    }

    @Test func brokerEventsCountWhenTheyHappen() {
        let metrics = Self.makeMetrics()
        metrics.brokerReconnects.increment()
        metrics.publishRefusals.increment()
        metrics.publishRefusals.increment()
        let samples = Self.samples(Self.text(metrics, GatewayFigures()))
        #expect(samples["flightedge_broker_reconnects_total"] == 1)
        #expect(samples["flightedge_mqtt_publish_refusals_total"] == 2)
    }
}
