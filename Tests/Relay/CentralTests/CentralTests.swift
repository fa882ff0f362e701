import AMQP
import FlightEdgeTestSupport
import Foundation
import Testing

/// The central side end to end on the cluster `scripts/test` started (`scripts/central start
/// --nodes 3`): an airport's mosquitto bridged with `scripts/central add-airport`'s section, the
/// quorum queue, a node killed. Serialized: every test reads the one relay queue.
@Suite(.serialized) struct CentralTests {
    /// Marks this run's messages in the shared queue.
    static func marker() -> String { "t" + UUID().uuidString.prefix(8).lowercased() }

    @Test func bridgeCarriesQoS1EventsIntoTheQuorumQueue() throws {
        let broker = try AirportBroker(iata: "XYZ")
        let marker = Self.marker()
        let collector = try QueueCollector(marker: marker)
        defer { collector.stop() }
        let gateway = try AirportPublisher(port: broker.port)
        #expect(try gateway.waitForBridge("XYZ"), "bridge did not connect: \(broker.log)")

        let count = 5_000
        let start = Date()
        for number in 0..<count { try gateway.publish("flightedge/XYZ/events/delay", "\(marker) \(number)") }
        #expect(collector.wait(for: count, seconds: 60))
        let seconds = Date().timeIntervalSince(start)
        let missing = Set(0..<count).subtracting(collector.received)
        #expect(missing.isEmpty, "missing \(missing.count), e.g. \(missing.sorted().prefix(10)); PUBACKs \(gateway.acknowledged); bridge log: \(broker.log)")
        #expect(gateway.waitForAcknowledgements(count, seconds: 10))
        print("bridge → cluster → queue: \(count) QoS 1 events in \(String(format: "%.2f", seconds)) s = \(Int(Double(count) / seconds)) msg/s")
    }

    @Test func aBridgeUserCannotPublishAnotherAirportsEvents() throws {
        _ = try CentralCluster.addAirport("XYZ")
        let marker = Self.marker()
        let collector = try QueueCollector(marker: marker)
        defer { collector.stop() }
        let ports = try CentralCluster.mqttPorts
        let impostor = try AirportPublisher(
            port: ports[1], username: "xyz-bridge", password: try CentralCluster.airportPassword("XYZ"))

        // Its own airport's key is fine…
        try impostor.publish("flightedge/XYZ/events/delay", "\(marker) 1")
        #expect(impostor.waitForAcknowledgements(1, seconds: 10))
        #expect(collector.wait(for: 1, seconds: 10))
        // …another airport's is refused: no PUBACK, the connection is closed, nothing is queued.
        try impostor.publish("flightedge/ZRH/events/delay", "\(marker) 2")
        Thread.sleep(forTimeInterval: 3)
        #expect(impostor.acknowledged == 1)
        #expect(impostor.disconnects >= 1)
        #expect(collector.received == [1])
    }

    @Test func killingANodeWhileEventsFlowLosesNone() throws {
        let broker = try AirportBroker(iata: "XYZ")
        let marker = Self.marker()
        // Node 1 carries the bridge and the consumer, and led the queue when the cluster formed.
        let collector = try QueueCollector(marker: marker)
        defer { collector.stop() }
        defer { try? CentralCluster.startDownNodes() }
        let gateway = try AirportPublisher(port: broker.port)
        #expect(try gateway.waitForBridge("XYZ"), "bridge did not connect: \(broker.log)")

        let count = 8_000
        let start = Date()
        var killedAt: Date?
        for number in 0..<count {
            try gateway.publish("flightedge/XYZ/events/gate-change", "\(marker) \(number)")
            if number % 10 == 9 { Thread.sleep(forTimeInterval: 0.01) }  // ~1,000 events/s
            if killedAt == nil && Date().timeIntervalSince(start) > 2.5 {
                try CentralCluster.killNode(1)
                killedAt = Date()
            }
        }
        let complete = collector.wait(for: count, seconds: 90)
        let missing = Set(0..<count).subtracting(collector.received)
        #expect(killedAt != nil)
        #expect(complete && missing.isEmpty, "missing \(missing.count), e.g. \(missing.sorted().prefix(10)); bridge log: \(broker.log)")
        print(
            "kill -9 of node 1 at \(String(format: "%.1f", killedAt.map { $0.timeIntervalSince(start) } ?? 0)) s: "
                + "\(collector.received.count)/\(count) arrived, \(collector.deliveries - collector.received.count) twice, "
                + "all in \(String(format: "%.1f", Date().timeIntervalSince(start))) s, consumer reconnects \(collector.reconnects)")
        try CentralCluster.startDownNodes()
        #expect(try CentralCluster.runningNodes().count == 3)
    }
}
