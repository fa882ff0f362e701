/// Something passengers or screens care about, derived from one applied update (DESIGN.md §4):
/// the body of an `events/{kind}` message.
public struct FlightEvent: Sendable, Hashable {
    /// A field and its value at one moment; a nil value means the field was cleared.
    public typealias FieldSnapshot = (field: FlightField, value: FieldValue?)

    /// Name-based UUID of (airport, `flight_id`, `seq`, `kind`), lower-case text (``EventID``):
    /// the same event always has the same id, so consumers drop duplicates after a redelivery.
    public var eventID: String
    /// What happened; also the topic level `events/{kind}`.
    public var kind: EventKind
    /// The flight, as ``FlightKey/flightID``.
    public var flightID: String
    /// The flight's `seq` after the update that caused the event.
    public var seq: Int64
    /// The update's source time, else when FlightEdge received it.
    public var occurredAt: Timestamp
    /// The fields the event is about, before the update. A field missing here was unknown
    /// before (first assignment, or a flight seen for the first time); one with a nil value
    /// had been cleared.
    public var previous: [FieldSnapshot]
    /// The same fields after the update; fields still unknown are missing.
    public var current: [FieldSnapshot]
    /// For `delay`: estimated − scheduled in minutes (negative when early); else nil.
    public var delayMinutes: Int?

    /// An event at `airport`; its ``eventID`` is derived from `airport`, `flightID`, `seq` and `kind`.
    public init(
        kind: EventKind, airport: String, flightID: String, seq: Int64, occurredAt: Timestamp, previous: [FieldSnapshot],
        current: [FieldSnapshot], delayMinutes: Int? = nil
    ) {
        self.eventID = EventID.make(airport: airport, flightID: flightID, seq: seq, kind: kind)
        self.kind = kind
        self.flightID = flightID
        self.seq = seq
        self.occurredAt = occurredAt
        self.previous = previous
        self.current = current
        self.delayMinutes = delayMinutes
    }

    /// The value of `field` in ``previous``: nil when missing, `.some(nil)` when cleared.
    public func previousValue(of field: FlightField) -> FieldValue?? {
        previous.first { $0.field == field }.map(\.value)
    }

    /// The value of `field` in ``current``: nil when missing, `.some(nil)` when cleared.
    public func currentValue(of field: FlightField) -> FieldValue?? {
        current.first { $0.field == field }.map(\.value)
    }

    public static func == (lhs: FlightEvent, rhs: FlightEvent) -> Bool {
        lhs.eventID == rhs.eventID && lhs.kind == rhs.kind && lhs.flightID == rhs.flightID && lhs.seq == rhs.seq
            && lhs.occurredAt == rhs.occurredAt && lhs.delayMinutes == rhs.delayMinutes
            && lhs.previous.elementsEqual(rhs.previous, by: ==) && lhs.current.elementsEqual(rhs.current, by: ==)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(eventID)
        hasher.combine(occurredAt)
        hasher.combine(delayMinutes)
        for (field, value) in previous + current {
            hasher.combine(field)
            hasher.combine(value)
        }
    }
}
