import FlightEdgeTestSupport
import Foundation
import MQTTWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The packets against the real mosquitto of scripts/services: what the writer writes the
/// broker takes, and what the broker answers the parser reads, a batch in one write.
@Suite("MQTT wire: against mosquitto", .serialized)
struct MQTTWireBrokerTests {
    @Test(arguments: [MQTTProtocolVersion.v5, .v311])
    func aBatchWrittenAtOnceIsAcknowledgedAndDeliveredInOrder(_ version: MQTTProtocolVersion) throws {
        let connection = try BrokerConnection(version: version)
        defer { connection.close() }
        let ack = try connection.connect(username: "flightedge", password: try TestServices.mqttPassword("flightedge"))
        #expect(ack.accepted, "CONNACK \(ack)")

        let topic = "flightedge/WIRE/cmd/\(UUID().uuidString)"
        var out: [UInt8] = []
        try MQTTPacketWriter.subscribe(packetID: 1, [MQTTSubscription(topic, qos: 1)], version: version, into: &out)
        try connection.send(out)
        #expect(try connection.next() == .suback(packetID: 1, reasonCodes: [1]))

        let count = 500
        let properties = MQTTPublishProperties(
            contentType: "application/json", userProperties: [MQTTUserProperty("event_id", "e-7")])
        out.removeAll(keepingCapacity: true)
        for index in 1...count {
            try MQTTPacketWriter.publish(
                topic: topic, payload: Array("{\"n\":\(index)}".utf8), qos: 1, retain: false,
                packetID: UInt16(index + 1), properties: properties, version: version, into: &out)
        }
        try connection.send(out)  // one write for the whole batch

        var acknowledged: [UInt16] = []
        var delivered: [MQTTIncomingPublish] = []
        while acknowledged.count < count || delivered.count < count {
            switch try connection.next() {
            case .puback(let id, let reason, _):
                #expect(reason == 0)
                acknowledged.append(id)
            case .publish(let message):
                delivered.append(message)
                var reply: [UInt8] = []
                MQTTPacketWriter.puback(packetID: message.packetID, into: &reply)
                try connection.send(reply)
            case let other:
                Issue.record("unexpected \(other)")
                return
            }
        }
        #expect(acknowledged == (1...count).map { UInt16($0 + 1) })
        #expect(delivered.map { String(decoding: $0.payload, as: UTF8.self) } == (1...count).map { "{\"n\":\($0)}" })
        #expect(delivered.allSatisfy { $0.topic == topic && $0.qos == 1 })
        if version == .v5 {
            #expect(delivered.allSatisfy { $0.properties == properties })
        }
        var goodbye: [UInt8] = []
        MQTTPacketWriter.disconnect(into: &goodbye)
        try connection.send(goodbye)
    }

    /// mosquitto answers a wrong password with "not authorized" in both versions (0x87; 5),
    /// not with "bad user name or password" (0x86; 4).
    @Test(arguments: [(MQTTProtocolVersion.v5, UInt8(0x87)), (.v311, 5)])
    func aWrongPasswordIsRefusedInTheConnack(_ version: MQTTProtocolVersion, _ code: UInt8) throws {
        let connection = try BrokerConnection(version: version)
        defer { connection.close() }
        let ack = try connection.connect(username: "flightedge", password: "not-the-password")
        #expect(!ack.accepted)
        #expect(ack.reasonCode == code)
    }

    @Test func aPublishTheAclRefusesIsAcknowledgedWithNotAuthorizedOn5() throws {
        let connection = try BrokerConnection(version: .v5)
        defer { connection.close() }
        #expect(try connection.connect(username: "board", password: try TestServices.mqttPassword("board")).accepted)
        var out: [UInt8] = []
        try MQTTPacketWriter.publish(
            topic: "flightedge/WIRE/events/x", payload: [1], qos: 1, retain: false, packetID: 9, version: .v5, into: &out)
        try connection.send(out)
        guard case .puback(9, let reason, _) = try connection.next() else {
            Issue.record("no PUBACK for packet 9")
            return
        }
        #expect(reason == 0x87)  // not authorized
    }
}

/// A blocking TCP connection to the test broker.
private final class BrokerConnection {
    let version: MQTTProtocolVersion
    private let descriptor: Int32
    private var reader: MQTTSocketReader

    init(version: MQTTProtocolVersion) throws {
        self.version = version
        descriptor = try Loopback.connect(port: try TestServices.mqttPort, noDelay: true)
        reader = MQTTSocketReader(socket: descriptor, version: version)
    }

    func close() { Glibc.close(descriptor) }

    func send(_ bytes: [UInt8]) throws { try Loopback.writeAll(descriptor, bytes) }

    func connect(username: String, password: String) throws -> MQTTConnAck {
        var out: [UInt8] = []
        let packet = MQTTConnect(
            version: version, clientID: "wire-test-\(UUID().uuidString.prefix(8))", username: username,
            password: Array(password.utf8))
        try MQTTPacketWriter.connect(packet, into: &out)
        try send(out)
        guard case .connack(let ack) = try next() else { throw TestSupportError(.connectionFailed, "no CONNACK") }
        return ack
    }

    func next() throws -> MQTTInboundPacket { try reader.next() }
}
