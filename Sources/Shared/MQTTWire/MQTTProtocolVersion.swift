/// The MQTT protocol level a connection speaks: 4 for 3.1.1, 5 for 5.0.
public enum MQTTProtocolVersion: UInt8, Sendable {
    case v311 = 4
    case v5 = 5
}

/// The control packet types (MQTT 5.0 §2.1.2), the high nibble of a packet's first byte.
enum MQTTPacketType: UInt8 {
    case connect = 1, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe, suback
    case unsubscribe, unsuback, pingreq, pingresp, disconnect, auth

    var name: String {
        switch self {
        case .connect: "CONNECT"
        case .connack: "CONNACK"
        case .publish: "PUBLISH"
        case .puback: "PUBACK"
        case .pubrec: "PUBREC"
        case .pubrel: "PUBREL"
        case .pubcomp: "PUBCOMP"
        case .subscribe: "SUBSCRIBE"
        case .suback: "SUBACK"
        case .unsubscribe: "UNSUBSCRIBE"
        case .unsuback: "UNSUBACK"
        case .pingreq: "PINGREQ"
        case .pingresp: "PINGRESP"
        case .disconnect: "DISCONNECT"
        case .auth: "AUTH"
        }
    }
}

/// The largest remaining length a packet can declare (four bytes of variable byte integer).
let maximumRemainingLength = 268_435_455
