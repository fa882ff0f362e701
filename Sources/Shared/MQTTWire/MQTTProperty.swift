/// MQTT 5 property identifiers (MQTT 5.0 §2.2.2.2) and the form of each one's value.
enum MQTTProperty: UInt8 {
    case payloadFormatIndicator = 0x01
    case messageExpiryInterval = 0x02
    case contentType = 0x03
    case responseTopic = 0x08
    case correlationData = 0x09
    case subscriptionIdentifier = 0x0B
    case sessionExpiryInterval = 0x11
    case assignedClientIdentifier = 0x12
    case serverKeepAlive = 0x13
    case authenticationMethod = 0x15
    case authenticationData = 0x16
    case requestProblemInformation = 0x17
    case willDelayInterval = 0x18
    case requestResponseInformation = 0x19
    case responseInformation = 0x1A
    case serverReference = 0x1C
    case reasonString = 0x1F
    case receiveMaximum = 0x21
    case topicAliasMaximum = 0x22
    case topicAlias = 0x23
    case maximumQoS = 0x24
    case retainAvailable = 0x25
    case userProperty = 0x26
    case maximumPacketSize = 0x27
    case wildcardSubscriptionAvailable = 0x28
    case subscriptionIdentifierAvailable = 0x29
    case sharedSubscriptionAvailable = 0x2A

    enum Form {
        case byte, twoByte, fourByte, variableByteInteger, string, binary, stringPair
    }

    var form: Form {
        switch self {
        case .payloadFormatIndicator, .requestProblemInformation, .requestResponseInformation, .maximumQoS,
            .retainAvailable, .wildcardSubscriptionAvailable, .subscriptionIdentifierAvailable,
            .sharedSubscriptionAvailable:
            .byte
        case .serverKeepAlive, .receiveMaximum, .topicAliasMaximum, .topicAlias: .twoByte
        case .messageExpiryInterval, .sessionExpiryInterval, .willDelayInterval, .maximumPacketSize: .fourByte
        case .subscriptionIdentifier: .variableByteInteger
        case .contentType, .responseTopic, .assignedClientIdentifier, .authenticationMethod, .responseInformation,
            .serverReference, .reasonString:
            .string
        case .correlationData, .authenticationData: .binary
        case .userProperty: .stringPair
        }
    }
}

/// A property list being written: its bytes, then written behind their length.
struct PropertyList {
    private(set) var bytes: [UInt8] = []

    /// The list as it goes on the wire: a Variable Byte Integer of its length, then the bytes.
    var encodedLength: Int { VariableByteInteger.size(bytes.count) + bytes.count }

    mutating func twoByte(_ property: MQTTProperty, _ value: UInt16) {
        bytes.append(property.rawValue)
        MQTTPacketWriter.appendTwoByte(value, to: &bytes)
    }

    mutating func fourByte(_ property: MQTTProperty, _ value: UInt32) {
        bytes.append(property.rawValue)
        MQTTPacketWriter.appendFourByte(value, to: &bytes)
    }

    /// The properties of a will, as a PUBLISH has them.
    mutating func publish(_ properties: MQTTPublishProperties, _ packet: String) throws(MQTTWireError) {
        let length = try MQTTPacketWriter.publishPropertiesLength(properties, packet)
        bytes.reserveCapacity(bytes.count + length)
        MQTTPacketWriter.appendPublishProperties(properties, to: &bytes)
    }

    func append(to out: inout [UInt8]) {
        VariableByteInteger.append(bytes.count, to: &out)
        out.append(contentsOf: bytes)
    }
}
