import MQTTWire
import Testing

@Suite("MQTT wire: reading what a broker sends")
struct MQTTPacketParserTests {
    private func parse(
        _ bytes: [UInt8], _ version: MQTTProtocolVersion = .v5, maximumPacketSize: Int = 268_435_460
    ) throws -> (packet: MQTTInboundPacket, length: Int)? {
        try bytes.withUnsafeBytes { buffer in
            try MQTTPacketParser.parse(buffer, version: version, maximumPacketSize: maximumPacketSize)
        }
    }

    private func packet(_ bytes: [UInt8], _ version: MQTTProtocolVersion = .v5) throws -> MQTTInboundPacket {
        let parsed = try #require(try parse(bytes, version))
        #expect(parsed.length == bytes.count)
        return parsed.packet
    }

    @Test func connacksOf311() throws {
        #expect(try packet([0x20, 2, 0, 0], .v311) == .connack(MQTTConnAck(sessionPresent: false, reasonCode: 0)))
        #expect(try packet([0x20, 2, 1, 5], .v311) == .connack(MQTTConnAck(sessionPresent: true, reasonCode: 5)))
    }

    @Test func aConnackOf5KeepsWhatTheBrokerAllows() throws {
        let bytes: [UInt8] = [
            0x20, 20, 0, 0,
            17, 0x21, 0, 20, 0x24, 1, 0x25, 0, 0x27, 0, 1, 0, 0, 0x1F, 0, 2, 0x6F, 0x6B,
        ]
        var expected = MQTTConnAck()
        expected.receiveMaximum = 20
        expected.maximumQoS = 1
        expected.retainAvailable = false
        expected.maximumPacketSize = 65_536
        expected.reasonString = "ok"
        #expect(try packet(bytes) == .connack(expected))
    }

    @Test func aRefusingConnackOf5WithoutPropertiesIsRead() throws {
        // mosquitto answers a refused CONNECT (0x87, not authorized) with a property length of 0.
        #expect(try packet([0x20, 3, 0, 0x87, 0]) == .connack(MQTTConnAck(reasonCode: 0x87)))
        #expect(try packet([0x20, 2, 0, 0x84]) == .connack(MQTTConnAck(reasonCode: 0x84)))
    }

    @Test func pubacksInBothVersions() throws {
        #expect(try packet([0x40, 2, 0, 10], .v311) == .puback(packetID: 10, reasonCode: 0, reasonString: nil))
        #expect(try packet([0x40, 2, 0, 10]) == .puback(packetID: 10, reasonCode: 0, reasonString: nil))
        #expect(try packet([0x40, 3, 1, 0, 0x10]) == .puback(packetID: 256, reasonCode: 0x10, reasonString: nil))
        #expect(
            try packet([0x40, 9, 0, 1, 0x87, 5, 0x1F, 0, 2, 0x6E, 0x6F])
                == .puback(packetID: 1, reasonCode: 0x87, reasonString: "no"))
    }

    @Test func subacksPingrespAndDisconnect() throws {
        #expect(try packet([0x90, 4, 0, 3, 1, 0x80], .v311) == .suback(packetID: 3, reasonCodes: [1, 0x80]))
        #expect(try packet([0x90, 4, 0, 3, 0, 1]) == .suback(packetID: 3, reasonCodes: [1]))
        #expect(try packet([0xD0, 0]) == .pingresp)
        #expect(try packet([0xE0, 0]) == .disconnect(reasonCode: 0, reasonString: nil))
        #expect(
            try packet([0xE0, 7, 0x8E, 5, 0x1F, 0, 2, 0x69, 0x64])
                == .disconnect(reasonCode: 0x8E, reasonString: "id"))
    }

    @Test func anIncomingPublishOf5WithItsProperties() throws {
        let bytes: [UInt8] = [
            0x3B, 23, 0, 3, 0x61, 0x2F, 0x62, 0, 9,
            13, 0x01, 1, 0x02, 0, 0, 0, 60, 0x26, 0, 1, 0x6B, 0, 0,
            0x68, 0x69,
        ]
        let expected = MQTTIncomingPublish(
            topic: "a/b", payload: Array("hi".utf8), qos: 1, retain: true, duplicate: true, packetID: 9,
            properties: MQTTPublishProperties(
                payloadIsUTF8: true, messageExpirySeconds: 60, userProperties: [MQTTUserProperty("k", "")]))
        #expect(try packet(bytes) == .publish(expected))
    }

    @Test func whatTheWriterWritesTheParserReads() throws {
        for version in [MQTTProtocolVersion.v311, .v5] {
            for qos: UInt8 in [0, 1] {
                let properties = MQTTPublishProperties(
                    messageExpirySeconds: 3600, contentType: "application/json",
                    userProperties: [MQTTUserProperty("event_id", "e-1"), MQTTUserProperty("schema", "flightedge.event/1")])
                var out: [UInt8] = []
                let payload = [UInt8](repeating: 0x7B, count: 300)
                try MQTTPacketWriter.publish(
                    topic: "flightedge/ZRH/events/LX1", payload: payload, qos: qos, retain: true,
                    packetID: qos == 0 ? 0 : 65_535, properties: properties, version: version, into: &out)
                let expected = MQTTIncomingPublish(
                    topic: "flightedge/ZRH/events/LX1", payload: payload, qos: qos, retain: true,
                    packetID: qos == 0 ? 0 : 65_535, properties: version == .v5 ? properties : MQTTPublishProperties())
                #expect(try packet(out, version) == .publish(expected))
            }
        }
    }

    @Test func everyPrefixOfAPacketIsIncompleteAndPacketsAreReadOneByOne() throws {
        let stream: [UInt8] = [0x40, 2, 0, 1, 0x40, 3, 0, 2, 0x87, 0xD0, 0, 0x40, 2, 0, 3]
        for end in 0..<4 { #expect(try parse(Array(stream[0..<end])) == nil) }
        var offset = 0
        var seen: [MQTTInboundPacket] = []
        while let (packet, length) = try parse(Array(stream[offset...])) {
            seen.append(packet)
            offset += length
        }
        #expect(offset == stream.count)
        #expect(seen == [
            .puback(packetID: 1, reasonCode: 0, reasonString: nil), .puback(packetID: 2, reasonCode: 0x87, reasonString: nil),
            .pingresp, .puback(packetID: 3, reasonCode: 0, reasonString: nil),
        ])
    }

    @Test func aLongRemainingLengthIsWaitedForNotMisread() throws {
        // 200 bytes declared (0xC8 0x01), 10 present.
        #expect(try parse([0x30, 0xC8, 0x01, 0, 1, 0x74] + [UInt8](repeating: 0, count: 4)) == nil)
        #expect(try parse([0x30, 0xC8]) == nil)
    }

    @Test(arguments: [
        ([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] as [UInt8], "the remaining length runs past four bytes (first byte 0x30)"),
        ([0x00, 0], "packet type 0 is reserved (first byte 0x00)"),
        ([0x20, 2, 2, 0], "CONNACK acknowledge flags 0x02: bits 7–1 are reserved"),
        ([0x41, 2, 0, 1], "PUBACK fixed header flags 0x01, must be 0"),
        ([0x40, 2, 0, 0], "PUBACK packet identifier 0"),
        ([0x40, 1, 0], "PUBACK ends inside its packet identifier (1 bytes left, 2 needed)"),
        ([0xD0, 1, 0], "PINGRESP has 1 bytes too many (PINGRESP has no body)"),
        ([0x36, 4, 0, 1, 0x74, 0], "PUBLISH QoS 3"),
        ([0x38, 4, 0, 1, 0x74, 0], "PUBLISH with DUP set at QoS 0"),
        ([0x30, 4, 0, 1, 0xFF, 0], "PUBLISH topic is not valid UTF-8"),
        ([0x30, 4, 0, 1, 0x23, 0], "PUBLISH topic \"#\" has a wildcard"),
        ([0x30, 7, 0, 1, 0x74, 3, 0x23, 0, 1], "PUBLISH to \"t\" uses a topic alias, which this client never allowed"),
        ([0x30, 5, 0, 1, 0x74, 1, 0x7F], "PUBLISH has unknown property 0x7f"),
        ([0x30, 6, 0, 1, 0x74, 5, 0x02, 0], "PUBLISH ends inside its properties (2 bytes left, 5 needed)"),
        ([0x90, 3, 0, 1, 0], "SUBACK without a reason code"),
        ([0x20, 4, 0, 0, 0, 9], "CONNACK has 1 bytes too many (after the properties)"),
        ([0x20, 6, 0, 0, 3, 0x21, 0, 0], "CONNACK receive maximum 0"),
        ([0x40, 5, 0, 1, 0, 0, 9], "PUBACK has 1 bytes too many (after the properties)"),
        ([0x30, 8, 0, 1, 0x74, 4, 0x80, 0x80, 0x80, 0x80], "PUBLISH property identifier runs past four bytes"),
        ([0x30, 4, 0, 1, 0x00, 0], "PUBLISH topic contains U+0000"),
    ])
    func malformedPacketsNameTheirFault(_ bytes: [UInt8], _ message: String) {
        #expect(throws: MQTTWireError(.malformed, message)) { try parse(bytes) }
    }

    @Test(arguments: [
        ([0x20, 2, 0, 6] as [UInt8], "CONNACK return code 6 (3.1.1 knows 0–5)"),
        ([0x20, 3, 0, 0, 0], "CONNACK has 1 bytes too many (after the return code)"),
        ([0x40, 3, 0, 1, 0], "PUBACK has 1 bytes too many (after the packet identifier)"),
    ])
    func malformedPacketsOf311NameTheirFault(_ bytes: [UInt8], _ message: String) {
        #expect(throws: MQTTWireError(.malformed, message)) { try parse(bytes, .v311) }
    }

    @Test func theMaximumPacketSizeIsEnforcedBeforeTheBytesArrive() {
        #expect(throws: MQTTWireError(.malformed, "a packet of 203 bytes, more than the 100 this client accepts")) {
            try parse([0x30, 0xC8, 0x01], maximumPacketSize: 100)
        }
    }

    @Test(arguments: [
        ([0x10, 0] as [UInt8], MQTTProtocolVersion.v5, "CONNECT from the broker (a client never receives it here)"),
        ([0x50, 2, 0, 1], .v5, "PUBREC from the broker (a client never receives it here)"),
        ([0xC0, 0], .v5, "PINGREQ from the broker (a client never receives it here)"),
        ([0xE0, 0], .v311, "DISCONNECT from the broker (a client never receives it here)"),
        ([0xF0, 0], .v5, "AUTH from the broker (a client never receives it here)"),
    ])
    func packetsAClientNeverReceivesAreRefused(_ bytes: [UInt8], _ version: MQTTProtocolVersion, _ message: String) {
        #expect(throws: MQTTWireError(.unexpected, message)) { try parse(bytes, version) }
    }
}
