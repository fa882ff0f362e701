/// An error from libmosquitto or from the broker, with the library's own message.
public struct MQTTError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case setupFailed = "client setup failed"
            case connectFailed = "connect failed"
            case publishFailed = "publish failed"
            case subscribeFailed = "subscribe failed"
            case notConnected = "not connected"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The client could not be created or configured (TLS files, options).
        public static let setupFailed = Code(.setupFailed)
        /// The connection could not be started (address, DNS, socket).
        public static let connectFailed = Code(.connectFailed)
        /// A publish was not queued (payload too large, bad topic, connection gone).
        public static let publishFailed = Code(.publishFailed)
        /// A subscription request was not sent.
        public static let subscribeFailed = Code(.subscribeFailed)
        /// The client has no connection to the broker right now.
        public static let notConnected = Code(.notConnected)

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What libmosquitto said (`mosquitto_strerror`), or the broker's reason.
    public var message: String
    /// libmosquitto's `MOSQ_ERR_*` value, or the MQTT reason code.
    public var libraryCode: Int32

    public init(code: Code, message: String, libraryCode: Int32) {
        self.code = code
        self.message = message
        self.libraryCode = libraryCode
    }

    public var description: String { "MQTT \(code): \(message)" }
}
