/// A control packet a client can receive.
public enum MQTTInboundPacket: Sendable, Equatable {
    case connack(MQTTConnAck)
    case publish(MQTTIncomingPublish)
    /// The broker took a QoS 1 message; a reason code of 0x80 or more (MQTT 5) refuses it.
    case puback(packetID: UInt16, reasonCode: UInt8, reasonString: String?)
    /// One granted QoS (0–2) or failure code (0x80 or more) per topic filter, in order.
    case suback(packetID: UInt16, reasonCodes: [UInt8])
    case pingresp
    /// MQTT 5: the broker ends the connection, saying why (0x8E: another client took the id).
    case disconnect(reasonCode: UInt8, reasonString: String?)
}

/// CONNACK: whether the broker accepted the connection and what it allows.
public struct MQTTConnAck: Sendable, Equatable {
    public var sessionPresent: Bool
    /// 3.1.1's return code (0 accepted, 1–5 refused) or 5.0's reason code (0x80 or more refused).
    public var reasonCode: UInt8
    /// MQTT 5: the most QoS 1 and 2 messages the broker takes unacknowledged (nil: 65,535).
    public var receiveMaximum: UInt16?
    /// MQTT 5: the highest QoS the broker accepts (nil: 2).
    public var maximumQoS: UInt8?
    /// MQTT 5: false when the broker refuses retained messages.
    public var retainAvailable: Bool?
    /// MQTT 5: the largest packet the broker accepts, in bytes (nil: no limit).
    public var maximumPacketSize: UInt32?
    /// MQTT 5: the client id the broker chose, when the client sent an empty one.
    public var assignedClientIdentifier: String?
    /// MQTT 5: the keep-alive the broker wants instead of the client's.
    public var serverKeepAlive: UInt16?
    /// MQTT 5: the broker's words, for the operator.
    public var reasonString: String?

    public init(sessionPresent: Bool = false, reasonCode: UInt8 = 0) {
        self.sessionPresent = sessionPresent
        self.reasonCode = reasonCode
    }

    /// Whether the connection was accepted.
    public var accepted: Bool { reasonCode == 0 }
}

/// A PUBLISH received from the broker.
public struct MQTTIncomingPublish: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: UInt8
    public var retain: Bool
    public var duplicate: Bool
    /// 0 for QoS 0, which has none.
    public var packetID: UInt16
    /// MQTT 5 properties (empty on 3.1.1).
    public var properties: MQTTPublishProperties

    public init(
        topic: String, payload: [UInt8], qos: UInt8, retain: Bool = false, duplicate: Bool = false,
        packetID: UInt16 = 0, properties: MQTTPublishProperties = MQTTPublishProperties()
    ) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.duplicate = duplicate
        self.packetID = packetID
        self.properties = properties
    }
}
