/// The retained `flights/{flight_id}` payload (schema `flightedge.flight/1`, docs/MQTT.md),
/// which is also the `state` column of `flights`.
public enum FlightPayload {
    public static let schema = "flightedge.flight/1"

    /// The full current state. `previousSeq` is the `seq` of the previous publication of this
    /// flight's topic (several changes in one batch are published once).
    public static func encode(_ state: FlightState, previousSeq: Int64, context: PayloadContext) -> [UInt8] {
        var writer = JSONWriter(capacity: 640)
        writer.beginObject()
        writer.field("schema", schema)
        writer.field("airport", context.airport)
        writer.field("flight_id", state.key.flightID)
        writer.field("seq", state.seq)
        writer.field("prev_seq", previousSeq)
        writer.field("as_of", state.updatedAt.iso8601)
        writeIdentity(state.key, to: &writer)
        for field in FlightField.allCases {
            guard let value = state[field] else { continue }
            writer.key(field.name)
            value.write(to: &writer)
            if field == .scheduled || field == .estimated, let time = value.time {
                writer.field("\(field.name)_local", context.local(time))
            }
        }
        if let delay = state.delayMinutes { writer.field("delay_minutes", delay) }
        writer.endObject()
        return writer.bytes
    }

    static func writeIdentity(_ key: FlightKey, to writer: inout JSONWriter) {
        writer.field("airline", key.airline)
        writer.field("number", key.number)
        if let suffix = key.suffix { writer.field("suffix", suffix) }
        writer.field("date", key.date.description)
        writer.field("direction", key.direction.rawValue)
    }
}

/// The `events/{kind}` payload (schema `flightedge.event/1`).
public enum EventPayload {
    public static let schema = "flightedge.event/1"

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
        writer.field("occurred_at", event.occurredAt.iso8601)
        writer.field("observed_at", observedAt.iso8601)
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
            writer.field("scheduled", scheduled.iso8601)
            writer.field("scheduled_local", context.local(scheduled))
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

    private static func write(_ snapshots: [FieldSnapshot], to writer: inout JSONWriter) {
        writer.beginObject()
        for snapshot in snapshots {
            writer.key(snapshot.field.name)
            if let value = snapshot.value { value.write(to: &writer) } else { writer.null() }
        }
        writer.endObject()
    }
}
