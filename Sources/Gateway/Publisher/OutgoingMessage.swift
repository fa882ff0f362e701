/// A message the publisher sends: an event from the outbox, or retained state.
public struct OutgoingMessage: Sendable {
    /// The outbox row to mark published on PUBACK; nil for state, which is not in the outbox
    /// (the birth after every reconnect re-publishes it instead).
    public var outboxID: Int64?
    public var topic: String
    /// JSON; empty for a retained clear.
    public var payload: [UInt8]
    public var qos: Int
    public var retain: Bool
    /// The event's id, sent as an MQTT v5 user property so a relay can drop duplicates
    /// without parsing the payload.
    public var eventID: String?
    /// The payload's schema name (`flightedge.event/1`, `flightedge.flight/1`, …).
    public var schema: String?
    /// Monotonic nanoseconds when the frame that caused this message was received (0: not
    /// known, e.g. read back from the outbox): the start of the receipt-to-PUBACK latency.
    public var receivedAtNanoseconds: UInt64 = 0
    /// When its batch passed the pipeline's stages, for the slow-update trace.
    public var stages = PipelineStages()
    /// Monotonic nanoseconds when it was handed to the broker; set by the publisher.
    var sentAtNanoseconds: UInt64 = 0
    /// The broker refused it before: its acceptance now means a refusal has ended.
    var refusedBefore = false
    /// Published again on request (``OutboxPublisher/replay(_:)``): no outbox row to mark, and
    /// a lost connection puts it back in the replay queue.
    var isReplay = false

    public init(
        outboxID: Int64? = nil, topic: String, payload: [UInt8], qos: Int, retain: Bool, eventID: String? = nil,
        schema: String? = nil, receivedAtNanoseconds: UInt64 = 0
    ) {
        self.outboxID = outboxID
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.eventID = eventID
        self.schema = schema
        self.receivedAtNanoseconds = receivedAtNanoseconds
    }
}
