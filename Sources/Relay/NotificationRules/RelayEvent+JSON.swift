import FlightModel
public import JSON

extension RelayEvent {
    /// Parses an event message's bytes (`flightedge.event/1`); members it does not know are ignored.
    public init(json bytes: some Collection<UInt8>) throws(RelayEventError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw RelayEventError(.notJSON, field: nil, "the event is not JSON: \(error.description)")
        }
        try self.init(json: value)
    }

    /// Reads an event from its parsed JSON; the error names the first missing or bad member.
    public init(json value: JSONValue) throws(RelayEventError) {
        let root = try JSONReader(value, path: "")
        let schema = try root.string("schema")
        guard schema == "flightedge.event/1" else {
            throw RelayEventError(.badField, field: "schema", "schema is \(schema), expected flightedge.event/1")
        }
        let kindName = try root.string("kind")
        guard let kind = EventKind(rawValue: kindName) else {
            throw RelayEventError(
                .badField, field: "kind", "kind \(kindName) is not an event kind of flightedge.event/1")
        }
        let flight = try root.object("flight")
        let directionName = try flight.string("direction")
        guard let direction = Direction(rawValue: directionName) else {
            throw RelayEventError(
                .badField, field: "flight.direction",
                "flight.direction is \(directionName), expected arrival or departure")
        }
        let seq = try root.integer("seq")
        guard seq >= 1 else { throw RelayEventError(.badField, field: "seq", "seq is \(seq), expected 1 or more") }
        self.init(
            eventID: try root.string("event_id"), kind: kind, airport: try root.string("airport"),
            flightID: try root.string("flight_id"), seq: seq, occurredAt: try root.time("occurred_at"),
            flight: FlightFacts(
                airline: try flight.string("airline"), number: try flight.string("number"),
                date: try flight.string("date"), direction: direction, origin: try flight.optionalString("origin"),
                destination: try flight.optionalString("destination"), scheduled: try flight.optionalTime("scheduled")
            ),
            previous: EventFields(try root.object("previous").members),
            current: EventFields(try root.object("current").members),
            delayMinutes: try root.optionalInteger("delay_minutes").map { Int(clamping: $0) }
        )
    }
}
