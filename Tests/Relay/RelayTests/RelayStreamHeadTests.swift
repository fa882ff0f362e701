import FlightEdgeTestSupport
import Foundation
import Testing

/// Events lost at the end of an airport's stream have no later event to reveal them: the
/// gateway's retained `status` carries `stream_seq`, the last number it handed to its broker,
/// and the relay turns what it did not see up to there into a gap it asks to be replayed. The
/// status's state and the bridge's notification make `/v1/airports` say when an airport is offline.
@Suite("Relay: an airport's status and bridge at the centre", .serialized)
struct RelayStreamHeadTests {
    @Test("a status past the last event seen opens a gap, a replay request goes out, the replay closes it")
    func aLostTailIsAskedForAgain() async throws {
        // An airport code of its own: other suites' retained statuses on the shared broker stay out.
        let code = "Q" + String(Int.random(in: 10...99))
        let statusTopic = "flightedge/\(code)/status"
        try await TestServices.withTemporaryDatabase { url in
            let bridgeTopic = "flightedge/\(code)/bridge/central"
            let relay = try RelayProcess(
                databaseURL: url, statusTopic: statusTopic, bridgeTopic: "flightedge/\(code)/bridge/#",
                extra: """
                    [central]
                    replay_after_seconds = 1
                    replay_backoff_max_seconds = 2
                    """)
            try relay.start()
            defer {
                relay.stop()
                try? MosquittoClient.publish(topic: statusTopic, payload: "", retain: true)
                try? MosquittoClient.publish(topic: bridgeTopic, payload: "", retain: true)
            }
            let date = RelayEvents.today()
            func event(_ n: Int) -> String {
                RelayEvents.event(
                    kind: "delay", number: "4\(n)", date: date, seq: 1, departure: Date().addingTimeInterval(7200), airport: code
                ).replacingOccurrences(of: #""seq":1,"#, with: #""seq":1,"stream_seq":\#(n),"#)
            }
            try RelayEvents.publishLines((1...3).map(event), topic: "flightedge/\(code)/events/delay")
            #expect(try eventually(within: 15) { try Self.airport(code, of: relay)?["highest_contiguous_seq"] as? Int == 3 })

            // The relay asks on cmd/replay, as the gateway's user reads it.
            let requests = try MosquittoClient.subscribe(topic: "flightedge/\(code)/cmd/replay", count: 1, user: "flightedge")
            try MosquittoClient.publish(
                topic: statusTopic,
                // As the gateway says it, with its schema member (issue 17 item 12).
                payload:
                    #"{"schema":"flightedge.status/1","state":"online","boot_id":"b","version":"t","started_at":"2026-12-05T00:00:00Z","stream_seq":6}"#,
                retain: true)
            let opened = try eventually(within: 15) { try Self.airport(code, of: relay)?["open_gaps"] as? Int == 1 }
            let entry = try Self.airport(code, of: relay)
            #expect(opened, "\(entry ?? [:])\n\(relay.log.suffix(2000))")
            #expect(entry?["missing_events"] as? Int == 3)
            #expect(entry?["highest_contiguous_seq"] as? Int == 3)
            let asked = try requests.wait(seconds: 15)
            #expect(asked.first.map { $0.filter { !$0.isWhitespace } } == #"{"from":4,"to":6}"#, "\(asked)")

            // The replayed events close it.
            try RelayEvents.publishLines((4...6).map(event), topic: "flightedge/\(code)/events/delay")
            let closed = try eventually(within: 15) {
                let entry = try Self.airport(code, of: relay)
                return entry?["open_gaps"] as? Int == 0 && entry?["highest_contiguous_seq"] as? Int == 6
            }
            let closedEntry = try Self.airport(code, of: relay)
            #expect(closed, "\(closedEntry ?? [:])")

            // A status at or below what was seen, or offline, or without a number, changes nothing;
            // one whose stream_seq is not a number is kept as rejected, naming the field.
            for payload in [
                #"{"state":"online","stream_seq":5}"#, #"{"state":"offline","stream_seq":9}"#, #"{"state":"online"}"#,
                #"{"state":"online","stream_seq":"lots"}"#,
            ] {
                try MosquittoClient.publish(topic: statusTopic, payload: payload, retain: false)
            }
            let rejected = try eventually(within: 10) {
                let metrics = MetricSamples(prometheusText: try relay.request("GET", "/metrics").body)
                return metrics["flightedge_relay_events_rejected_total"] == 1
            }
            #expect(rejected, "the bad stream_seq was not kept: \(relay.log.suffix(1500))")
            #expect(relay.log.contains("stream_seq"))
            let after = try Self.airport(code, of: relay)
            #expect(after?["open_gaps"] as? Int == 0)
            #expect(after?["highest_contiguous_seq"] as? Int == 6)
            #expect(after?["gateway"] as? String == "online")
            #expect(after?["status"] as? String == "online")

            // The bridge's notification (mosquitto's notification_topic; its will says 0) and the
            // gateway's offline: both make the airport offline; a bad notification is kept.
            try MosquittoClient.publish(topic: bridgeTopic, payload: "0", retain: true)
            #expect(try eventually(within: 10) { try Self.airport(code, of: relay)?["bridge"] as? String == "disconnected" })
            #expect(try Self.airport(code, of: relay)?["status"] as? String == "offline")
            try MosquittoClient.publish(topic: bridgeTopic, payload: "1", retain: true)
            #expect(try eventually(within: 10) { try Self.airport(code, of: relay)?["status"] as? String == "online" })
            #expect(try Self.airport(code, of: relay)?["bridge"] as? String == "connected")
            try MosquittoClient.publish(topic: statusTopic, payload: #"{"state":"offline","boot_id":"b"}"#, retain: true)
            #expect(try eventually(within: 10) { try Self.airport(code, of: relay)?["gateway"] as? String == "offline" })
            #expect(try Self.airport(code, of: relay)?["status"] as? String == "offline")
            try MosquittoClient.publish(topic: bridgeTopic, payload: "maybe", retain: false)
            let keptBoth = try eventually(within: 10) {
                MetricSamples(prometheusText: try relay.request("GET", "/metrics").body)["flightedge_relay_events_rejected_total"] == 2
            }
            #expect(keptBoth, "the bad notification was not kept: \(relay.log.suffix(1500))")
            // The per-airport gauges follow on the replay round.
            let gauge = try eventually(within: 10) {
                let statuses = MetricSamples(prometheusText: try relay.request("GET", "/metrics").body)
                return statuses["flightedge_relay_airport_status{airport=\"\(code)\",status=\"offline\"}"] == 1
            }
            #expect(gauge, "flightedge_relay_airport_status says offline")
        }
    }

    static func airport(_ code: String, of relay: RelayProcess) throws -> [String: Any]? {
        let listed = try relay.request("GET", "/v1/airports")
        let airports = try JSONSerialization.jsonObject(with: Data(listed.body.utf8)) as? [[String: Any]] ?? []
        return airports.first { $0["airport"] as? String == code }
    }
}
