/// One message the broker delivered to a consumer, copied out of rabbitmq-c's buffers.
public struct AMQPDelivery: Sendable {
    /// What ``AMQPConnection/ack(_:)`` takes; valid on the connection that received it only.
    public var deliveryTag: UInt64
    public var exchange: String
    /// The routing key (`flightedge.ZRH.events.gate-change`; MQTT topics arrive with `/` as `.`).
    public var routingKey: String
    public var body: [UInt8]
    /// The broker delivered it before and got no acknowledgement (a consumer went away).
    public var redelivered: Bool
    /// The `message-id` property, when the publisher set one.
    public var messageID: String?
}
