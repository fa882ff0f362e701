import FlightEdgeTestSupport
import Foundation
import HistoryStore
import Logging
import MQTT
import Postgres
import PostgresSupport
import Testing

/// `cmd/replay` end to end: a broker with the shipped ACL, the `relay` user asking, the daemon
/// re-publishing from its outbox; bad requests refused without harm; the retention window.
@Suite("Replay: events published again on request")
struct ReplayTests {
    /// A broker of the test's own with the repository's ACL (the shared one may have an older copy).
    static func brokerWithShippedACL() throws -> PrivateBroker {
        let broker = try PrivateBroker()
        try broker.replaceACL(
            String(contentsOf: Repository.root.appendingPathComponent("conf/mosquitto/flightedge.acl"), encoding: .utf8))
        try broker.start()
        return broker
    }

    static func events(_ watcher: MQTTWatcher, _ daemon: DaemonProcess) -> [MQTTMessage] {
        watcher.messages.filter { $0.topic.hasPrefix(daemon.topic("events/")) }
    }

    @Test func aReplayRepublishesExactlyTheRequestedEventsWithIdenticalBytes() async throws {
        let broker = try Self.brokerWithShippedACL()
        defer { broker.stop() }
        try await withDaemon(mqttPort: broker.port) { daemon in
            let relay = try MQTTWatcher(user: "relay", port: broker.port)
            try relay.subscribe(daemon.topic("events/#"))
            try daemon.send(lines: StreamSeqTests.gateChanges(round: 1, flights: 0..<30))
            try await relay.wait(for: 20, "30 events") { _ in Self.events(relay, daemon).count >= 30 }
            let first = Self.events(relay, daemon)
            #expect(StreamSeqTests.streamSeqs(first) == Array(1...30))

            try relay.publish(daemon.topic("cmd/replay"), #"{"from": 12, "to": 20}"#)
            let all = try await relay.wait(for: 20, "9 replayed events") { _ in Self.events(relay, daemon).count >= 39 }
            try await Task.sleep(for: .milliseconds(500))
            let replayed = Array(Self.events(relay, daemon).dropFirst(30))
            #expect(all.count >= 39)
            #expect(StreamSeqTests.streamSeqs(replayed) == Array(12...20), "exactly the range, in order, once")
            for (again, original) in zip(replayed, first[11..<20]) {
                #expect(again.payload == original.payload, "the same bytes, event_id and stream_seq included")
                #expect(again.topic == original.topic)
                #expect(again.qos == 1 && !again.retain)
            }
            try await eventually("replay counted in /metrics") {
                try daemon.metric("flightedge_replay_events_total") == 9
            }
            #expect(try daemon.metric("flightedge_replay_requests_total") == 1)
            #expect(try daemon.metric("flightedge_outbox_retention_seconds") == 7 * 86_400)
            #expect(daemon.log.contains("replay done"))

            // Beyond what the outbox holds: what is there is sent, the rest logged and counted.
            try relay.publish(daemon.topic("cmd/replay"), #"{"from": 29, "to": 35}"#)
            try await relay.wait(for: 20, "2 more replayed events") { _ in Self.events(relay, daemon).count >= 41 }
            try await eventually("the missing events counted") {
                try daemon.metric("flightedge_replay_missing_events_total") == 5
            }
            #expect(StreamSeqTests.streamSeqs(Array(Self.events(relay, daemon).dropFirst(39))) == [29, 30])
            #expect(daemon.log.contains("some requested events are not in the outbox"))
            #expect(daemon.stop() == 0)
        }
    }

    /// The end of the stream: once every event is acknowledged the retained `status` says the
    /// last `stream_seq`, so a relay that lost the day's last events knows they exist; a clean
    /// stop's `offline` is not overwritten by it.
    @Test func theStatusSaysTheLastStreamSeqOnceEverythingIsAcknowledged() async throws {
        let broker = try Self.brokerWithShippedACL()
        defer { broker.stop() }
        try await withDaemon(mqttPort: broker.port) { daemon in
            let relay = try MQTTWatcher(user: "relay", port: broker.port)
            try relay.subscribe(daemon.topic("status"))
            try daemon.send(lines: StreamSeqTests.gateChanges(round: 1, flights: 0..<12))
            func heads() -> [Int64] {
                relay.messages(on: daemon.topic("status")).compactMap { message in
                    let object = try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any]
                    return object?["state"] as? String == "online" ? (object?["stream_seq"] as? NSNumber)?.int64Value : nil
                }
            }
            try await relay.wait(for: 20, "a status with stream_seq 12") { _ in heads().contains(12) }
            #expect(heads().allSatisfy { $0 <= 12 }, "\(heads())")
            try daemon.send(lines: StreamSeqTests.gateChanges(round: 2, flights: 0..<3))
            try await relay.wait(for: 20, "a status with stream_seq 15") { _ in heads().contains(15) }
            #expect(daemon.stop() == 0)
            try await relay.wait(for: 10, "offline") { _ in
                relay.messages(on: daemon.topic("status")).last.map { String(decoding: $0.payload, as: UTF8.self) }?
                    .contains(#""state":"offline""#) == true
            }
            // What a board or relay connecting now gets: the retained offline, not a late online.
            let late = try MQTTWatcher(user: "relay", port: broker.port)
            try late.subscribe(daemon.topic("status"))
            let retained = try await late.wait(for: 10, "the retained status") { _ in !late.messages(on: daemon.topic("status")).isEmpty }
            #expect(retained.last.map { String(decoding: $0.payload, as: UTF8.self) }?.contains(#""state":"offline""#) == true)
        }
    }

    @Test func badReplayRequestsAreRefusedNamingTheFieldAndTheGatewayKeepsRunning() async throws {
        let broker = try Self.brokerWithShippedACL()
        defer { broker.stop() }
        try await withDaemon(mqttPort: broker.port) { daemon in
            let relay = try MQTTWatcher(user: "relay", port: broker.port)
            try relay.subscribe(daemon.topic("events/#"))
            try daemon.send(lines: StreamSeqTests.gateChanges(round: 1, flights: 0..<3))
            try await relay.wait(for: 20, "3 events") { _ in Self.events(relay, daemon).count >= 3 }
            let bad = [
                "not json", #"{"from": 9, "to": 5}"#, #"{"from": 1, "to": 1000000}"#, #"{"from": -4, "to": 2}"#,
                #"{"to": 2}"#, "",
            ]
            for payload in bad { try relay.publish(daemon.topic("cmd/replay"), payload) }
            try await eventually("six refusals counted") {
                try daemon.metric("flightedge_replay_requests_refused_total") == 6
            }
            let refusals = daemon.log.split(separator: "\n").filter { $0.contains("replay request refused") }
            #expect(refusals.count == 6)
            #expect(refusals.contains { $0.contains("field=from") && $0.contains("is after to") })
            #expect(refusals.contains { $0.contains("field=to") && $0.contains("at most 100000") })
            #expect(refusals.contains { $0.contains("field=from") && $0.contains("-4 is out of range") })
            #expect(refusals.contains { $0.contains("field=from") && $0.contains("missing") })
            #expect(refusals.contains { $0.contains("not JSON") })
            // Still running and answering.
            #expect(daemon.isRunning)
            #expect(try daemon.http("/healthz").status == 200)
            try relay.publish(daemon.topic("cmd/replay"), #"{"from": 2, "to": 2}"#)
            try await relay.wait(for: 20, "the good request answered") { _ in Self.events(relay, daemon).count >= 4 }
            #expect(StreamSeqTests.streamSeqs(Array(Self.events(relay, daemon).dropFirst(3))) == [2])
            #expect(try daemon.metric("flightedge_replay_events_total") == 1)
            #expect(daemon.stop() == 0)
        }
    }

    @Test func aBoardMayNotAskForAReplay() async throws {
        let broker = try Self.brokerWithShippedACL()
        defer { broker.stop() }
        try await withDaemon(mqttPort: broker.port) { daemon in
            let board = try MQTTWatcher(user: "board", port: broker.port)
            try board.subscribe(daemon.topic("events/#"))
            try daemon.send(lines: StreamSeqTests.gateChanges(round: 1, flights: 0..<2))
            try await board.wait(for: 20, "2 events") { _ in Self.events(board, daemon).count >= 2 }
            try board.publish(daemon.topic("cmd/replay"), #"{"from": 1, "to": 2}"#)
            try await Task.sleep(for: .seconds(2))
            #expect(Self.events(board, daemon).count == 2, "the broker dropped the board's request")
            #expect(try daemon.metric("flightedge_replay_requests_total") == 0)
            #expect(daemon.stop() == 0)
        }
    }

    /// Only published events older than the window go, oldest first; an unpublished one stays
    /// (and holds back the ones after it), and so does a recent one.
    @Test func retentionDeletesOnlyPublishedEventsOlderThanTheWindow() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let writer = HistoryWriter(
                connector: DatabaseConnector(conninfo: url, password: nil, logger: Logger(label: "test")),
                logger: Logger(label: "test"))
            _ = try await writer.start()
            var batch = CommitBatch()
            batch.outbox = (1...7).map { index in
                CommitBatch.OutboxRow(
                    eventID: nil, flightID: "LX\(index)-20261124-D", topic: "flightedge/ZRH/events/gate-change",
                    payload: Array(#"{"flight_id":"LX\#(index)-20261124-D","seq":1,"kind":"gate-change"}"#.utf8))
            }
            _ = try await writer.commit(batch)
            let connection = try PostgresConnection(conninfo: url)
            // 1, 2 published 8 days ago; 3 unpublished; 4 published 8 days ago; 5 published an
            // hour ago; 6 published 8 days ago; 7 unpublished.
            try connection.execute(
                """
                UPDATE flightedge.outbox SET published_at = CASE
                    WHEN stream_seq IN (1, 2, 4, 6) THEN now() - interval '8 days'
                    WHEN stream_seq = 5 THEN now() - interval '1 hour' END
                """)
            func left() throws -> [String?] {
                try connection.query("SELECT stream_seq FROM flightedge.outbox ORDER BY id").rows.map { $0[0] }
            }
            #expect(try await writer.deletePublishedEvents(olderThanSeconds: 7 * 86_400) == 2)
            #expect(try left() == ["3", "4", "5", "6", "7"])
            try connection.execute("UPDATE flightedge.outbox SET published_at = now() - interval '9 days' WHERE stream_seq = 3")
            #expect(try await writer.deletePublishedEvents(olderThanSeconds: 7 * 86_400, chunk: 1) == 2)
            #expect(try left() == ["5", "6", "7"])
            #expect(try await writer.deletePublishedEvents(olderThanSeconds: 7 * 86_400) == 0)
            // The numbers go on from the counter, not from what is left.
            #expect(try await writer.eventStreamBounds() == EventStreamBounds(retained: 5...7, lastAssigned: 7))
            try connection.execute("DELETE FROM flightedge.outbox")
            _ = try await writer.commit(batch)
            #expect(try connection.query("SELECT min(stream_seq) FROM flightedge.outbox").rows == [["8"]])
        }
    }

    /// The daemon's housekeeping applies the window on its own, soon after start.
    @Test func theDaemonDeletesExpiredPublishedEventsAndCountsThem() async throws {
        try await withDaemon { daemon in
            try daemon.send(lines: StreamSeqTests.gateChanges(round: 1, flights: 0..<4))
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("4 events published") {
                try StreamSeqTests.scalar(connection, "SELECT count(*) FROM flightedge.outbox WHERE published_at IS NOT NULL") == 4
            }
            try connection.execute(
                "UPDATE flightedge.outbox SET published_at = now() - interval '8 days' WHERE stream_seq <= 2")
            try await eventually("the two expired events deleted", within: 90) {
                try StreamSeqTests.scalar(connection, "SELECT count(*) FROM flightedge.outbox") == 2
            }
            #expect(try connection.query("SELECT stream_seq FROM flightedge.outbox ORDER BY 1").rows == [["3"], ["4"]])
            try await eventually("counted in /metrics") {
                try daemon.metric("flightedge_outbox_expired_events_total") == 2
            }
            #expect(try daemon.metric("flightedge_event_stream_last_seq") == 4)
            #expect(daemon.stop() == 0)
        }
    }
}
