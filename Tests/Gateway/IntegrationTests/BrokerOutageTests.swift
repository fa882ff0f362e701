import FlightEdgeTestSupport
import FlightModel
import Foundation
import JSON
import MQTT
import Postgres
import Testing

@Suite("The broker goes away and comes back")
struct BrokerOutageTests {
    @Test func eventsWaitInTheOutboxAndAreAllAcknowledgedAfterTheBrokerReturns() async throws {
        let broker = try PrivateBroker()
        try broker.start()
        try await withDaemon(mqttPort: broker.port, start: false) { daemon in
            // A relay-like subscriber: persistent session, QoS 1.
            let relay = try MQTTWatcher(clientID: "relay-\(UUID().uuidString.prefix(6))", cleanSession: false, port: broker.port)
            try relay.subscribe(daemon.topic("events/#"), qos: 1)
            try daemon.start()

            try daemon.send(lines: Array(PipelineEndToEndTests.script[0...1]))
            try await relay.wait(for: 10, "the first event") { $0.count >= 1 }

            broker.stop()
            // Committed while the broker is down: the events wait in the outbox.
            try daemon.send(lines: Array(PipelineEndToEndTests.script[2...]))
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("committed with the broker down") {
                try connection.query("SELECT count(*), count(published_at) FROM flightedge.outbox").rows == [["6", "1"]]
            }
            try await Task.sleep(for: .seconds(2))
            try broker.start()
            do {
                try await eventually("outbox drained after the broker returned", within: 30) {
                    try connection.query("SELECT count(*) FROM flightedge.outbox WHERE published_at IS NULL").rows == [["0"]]
                }
            } catch {
                // Once in a loaded clean-clone run (2026-12-07) the outbox did not drain in 30 s;
                // what the daemon and the broker said then is the evidence to look at.
                Issue.record("daemon log, last lines:\n\(daemon.log.suffix(6_000))\nbroker log, last lines:\n\(broker.log.suffix(4_000))")
                throw error
            }

            // Every event was acknowledged by the broker; they were sent in outbox (commit) order.
            let published = try connection.query(
                "SELECT event_id::text FROM flightedge.outbox WHERE published_at IS NOT NULL ORDER BY id").rows.compactMap { $0[0] }
            let expected = PipelineEndToEndTests.expectedEvents.map {
                EventID.make(airport: daemon.airport, flightID: $0.flight, seq: $0.seq, kind: EventKind(rawValue: $0.kind)!)
            }
            #expect(Set(published) == Set(expected))
            // The relay's persistent session kept what was published while it was away.
            try await relay.wait(for: 20, "every event at the persistent relay") { messages in
                MQTTWatcher.eventIDs(in: messages).isSuperset(of: expected)
            }
            // Liveness and the birth: online again, every flight's state retained.
            let board = try MQTTWatcher(port: broker.port)
            try board.subscribe(daemon.topic("#"))
            try await board.wait(for: 10, "online and both flights") { messages in
                messages.contains { $0.topic == daemon.topic("status") && $0.text.contains(#""state":"online""#) }
                    && messages.contains { $0.topic == daemon.topic("flights/LX1234-\(Fixture.compact)-D") && $0.text.contains(#""seq":6"#) }
                    && messages.contains { $0.topic == daemon.topic("flights/BA0117A-\(Fixture.compact)-A") }
            }
            #expect(daemon.log.contains("MQTT broker connection lost"))
            #expect(daemon.stop() == 0)
        }
    }

    @Test func resyncRepublishesEveryRetainedTopicAndPayloadsMatchTheirSchemas() async throws {
        try await withDaemon { daemon in
            try daemon.send(lines: PipelineEndToEndTests.script + [
                #"{"airline":"AF","number":"1015","date":"\#(Fixture.day)","direction":"arrival","origin":"CDG","scheduled":"\#(Fixture.day)T09:00:00Z","belt":"7","status":"landed"}"#,
            ])
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("committed") {
                try connection.query("SELECT count(*) FROM flightedge.flights").rows == [["3"]]
            }
            let board = try MQTTWatcher()
            try board.subscribe(daemon.topic("#"))
            try await board.wait(for: 10, "retained topics") { messages in
                messages.contains { $0.topic == daemon.topic("gates/B34") } && messages.contains { $0.topic == daemon.topic("belts/7") }
                    && messages.contains { $0.topic.hasPrefix(daemon.topic("feeds/")) }
            }
            let before = board.messages.count
            let requester = try MQTTWatcher()
            try requester.publish(daemon.topic("cmd/resync"), "{}")
            try await board.wait(for: 10, "the re-published flights") { messages in
                messages[before...].filter { $0.topic.hasPrefix(daemon.topic("flights/")) }.count >= 3
            }
            for message in board.messages where !message.payload.isEmpty {
                let relative = message.topic.dropFirst(daemon.topic("").count)
                let schema: String
                switch relative.split(separator: "/").first {
                case "flights": schema = "flight"
                case "gates": schema = "gate"
                case "belts": schema = "belt"
                case "feeds": schema = "feed-status"
                case "status": schema = "status"
                case "events": schema = "event"
                default: continue
                }
                #expect(SchemaValidator.violations(named: schema, message.payload).isEmpty, "\(message.topic): \(message.text)")
            }
            // Every publication of a gate, the resync's too, has a larger list seq than the one before.
            try await board.wait(for: 10, "the re-published gate") { messages in
                messages[before...].contains { $0.topic == daemon.topic("gates/B34") }
            }
            let gateSeqs = board.messages(on: daemon.topic("gates/B34")).compactMap { message -> Int64? in
                guard case .object(let object)? = try? JSONParser.parse(message.payload) else { return nil }
                return object["seq"]?.integerValue
            }
            #expect(gateSeqs.count >= 2 && zip(gateSeqs, gateSeqs.dropFirst()).allSatisfy { $0 < $1 }, "\(gateSeqs)")
            let gate = try #require(board.messages.last { $0.topic == daemon.topic("gates/B34") })
            // LX1234 departed: it left the gate screen.
            #expect(!gate.text.contains("LX1234"))
            let belt = try #require(board.messages.last { $0.topic == daemon.topic("belts/7") })
            #expect(belt.text.contains("AF1015-\(Fixture.compact)-A"))
            #expect(daemon.stop() == 0)
        }
    }
}
