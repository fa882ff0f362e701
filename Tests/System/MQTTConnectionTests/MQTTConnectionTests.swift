import FlightEdgeTestSupport
import Foundation
import MQTTConnection
import MQTTWire
import NIOPosix
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The batching connection against the real mosquitto of scripts/services.
@Suite("MQTT connection on swift-nio", .serialized)
struct MQTTConnectionTests {
    private func configuration(
        user: String = "flightedge", password: String? = nil, keepAlive: UInt16 = 30, inFlight: Int = 100
    ) throws -> MQTTConnection.Configuration {
        let secret = try password ?? TestServices.mqttPassword(user)
        let connect = MQTTConnect(
            version: .v5, clientID: "nio-test-\(UUID().uuidString.prefix(8))", keepAliveSeconds: keepAlive,
            username: user, password: Array(secret.utf8))
        return MQTTConnection.Configuration(
            host: "127.0.0.1", port: try TestServices.mqttPort, connect: connect, maximumInFlight: inFlight)
    }

    private func messages(_ tags: ClosedRange<UInt64>, topic: String = "flightedge/WIRE/state/x") -> [MQTTConnection.Outgoing] {
        tags.map { MQTTConnection.Outgoing(tag: $0, MQTTApplicationMessage(topic: topic, payload: Array("{\"n\":\($0)}".utf8))) }
    }

    /// A connection the broker accepted, with the log of its events.
    private func connected(_ configuration: MQTTConnection.Configuration) async throws -> (MQTTConnection, EventLog) {
        let events = EventLog()
        let connection = try await MQTTConnection.open(configuration, on: MultiThreadedEventLoopGroup.singleton) {
            events.add($0)
        }
        try await events.wait("CONNACK") { $0.connected }
        return (connection, events)
    }

    @Test func everyMessageIsAcknowledgedOnceInOrderThroughTheWindow() async throws {
        let (connection, events) = try await connected(try configuration(inFlight: 50))
        for start in stride(from: 1, through: 2_000, by: 250) {
            connection.publish(messages(UInt64(start)...UInt64(start + 249)))
        }
        try await events.wait("2,000 PUBACKs") { $0.acknowledged.count == 2_000 }
        #expect(events.snapshot.acknowledged == Array(1...2_000))
        #expect(events.snapshot.refusedReasons.isEmpty)
        // A read's PUBACKs come as one event: fewer events than messages (a window of 50 refills
        // from reads that each carry several).
        #expect(events.snapshot.acknowledgedEvents < 2_000, "\(events.snapshot.acknowledgedEvents) events")
        await connection.close()
        try await events.wait("the close") { $0.closed != nil }
        #expect(events.snapshot.closed?.unacknowledged == [])
    }

    /// The owner gets the connection before its first event, and it works from there: a
    /// publisher that sees the CONNACK before the task awaiting `open` resumed (a loaded machine)
    /// once found no connection to publish on, and waited for a reconnect that never came.
    @Test func theConnectionIsHandedOverBeforeAnyEvent() async throws {
        let order = Mutex<[String]>([])
        let early = Mutex<MQTTConnection?>(nil)
        let events = EventLog()
        let opened = try await MQTTConnection.open(
            try configuration(), on: MultiThreadedEventLoopGroup.singleton,
            prepared: { connection in
                order.withLock { $0.append("prepared") }
                early.withLock { $0 = connection }
            }
        ) { event in
            order.withLock { $0.append("\(event)".prefix(9).description) }
            events.add(event)
        }
        try await events.wait("CONNACK") { $0.connected }
        #expect(order.withLock { $0.first } == "prepared", "\(order.withLock { $0 })")
        let connection = try #require(early.withLock { $0 })
        connection.publish(messages(1...20))
        try await events.wait("20 PUBACKs") { $0.acknowledged.count == 20 }
        #expect(events.snapshot.acknowledged == Array(1...20))
        await opened.close()
        try await events.wait("the close") { $0.closed != nil }
    }

    @Test func aWrongPasswordIsRefusedAndTheConnectionCloses() async throws {
        let events = EventLog()
        _ = try await MQTTConnection.open(
            try configuration(password: "wrong"), on: MultiThreadedEventLoopGroup.singleton) { events.add($0) }
        try await events.wait("the close") { $0.closed != nil }
        #expect(events.snapshot.refused == 0x87)
        #expect(events.snapshot.closed?.reason == "the broker refused the connection (reason 0x87)")
    }

    @Test func aPublishTheAclRefusesComesBackWithItsReasonAndTheRestGoOn() async throws {
        let (connection, events) = try await connected(try configuration(user: "board"))
        connection.publish(messages(1...3, topic: "flightedge/WIRE/events/x") + messages(4...4, topic: "flightedge/WIRE/cmd/resync"))
        try await events.wait("4 PUBACKs") { $0.acknowledged.count == 4 }
        #expect(events.snapshot.acknowledged == [1, 2, 3, 4])
        #expect(events.snapshot.refusedReasons == [1: 0x87, 2: 0x87, 3: 0x87])
        await connection.close()
    }

    @Test func aMessageThatCannotBeEncodedIsRejectedAlone() async throws {
        let (connection, events) = try await connected(try configuration())
        connection.publish(messages(1...1) + messages(2...2, topic: "flightedge/WIRE/+") + messages(3...3))
        try await events.wait("2 PUBACKs") { $0.acknowledged.count == 2 }
        #expect(events.snapshot.acknowledged == [1, 3])
        #expect(events.snapshot.rejected == [2])
        await connection.close()
    }

    @Test func theKeepAliveHoldsAQuietConnectionOpen() async throws {
        let (connection, events) = try await connected(try configuration(keepAlive: 1))
        // mosquitto drops a client silent for 1.5 keep-alives; PINGREQs keep this one.
        try await Task.sleep(for: .seconds(3.5))
        #expect(events.snapshot.closed == nil)
        connection.publish(messages(1...1))
        try await events.wait("the PUBACK") { $0.acknowledged == [1] }
        await connection.close()
    }

    @Test func withoutAKeepAliveItConnectsOnceAndStays() async throws {
        let (connection, events) = try await connected(try configuration(keepAlive: 0))
        // A second CONNECT on the connection is a protocol error the broker closes it for.
        try await Task.sleep(for: .milliseconds(300))
        connection.publish(messages(1...1))
        try await events.wait("the PUBACK") { $0.acknowledged == [1] }
        #expect(events.snapshot.closed == nil)
        await connection.close()
    }

    @Test func aConnectionTheBrokerDropsIsReportedClosed() async throws {
        let config = try configuration()
        let (connection, events) = try await connected(config)
        connection.publish(messages(1...1))
        try await events.wait("the PUBACK") { $0.acknowledged == [1] }
        // Another client with the same id takes the session over; mosquitto 2.0.11 closes the
        // first connection without a DISCONNECT.
        let intruder = try Loopback.connect(port: try TestServices.mqttPort)
        defer { close(intruder) }
        var out: [UInt8] = []
        try MQTTPacketWriter.connect(config.connect, into: &out)
        try Loopback.writeAll(intruder, out)
        try await events.wait("the close") { $0.closed != nil }
        #expect(events.snapshot.closed?.reason == "the broker closed the connection")
        #expect(events.snapshot.closed?.unacknowledged == [])
    }

    @Test func aMessageOfItsSessionArrivesAndIsAcknowledged() async throws {
        let password = Array(try TestServices.mqttPassword("flightedge").utf8)
        let topic = "flightedge/WIRE/cmd/\(UUID().uuidString)"
        var session = MQTTConnect(
            version: .v5, clientID: "nio-session-\(UUID().uuidString.prefix(8))", cleanStart: false, username: "flightedge",
            password: password)
        session.sessionExpirySeconds = 60
        // A session that subscribed and left, then a message for it while it is away.
        try exchange(session) { out in
            try MQTTPacketWriter.subscribe(packetID: 1, [MQTTSubscription(topic, qos: 1)], version: .v5, into: &out)
        } expecting: { if case .suback = $0 { true } else { false } }
        try exchange(MQTTConnect(version: .v5, clientID: "nio-sender", username: "flightedge", password: password)) { out in
            try MQTTPacketWriter.publish(
                MQTTApplicationMessage(topic: topic, payload: Array("resync".utf8)), packetID: 1, version: .v5, into: &out)
        } expecting: { if case .puback = $0 { true } else { false } }

        var config = try configuration()
        config.connect = session
        let (connection, events) = try await connected(config)
        try await events.wait("the message") { !$0.messages.isEmpty }
        #expect(events.snapshot.messages.map(\.topic) == [topic])
        #expect(events.snapshot.messages.map { String(decoding: $0.payload, as: UTF8.self) } == ["resync"])
        await connection.close()

        // Acknowledged: the session has nothing left to deliver; then it is ended.
        let socket = try Loopback.connect(port: try TestServices.mqttPort)
        defer { close(socket) }
        var out: [UInt8] = []
        session.sessionExpirySeconds = 0
        try MQTTPacketWriter.connect(session, into: &out)
        try Loopback.writeAll(socket, out)
        var reader = MQTTSocketReader(socket: socket, version: .v5, timeoutSeconds: 1)
        guard case .connack(let ack) = try reader.next() else { throw TestSupportError(.connectionFailed, "no CONNACK") }
        #expect(ack.sessionPresent)
        #expect(throws: TestSupportError.self, "no message redelivered") { try reader.next() }
    }

    @Test func aSubscriptionIsGrantedPerFilterAndItsMessagesArrive() async throws {
        let (connection, events) = try await connected(try configuration())
        let topic = "flightedge/WIRE/cmd/\(UUID().uuidString)"
        // One granted QoS per filter, in order (mosquitto grants what its ACL denies and
        // filters at delivery, so a refusal is not what this can show).
        connection.subscribe([MQTTSubscription(topic, qos: 1), MQTTSubscription("\(topic)/quiet", qos: 0)])
        try await events.wait("the SUBACK") { !$0.subscribed.isEmpty }
        #expect(events.snapshot.subscribed == [[1, 0]], "\(events.snapshot.subscribed)")
        let password = Array(try TestServices.mqttPassword("flightedge").utf8)
        try exchange(MQTTConnect(version: .v5, clientID: "nio-sender-\(UUID().uuidString.prefix(6))", username: "flightedge", password: password)) { out in
            try MQTTPacketWriter.publish(
                MQTTApplicationMessage(topic: topic, payload: Array("replay".utf8)), packetID: 1, version: .v5, into: &out)
        } expecting: { if case .puback = $0 { true } else { false } }
        try await events.wait("the message") { !$0.messages.isEmpty }
        #expect(events.snapshot.messages.map { String(decoding: $0.payload, as: UTF8.self) } == ["replay"])
        #expect(events.snapshot.messages.first?.qos == 1)
        await connection.close()
    }

    @Test func aPublishAfterTheCloseIsDroppedNotSentOnAnotherConnection() async throws {
        let (connection, events) = try await connected(try configuration())
        await connection.close()
        try await events.wait("the close") { $0.closed != nil }
        connection.publish(messages(1...3))
        connection.publish { self.messages(4...5) }
        try await Task.sleep(for: .milliseconds(200))
        #expect(events.snapshot.acknowledged.isEmpty)
        #expect(events.snapshot.closed?.unacknowledged == [])
    }

    /// On a blocking socket: CONNECT, what `write` writes, then DISCONNECT once the packet
    /// `expected` picks has come.
    private func exchange(
        _ connect: MQTTConnect, _ write: (inout [UInt8]) throws -> Void,
        expecting expected: (MQTTInboundPacket) -> Bool
    ) throws {
        let socket = try Loopback.connect(port: try TestServices.mqttPort)
        defer { close(socket) }
        var out: [UInt8] = []
        try MQTTPacketWriter.connect(connect, into: &out)
        try write(&out)
        try Loopback.writeAll(socket, out)
        var reader = MQTTSocketReader(socket: socket, version: connect.version)
        guard case .connack(let ack) = try reader.next(), ack.accepted else {
            throw TestSupportError(.connectionFailed, "CONNECT not accepted")
        }
        while !expected(try reader.next()) {}
        out.removeAll()
        MQTTPacketWriter.disconnect(into: &out)
        try Loopback.writeAll(socket, out)
    }

    @Test func messagesNotAcknowledgedWhenItClosesAreHandedBack() async throws {
        let (connection, events) = try await connected(try configuration(inFlight: 10))
        connection.publish(messages(1...5_000))
        await connection.close()
        try await events.wait("the close") { $0.closed != nil }
        let snapshot = events.snapshot
        let unacknowledged = try #require(snapshot.closed?.unacknowledged)
        #expect(!unacknowledged.isEmpty)
        #expect(snapshot.acknowledged + unacknowledged == Array(1...5_000), "each tag once, in order")
    }
}

/// What the connection reported, gathered from its event loop.
private final class EventLog: Sendable {
    struct Snapshot {
        var connected = false
        var refused: UInt8?
        var acknowledged: [UInt64] = []
        var refusedReasons: [UInt64: UInt8] = [:]
        var rejected: [UInt64] = []
        var messages: [MQTTIncomingPublish] = []
        var subscribed: [[UInt8]] = []
        /// How many `.acknowledged` events carried them.
        var acknowledgedEvents = 0
        var closed: (reason: String, unacknowledged: [UInt64])?
    }

    private let state = Mutex(Snapshot())

    var snapshot: Snapshot { state.withLock { $0 } }

    func add(_ event: MQTTConnection.Event) {
        state.withLock { state in
            switch event {
            case .connected: state.connected = true
            case .refused(let ack): state.refused = ack.reasonCode
            case .acknowledged(let acknowledgements):
                state.acknowledgedEvents += 1
                for acknowledgement in acknowledgements {
                    state.acknowledged.append(acknowledgement.tag)
                    if acknowledgement.reasonCode >= 0x80 { state.refusedReasons[acknowledgement.tag] = acknowledgement.reasonCode }
                }
            case .rejected(let tag, _): state.rejected.append(tag)
            case .message(let message): state.messages.append(message)
            case .subscribed(let reasonCodes): state.subscribed.append(reasonCodes)
            case .closed(let reason, let unacknowledged): state.closed = (reason, unacknowledged)
            }
        }
    }

    func wait(_ what: String, timeout: Duration = .seconds(10), until condition: (Snapshot) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition(snapshot) {
            guard ContinuousClock.now < deadline else {
                throw TestSupportError(.connectionFailed, "waited \(timeout) for \(what)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
