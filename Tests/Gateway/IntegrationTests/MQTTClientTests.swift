import FlightEdgeTestSupport
import Foundation
import MQTT
import Testing

@Suite("libmosquitto wrapper against a real mosquitto")
struct MQTTClientTests {
    private func client(
        _ user: String, id: String = "test-\(UUID().uuidString.prefix(8))", recorder: MQTTRecorder,
        version: MQTTClient.ProtocolVersion = .v5, password: String? = nil
    ) throws -> MQTTClient {
        var configuration = MQTTClient.Configuration(clientID: id)
        configuration.username = user
        configuration.password = try password ?? TestServices.mqttPassword(user)
        configuration.protocolVersion = version
        return try MQTTClient(configuration: configuration, onEvent: recorder.sink)
    }

    private func connected(_ recorder: MQTTRecorder) async throws -> Int32 {
        try await firstMatch(in: recorder.events) { event in
            if case .connected(let code, _) = event { return code }
            return nil
        }
    }

    @Test(arguments: [MQTTClient.ProtocolVersion.v5, .v311])
    func publishesQoS1AndAReceiverGetsTheMessage(version: MQTTClient.ProtocolVersion) async throws {
        let topic = "flightedge/TST/events/gate-change/\(UUID().uuidString.prefix(8))"  // inside the ACL
        let boardEvents = MQTTRecorder()
        let board = try client("board", recorder: boardEvents, version: version)
        try board.start(host: TestServices.mqttHost, port: TestServices.mqttPort)
        #expect(try await connected(boardEvents) == 0)
        try board.subscribe(topic, qos: 1)
        let granted = try await firstMatch(in: boardEvents.events) { event in
            if case .subscribed(_, let qos) = event { return qos }
            return nil
        }
        #expect(granted == [1])

        let daemonEvents = MQTTRecorder()
        let daemon = try client("flightedge", recorder: daemonEvents, version: version)
        try daemon.start(host: TestServices.mqttHost, port: TestServices.mqttPort)
        #expect(try await connected(daemonEvents) == 0)
        let payload = #"{"gate":"B34","note":"Zürich ✈︎"}"#
        let properties = MQTTPublishProperties(
            contentType: "application/json", messageExpirySeconds: 3600,
            userProperties: [("schema", "flightedge.event/1"), ("event_id", "abc")])
        let messageID = try daemon.publish(
            topic: topic, payload: Array(payload.utf8), qos: 1, retain: false, properties: properties)
        let acknowledged = try await firstMatch(in: daemonEvents.events) { event in
            if case .published(let id, let reason) = event, id == messageID { return reason }
            return nil
        }
        #expect(acknowledged == 0)

        let received = try await firstMatch(in: boardEvents.events) { event in
            if case .message(let message) = event { return message }
            return nil
        }
        #expect(received.topic == topic)
        #expect(received.text == payload)
        #expect(received.qos == 1)
        if version == .v5 {
            #expect(received.contentType == "application/json")
            #expect(received.userProperties.map(\.name) == ["schema", "event_id"])
            #expect(received.userProperties.map(\.value) == ["flightedge.event/1", "abc"])
        } else {
            #expect(received.userProperties.isEmpty)
        }
        daemon.stop()
        board.stop()
    }

    @Test func wrongPasswordIsRefusedWithTheBrokersReason() async throws {
        let recorder = MQTTRecorder()
        let daemon = try client("flightedge", recorder: recorder, password: "wrong-password")
        try daemon.start(host: TestServices.mqttHost, port: TestServices.mqttPort)
        let code = try await connected(recorder)
        #expect(code != 0)
        daemon.stop()
    }

    @Test func lastWillIsPublishedWhenTheClientVanishes() async throws {
        let statusTopic = "flightedge/W\(UUID().uuidString.prefix(4))/status"
        let boardEvents = MQTTRecorder()
        let board = try client("board", recorder: boardEvents)
        try board.start(host: TestServices.mqttHost, port: TestServices.mqttPort)
        #expect(try await connected(boardEvents) == 0)
        try board.subscribe(statusTopic, qos: 1)
        _ = try await firstMatch(in: boardEvents.events) { event in
            if case .subscribed = event { return true }
            return nil
        }

        let recorder = MQTTRecorder()
        var configuration = MQTTClient.Configuration(clientID: "will-\(UUID().uuidString.prefix(8))")
        configuration.username = "flightedge"
        configuration.password = try TestServices.mqttPassword("flightedge")
        configuration.keepaliveSeconds = 5
        configuration.will = MQTTMessage(topic: statusTopic, payload: Array(#"{"state":"offline"}"#.utf8), qos: 1, retain: false)
        var daemon: MQTTClient? = try MQTTClient(configuration: configuration, onEvent: recorder.sink)
        try daemon?.start(host: TestServices.mqttHost, port: TestServices.mqttPort)
        #expect(try await connected(recorder) == 0)
        // Dropping the client without DISCONNECT closes the socket: the broker sends the will.
        daemon = nil
        let will = try await firstMatch(in: boardEvents.events) { event in
            if case .message(let message) = event { return message }
            return nil
        }
        #expect(will.text == #"{"state":"offline"}"#)
        board.stop()
    }
}

@Suite("The shipped broker configuration")
struct BrokerConfigurationTests {
    /// With mosquitto's default limits a new QoS 1 subscriber got 1,020 of 5,000 retained
    /// messages; conf/mosquitto/flightedge.conf must deliver them all.
    @Test func aNewBoardReceivesEveryRetainedFlightOfABigHub() async throws {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let airport = "R" + String((0..<2).map { _ in letters.randomElement()! })
        let publisherEvents = MQTTRecorder()
        var configuration = MQTTClient.Configuration(clientID: "retained-\(UUID().uuidString.prefix(8))")
        configuration.username = "flightedge"
        configuration.password = try TestServices.mqttPassword("flightedge")
        let publisher = try MQTTClient(configuration: configuration, onEvent: publisherEvents.sink)
        try publisher.start(host: TestServices.mqttHost, port: TestServices.mqttPort)
        _ = try await firstMatch(in: publisherEvents.events) { event in
            if case .connected(0, _) = event { return true }
            return nil
        }
        let count = 5_000
        let acknowledged = Task {
            var seen = 0
            for await event in publisherEvents.events {
                if case .published = event { seen += 1 }
                if seen == count { break }
            }
            return seen
        }
        for index in 0..<count {
            let payload = Array(#"{"flight":\#(index),"padding":"\#(String(repeating: "x", count: 400))"}"#.utf8)
            while true {
                do {
                    try publisher.publish(topic: "flightedge/\(airport)/flights/F\(index)", payload: payload, qos: 1, retain: true)
                    break
                } catch {
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
        }
        #expect(await acknowledged.value == count)

        let board = try MQTTWatcher()
        try board.subscribe("flightedge/\(airport)/flights/#", qos: 1)
        let received = try await board.wait(for: 30, "all retained flights") { $0.count >= count }
        #expect(Set(received.map(\.topic)).count == count)
        #expect(received.allSatisfy { $0.retain })

        // Clear them again so the persistent broker does not carry them into other runs.
        for index in 0..<count {
            _ = try? publisher.publish(topic: "flightedge/\(airport)/flights/F\(index)", payload: [], qos: 0, retain: true)
        }
        try await Task.sleep(for: .milliseconds(200))
        publisher.stop()
    }
}
