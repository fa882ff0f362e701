import FlightEdgeTestSupport
import FlightModel
import Foundation
import JSON
import MQTT
import Synchronization
import Testing

/// A board on the test broker: subscribes to topic filters and records every message, so a
/// test can wait for what it expects and then look at all of it.
final class MQTTWatcher: Sendable {
    private let client: MQTTClient
    private final class Recording: Sendable {
        let received = Mutex<[MQTTMessage]>([])
        let connectedCode = Mutex<Int32?>(nil)
        let connects = Mutex<Int>(0)
        let filters = Mutex<(list: [(String, Int)], atConnect: Int)>(([], 0))
    }

    private let recording = Recording()

    init(
        user: String = "board", clientID: String = "watcher-\(UUID().uuidString.prefix(8))", cleanSession: Bool = true,
        port: Int? = nil
    ) throws {
        var configuration = MQTTClient.Configuration(clientID: clientID)
        configuration.username = user
        configuration.password = try TestServices.mqttPassword(user)
        configuration.cleanSession = cleanSession
        // A persistent session in MQTT v5 also needs a session expiry interval; MQTT 3.1.1's
        // clean_session=false is what a relay's bridge uses, so persistent watchers speak it.
        if !cleanSession { configuration.protocolVersion = .v311 }
        configuration.reconnectDelay = 1
        configuration.maxReconnectDelay = 2
        let recording = self.recording
        client = try MQTTClient(configuration: configuration) { event in
            switch event {
            case .message(let message): recording.received.withLock { $0.append(message) }
            case .connected(let code, _):
                recording.connectedCode.withLock { $0 = code }
                if code == 0 { recording.connects.withLock { $0 += 1 } }
            default: break
            }
        }
        try client.start(host: try TestServices.mqttHost, port: try port ?? TestServices.mqttPort)
        let deadline = Date().addingTimeInterval(10)
        while recording.connectedCode.withLock({ $0 }) == nil && Date() < deadline { usleep(10_000) }
        guard recording.connectedCode.withLock({ $0 }) == 0 else {
            Issue.record("watcher could not connect to the test broker")
            throw TimedOut()
        }
    }

    deinit { client.stop() }

    func subscribe(_ filter: String, qos: Int = 1) throws {
        let connects = recording.connects.withLock { $0 }
        recording.filters.withLock { $0.list.append((filter, qos)); $0.atConnect = connects }
        try client.subscribe(filter, qos: qos)
        usleep(100_000)  // the SUBACK; retained messages follow it
    }

    /// Publishes as this watcher's user (boards may write `cmd/resync`).
    func publish(_ topic: String, _ text: String) throws {
        try client.publish(topic: topic, payload: Array(text.utf8), qos: 1, retain: false)
    }

    var messages: [MQTTMessage] { recording.received.withLock { $0 } }

    /// The `event_id`s of the event payloads among `messages`.
    static func eventIDs(in messages: [MQTTMessage]) -> Set<String> {
        Set(messages.compactMap { message -> String? in
            guard case .object(let object)? = try? JSONParser.parse(message.payload) else { return nil }
            return object["event_id"]?.stringValue
        })
    }

    func messages(on topic: String) -> [MQTTMessage] { messages.filter { $0.topic == topic } }

    /// Waits until `condition` holds over everything received, or fails after `seconds`.
    @discardableResult
    func wait(
        for seconds: Double = 15, _ what: String, until condition: ([MQTTMessage]) -> Bool
    ) async throws -> [MQTTMessage] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            // After a reconnect, subscribe again, as a board does.
            let connects = recording.connects.withLock { $0 }
            let filters = recording.filters.withLock { state -> [(String, Int)] in
                guard state.atConnect < connects else { return [] }
                state.atConnect = connects
                return state.list
            }
            for (filter, qos) in filters { _ = try? client.subscribe(filter, qos: qos) }
            let current = messages
            if condition(current) { return current }
            try await Task.sleep(for: .milliseconds(50))
        }
        let summary = messages.suffix(8).map { "\($0.topic) \($0.text.prefix(120))" }.joined(separator: "\n  ")
        Issue.record("timed out waiting for \(what); received \(messages.count) messages, the last:\n  \(summary)")
        throw TimedOut()
    }
}
