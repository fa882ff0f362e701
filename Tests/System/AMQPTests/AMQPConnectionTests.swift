import AMQP
import FlightEdgeTestSupport
import Foundation
import Testing

/// The rabbitmq-c wrapper against the real cluster of `scripts/central`. Each test works in a
/// queue of its own that the airport user AMQ may create (`mqtt-subscription-flightedge-amq-bridge…`)
/// and bound to routing keys under `flightedge.AMQ.cmd.`, so it never touches the relay's queue.
@Suite struct AMQPConnectionTests {
    let endpoints: [AMQPEndpoint]
    let queue: String
    let routingKey: String

    init() throws {
        _ = try CentralCluster.addAirport("AMQ")
        let password = try CentralCluster.airportPassword("AMQ")
        endpoints = try CentralCluster.amqpURLs(user: "amq-bridge", password: password).map { try AMQPEndpoint(url: $0) }
        let tag = UUID().uuidString.prefix(8).lowercased()
        queue = "mqtt-subscription-flightedge-amq-bridge-test-\(tag)"
        routingKey = "flightedge.AMQ.cmd.test-\(tag)"
    }

    /// A connection to node 1 with the test's quorum queue declared and bound.
    private func setUp() throws -> AMQPConnection {
        let connection = try AMQPConnection(endpoint: endpoints[0])
        try connection.declareQueue(queue, quorum: true)
        try connection.bindQueue(queue, exchange: "amq.topic", routingKey: routingKey)
        return connection
    }

    private func tearDown() throws {
        let connection = try AMQPConnection(endpoint: endpoints[0])
        try connection.deleteQueue(queue)
        connection.close()
    }

    private func publish(_ count: Int, on connection: AMQPConnection, prefix: String) throws {
        try connection.enableConfirms()
        for index in 0..<count {
            try connection.publish(
                exchange: "amq.topic", routingKey: routingKey, body: Array("{\"n\":\(index)}".utf8), messageID: "\(prefix)-\(index)")
        }
        try connection.waitForConfirms(timeout: .seconds(20))
    }

    /// Up to `count` deliveries; acknowledged one by one when `ack` (the prefetch window moves on).
    private func receive(
        _ count: Int, from connection: AMQPConnection, within seconds: Double = 20, ack: Bool = false
    ) throws -> [AMQPDelivery] {
        var deliveries: [AMQPDelivery] = []
        let deadline = Date().addingTimeInterval(seconds)
        while deliveries.count < count && Date() < deadline {
            guard let delivery = try connection.nextDelivery(timeout: .milliseconds(200)) else { continue }
            deliveries.append(delivery)
            if ack { try connection.ack(delivery.deliveryTag) }
        }
        return deliveries
    }

    @Test func publishedWithConfirmsIsConsumedOnceAndGoneAfterAck() throws {
        let publisher = try setUp()
        defer { publisher.close(); try? tearDown() }
        try publish(100, on: publisher, prefix: "m")
        #expect(publisher.unconfirmedCount == 0)

        let consumer = try AMQPConnection(endpoint: endpoints[1])
        try consumer.consume(queue: queue, prefetch: 10)
        // A window of 10: the next messages come only as the earlier ones are acknowledged.
        let window = try receive(100, from: consumer, within: 1.5)
        #expect(window.count == 10)
        for delivery in window { try consumer.ack(delivery.deliveryTag) }
        let deliveries = window + (try receive(90, from: consumer, ack: true))
        #expect(deliveries.map(\.messageID) == (0..<100).map { "m-\($0)" })
        #expect(deliveries.allSatisfy { !$0.redelivered && $0.routingKey == routingKey })
        #expect(String(decoding: deliveries[7].body, as: UTF8.self) == "{\"n\":7}")
        consumer.close()

        let again = try AMQPConnection(endpoint: endpoints[2])
        defer { again.close() }
        try again.consume(queue: queue, prefetch: 10)
        #expect(try receive(1, from: again, within: 1.5).isEmpty)
    }

    @Test func unacknowledgedMessagesComeBackWhenTheConsumerLeaves() throws {
        let publisher = try setUp()
        defer { publisher.close(); try? tearDown() }
        try publish(5, on: publisher, prefix: "r")

        let first = try AMQPConnection(endpoint: endpoints[0])
        try first.consume(queue: queue, prefetch: 10)
        let taken = try receive(5, from: first)
        #expect(taken.count == 5)
        try first.ack(taken[0].deliveryTag)
        try first.ack(taken[1].deliveryTag)
        first.close()

        let second = try AMQPConnection(endpoint: endpoints[0])
        defer { second.close() }
        try second.consume(queue: queue, prefetch: 10)
        let back = try receive(3, from: second)
        #expect(back.map(\.messageID) == ["r-2", "r-3", "r-4"])
        #expect(back.allSatisfy { $0.redelivered })
    }

    @Test func wrongPasswordIsRefusedWithTheUserNamed() throws {
        var endpoint = try AMQPEndpoint(url: try CentralCluster.amqpURLs[0])
        endpoint.password = "not-the-password"
        let error = #expect(throws: AMQPError.self) { try AMQPConnection(endpoint: endpoint) }
        #expect(error?.code == .authenticationFailed)
        #expect(error?.message.contains("refused user 'relay'") == true)
        #expect(error?.message.contains("not-the-password") == false)

        let everyNode = try CentralCluster.amqpURLs.map { url in
            var endpoint = try AMQPEndpoint(url: url)
            endpoint.password = "wrong"
            return endpoint
        }
        let all = #expect(throws: AMQPError.self) { _ = try AMQPConnection.connect(toFirstOf: everyNode) }
        #expect(all?.code == .authenticationFailed)
    }

    @Test func failoverSkipsANodeThatIsNotThere() throws {
        let nobody = try Loopback.freePort()
        let dead = AMQPEndpoint(host: "127.0.0.1", port: nobody, virtualHost: endpoints[0].virtualHost,
                                username: endpoints[0].username, password: endpoints[0].password)
        let alone = #expect(throws: AMQPError.self) { _ = try AMQPConnection(endpoint: dead) }
        #expect(alone?.code == .connectFailed)
        let (connection, index) = try AMQPConnection.connect(toFirstOf: [dead, endpoints[1]])
        defer { connection.close() }
        #expect(index == 1)
        #expect(connection.endpoint == endpoints[1])
    }

    @Test func anotherAirportsRoutingKeyIsRefused() throws {
        let connection = try AMQPConnection(endpoint: endpoints[0])
        defer { connection.close() }
        try connection.enableConfirms()
        try connection.publish(exchange: "amq.topic", routingKey: "flightedge.ZRH.events.delay", body: Array("{}".utf8))
        let error = #expect(throws: AMQPError.self) { try connection.waitForConfirms(timeout: .seconds(10)) }
        #expect(error?.code == .accessRefused)
        #expect(error?.replyCode == 403)
    }

    @Test func relayUserMayNotCreateQueues() throws {
        let relay = try AMQPConnection(endpoint: try AMQPEndpoint(url: try CentralCluster.amqpURLs[0]))
        defer { relay.close() }
        let error = #expect(throws: AMQPError.self) { try relay.declareQueue("relay-made-this", quorum: false) }
        #expect(error?.code == .accessRefused)
    }

    @Test func urlsParseAndPrintWithoutPasswords() throws {
        let endpoint = try AMQPEndpoint(url: "amqp://relay:p%40ss@127.0.0.1:5673/flightedge")
        #expect(endpoint.host == "127.0.0.1" && endpoint.port == 5673)
        #expect(endpoint.username == "relay" && endpoint.password == "p@ss" && endpoint.virtualHost == "flightedge")
        #expect(!endpoint.tls && endpoint.description == "amqp://relay@127.0.0.1:5673/flightedge")
        #expect(try AMQPEndpoint(url: "amqps://a:b@central.example/x").tls)
        let error = #expect(throws: AMQPError.self) { try AMQPEndpoint(url: "http://relay:secret@host/") }
        #expect(error?.code == .invalidURL)
        #expect(error?.message.contains("secret") == false)
    }

    /// A figure, not a limit: persistent messages into a three-replica quorum queue, 500 in flight.
    @Test func rawPublishConfirmRate() throws {
        let publisher = try setUp()
        defer { publisher.close(); try? tearDown() }
        try publisher.enableConfirms()
        let body = Array(String(repeating: "x", count: 600).utf8)
        let count = 20_000
        let start = Date()
        for _ in 0..<count {
            try publisher.publish(exchange: "amq.topic", routingKey: routingKey, body: body)
            if publisher.unconfirmedCount >= 500 { try publisher.waitForConfirms(atMost: 250, timeout: .seconds(30)) }
        }
        try publisher.waitForConfirms(timeout: .seconds(30))
        let seconds = Date().timeIntervalSince(start)
        #expect(publisher.unconfirmedCount == 0)
        print("AMQP publish-confirm into a 3-node quorum queue: \(count) × 600 B in \(String(format: "%.2f", seconds)) s = \(Int(Double(count) / seconds)) msg/s")
    }
}
