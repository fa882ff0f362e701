import JSON

/// The `events/{kind}` payload (schema `flightedge.event/1`).
public enum EventPayload {
    /// The `schema` member and MQTT v5 user property.
    public static let schema = "flightedge.event/1"

    /// The payload of one event: the event, its flight's identity and schedule (from `state`, the
    /// flight after the update), and where it came from (`feed`, `position`); `observedAt` is
    /// when FlightEdge received the update.
    public static func encode(
        _ event: FlightEvent, state: FlightState, feed: String, position: String, observedAt: Timestamp,
        context: PayloadContext
    ) -> [UInt8] {
        var writer = JSONWriter(capacity: 700)
        writer.beginObject()
        writer.member("schema", schema)
        writer.member("event_id", event.eventID)
        writer.member("kind", event.kind.rawValue)
        writer.member("airport", context.airport)
        writer.member("flight_id", event.flightID)
        writer.member("seq", event.seq)
        writer.member("occurred_at", event.occurredAt)
        writer.member("observed_at", observedAt)
        writer.memberName("source")
        writer.beginObject()
        writer.member("feed", feed)
        writer.member("position", position)
        writer.endObject()
        writer.memberName("flight")
        writer.beginObject()
        FlightPayload.writeIdentity(state.key, to: &writer)
        if let origin = state[.origin]?.text { writer.member("origin", origin) }
        if let destination = state[.destination]?.text { writer.member("destination", destination) }
        if let scheduled = state.scheduled {
            writer.member("scheduled", scheduled)
            writer.member("scheduled_local", scheduled, offsetSeconds: context.offsetSeconds(at: scheduled))
        }
        if !state.codeshares.isEmpty {
            writer.memberName("codeshares")
            FieldValue.list(state.codeshares).write(to: &writer)
        }
        writer.endObject()
        writer.memberName("previous")
        write(event.previous, to: &writer)
        writer.memberName("current")
        write(event.current, to: &writer)
        if let delay = event.delayMinutes { writer.member("delay_minutes", delay) }
        writer.endObject()
        return writer.bytes
    }

    private static func write(_ snapshots: [FlightEvent.FieldSnapshot], to writer: inout JSONWriter) {
        writer.beginObject()
        for (field, value) in snapshots {
            writer.memberName(field.jsonName)
            if let value { value.write(to: &writer) } else { writer.null() }
        }
        writer.endObject()
    }
}
