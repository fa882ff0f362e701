/// One message as a source hands it over: the bytes of a FlightEdge event and where they came from.
public struct SourceMessage: Sendable {
    /// The MQTT topic or AMQP routing key (`flightedge/ZRH/events/gate-change`).
    public var topic: String
    public var payload: [UInt8]

    public init(topic: String, payload: [UInt8]) {
        self.topic = topic
        self.payload = payload
    }
}

/// Where the relay's events come from: an MQTT broker (a persistent session, QoS 1) or the
/// central RabbitMQ queue. Each source acknowledges a message to its broker only after the
/// handler returned, and the handler returns only once the event is committed to the relay's
/// database: a crash before that leaves the message unacknowledged, and the broker sends it again.
public protocol EventSource: Sendable {
    /// Connects and hands over messages one at a time, on the source's own thread (the handler
    /// may block: that is the backpressure), until the task is cancelled.
    func run(handler: @escaping @Sendable (SourceMessage) -> Void) async throws

    /// True while connected to the broker.
    var isConnected: Bool { get }

    /// Sends a replay request to an airport through the source's broker, and returns once the
    /// broker took it (blocks; call it off Swift's cooperative pool or briefly). Throws
    /// ``ReplayCommandError`` when it could not.
    func send(_ command: ReplayCommand) throws
}
