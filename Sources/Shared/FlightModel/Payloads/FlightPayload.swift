import JSON

/// The retained `flights/{flight_id}` payload (schema `flightedge.flight/1`, docs/MQTT.md),
/// which is also the `state` column of `flights`.
public enum FlightPayload {
    /// The `schema` member and MQTT v5 user property.
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
        writer.field("as_of", state.updatedAt)
        writeIdentity(state.key, to: &writer)
        for raw in 0..<FlightField.count {
            guard let field = FlightField(rawValue: raw), let value = state[field] else { continue }
            writer.key(field.name)
            guard case .time(let time) = value else {
                value.write(to: &writer)
                continue
            }
            // Formatted into the payload, as FieldValue.write would write it.
            writer.time(time)
            if let localName = localName(field) {
                writer.field(localName, time, offsetSeconds: context.offsetSeconds(at: time))
            }
        }
        if let delay = state.delayMinutes { writer.field("delay_minutes", delay) }
        writer.endObject()
        return writer.bytes
    }

    /// The times a board shows, each also written in airport local time (`scheduled_local`, …).
    private static func localName(_ field: FlightField) -> String? {
        switch field {
        case .scheduled: "scheduled_local"
        case .estimated: "estimated_local"
        case .actual: "actual_local"
        default: nil
        }
    }

    static func writeIdentity(_ key: FlightKey, to writer: inout JSONWriter) {
        writer.field("airline", key.airline)
        writer.field("number", key.number)
        if let suffix = key.suffix { writer.field("suffix", suffix) }
        writer.field("date", key.date.description)
        writer.field("direction", key.direction.rawValue)
    }
}
