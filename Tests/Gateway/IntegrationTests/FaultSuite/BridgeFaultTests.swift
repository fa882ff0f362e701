import FlightEdgeTestSupport
import FlightModel
import MQTT
import Foundation
import Testing

/// The shipped bridge (conf/mosquitto/bridge.conf) from an airport broker to a central broker,
/// each a real mosquitto on loopback: the central subscriber gets every event, also those
/// published while the bridge was cut for 30 s.
@Suite("Fault suite: the bridge to the central broker")
struct BridgeFaultTests {
    /// The shipped bridge, pointed at the central broker on loopback (no TLS there), for `airport`.
    static func bridge(centralPort: Int, airport: String) throws -> String {
        let shipped = try String(contentsOf: Repository.root.appendingPathComponent("conf/mosquitto/bridge.conf"), encoding: .utf8)
        return try shipped.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line -> String? in
            if line.hasPrefix("bridge_cafile") || line.hasPrefix("bridge_tls_version") || line.hasPrefix("bridge_insecure") { return nil }
            if line.hasPrefix("address ") { return "address 127.0.0.1:\(centralPort)" }
            if line.hasPrefix("remote_username ") { return "remote_username flightedge" }
            if line.hasPrefix("remote_password ") { return "remote_password \(try TestServices.mqttPassword("flightedge"))" }
            if line.hasPrefix("remote_clientid ") || line.hasPrefix("local_clientid ") {
                return line.replacingOccurrences(of: "zrh", with: airport.lowercased() + "-\(centralPort)")
            }
            return line.replacingOccurrences(of: "flightedge/ZRH/", with: "flightedge/\(airport)/")
        }.joined(separator: "\n")
    }

    @Test func everyEventReachesTheCentreAlsoAcrossA30SecondCut() async throws {
        let central = try PrivateBroker()
        try central.start()
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let airport = String((0..<3).map { _ in letters.randomElement()! })
        let local = try PrivateBroker(extraConfiguration: try Self.bridge(centralPort: central.port, airport: airport))
        try local.start()
        try await withDaemon(mqttPort: local.port, airport: airport, start: false) { daemon in
            let relay = try MQTTWatcher(user: "relay", clientID: "central-relay-\(UUID().uuidString.prefix(6))", cleanSession: false, port: central.port)
            try relay.subscribe(daemon.topic("events/#"), qos: 1)
            try daemon.start()

            func eventIDs(_ messages: [MQTTMessage]) -> Set<String> { MQTTWatcher.eventIDs(in: messages) }
            try daemon.send(lines: Array(PipelineEndToEndTests.script[0...1]))
            try await relay.wait(for: 20, "the first event at the centre") { eventIDs($0).count >= 1 }

            central.stop()
            try daemon.send(lines: Array(PipelineEndToEndTests.script[2...]))
            try await Task.sleep(for: .seconds(30))
            try central.start()
            let expected = Set(PipelineEndToEndTests.expectedEvents.map {
                EventID.make(airport: airport, flightID: $0.flight, seq: $0.seq, kind: EventKind(rawValue: $0.kind)!)
            })
            try await relay.wait(for: 60, "every event at the centre after the cut") { eventIDs($0).isSuperset(of: expected) }
            print("fault suite, bridge: \(expected.count) events, \(expected.count - 1) of them published during a 30 s cut, all at the central subscriber")
            #expect(daemon.stop() == 0)
            local.stop()
            central.stop()
        }
    }
}
