import MQTT
import MQTTWire

/// What ``OutboxPublisher`` needs from its connection to the broker: the broker's answers in
/// order, publish and subscribe. ``BrokerLink`` (on ``MQTTConnection``, swift-nio) is the one
/// the daemon uses; the publisher's unit tests drive a fake.
public protocol PublisherLink: Sendable {
    /// What the network thread reported (CONNACKs, disconnects, PUBACKs, messages), in order;
    /// it ends when the link stops.
    var events: AsyncStream<MQTTEvent> { get }

    /// The protocol the current connection speaks; only MQTT v5 carries publish properties.
    var protocolVersion: MQTTClient.ProtocolVersion { get }

    /// Takes note of an event from ``events`` before the publisher acts on it; returns true
    /// when the event means the link just came up (a successful CONNACK).
    func observe(_ event: MQTTEvent) -> Bool

    /// Queues a message; returns the message id its ``MQTTEvent/published(messageID:reasonCode:)``
    /// will carry. Throws when there is no client to queue it on.
    func publish(
        topic: String, payload: [UInt8], qos: Int, retain: Bool, properties: MQTTWire.MQTTPublishProperties?
    ) throws(MQTTError) -> Int32

    /// Subscribes to `filter` on the current connection.
    func subscribe(_ filter: String, qos: Int) throws(MQTTError)
}

extension PublisherLink {
    /// Queues a message without publish properties.
    @discardableResult
    public func publish(topic: String, payload: [UInt8], qos: Int, retain: Bool) throws(MQTTError) -> Int32 {
        try publish(topic: topic, payload: payload, qos: qos, retain: retain, properties: nil)
    }
}
