/// Reads the control packets a client receives (MQTT 3.1.1 and 5.0) from the front of a byte
/// stream, one whole packet at a time, so that every PUBACK in one 64 kB read is taken from it
/// without another system call.
public enum MQTTPacketParser {
    /// The largest packet MQTT can frame: a type byte, four bytes of length, 268,435,455 more.
    public static let largestPacketSize = 5 + maximumRemainingLength

    /// The first packet in `bytes` and how many bytes it took, or nil while it is incomplete.
    ///
    /// Throws ``MQTTWireError/Code/malformed`` for bytes that break the protocol and
    /// ``MQTTWireError/Code/unexpected`` for packets a client never receives; either way the
    /// connection cannot go on. `maximumPacketSize` is what the client told the broker it
    /// accepts: a packet that declares more is refused before it is buffered.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, version: MQTTProtocolVersion, maximumPacketSize: Int = largestPacketSize
    ) throws(MQTTWireError) -> (packet: MQTTInboundPacket, length: Int)? {
        guard bytes.count >= 2 else { return nil }
        let first = bytes[0]
        let remaining: Int
        let index: Int
        switch VariableByteInteger.read(bytes, from: 1, to: bytes.count) {
        case .incomplete: return nil
        case .tooLong:
            throw MQTTWireError(.malformed, "the remaining length runs past four bytes (first byte 0x\(hex(first)))")
        case .value(let value, let end): (remaining, index) = (value, end)
        }
        let total = index + remaining
        guard total <= maximumPacketSize else {
            throw MQTTWireError(.malformed, "a packet of \(total) bytes, more than the \(maximumPacketSize) this client accepts")
        }
        guard bytes.count >= total else { return nil }
        guard let type = MQTTPacketType(rawValue: first >> 4) else {
            throw MQTTWireError(.malformed, "packet type 0 is reserved (first byte 0x\(hex(first)))")
        }
        var body = Cursor(bytes, from: index, to: total, packet: type.name)
        let packet = try read(type, flags: first & 0x0F, &body, version: version)
        return (packet, total)
    }

    private static func read(
        _ type: MQTTPacketType, flags: UInt8, _ body: inout Cursor, version: MQTTProtocolVersion
    ) throws(MQTTWireError) -> MQTTInboundPacket {
        if type != .publish, flags != 0 {
            throw MQTTWireError(.malformed, "\(type.name) fixed header flags 0x\(hex(flags)), must be 0")
        }
        switch type {
        case .connack: return .connack(try connack(&body, version: version))
        case .publish: return .publish(try publish(flags: flags, &body, version: version))
        case .puback: return try puback(&body, version: version)
        case .suback: return try suback(&body, version: version)
        case .pingresp:
            try body.expectEnd("PINGRESP has no body")
            return .pingresp
        case .disconnect where version == .v5:
            guard body.remaining > 0 else { return .disconnect(reasonCode: 0, reasonString: nil) }
            let reason = try body.byte("reason code")
            var reasonString: String?
            if body.remaining > 0 {
                try body.properties { property, value throws(MQTTWireError) in
                    if property == .reasonString { reasonString = value.string }
                }
            }
            try body.expectEnd("after the properties")
            return .disconnect(reasonCode: reason, reasonString: reasonString)
        default:
            throw MQTTWireError(.unexpected, "\(type.name) from the broker (a client never receives it here)")
        }
    }

    private static func connack(_ body: inout Cursor, version: MQTTProtocolVersion) throws(MQTTWireError) -> MQTTConnAck {
        let flags = try body.byte("acknowledge flags")
        guard flags & 0xFE == 0 else {
            throw MQTTWireError(.malformed, "CONNACK acknowledge flags 0x\(hex(flags)): bits 7–1 are reserved")
        }
        var ack = MQTTConnAck(sessionPresent: flags & 1 == 1, reasonCode: try body.byte("return code"))
        if version == .v311 {
            guard ack.reasonCode <= 5 else {
                throw MQTTWireError(.malformed, "CONNACK return code \(ack.reasonCode) (3.1.1 knows 0–5)")
            }
        } else if body.remaining > 0 {
            try body.properties { property, value throws(MQTTWireError) in
                switch property {
                case .receiveMaximum:
                    guard value.integer > 0 else { throw MQTTWireError(.malformed, "CONNACK receive maximum 0") }
                    ack.receiveMaximum = UInt16(value.integer)
                case .maximumQoS: ack.maximumQoS = UInt8(value.integer)
                case .retainAvailable: ack.retainAvailable = value.integer == 1
                case .maximumPacketSize: ack.maximumPacketSize = value.integer
                case .assignedClientIdentifier: ack.assignedClientIdentifier = value.string
                case .serverKeepAlive: ack.serverKeepAlive = UInt16(value.integer)
                case .reasonString: ack.reasonString = value.string
                default: break
                }
            }
        }
        try body.expectEnd("after the \(version == .v5 ? "properties" : "return code")")
        return ack
    }

    private static func publish(
        flags: UInt8, _ body: inout Cursor, version: MQTTProtocolVersion
    ) throws(MQTTWireError) -> MQTTIncomingPublish {
        let qos = (flags >> 1) & 0x03
        guard qos < 3 else { throw MQTTWireError(.malformed, "PUBLISH QoS 3") }
        let duplicate = flags & 0x08 != 0
        guard !(duplicate && qos == 0) else { throw MQTTWireError(.malformed, "PUBLISH with DUP set at QoS 0") }
        let topic = try body.string("topic")
        var message = MQTTIncomingPublish(
            topic: topic, payload: [], qos: qos, retain: flags & 1 == 1, duplicate: duplicate)
        if qos > 0 { message.packetID = try body.packetID() }
        if version == .v5 {
            var aliased = false
            try body.properties { property, value throws(MQTTWireError) in
                switch property {
                case .payloadFormatIndicator: message.properties.payloadIsUTF8 = value.integer == 1
                case .messageExpiryInterval: message.properties.messageExpirySeconds = value.integer
                case .contentType: message.properties.contentType = value.string
                case .userProperty:
                    if case .pair(let name, let text) = value { message.properties.userProperties.append(MQTTUserProperty(name, text)) }
                case .topicAlias: aliased = true
                default: break
                }
            }
            if aliased {
                throw MQTTWireError(.malformed, "PUBLISH to \"\(topic)\" uses a topic alias, which this client never allowed")
            }
        }
        guard !topic.isEmpty else { throw MQTTWireError(.malformed, "PUBLISH topic is empty") }
        if topic.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") }) {
            throw MQTTWireError(.malformed, "PUBLISH topic \"\(topic)\" has a wildcard")
        }
        message.payload = body.rest()
        return message
    }

    private static func puback(_ body: inout Cursor, version: MQTTProtocolVersion) throws(MQTTWireError) -> MQTTInboundPacket {
        let packetID = try body.packetID()
        var reason: UInt8 = 0
        var reasonString: String?
        if version == .v5, body.remaining > 0 {
            reason = try body.byte("reason code")
            if body.remaining > 0 {
                try body.properties { property, value throws(MQTTWireError) in
                    if property == .reasonString { reasonString = value.string }
                }
            }
        }
        try body.expectEnd(version == .v5 ? "after the properties" : "after the packet identifier")
        return .puback(packetID: packetID, reasonCode: reason, reasonString: reasonString)
    }

    private static func suback(_ body: inout Cursor, version: MQTTProtocolVersion) throws(MQTTWireError) -> MQTTInboundPacket {
        let packetID = try body.packetID()
        if version == .v5 { try body.properties { _, _ throws(MQTTWireError) in } }
        let codes = body.rest()
        guard !codes.isEmpty else { throw MQTTWireError(.malformed, "SUBACK without a reason code") }
        return .suback(packetID: packetID, reasonCodes: codes)
    }
}

/// Two hex digits, for bytes in messages.
func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
}
