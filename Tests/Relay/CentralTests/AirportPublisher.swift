import FlightEdgeTestSupport
import Foundation
import MQTT
import Synchronization

/// An MQTT 3.1.1 client publishing QoS 1 messages, as the gateway does; it counts PUBACKs and
/// remembers the last payload of each topic it subscribed to.
final class AirportPublisher: Sendable {
    private struct State {
        var connected = false
        var disconnects = 0
        var acknowledged = 0
        var lastPayload: [String: String] = [:]
    }
    /// A class, so that the client's callback and this publisher share the one Mutex.
    private final class Shared: Sendable {
        let state = Mutex(State())
    }
    private let shared = Shared()
    private let client: MQTTClient

    init(port: Int, username: String? = nil, password: String? = nil) throws {
        var configuration = MQTTClient.Configuration(clientID: "central-test-\(UUID().uuidString.prefix(8))")
        configuration.protocolVersion = .v311
        configuration.username = username
        configuration.password = password
        configuration.maxInflight = 1000
        configuration.maxReconnectDelay = 2
        let shared = shared
        client = try MQTTClient(configuration: configuration) { event in
            switch event {
            case .connected(let code, _):
                shared.state.withLock { $0.connected = code == 0 }
            case .disconnected:
                shared.state.withLock { state in
                    if state.connected { state.disconnects += 1 }
                    state.connected = false
                }
            case .published:
                shared.state.withLock { $0.acknowledged += 1 }
            case .publishedMany(let acknowledgements):
                shared.state.withLock { $0.acknowledged += acknowledgements.count }
            case .message(let message):
                shared.state.withLock { $0.lastPayload[message.topic] = message.text }
            case .subscribed, .libraryError:
                break
            }
        }
        try client.start(host: "127.0.0.1", port: port)
        guard waitUntil(seconds: 10, { $0.connected }) else {
            throw TestSupportError(.connectionFailed, "MQTT client could not connect to 127.0.0.1:\(port)")
        }
    }

    deinit { client.stop() }

    var acknowledged: Int { shared.state.withLock { $0.acknowledged } }
    var disconnects: Int { shared.state.withLock { $0.disconnects } }
    var isConnected: Bool { shared.state.withLock { $0.connected } }

    func publish(_ topic: String, _ text: String) throws {
        try client.publish(topic: topic, payload: Array(text.utf8), qos: 1, retain: false)
    }

    /// Subscribes to the bridge's state topic and waits until it says "1" (connected).
    func waitForBridge(_ iata: String, seconds: Double = 20) throws -> Bool {
        let topic = "flightedge/\(iata)/bridge/central"
        try client.subscribe(topic, qos: 1)
        return waitUntil(seconds: seconds) { $0.lastPayload[topic] == "1" }
    }

    /// Waits until `acknowledged` reaches `count`.
    func waitForAcknowledgements(_ count: Int, seconds: Double) -> Bool {
        waitUntil(seconds: seconds) { $0.acknowledged >= count }
    }

    private func waitUntil(seconds: Double, _ condition: (State) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if shared.state.withLock({ condition($0) }) { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return shared.state.withLock { condition($0) }
    }
}
