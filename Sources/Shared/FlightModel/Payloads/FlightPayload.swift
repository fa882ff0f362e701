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
        writer.member("schema", schema)
        writer.member("airport", context.airport)
        writer.member("flight_id", state.key.flightID)
        writer.member("seq", state.seq)
        writer.member("prev_seq", previousSeq)
        writer.member("as_of", state.updatedAt)
        writeIdentity(state.key, to: &writer)
        for raw in 0..<FlightField.count {
            guard let field = FlightField(rawValue: raw), let value = state[field] else { continue }
            writer.memberName(field.jsonName)
            guard case .time(let time) = value else {
                value.write(to: &writer)
                continue
            }
            // Formatted into the payload, as FieldValue.write would write it.
            writer.time(time)
            if let localName = localName(field) {
                writer.member(localName, time, offsetSeconds: context.offsetSeconds(at: time))
            }
        }
        if let delay = state.delayMinutes { writer.member("delay_minutes", delay) }
        writer.endObject()
        return writer.bytes
    }

    /// The times a board shows, each also written in airport local time (`scheduled_local`, …).
    private static func localName(_ field: FlightField) -> StaticString? {
        switch field {
        case .scheduled: "scheduled_local"
        case .estimated: "estimated_local"
        case .actual: "actual_local"
        default: nil
        }
    }

    static func writeIdentity(_ key: FlightKey, to writer: inout JSONWriter) {
        writer.member("airline", key.airline)
        writer.member("number", key.number)
        if let suffix = key.suffix { writer.member("suffix", suffix) }
        writer.member("date", key.date)
        writer.member("direction", key.direction.rawValue)
    }
}
