/// Writes a client's control packets (MQTT 3.1.1 and 5.0) onto the end of a byte array, so a
/// batch of them leaves in one write. Every length is worked out before the first byte is
/// written: a packet that cannot be encoded throws and leaves the array as it was.
public enum MQTTPacketWriter {
    /// CONNECT: the protocol name and level, the flags, the keep-alive, then the client id,
    /// the will, the user name and the password.
    public static func connect(_ packet: MQTTConnect, into out: inout [UInt8]) throws(MQTTWireError) {
        let v5 = packet.version == .v5
        try checkString(packet.clientID, "CONNECT client identifier")
        if let username = packet.username { try checkString(username, "CONNECT user name") }
        if let password = packet.password, password.count > 65_535 {
            throw MQTTWireError(.unencodable, "CONNECT password is \(password.count) bytes, more than 65,535")
        }
        var connectProperties = PropertyList()
        if v5 {
            if let expiry = packet.sessionExpirySeconds { connectProperties.fourByte(.sessionExpiryInterval, expiry) }
            if let maximum = packet.receiveMaximum { connectProperties.twoByte(.receiveMaximum, maximum) }
        }
        var willProperties = PropertyList()
        if let will = packet.will {
            try checkTopicName(will.topic, "CONNECT will topic")
            guard will.qos <= 2 else { throw MQTTWireError(.unencodable, "CONNECT will QoS \(will.qos) is not 0, 1 or 2") }
            guard will.payload.count <= 65_535 else {
                throw MQTTWireError(.unencodable, "CONNECT will payload is \(will.payload.count) bytes, more than 65,535")
            }
            if v5 { try willProperties.publish(will.properties, "CONNECT will") }
        }

        var length = 6 + 1 + 1 + 2  // "MQTT", level, flags, keep-alive
        if v5 { length += connectProperties.encodedLength }
        length += 2 + packet.clientID.utf8.count
        if let will = packet.will {
            if v5 { length += willProperties.encodedLength }
            length += 2 + will.topic.utf8.count + 2 + will.payload.count
        }
        if let username = packet.username { length += 2 + username.utf8.count }
        if let password = packet.password { length += 2 + password.count }
        try checkRemainingLength(length, "CONNECT")

        var flags: UInt8 = packet.cleanStart ? 0x02 : 0
        if let will = packet.will { flags |= 0x04 | will.qos << 3 | (will.retain ? 0x20 : 0) }
        if packet.password != nil { flags |= 0x40 }
        if packet.username != nil { flags |= 0x80 }

        out.reserveCapacity(out.count + 5 + length)
        out.append(MQTTPacketType.connect.rawValue << 4)
        VariableByteInteger.append(length, to: &out)
        out.append(contentsOf: [0, 4, 0x4D, 0x51, 0x54, 0x54, packet.version.rawValue, flags])
        appendTwoByte(packet.keepAliveSeconds, to: &out)
        if v5 { connectProperties.append(to: &out) }
        appendString(packet.clientID, to: &out)
        if let will = packet.will {
            if v5 { willProperties.append(to: &out) }
            appendString(will.topic, to: &out)
            appendTwoByte(UInt16(will.payload.count), to: &out)
            out.append(contentsOf: will.payload)
        }
        if let username = packet.username { appendString(username, to: &out) }
        if let password = packet.password {
            appendTwoByte(UInt16(password.count), to: &out)
            out.append(contentsOf: password)
        }
    }

    /// PUBLISH of `message`. `packetID` is written for QoS 1 and 2 only; properties on 5.0 only.
    public static func publish(
        _ message: MQTTApplicationMessage, packetID: UInt16, duplicate: Bool = false, version: MQTTProtocolVersion,
        into out: inout [UInt8]
    ) throws(MQTTWireError) {
        try publish(
            topic: message.topic, payload: message.payload, qos: message.qos, retain: message.retain,
            duplicate: duplicate, packetID: packetID, properties: message.properties, version: version, into: &out)
    }

    /// PUBLISH. `packetID` is written for QoS 1 and 2 only; `properties` on 5.0 only.
    public static func publish(
        topic: String, payload: [UInt8], qos: UInt8, retain: Bool, duplicate: Bool = false, packetID: UInt16,
        properties: MQTTPublishProperties = MQTTPublishProperties(), version: MQTTProtocolVersion,
        into out: inout [UInt8]
    ) throws(MQTTWireError) {
        try checkTopicName(topic, "PUBLISH topic")
        guard qos <= 2 else { throw MQTTWireError(.unencodable, "PUBLISH QoS \(qos) is not 0, 1 or 2") }
        guard qos == 0 || packetID != 0 else {
            throw MQTTWireError(.unencodable, "PUBLISH packet identifier 0 (a QoS \(qos) message needs one from 1)")
        }
        // The properties are measured, then written in place: no list of their own per message.
        let propertiesLength = version == .v5 ? try publishPropertiesLength(properties) : 0
        var length = 2 + topic.utf8.count + payload.count
        if qos > 0 { length += 2 }
        if version == .v5 { length += VariableByteInteger.size(propertiesLength) + propertiesLength }
        try checkRemainingLength(length, "PUBLISH to \(topic)")

        // Doubling, not the exact size: a window's publishes go into one buffer, and exact
        // reservations copied it whole for each message while it grew.
        let needed = out.count + 5 + length
        if needed > out.capacity { out.reserveCapacity(Swift.max(needed, out.capacity * 2)) }
        out.append(MQTTPacketType.publish.rawValue << 4 | (duplicate ? 0x08 : 0) | qos << 1 | (retain ? 1 : 0))
        VariableByteInteger.append(length, to: &out)
        appendString(topic, to: &out)
        if qos > 0 { appendTwoByte(packetID, to: &out) }
        if version == .v5 {
            VariableByteInteger.append(propertiesLength, to: &out)
            appendPublishProperties(properties, to: &out)
        }
        out.append(contentsOf: payload)
    }

    /// PUBACK for a QoS 1 message received, in the short form both versions read as success.
    public static func puback(packetID: UInt16, into out: inout [UInt8]) {
        out.append(MQTTPacketType.puback.rawValue << 4)
        out.append(2)
        appendTwoByte(packetID, to: &out)
    }

    /// SUBSCRIBE to one or more topic filters.
    public static func subscribe(
        packetID: UInt16, _ subscriptions: [MQTTSubscription], version: MQTTProtocolVersion, into out: inout [UInt8]
    ) throws(MQTTWireError) {
        guard packetID != 0 else { throw MQTTWireError(.unencodable, "SUBSCRIBE packet identifier 0 (must be from 1)") }
        guard !subscriptions.isEmpty else { throw MQTTWireError(.unencodable, "SUBSCRIBE without a topic filter") }
        var length = 2 + (version == .v5 ? 1 : 0)  // packet id, an empty property list
        for subscription in subscriptions {
            try checkTopicFilter(subscription.topicFilter)
            guard subscription.qos <= 2 else {
                throw MQTTWireError(.unencodable, "SUBSCRIBE QoS \(subscription.qos) for \(subscription.topicFilter) is not 0, 1 or 2")
            }
            length += 2 + subscription.topicFilter.utf8.count + 1
        }
        try checkRemainingLength(length, "SUBSCRIBE")
        out.append(MQTTPacketType.subscribe.rawValue << 4 | 0x02)
        VariableByteInteger.append(length, to: &out)
        appendTwoByte(packetID, to: &out)
        if version == .v5 { out.append(0) }
        for subscription in subscriptions {
            appendString(subscription.topicFilter, to: &out)
            out.append(subscription.qos)
        }
    }

    /// PINGREQ: the keep-alive's probe.
    public static func pingreq(into out: inout [UInt8]) {
        out.append(contentsOf: [MQTTPacketType.pingreq.rawValue << 4, 0])
    }

    /// DISCONNECT with "normal disconnection": the broker discards the will.
    public static func disconnect(into out: inout [UInt8]) {
        out.append(contentsOf: [MQTTPacketType.disconnect.rawValue << 4, 0])
    }

    /// The bytes of a PUBLISH's property list (without its length), its strings checked.
    static func publishPropertiesLength(
        _ properties: MQTTPublishProperties, _ packet: @autoclosure () -> String = "PUBLISH"
    ) throws(MQTTWireError) -> Int {
        var length = 0
        if properties.payloadIsUTF8 { length += 2 }
        if properties.messageExpirySeconds != nil { length += 5 }
        if let contentType = properties.contentType {
            try checkString(contentType, "\(packet()) content type")
            length += 3 + contentType.utf8.count
        }
        for property in properties.userProperties {
            try checkString(property.name, "\(packet()) user property name")
            try checkString(property.value, "\(packet()) user property \(property.name)")
            length += 5 + property.name.utf8.count + property.value.utf8.count
        }
        return length
    }

    /// A PUBLISH's properties in identifier order, checked by ``publishPropertiesLength(_:)``.
    static func appendPublishProperties(_ properties: MQTTPublishProperties, to out: inout [UInt8]) {
        if properties.payloadIsUTF8 {
            out.append(MQTTProperty.payloadFormatIndicator.rawValue)
            out.append(1)
        }
        if let expiry = properties.messageExpirySeconds {
            out.append(MQTTProperty.messageExpiryInterval.rawValue)
            appendFourByte(expiry, to: &out)
        }
        if let contentType = properties.contentType {
            out.append(MQTTProperty.contentType.rawValue)
            appendString(contentType, to: &out)
        }
        for property in properties.userProperties {
            out.append(MQTTProperty.userProperty.rawValue)
            appendString(property.name, to: &out)
            appendString(property.value, to: &out)
        }
    }

    // MARK: - Checks

    /// A topic name a message is published to: not empty, no wildcard, no NUL (MQTT 5.0 §4.7.3).
    /// One pass over the bytes: this runs for every message published.
    static func checkTopicName(_ topic: String, _ field: @autoclosure () -> String) throws(MQTTWireError) {
        var topic = topic  // withUTF8 is mutating: it may make a bridged string native
        let (count, hasNUL, hasWildcard) = topic.withUTF8 { bytes in
            var hasNUL = false
            var hasWildcard = false
            for byte in bytes {
                hasNUL = hasNUL || byte == 0
                hasWildcard = hasWildcard || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "#")
            }
            return (bytes.count, hasNUL, hasWildcard)
        }
        guard count <= 65_535 else { throw MQTTWireError(.unencodable, "\(field()) is \(count) bytes, more than 65,535") }
        guard !hasNUL else { throw MQTTWireError(.unencodable, "\(field()) contains U+0000") }
        guard count > 0 else { throw MQTTWireError(.unencodable, "\(field()) is empty") }
        guard !hasWildcard else { throw MQTTWireError(.unencodable, "\(field()) \"\(topic)\" has a wildcard (+ or #)") }
    }

    /// A topic filter: `#` only as the whole last level, `+` only as a whole level.
    static func checkTopicFilter(_ filter: String) throws(MQTTWireError) {
        let field = "SUBSCRIBE topic filter"
        try checkString(filter, field)
        guard !filter.isEmpty else { throw MQTTWireError(.unencodable, "\(field) is empty") }
        let levels = filter.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        for (index, level) in levels.enumerated() {
            let hasHash = level.contains(UInt8(ascii: "#"))
            let hasPlus = level.contains(UInt8(ascii: "+"))
            if hasHash && (level.count != 1 || index != levels.count - 1) {
                throw MQTTWireError(.unencodable, "\(field) \"\(filter)\": # must be the whole last level")
            }
            if hasPlus && level.count != 1 {
                throw MQTTWireError(.unencodable, "\(field) \"\(filter)\": + must be a whole level")
            }
        }
    }

    /// A UTF-8 string field: at most 65,535 bytes and no U+0000 (MQTT 5.0 §1.5.4). `field` names
    /// it in the error only, so it is built only then (a publish checks three or four strings).
    static func checkString(_ string: String, _ field: @autoclosure () -> String) throws(MQTTWireError) {
        var string = string  // as above
        let (count, hasNUL) = string.withUTF8 { bytes in
            (bytes.count, bytes.contains(0))
        }
        guard count <= 65_535 else { throw MQTTWireError(.unencodable, "\(field()) is \(count) bytes, more than 65,535") }
        guard !hasNUL else { throw MQTTWireError(.unencodable, "\(field()) contains U+0000") }
    }

    static func checkRemainingLength(_ length: Int, _ packet: @autoclosure () -> String) throws(MQTTWireError) {
        guard length <= maximumRemainingLength else {
            throw MQTTWireError(.unencodable, "\(packet()) would be \(length) bytes, more than MQTT's 268,435,455")
        }
    }

    // MARK: - Primitives

    static func appendTwoByte(_ value: UInt16, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value))
    }

    static func appendFourByte(_ value: UInt32, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value >> 24))
        out.append(UInt8(truncatingIfNeeded: value >> 16))
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value))
    }

    /// A checked string: two bytes of length, then its UTF-8.
    static func appendString(_ string: String, to out: inout [UInt8]) {
        appendTwoByte(UInt16(string.utf8.count), to: &out)
        out.append(contentsOf: string.utf8)
    }

}
