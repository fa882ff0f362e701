public import FlightModel
public import JSON

/// One `flightedge.event/1` message as the relay received it (docs/MQTT.md): what the rules need.
///
/// Named apart from FlightModel's `FlightEvent`, the gateway's in-memory event, which it is the
/// wire form of.
public struct RelayEvent: Sendable, Equatable {
    /// Name-based id of (`flight_id`, `seq`, `kind`); the same event always has the same id.
    public var eventID: String
    /// What happened.
    public var kind: EventKind
    /// The IATA code of the airport that published it.
    public var airport: String
    /// `{airline}{number}{suffix}-{yyyymmdd}-{A|D}`.
    public var flightID: String
    /// The flight's `seq` after the update; several events of one update share it.
    public var seq: Int64
    /// When it happened (the update's source time).
    public var occurredAt: Timestamp
    /// The flight's identity and schedule.
    public var flight: FlightFacts
    /// The fields the event is about, before.
    public var previous: EventFields
    /// The same fields, after.
    public var current: EventFields
    /// For `delay`: estimated − scheduled in minutes (negative when early).
    public var delayMinutes: Int?

    /// An event from its parts (tests and replays; the relay parses with ``init(json:)``).
    public init(
        eventID: String, kind: EventKind, airport: String, flightID: String, seq: Int64, occurredAt: Timestamp,
        flight: FlightFacts, previous: EventFields = EventFields(), current: EventFields = EventFields(),
        delayMinutes: Int? = nil
    ) {
        self.eventID = eventID
        self.kind = kind
        self.airport = airport
        self.flightID = flightID
        self.seq = seq
        self.occurredAt = occurredAt
        self.flight = flight
        self.previous = previous
        self.current = current
        self.delayMinutes = delayMinutes
    }
}

/// The event's `flight` object: who the flight is and when it is scheduled.
public struct FlightFacts: Sendable, Equatable {
    /// Airline designator, `LX`.
    public var airline: String
    /// Flight number with its suffix, `1234`.
    public var number: String
    /// The flight's date, `yyyy-MM-dd` (its origin date).
    public var date: String
    /// Seen from the publishing airport.
    public var direction: Direction
    /// IATA code of the origin, when known.
    public var origin: String?
    /// IATA code of the destination, when known.
    public var destination: String?
    /// Scheduled block time at the publishing airport (off-block for a departure, on-block for an arrival).
    public var scheduled: Timestamp?

    public init(
        airline: String, number: String, date: String, direction: Direction, origin: String? = nil,
        destination: String? = nil, scheduled: Timestamp? = nil
    ) {
        self.airline = airline
        self.number = number
        self.date = date
        self.direction = direction
        self.origin = origin
        self.destination = destination
        self.scheduled = scheduled
    }

    /// `LX 1234`, as a passenger reads it.
    public var label: String { "\(airline) \(number)" }
}

/// The `previous` or `current` object of an event: field name → value. A missing field was
/// unknown; a field present with `null` had been cleared.
public struct EventFields: Sendable, Equatable {
    /// The members by field name (`gate`, `terminal`, `estimated`, `status`, `destination`, ...).
    public var values: [String: JSONValue]

    public init(_ values: [String: JSONValue] = [:]) {
        self.values = values
    }

    /// Text fields given as strings (a nil entry is a cleared field).
    public init(text: [String: String?]) {
        self.values = text.mapValues { $0.map(JSONValue.string) ?? .null }
    }

    /// True when the event names `field` at all (even as cleared).
    public func contains(_ field: String) -> Bool { values[field] != nil }

    /// The field's string value; nil when missing, cleared or not a string.
    public func text(_ field: String) -> String? { values[field]?.stringValue }

    /// The field's ISO 8601 time; nil when missing, cleared or not a time.
    public func time(_ field: String) -> Timestamp? {
        values[field]?.stringValue.flatMap { Timestamp(iso8601: $0) }
    }
}
