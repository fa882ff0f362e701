/// The MQTT protocol level a connection speaks: 4 for 3.1.1, 5 for 5.0.
public enum MQTTProtocolVersion: UInt8, Sendable {
    case v311 = 4
    case v5 = 5
}
