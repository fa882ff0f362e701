import MQTTWire
import Testing

@Suite("MQTT wire: writing a client's packets")
struct MQTTPacketWriterTests {
    private func bytes(_ write: (inout [UInt8]) throws(MQTTWireError) -> Void) throws -> [UInt8] {
        var out: [UInt8] = []
        try write(&out)
        return out
    }

    @Test func aMinimalConnectOf311IsTheSpecsBytes() throws {
        let packet = MQTTConnect(version: .v311, clientID: "c1", keepAliveSeconds: 30)
        #expect(try bytes { out throws(MQTTWireError) in try MQTTPacketWriter.connect(packet, into: &out) } == [
            0x10, 14, 0, 4, 0x4D, 0x51, 0x54, 0x54, 4, 0x02, 0, 30, 0, 2, 0x63, 0x31,
        ])
    }

    @Test func aConnectOf5CarriesItsPropertiesWillAndCredentials() throws {
        var packet = MQTTConnect(
            version: .v5, clientID: "c1", keepAliveSeconds: 60, username: "u", password: [0x70],
            will: MQTTApplicationMessage(topic: "s", payload: [0x78], qos: 1, retain: true,
                           properties: MQTTPublishProperties(messageExpirySeconds: 7)))
        packet.sessionExpirySeconds = 10
        let out = try bytes { out throws(MQTTWireError) in try MQTTPacketWriter.connect(packet, into: &out) }
        #expect(out == [
            0x10, 38,
            0, 4, 0x4D, 0x51, 0x54, 0x54, 5,
            0xEE,  // user name, password, will retain, will QoS 1, will, clean start
            0, 60,
            5, 0x11, 0, 0, 0, 10,  // session expiry 10 s
            0, 2, 0x63, 0x31,  // client id
            5, 0x02, 0, 0, 0, 7,  // will: message expiry 7 s
            0, 1, 0x73,  // will topic
            0, 1, 0x78,  // will payload
            0, 1, 0x75,  // user name
            0, 1, 0x70,  // password
        ])
    }

    @Test func aPublishAtQoS1On311HasItsPacketIdentifier() throws {
        let out = try bytes { out throws(MQTTWireError) in
            try MQTTPacketWriter.publish(
                topic: "a/b", payload: Array("hi".utf8), qos: 1, retain: true, packetID: 10, version: .v311, into: &out)
        }
        #expect(out == [0x33, 9, 0, 3, 0x61, 0x2F, 0x62, 0, 10, 0x68, 0x69])
    }

    @Test func aPublishOf5WritesItsPropertiesInIdentifierOrder() throws {
        let properties = MQTTPublishProperties(
            payloadIsUTF8: true, contentType: "j", userProperties: [MQTTUserProperty("k", "v")])
        let out = try bytes { out throws(MQTTWireError) in
            try MQTTPacketWriter.publish(
                topic: "t", payload: [1], qos: 1, retain: false, duplicate: true, packetID: 0x0102,
                properties: properties, version: .v5, into: &out)
        }
        #expect(out == [
            0x3A, 20, 0, 1, 0x74, 1, 2,
            13, 0x01, 1, 0x03, 0, 1, 0x6A, 0x26, 0, 1, 0x6B, 0, 1, 0x76,
            1,
        ])
    }

    @Test func aPublishAtQoS0HasNoPacketIdentifierAndAnEmptyPropertyListOn5() throws {
        let out = try bytes { out throws(MQTTWireError) in
            try MQTTPacketWriter.publish(topic: "t", payload: [], qos: 0, retain: false, packetID: 0, version: .v5, into: &out)
        }
        #expect(out == [0x30, 4, 0, 1, 0x74, 0])
    }

    @Test(arguments: [(3, [0x03] as [UInt8]), (127, [0x7F]), (128, [0x80, 0x01]), (16_383, [0xFF, 0x7F]),
                      (16_384, [0x80, 0x80, 0x01]), (2_097_152, [0x80, 0x80, 0x80, 0x01])])
    func remainingLengthsAreVariableByteIntegers(_ remainingLength: Int, _ expected: [UInt8]) throws {
        // topic "t" (3 bytes) and no packet identifier: the payload makes up the rest.
        let payload = [UInt8](repeating: 0x41, count: remainingLength - 3)
        let out = try bytes { out throws(MQTTWireError) in
            try MQTTPacketWriter.publish(topic: "t", payload: payload, qos: 0, retain: false, packetID: 0, version: .v311, into: &out)
        }
        #expect(Array(out[1..<1 + expected.count]) == expected)
        #expect(out.count == 1 + expected.count + remainingLength)
    }

    @Test func packetsAppendOneAfterAnotherForOneWrite() throws {
        var out: [UInt8] = []
        MQTTPacketWriter.pingreq(into: &out)
        MQTTPacketWriter.puback(packetID: 7, into: &out)
        try MQTTPacketWriter.subscribe(packetID: 3, [MQTTSubscription("a/+/#", qos: 1)], version: .v311, into: &out)
        MQTTPacketWriter.disconnect(into: &out)
        #expect(out == [
            0xC0, 0, 0x40, 2, 0, 7,
            0x82, 10, 0, 3, 0, 5, 0x61, 0x2F, 0x2B, 0x2F, 0x23, 1,
            0xE0, 0,
        ])
    }

    @Test func aSubscribeOf5HasAnEmptyPropertyList() throws {
        let out = try bytes { out throws(MQTTWireError) in
            try MQTTPacketWriter.subscribe(packetID: 1, [MQTTSubscription("x", qos: 0)], version: .v5, into: &out)
        }
        #expect(out == [0x82, 7, 0, 1, 0, 0, 1, 0x78, 0])
    }

    @Test(arguments: [
        ("a/+", "PUBLISH topic \"a/+\" has a wildcard (+ or #)"),
        ("", "PUBLISH topic is empty"),
        ("a\u{0}b", "PUBLISH topic contains U+0000"),
    ])
    func badTopicsAreRefusedByName(_ topic: String, _ message: String) {
        var out: [UInt8] = [9]
        #expect(throws: MQTTWireError(.unencodable, message)) {
            try MQTTPacketWriter.publish(topic: topic, payload: [], qos: 1, retain: false, packetID: 1, version: .v5, into: &out)
        }
        #expect(out == [9], "a refused packet leaves the buffer as it was")
    }

    @Test func qosAndPacketIdentifiersAreChecked() {
        var out: [UInt8] = []
        #expect(throws: MQTTWireError(.unencodable, "PUBLISH QoS 3 is not 0, 1 or 2")) {
            try MQTTPacketWriter.publish(topic: "t", payload: [], qos: 3, retain: false, packetID: 1, version: .v5, into: &out)
        }
        #expect(throws: MQTTWireError(.unencodable, "PUBLISH packet identifier 0 (a QoS 1 message needs one from 1)")) {
            try MQTTPacketWriter.publish(topic: "t", payload: [], qos: 1, retain: false, packetID: 0, version: .v5, into: &out)
        }
        #expect(throws: MQTTWireError(.unencodable, "SUBSCRIBE packet identifier 0 (must be from 1)")) {
            try MQTTPacketWriter.subscribe(packetID: 0, [MQTTSubscription("t", qos: 1)], version: .v5, into: &out)
        }
        #expect(out.isEmpty)
    }

    @Test func stringsOver65535BytesAreRefusedByField() {
        var out: [UInt8] = []
        let long = String(repeating: "x", count: 65_536)
        #expect(throws: MQTTWireError(.unencodable, "CONNECT client identifier is 65536 bytes, more than 65,535")) {
            try MQTTPacketWriter.connect(MQTTConnect(version: .v5, clientID: long), into: &out)
        }
        #expect(throws: MQTTWireError(.unencodable, "PUBLISH user property name is 65536 bytes, more than 65,535")) {
            try MQTTPacketWriter.publish(
                topic: "t", payload: [], qos: 0, retain: false, packetID: 0,
                properties: MQTTPublishProperties(userProperties: [MQTTUserProperty(long, "v")]), version: .v5, into: &out)
        }
        let will = MQTTApplicationMessage(
            topic: "status", payload: [], properties: MQTTPublishProperties(contentType: "a\u{0}"))
        #expect(throws: MQTTWireError(.unencodable, "CONNECT will content type contains U+0000")) {
            try MQTTPacketWriter.connect(MQTTConnect(version: .v5, clientID: "c", will: will), into: &out)
        }
        #expect(out.isEmpty)
    }

    @Test func everyOtherRefusalNamesItsField() {
        var out: [UInt8] = []
        let big = [UInt8](repeating: 1, count: 65_536)
        #expect(throws: MQTTWireError(.unencodable, "CONNECT password is 65536 bytes, more than 65,535")) {
            try MQTTPacketWriter.connect(MQTTConnect(version: .v311, clientID: "c", password: big), into: &out)
        }
        #expect(throws: MQTTWireError(.unencodable, "CONNECT will QoS 3 is not 0, 1 or 2")) {
            try MQTTPacketWriter.connect(
                MQTTConnect(version: .v311, clientID: "c", will: MQTTApplicationMessage(topic: "s", payload: [], qos: 3)),
                into: &out)
        }
        #expect(throws: MQTTWireError(.unencodable, "CONNECT will payload is 65536 bytes, more than 65,535")) {
            try MQTTPacketWriter.connect(
                MQTTConnect(version: .v311, clientID: "c", will: MQTTApplicationMessage(topic: "s", payload: big)), into: &out)
        }
        #expect(throws: MQTTWireError(.unencodable, "SUBSCRIBE without a topic filter")) {
            try MQTTPacketWriter.subscribe(packetID: 1, [], version: .v5, into: &out)
        }
        #expect(throws: MQTTWireError(.unencodable, "SUBSCRIBE QoS 3 for a/b is not 0, 1 or 2")) {
            try MQTTPacketWriter.subscribe(packetID: 1, [MQTTSubscription("a/b", qos: 3)], version: .v5, into: &out)
        }
        #expect(out.isEmpty)
    }

    @Test(arguments: [
        ("a/#/b", "SUBSCRIBE topic filter \"a/#/b\": # must be the whole last level"),
        ("a#", "SUBSCRIBE topic filter \"a#\": # must be the whole last level"),
        ("a+/b", "SUBSCRIBE topic filter \"a+/b\": + must be a whole level"),
        ("", "SUBSCRIBE topic filter is empty"),
    ])
    func badTopicFiltersAreRefused(_ filter: String, _ message: String) {
        var out: [UInt8] = []
        #expect(throws: MQTTWireError(.unencodable, message)) {
            try MQTTPacketWriter.subscribe(packetID: 1, [MQTTSubscription(filter, qos: 1)], version: .v311, into: &out)
        }
    }

    @Test(arguments: ["#", "+", "+/+/#", "a//b", "/a"])
    func validTopicFiltersPass(_ filter: String) throws {
        var out: [UInt8] = []
        try MQTTPacketWriter.subscribe(packetID: 1, [MQTTSubscription(filter, qos: 1)], version: .v311, into: &out)
        #expect(out.count == 2 + 2 + 2 + filter.utf8.count + 1)
    }
}
