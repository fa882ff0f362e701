/// The kinds of event FlightEdge derives (DESIGN.md §4).
public enum EventKind: String, CaseIterable, Sendable, Hashable {
    case gateChange = "gate-change"
    case delay
    case cancellation
    case reinstatement
    case diversion
    case boarding
    case gateClosed = "gate-closed"
    case departure
    case arrival
    case beltChange = "belt-change"
    case terminalChange = "terminal-change"
}

/// Something passengers or screens care about, derived from a committed change.
public struct FlightEvent: Sendable, Equatable {
    /// Name-based UUID (v5) of (`flight_id`, `seq`, `kind`): the same event always has the
    /// same id, so consumers drop duplicates after a redelivery.
    public var eventID: String
    public var kind: EventKind
    public var flightID: String
    public var seq: Int64
    /// The source's time of the change, else when FlightEdge received it.
    public var occurredAt: Timestamp
    /// The fields the event is about, before (absent: unknown before) and after.
    public var previous: [FieldSnapshot]
    public var current: [FieldSnapshot]
    /// For `delay`: estimated − scheduled, minutes (negative when early).
    public var delayMinutes: Int?

    public init(
        kind: EventKind, flightID: String, seq: Int64, occurredAt: Timestamp, previous: [FieldSnapshot],
        current: [FieldSnapshot], delayMinutes: Int? = nil
    ) {
        self.eventID = EventID.make(flightID: flightID, seq: seq, kind: kind)
        self.kind = kind
        self.flightID = flightID
        self.seq = seq
        self.occurredAt = occurredAt
        self.previous = previous
        self.current = current
        self.delayMinutes = delayMinutes
    }
}

/// A field and its value at one moment (nil: cleared).
public struct FieldSnapshot: Sendable, Equatable {
    public var field: FlightField
    public var value: FieldValue?

    public init(_ field: FlightField, _ value: FieldValue?) {
        self.field = field
        self.value = value
    }
}

/// The thresholds of the `delay` event (`[events]`).
public struct EventPolicy: Sendable, Equatable {
    public var delayThresholdMinutes: Int
    public var delayStepMinutes: Int

    public init(delayThresholdMinutes: Int = 15, delayStepMinutes: Int = 5) {
        self.delayThresholdMinutes = delayThresholdMinutes
        self.delayStepMinutes = delayStepMinutes
    }
}

/// Event ids: UUID v5 in a FlightEdge namespace.
public enum EventID {
    /// The namespace: uuid5(NAMESPACE_URL, "https://flightedge.dev/events").
    public static let namespace: [UInt8] = UUIDv5.make(namespace: UUIDv5.urlNamespace, name: "https://flightedge.dev/events")

    /// `uuid5(namespace, "{flight_id}/{seq}/{kind}")`, lower-case text.
    public static func make(flightID: String, seq: Int64, kind: EventKind) -> String {
        UUIDv5.string(UUIDv5.make(namespace: namespace, name: "\(flightID)/\(seq)/\(kind.rawValue)"))
    }
}
