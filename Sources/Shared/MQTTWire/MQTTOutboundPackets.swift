/// What a client sends in CONNECT (MQTT 3.1.1 §3.1, 5.0 §3.1).
public struct MQTTConnect: Sendable {
    public var version: MQTTProtocolVersion
    public var clientID: String
    /// 3.1.1's Clean Session, 5.0's Clean Start.
    public var cleanStart: Bool
    public var keepAliveSeconds: UInt16
    public var username: String?
    public var password: [UInt8]?
    /// The message the broker publishes for us if we vanish without DISCONNECT.
    public var will: MQTTApplicationMessage?
    /// MQTT 5 only: how long the broker keeps the session after the connection ends (nil: 0).
    public var sessionExpirySeconds: UInt32?
    /// MQTT 5 only: how many QoS 1 messages the broker may send us unacknowledged.
    public var receiveMaximum: UInt16?

    public init(
        version: MQTTProtocolVersion, clientID: String, cleanStart: Bool = true, keepAliveSeconds: UInt16 = 30,
        username: String? = nil, password: [UInt8]? = nil, will: MQTTApplicationMessage? = nil
    ) {
        self.version = version
        self.clientID = clientID
        self.cleanStart = cleanStart
        self.keepAliveSeconds = keepAliveSeconds
        self.username = username
        self.password = password
        self.will = will
    }
}

/// An application message: what a PUBLISH carries, and what a will is.
public struct MQTTApplicationMessage: Sendable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: UInt8
    public var retain: Bool
    /// MQTT 5 properties (3.1.1 has none).
    public var properties: MQTTPublishProperties

    public init(
        topic: String, payload: [UInt8], qos: UInt8 = 1, retain: Bool = false,
        properties: MQTTPublishProperties = MQTTPublishProperties()
    ) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.properties = properties
    }
}

/// MQTT 5 properties of a PUBLISH (or a will); written only on a 5.0 connection.
public struct MQTTPublishProperties: Sendable, Equatable {
    /// Payload Format Indicator 1: the payload is UTF-8 text.
    public var payloadIsUTF8: Bool
    public var messageExpirySeconds: UInt32?
    public var contentType: String?
    public var userProperties: [MQTTUserProperty]

    public init(
        payloadIsUTF8: Bool = false, messageExpirySeconds: UInt32? = nil, contentType: String? = nil,
        userProperties: [MQTTUserProperty] = []
    ) {
        self.payloadIsUTF8 = payloadIsUTF8
        self.messageExpirySeconds = messageExpirySeconds
        self.contentType = contentType
        self.userProperties = userProperties
    }

    public var isEmpty: Bool {
        !payloadIsUTF8 && messageExpirySeconds == nil && contentType == nil && userProperties.isEmpty
    }
}

/// One MQTT 5 User Property: a name and a value, both UTF-8 strings.
public struct MQTTUserProperty: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One topic filter of a SUBSCRIBE with the largest QoS asked for it.
public struct MQTTSubscription: Sendable, Equatable {
    public var topicFilter: String
    public var qos: UInt8

    public init(_ topicFilter: String, qos: UInt8) {
        self.topicFilter = topicFilter
        self.qos = qos
    }
}
