/// A packet that cannot be written or read, with the field at fault named.
public struct MQTTWireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// A value we were asked to write does not fit the protocol (a string over 65,535
        /// bytes, a packet over the maximum size, QoS 3).
        case unencodable = "cannot encode"
        /// The peer sent bytes that are not a valid packet: the connection must be closed
        /// (MQTT 5.0 §4.13, "Malformed Packet").
        case malformed = "malformed packet"
        /// A valid packet a client must never receive (CONNECT, SUBSCRIBE, QoS 2 flows).
        case unexpected = "unexpected packet"
    }

    public var code: Code
    /// The packet and field, and what was wrong with it.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "MQTT \(code.rawValue): \(message)" }
}
