import JSON

extension FieldValue {
    /// Writes the value as JSON: text, time (ISO 8601 UTC) and status as strings, a list as an
    /// array of strings, delays as `[{"code":"81","minutes":15}]`.
    public func write(to writer: inout JSONWriter) {
        switch self {
        case .text(let value): writer.string(value)
        case .time(let value): writer.time(value)  // into the buffer: no String per value
        case .status(let value): writer.string(value.rawValue)
        case .list(let values):
            writer.beginArray()
            for value in values { writer.string(value) }
            writer.endArray()
        case .delays(let values):
            writer.beginArray()
            for value in values {
                writer.beginObject()
                writer.member("code", value.code)
                writer.member("minutes", value.minutes)
                writer.endObject()
            }
            writer.endArray()
        }
    }

    /// The value as JSON text (`flight_changes.old_value` / `new_value`).
    public var json: String {
        var writer = JSONWriter(capacity: 32)
        write(to: &writer)
        return writer.string
    }
}
