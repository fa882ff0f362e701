import FlightEdgeTestSupport
import Foundation
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
