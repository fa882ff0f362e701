import FlightEdgeTestSupport
import Foundation
import MQTT
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 18, item 7: the shared `board` login connecting with the daemon's client id kicked the
/// daemon off the broker. The shipped broker configuration (rendered with its TLS listener on
/// loopback) makes a client's id its user name on the external listeners, so no credential can
/// take over another client's session there.
@Suite("Broker: client-id takeover on the external listeners")
struct BrokerClientIDTakeoverTests {
    /// A mosquitto of this test's own: the shipped file with the loopback and TLS listeners.
    final class Broker: @unchecked Sendable {
        let loopbackPort: Int
        let tlsPort: Int
        let webSocketsPort: Int
        let certificates: TestCertificates
        private let broker: PrivateBroker

        init() throws {
            tlsPort = try Loopback.freePort()
            webSocketsPort = try Loopback.freePort()
            certificates = try TestCertificates()
            broker = try PrivateBroker(listeners: ["\(webSocketsPort)", "\(tlsPort)", certificates.folder.path])
            loopbackPort = broker.port
            try broker.start()
            let deadline = Date().addingTimeInterval(10)
            for port in [tlsPort, webSocketsPort] {
                while (try? Loopback.connect(port: port)).map({ Glibc.close($0) }) == nil {
                    guard Date() < deadline else { throw TimedOut() }
                    usleep(50_000)
                }
            }
        }

        var log: String { broker.log }
    }

    /// Every event of one client, kept for the test to look at.
    final class Events: Sendable {
        private let events = Mutex<[MQTTEvent]>([])
        var sink: @Sendable (MQTTEvent) -> Void { { event in self.events.withLock { $0.append(event) } } }
        var all: [MQTTEvent] { events.withLock { $0 } }
        var connections: [Int32] { all.compactMap { if case .connected(let code, _) = $0 { code } else { nil } } }
        var disconnections: [String] { all.compactMap { if case .disconnected(_, let reason) = $0 { reason } else { nil } } }
        var messages: [String] { all.compactMap { if case .message(let message) = $0 { message.topic } else { nil } } }

        /// Waits up to `seconds` for `condition`.
        func wait(_ seconds: Double = 10, until condition: (Events) -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while !condition(self) {
                guard ContinuousClock.now < deadline else { return }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    private func client(
        _ user: String, id: String, port: Int, caFile: String? = nil, events: Events, broker: Broker
    ) async throws -> MQTTClient {
        var configuration = MQTTClient.Configuration(clientID: id)
        configuration.username = user
        configuration.password = try TestServices.mqttPassword(user)
        configuration.caFile = caFile
        let client = try MQTTClient(configuration: configuration, onEvent: events.sink)
        try client.start(host: "127.0.0.1", port: port)
        try await events.wait { !$0.connections.isEmpty }
        #expect(events.connections.first == 0, "\(user) as \(id): \(events.all)\n\(broker.log)")
        return client
    }

    @Test func theBoardLoginSendingTheDaemonsIDOverTLSLeavesTheDaemonConnected() async throws {
        let broker = try Broker()
        let daemonEvents = Events()
        let daemon = try await client("flightedge", id: "flightedge-zrh", port: broker.loopbackPort, events: daemonEvents, broker: broker)
        defer { daemon.stop() }
        _ = try daemon.subscribe("flightedge/+/cmd/#", qos: 1)

        let hostileEvents = Events()
        let hostile = try await client(
            "board", id: "flightedge-zrh", port: broker.tlsPort, caFile: broker.certificates.caFile, events: hostileEvents,
            broker: broker)
        defer { hostile.stop() }
        // Its resync request reaches the daemon, still connected under its own session.
        try await Task.sleep(for: .milliseconds(300))
        _ = try hostile.publish(topic: "flightedge/ZRH/cmd/resync", payload: Array("{}".utf8), qos: 1, retain: false)
        try await daemonEvents.wait { $0.messages.contains("flightedge/ZRH/cmd/resync") }
        #expect(daemonEvents.messages.contains("flightedge/ZRH/cmd/resync"), "\(daemonEvents.all)")
        #expect(daemonEvents.disconnections.isEmpty, "the daemon was kicked off: \(daemonEvents.disconnections)")
        #expect(daemonEvents.connections == [0])
        #expect(!broker.log.contains("already connected, closing old connection"), "\(broker.log)")
        #expect(broker.log.contains("as board (") && broker.log.contains("u'board'"), "\(broker.log)")
    }

    @Test func aSecondAccountSendingAnotherScreensIDCannotKickItOff() async throws {
        let broker = try Broker()
        let screenEvents = Events()
        let screen = try await client(
            "board", id: "gate-a12", port: broker.tlsPort, caFile: broker.certificates.caFile, events: screenEvents, broker: broker)
        defer { screen.stop() }
        // Over TLS the screen's id is its user name, whatever it sent.
        #expect(broker.log.contains("as board ("), "\(broker.log)")

        let otherEvents = Events()
        let other = try await client(
            "relay", id: "board", port: broker.tlsPort, caFile: broker.certificates.caFile, events: otherEvents, broker: broker)
        defer { other.stop() }
        try await Task.sleep(for: .seconds(1))
        #expect(screenEvents.disconnections.isEmpty, "the screen was kicked off: \(screenEvents.disconnections)")
        #expect(screenEvents.connections == [0])
        #expect(!broker.log.contains("already connected, closing old connection"), "\(broker.log)")
    }

    /// Issue 17, item 9: mosquitto 2.0.11 opened the test broker's websockets listener on every
    /// interface although its line says 127.0.0.1; with `socket_domain ipv4` it binds loopback.
    @Test func theWebSocketsListenerListensOnLoopbackOnly() async throws {
        let broker = try Broker()
        let hexPort = String(format: "%04X", broker.webSocketsPort)
        func listening() -> [String] {
            var bound: [String] = []
            for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
                let text = (try? String(contentsOfFile: table, encoding: .utf8)) ?? ""
                for line in text.split(separator: "\n").dropFirst() {
                    let fields = line.split(separator: " ")
                    // local_address is ADDRESS:PORT in hex; state 0A is LISTEN.
                    guard fields.count > 3, fields[1].hasSuffix(":\(hexPort)"), fields[3] == "0A" else { continue }
                    bound.append(String(fields[1]))
                }
            }
            return bound
        }
        // The broker is ready when its MQTT listener is; libwebsockets may open its own a moment
        // later on a loaded machine (a CI run once saw none yet).
        var bound = listening()
        let deadline = ContinuousClock.now + .seconds(10)
        while bound.isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            bound = listening()
        }
        #expect(
            bound == ["0100007F:\(hexPort)"],
            "listening sockets of port \(broker.webSocketsPort): \(bound); the broker's log:\n\(broker.log)")
    }
}
