/// A message received from the broker, copied out of libmosquitto's memory in the callback.
public struct MQTTMessage: Sendable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: Int
    public var retain: Bool
    /// MQTT v5 user properties, in order (empty on MQTT 3.1.1).
    public var userProperties: [(name: String, value: String)]
    /// MQTT v5 content type, when the publisher set one.
    public var contentType: String?

    public init(
        topic: String, payload: [UInt8], qos: Int = 1, retain: Bool = false,
        userProperties: [(name: String, value: String)] = [], contentType: String? = nil
    ) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.userProperties = userProperties
        self.contentType = contentType
    }

    /// The payload as UTF-8 text.
    public var text: String { String(decoding: payload, as: UTF8.self) }
}

/// MQTT v5 properties for one publish; ignored when the connection speaks MQTT 3.1.1.
public struct MQTTPublishProperties: Sendable {
    public var contentType: String?
    public var messageExpirySeconds: UInt32?
    public var userProperties: [(name: String, value: String)]

    public init(
        contentType: String? = nil, messageExpirySeconds: UInt32? = nil,
        userProperties: [(name: String, value: String)] = []
    ) {
        self.contentType = contentType
        self.messageExpirySeconds = messageExpirySeconds
        self.userProperties = userProperties
    }
}

/// Something that happened on the client's network thread.
public enum MQTTEvent: Sendable {
    /// The broker answered CONNECT. `code` 0 is success; otherwise `reason` says why not
    /// (bad credentials, not authorised, unsupported protocol version).
    case connected(code: Int32, reason: String)
    /// The connection ended. `code` 0 means we asked for it; libmosquitto reconnects otherwise.
    case disconnected(code: Int32, reason: String)
    /// The broker acknowledged a QoS 1 publish (PUBACK), or a QoS 0 publish left the socket.
    /// A `reasonCode` of 0x80 or more is a refusal (MQTT v5, e.g. not authorised).
    case published(messageID: Int32, reasonCode: Int32)
    /// Several of ``published(messageID:reasonCode:)`` at once, in order: a batching connection
    /// reports a read's PUBACKs together (libmosquitto never sends it).
    case publishedMany([(messageID: Int32, reasonCode: Int32)])
    /// A message arrived on a subscription.
    case message(MQTTMessage)
    /// The broker answered SUBSCRIBE with the granted QoS of each topic (128 = refused).
    case subscribed(messageID: Int32, grantedQoS: [Int32])
    /// libmosquitto logged an error: the detail behind a failed connection, such as
    /// `OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed`.
    case libraryError(String)
}
