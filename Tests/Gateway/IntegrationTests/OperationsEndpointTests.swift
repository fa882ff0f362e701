import FlightEdgeTestSupport
import Foundation
import MQTT
import Testing

/// `/healthz` and `/metrics` on a running daemon, with real traffic behind the figures.
@Suite("Operations endpoint: /healthz and /metrics")
struct OperationsEndpointTests {
    @Test func metricsCountWhatTheDaemonDidAndHealthIsOK() async throws {
        try await withDaemon { daemon in
            let lines = (1...20).map {
                #"{"airline":"LX","number":"\#($0)","date":"2026-11-24","direction":"departure","gate":"A\#($0)","scheduled":"2026-11-24T10:00:00Z"}"#
            }
            try daemon.send(lines: lines + ["not json"])
            try await eventually("all committed and published") {
                let metrics = try daemon.metrics()
                return metrics["flightedge_updates_committed_total"] == 20
                    && (metrics["flightedge_receipt_to_puback_seconds_count"] ?? 0) >= 20
            }
            let (status, body) = try daemon.http("/metrics")
            #expect(status == 200)
            let samples = MetricSamples(prometheusText: body)
            #expect(samples[#"flightedge_feed_frames_total{feed="aodb"}"#] == 21)
            #expect(samples[#"flightedge_feed_rejected_frames_total{feed="aodb"}"#] == 1)
            #expect(samples["flightedge_events_derived_total"] == 20)  // one gate-change each
            #expect((samples["flightedge_commit_seconds_count"] ?? 0) >= 1)
            #expect((samples["flightedge_batch_frames_sum"] ?? 0) == 21)
            #expect(samples["flightedge_database_up"] == 1)
            #expect(samples["flightedge_broker_up"] == 1)
            #expect(body.contains("# TYPE flightedge_receipt_to_puback_seconds histogram"))
            #expect(body.contains(#"flightedge_receipt_to_puback_seconds_bucket{le="+Inf"}"#))

            let health = try daemon.http("/healthz")
            #expect(health.status == 200)
            let json = try JSONSerialization.jsonObject(with: Data(health.body.utf8)) as? [String: Any]
            #expect(json?["status"] as? String == "ok")
            #expect(json?["database"] as? String == "up")
            #expect(try daemon.http("/nothing").status == 404)
            #expect(daemon.stop() == 0)
        }
    }

    /// Every family of the hand-written exposition before swift-prometheus, with its type: the
    /// names dashboards query.
    static let families: [(name: String, type: String)] = [
        ("flightedge_feed_frames_total", "counter"), ("flightedge_feed_rejected_frames_total", "counter"),
        ("flightedge_feed_skipped_bytes_total", "counter"), ("flightedge_feed_refused_connections_total", "counter"),
        ("flightedge_feed_reconnects_total", "counter"), ("flightedge_feed_connections", "gauge"), ("flightedge_feed_connection_slots", "gauge"),
        ("flightedge_feed_up", "gauge"), ("flightedge_feed_silent_seconds", "gauge"), ("flightedge_feed_stale", "gauge"),
        ("flightedge_frames_committed_total", "counter"), ("flightedge_updates_committed_total", "counter"),
        ("flightedge_events_derived_total", "counter"), ("flightedge_messages_published_total", "counter"),
        ("flightedge_batch_frames", "histogram"), ("flightedge_commit_seconds", "histogram"),
        ("flightedge_publish_seconds", "histogram"), ("flightedge_receipt_to_puback_seconds", "histogram"),
        ("flightedge_publisher_pending_messages", "gauge"), ("flightedge_outbox_unpublished_rows", "gauge"),
        ("flightedge_outbox_oldest_unpublished_age_seconds", "gauge"), ("flightedge_pipeline_lag_seconds", "gauge"),
        ("flightedge_database_up", "gauge"), ("flightedge_database_outages_total", "counter"),
        ("flightedge_broker_up", "gauge"), ("flightedge_broker_reconnects_total", "counter"),
        ("flightedge_mqtt_publish_refusals_total", "counter"),
        // The event stream (ReplayMetrics).
        ("flightedge_replay_requests_total", "counter"), ("flightedge_replay_requests_refused_total", "counter"),
        ("flightedge_replay_events_total", "counter"), ("flightedge_replay_missing_events_total", "counter"),
        ("flightedge_outbox_expired_events_total", "counter"), ("flightedge_outbox_retention_seconds", "gauge"),
        ("flightedge_event_stream_last_seq", "gauge"),
        ("flightedge_retention_deleted_rows_total", "counter"), ("flightedge_retention_seconds", "gauge"),
        ("flightedge_table_bytes", "gauge"),
    ]

    @Test func everyMetricFamilyIsScrapedWithItsType() async throws {
        try await withDaemon { daemon in
            let body = try daemon.http("/metrics").body
            let types = body.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }
            #expect(types.count == Self.families.count, "no family added or missing")
            for family in Self.families {
                #expect(types.contains("# TYPE \(family.name) \(family.type)"), "\(family.name) is a \(family.type)")
            }
            let samples = MetricSamples(prometheusText: body)
            #expect(samples[#"flightedge_feed_up{feed="aodb"}"#] == 1)
            #expect(samples[#"flightedge_feed_up{feed="drop"}"#] == 1)
            #expect(daemon.stop() == 0)
        }
    }

    @Test func theEndpointAnswersWithTheSameStatusesContentTypesAndBodies() async throws {
        try await withDaemon { daemon in
            func exchange(_ request: String) throws -> (head: String, body: String) {
                let reply = String(
                    decoding: try Loopback.exchange(Array(request.utf8), port: daemon.httpPort), as: UTF8.self)
                let parts = reply.components(separatedBy: "\r\n\r\n")
                return (parts[0].lowercased(), parts.dropFirst().joined(separator: "\r\n\r\n"))
            }
            let metrics = try exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(metrics.head.hasPrefix("http/1.1 200"))
            #expect(metrics.head.contains("content-type: text/plain; version=0.0.4; charset=utf-8"))
            #expect(metrics.head.contains("cache-control: no-store"))
            let health = try exchange("GET /healthz?verbose=1 HTTP/1.0\r\n\r\n")
            #expect(health.head.contains(" 200 "))
            #expect(health.head.contains("content-type: application/json"))
            #expect(health.body.hasPrefix(#"{"status":"ok""#))
            let head = try exchange("HEAD /healthz HTTP/1.0\r\n\r\n")
            #expect(head.head.contains(" 200 ") && head.body.isEmpty)
            let post = try exchange("POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n")
            #expect(post.head.contains(" 405 ") && post.body == "GET only\n")
            let missing = try exchange("GET /nothing HTTP/1.0\r\n\r\n")
            #expect(missing.head.contains(" 404 ") && missing.body == "not found: try /healthz or /metrics\n")
            #expect(missing.head.contains("content-type: text/plain; charset=utf-8"))
            #expect(daemon.stop() == 0)
        }
    }

    @Test func aTakenHTTPAddressIsLoggedAndTheGatewayRunsWithoutIt() async throws {
        try await withDaemon(start: false) { daemon in
            let squatter = try TestSender()  // listens on the address the endpoint wants
            try daemon.rewriteConfig(
                base: daemon.baseConfig.replacingOccurrences(
                    of: "listen = \"127.0.0.1:\(daemon.httpPort)\"", with: "listen = \"127.0.0.1:\(squatter.port)\""),
                feeds: "")
            try daemon.start()
            try await eventually("the endpoint's failure is logged") {
                daemon.log.contains("operations endpoint cannot listen; /healthz and /metrics are unavailable")
            }
            try daemon.send(lines: [#"{"airline":"LX","number":"7","date":"2026-11-24","direction":"departure","gate":"B7"}"#])
            let watcher = try MQTTWatcher()
            try watcher.subscribe(daemon.topic("flights/#"))
            let prefix = daemon.topic("flights/LX")
            try await watcher.wait(for: 10, "the flight's retained state") { messages in
                messages.contains { $0.topic.hasPrefix(prefix) }
            }
            #expect(daemon.stop() == 0)
        }
    }

    @Test func aFeedSilentPastStaleAfterMakesHealth503AndSaysWhich() async throws {
        let port = try Loopback.freePort()
        try await withDaemon(extraFeeds: """

                [[feeds]]
                name = "quiet"
                format = "jsonl"
                transport = "tcp-listen"
                address = "127.0.0.1:\(port)"
                stale_after = 2
                """) { daemon in
            try await eventually("health turns 503") { try daemon.http("/healthz").status == 503 }
            let json = try JSONSerialization.jsonObject(with: Data(try daemon.http("/healthz").body.utf8)) as? [String: Any]
            #expect(json?["status"] as? String == "unhealthy")
            let feeds = json?["feeds"] as? [[String: Any]] ?? []
            #expect(feeds.first { $0["name"] as? String == "quiet" }?["stale"] as? Bool == true)
            #expect(feeds.first { $0["name"] as? String == "aodb" }?["stale"] as? Bool == false)
            // A frame brings it back.
            try daemon.send(lines: [#"{"airline":"LX","number":"9","date":"2026-11-24","direction":"departure"}"#], port: port)
            try await eventually("health back to 200") { try daemon.http("/healthz").status == 200 }
            #expect(daemon.stop() == 0)
        }
    }
}
