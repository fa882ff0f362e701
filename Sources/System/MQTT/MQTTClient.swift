#if canImport(Glibc)
import Glibc
#endif
internal import CMosquitto

/// libmosquitto's global initialisation, run once before the first client exists.
private let libraryReady: Bool = {
    mosquitto_lib_init()
    return true
}()

/// One MQTT client over libmosquitto. It owns the `struct mosquitto *`, runs libmosquitto's
/// network thread while started, and frees the handle exactly once, after that thread stopped.
///
/// Everything that happens on the network thread (CONNACK, PUBACK, messages) is handed to the
/// `onEvent` closure given at creation, on that thread: keep it short and copy what you need.
/// libmosquitto reconnects by itself after a lost connection, with exponential backoff between
/// `reconnectDelay` and `maxReconnectDelay`.
///
/// `@unchecked Sendable`: the handle never changes after `init`, and libmosquitto (built with
/// threads, as Debian builds it) serialises calls on it with its own mutexes.
public final class MQTTClient: @unchecked Sendable {
    /// How a client identifies itself and what it asks of the connection.
    public struct Configuration: Sendable {
        public var clientID: String
        /// A clean session forgets subscriptions and queued messages when the client leaves.
        public var cleanSession: Bool = true
        public var protocolVersion: ProtocolVersion = .v5
        public var username: String?
        public var password: String?
        /// PEM file of the CA that signed the broker's certificate; setting it turns TLS on.
        public var caFile: String?
        public var certFile: String?
        public var keyFile: String?
        /// The message the broker publishes for us when we vanish without DISCONNECT.
        public var will: MQTTMessage?
        public var keepaliveSeconds: Int32 = 30
        /// QoS 1 messages in flight at once before libmosquitto queues them locally.
        public var maxInflight: Int32 = 1000
        public var reconnectDelay: UInt32 = 1
        public var maxReconnectDelay: UInt32 = 30

        public init(clientID: String) {
            self.clientID = clientID
        }
    }

    /// The MQTT protocol version to speak.
    public enum ProtocolVersion: Sendable {
        case v311
        case v5
    }

    private let handle: OpaquePointer
    private let box: Unmanaged<EventSink>
    /// The protocol this client speaks.
    public let protocolVersion: ProtocolVersion
    private let keepalive: Int32

    /// Creates and configures a client; nothing is sent until ``start(host:port:)``.
    public init(
        configuration: Configuration, onEvent: @escaping @Sendable (MQTTEvent) -> Void
    ) throws(MQTTError) {
        precondition(libraryReady)
        let box = Unmanaged.passRetained(EventSink(onEvent))
        guard let handle = mosquitto_new(configuration.clientID, configuration.cleanSession, box.toOpaque()) else {
            box.release()
            throw MQTTError(code: .setupFailed, message: "mosquitto_new failed (client id or memory)", libraryCode: -1)
        }
        self.handle = handle
        self.box = box
        self.protocolVersion = configuration.protocolVersion
        self.keepalive = configuration.keepaliveSeconds
        do throws(MQTTError) {
            try configure(configuration)
        } catch {
            mosquitto_destroy(handle)
            box.release()
            throw error
        }
    }

    deinit {
        // Stop the network thread first: no callback may run once the sink is released.
        mosquitto_loop_stop(handle, true)
        mosquitto_destroy(handle)
        box.release()
    }

    private func configure(_ configuration: Configuration) throws(MQTTError) {
        let version = configuration.protocolVersion == .v5 ? Int32(MQTT_PROTOCOL_V5) : Int32(MQTT_PROTOCOL_V311)
        try check(mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, version), .setupFailed)
        try check(mosquitto_int_option(handle, MOSQ_OPT_SEND_MAXIMUM, configuration.maxInflight), .setupFailed)
        // Each publish leaves at once: Nagle's algorithm would hold a small packet back while an
        // earlier one is unacknowledged, which is most of the time under load.
        try check(mosquitto_int_option(handle, MOSQ_OPT_TCP_NODELAY, 1), .setupFailed)
        try check(mosquitto_max_inflight_messages_set(handle, UInt32(configuration.maxInflight)), .setupFailed)
        try check(
            mosquitto_reconnect_delay_set(
                handle, configuration.reconnectDelay, configuration.maxReconnectDelay, true), .setupFailed)
        if configuration.username != nil || configuration.password != nil {
            try check(mosquitto_username_pw_set(handle, configuration.username, configuration.password), .setupFailed)
        }
        if configuration.caFile != nil {
            try check(
                mosquitto_tls_set(
                    handle, configuration.caFile, nil, configuration.certFile, configuration.keyFile, nil),
                .setupFailed)
        }
        if let will = configuration.will {
            let result = will.payload.withUnsafeBytes { payload in
                mosquitto_will_set(
                    handle, will.topic, Int32(payload.count), payload.baseAddress, Int32(will.qos), will.retain)
            }
            try check(result, .setupFailed)
        }
        mosquitto_connect_v5_callback_set(handle) { mosq, userdata, code, _, _ in
            // While connected, libmosquitto formats a debug line (vsnprintf and malloc) for
            // every packet before the callback can drop it: ~1,500 instructions a message.
            // The errors worth reporting are those of a failed connection, so it listens only
            // while there is none.
            if code == 0 { mosquitto_log_callback_set(mosq, nil) }
            EventSink.from(userdata).emit(.connected(code: code, reason: MQTTClient.connackReason(code)))
        }
        mosquitto_disconnect_v5_callback_set(handle) { mosq, userdata, code, _ in
            mosquitto_log_callback_set(mosq, MQTTClient.logErrors)
            EventSink.from(userdata).emit(.disconnected(code: code, reason: MQTTClient.errorText(code)))
        }
        mosquitto_publish_v5_callback_set(handle) { _, userdata, messageID, reasonCode, _ in
            EventSink.from(userdata).emit(.published(messageID: messageID, reasonCode: reasonCode))
        }
        mosquitto_subscribe_v5_callback_set(handle) { _, userdata, messageID, count, granted, _ in
            let grantedQoS = (0..<Int(count)).map { granted?[$0] ?? 128 }
            EventSink.from(userdata).emit(.subscribed(messageID: messageID, grantedQoS: grantedQoS.map { Int32($0) }))
        }
        mosquitto_log_callback_set(handle, MQTTClient.logErrors)
        mosquitto_message_v5_callback_set(handle) { _, userdata, message, properties in
            guard let message else { return }
            EventSink.from(userdata).emit(.message(MQTTClient.copy(message.pointee, properties: properties)))
        }
    }

    /// libmosquitto's log callback: its errors become ``MQTTEvent/libraryError(_:)``.
    private static let logErrors: @convention(c) (
        OpaquePointer?, UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?
    ) -> Void = { _, userdata, level, text in
        guard level == MOSQ_LOG_ERR, let text else { return }
        EventSink.from(userdata).emit(.libraryError(String(cString: text)))
    }

    /// Starts the network thread and connects in the background. The outcome arrives as
    /// ``MQTTEvent/connected(code:reason:)``; a failed or lost connection is retried with backoff.
    public func start(host: String, port: Int) throws(MQTTError) {
        let result = mosquitto_connect_async(handle, host, Int32(port), keepalive)
        // Only bad arguments are final. A refused TCP connect, a failed name lookup or TLS
        // handshake is retried by the network thread with backoff; report it like a lost link.
        if result == MOSQ_ERR_INVAL.rawValue || result == MOSQ_ERR_NOMEM.rawValue {
            throw MQTTError(code: .connectFailed, message: MQTTClient.errorText(result), libraryCode: result)
        }
        if result != MOSQ_ERR_SUCCESS.rawValue {
            box.takeUnretainedValue().emit(.disconnected(code: result, reason: MQTTClient.errorText(result)))
        }
        try check(mosquitto_loop_start(handle), .connectFailed)
    }

    /// Sends DISCONNECT (so the broker does not publish the will) and stops the network thread.
    public func stop() {
        mosquitto_disconnect(handle)
        mosquitto_loop_stop(handle, false)
    }

    /// Queues one message and returns its message id; a QoS 1 message is acknowledged later
    /// by ``MQTTEvent/published(messageID:reasonCode:)`` with this id.
    @discardableResult
    public func publish(
        topic: String, payload: UnsafeRawBufferPointer, qos: Int, retain: Bool,
        properties: MQTTPublishProperties? = nil
    ) throws(MQTTError) -> Int32 {
        var messageID: Int32 = 0
        var propertyList: OpaquePointer? = nil
        defer { if propertyList != nil { mosquitto_property_free_all(&propertyList) } }
        // Strings reach C through withCString: the implicit conversion made a copy of each
        // (five per event), and this is called once per message published.
        if protocolVersion == .v5, let properties {
            if let contentType = properties.contentType {
                contentType.withCString {
                    _ = mosquitto_property_add_string(&propertyList, Int32(MQTT_PROP_CONTENT_TYPE.rawValue), $0)
                }
            }
            if let expiry = properties.messageExpirySeconds {
                mosquitto_property_add_int32(&propertyList, Int32(MQTT_PROP_MESSAGE_EXPIRY_INTERVAL.rawValue), expiry)
            }
            for property in properties.userProperties {
                property.name.withCString { name in
                    property.value.withCString { value in
                        _ = mosquitto_property_add_string_pair(
                            &propertyList, Int32(MQTT_PROP_USER_PROPERTY.rawValue), name, value)
                    }
                }
            }
        }
        let result = topic.withCString { topic in
            mosquitto_publish_v5(
                handle, &messageID, topic, Int32(payload.count), payload.baseAddress, Int32(qos), retain, propertyList)
        }
        guard result == MOSQ_ERR_SUCCESS.rawValue else {
            let code: MQTTError.Code = result == MOSQ_ERR_NO_CONN.rawValue ? .notConnected : .publishFailed
            throw MQTTError(code: code, message: MQTTClient.errorText(result), libraryCode: result)
        }
        return messageID
    }

    /// Queues one message given as bytes.
    @discardableResult
    public func publish(
        topic: String, payload: [UInt8], qos: Int, retain: Bool, properties: MQTTPublishProperties? = nil
    ) throws(MQTTError) -> Int32 {
        let result = payload.withUnsafeBytes { buffer in
            Result { () throws(MQTTError) -> Int32 in
                try publish(topic: topic, payload: buffer, qos: qos, retain: retain, properties: properties)
            }
        }
        return try result.get()
    }

    /// Subscribes to a topic filter; the answer arrives as ``MQTTEvent/subscribed(messageID:grantedQoS:)``.
    @discardableResult
    public func subscribe(_ topicFilter: String, qos: Int) throws(MQTTError) -> Int32 {
        var messageID: Int32 = 0
        let result = mosquitto_subscribe(handle, &messageID, topicFilter, Int32(qos))
        guard result == MOSQ_ERR_SUCCESS.rawValue else {
            throw MQTTError(code: .subscribeFailed, message: MQTTClient.errorText(result), libraryCode: result)
        }
        return messageID
    }

    // MARK: - Internals

    private func check(_ result: Int32, _ code: MQTTError.Code) throws(MQTTError) {
        guard result == MOSQ_ERR_SUCCESS.rawValue else {
            throw MQTTError(code: code, message: MQTTClient.errorText(result), libraryCode: result)
        }
    }

    /// libmosquitto's text for a `MOSQ_ERR_*` value.
    static func errorText(_ code: Int32) -> String {
        String(cString: mosquitto_strerror(code))
    }

    /// An MQTT v5 reason code's name (`Not authorized` for 0x87).
    public static func reasonText(_ code: Int32) -> String {
        String(cString: mosquitto_reason_string(code))
    }

    /// The broker's reason for a CONNACK code, for MQTT 3.1.1 and v5 codes alike.
    static func connackReason(_ code: Int32) -> String {
        if code == 0 { return "connection accepted" }
        if code < 128 { return String(cString: mosquitto_connack_string(code)) }
        return String(cString: mosquitto_reason_string(code))
    }

    static func copy(_ message: mosquitto_message, properties: OpaquePointer?) -> MQTTMessage {
        let topic = String(cString: message.topic)
        let payload: [UInt8]
        if let bytes = message.payload, message.payloadlen > 0 {
            payload = Array(UnsafeRawBufferPointer(start: bytes, count: Int(message.payloadlen)))
        } else {
            payload = []
        }
        var userProperties: [(name: String, value: String)] = []
        var contentType: String?
        var property = properties
        while let current = property {
            let identifier = mosquitto_property_identifier(current)
            if identifier == Int32(MQTT_PROP_USER_PROPERTY.rawValue) {
                var name: UnsafeMutablePointer<CChar>? = nil
                var value: UnsafeMutablePointer<CChar>? = nil
                mosquitto_property_read_string_pair(current, identifier, &name, &value, false)
                if let name, let value {
                    userProperties.append((String(cString: name), String(cString: value)))
                }
                free(name)
                free(value)
            } else if identifier == Int32(MQTT_PROP_CONTENT_TYPE.rawValue) {
                var value: UnsafeMutablePointer<CChar>? = nil
                mosquitto_property_read_string(current, identifier, &value, false)
                if let value { contentType = String(cString: value) }
                free(value)
            }
            property = mosquitto_property_next(current)
        }
        return MQTTMessage(
            topic: topic, payload: payload, qos: Int(message.qos), retain: message.retain,
            userProperties: userProperties, contentType: contentType)
    }
}

/// Holds the event closure behind libmosquitto's userdata pointer.
private final class EventSink: Sendable {
    let emit: @Sendable (MQTTEvent) -> Void
    init(_ emit: @escaping @Sendable (MQTTEvent) -> Void) { self.emit = emit }

    static func from(_ userdata: UnsafeMutableRawPointer?) -> EventSink {
        Unmanaged<EventSink>.fromOpaque(userdata!).takeUnretainedValue()
    }
}
