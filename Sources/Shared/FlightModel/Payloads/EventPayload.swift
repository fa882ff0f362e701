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
        writer.field("schema", schema)
        writer.field("event_id", event.eventID)
        writer.field("kind", event.kind.rawValue)
        writer.field("airport", context.airport)
        writer.field("flight_id", event.flightID)
        writer.field("seq", event.seq)
        writer.field("occurred_at", event.occurredAt)
        writer.field("observed_at", observedAt)
        writer.key("source")
        writer.beginObject()
        writer.field("feed", feed)
        writer.field("position", position)
        writer.endObject()
        writer.key("flight")
        writer.beginObject()
        FlightPayload.writeIdentity(state.key, to: &writer)
        if let origin = state[.origin]?.text { writer.field("origin", origin) }
        if let destination = state[.destination]?.text { writer.field("destination", destination) }
        if let scheduled = state.scheduled {
            writer.field("scheduled", scheduled)
            writer.field("scheduled_local", scheduled, offsetSeconds: context.offsetSeconds(at: scheduled))
        }
        if !state.codeshares.isEmpty {
            writer.key("codeshares")
            FieldValue.list(state.codeshares).write(to: &writer)
        }
        writer.endObject()
        writer.key("previous")
        write(event.previous, to: &writer)
        writer.key("current")
        write(event.current, to: &writer)
        if let delay = event.delayMinutes { writer.field("delay_minutes", delay) }
        writer.endObject()
        return writer.bytes
    }

    private static func write(_ snapshots: [FlightEvent.FieldSnapshot], to writer: inout JSONWriter) {
        writer.beginObject()
        for (field, value) in snapshots {
            writer.key(field.name)
            if let value { value.write(to: &writer) } else { writer.null() }
        }
        writer.endObject()
    }
}
