import JSON

extension FlightUpdate {
    /// The update as one line of the normalized JSON (DESIGN.md §3): identity, then every field
    /// the update speaks of (a cleared one as `null`), then `source_time`; with `derived`,
    /// the `flight_id` and `feed` that `flightedge parse` adds. Feeding the line back through
    /// the `jsonl` decoder gives the same update.
    public func normalizedJSON(derived: Bool = false) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        if derived { writer.field("flight_id", key.flightID) }
        writer.field("airline", key.airline)
        writer.field("number", key.number)
        if let suffix = key.suffix { writer.field("suffix", suffix) }
        writer.field("date", key.date.description)
        writer.field("direction", key.direction.rawValue)
        for field in FlightField.allCases {
            switch self[field] {
            case .absent: continue
            case .cleared:
                writer.key(field.name)
                writer.null()
            case .value(let value):
                writer.key(field.name)
                value.write(to: &writer)
            }
        }
        if let sourceTime { writer.field("source_time", sourceTime.iso8601) }
        if derived { writer.field("feed", feed) }
        writer.endObject()
        return writer.bytes
    }
}
