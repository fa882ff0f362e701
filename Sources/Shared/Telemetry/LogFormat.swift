/// How ``ConsoleLogHandler`` writes a record: `FLIGHTEDGE_LOG_FORMAT=text` (the default) or
/// `json`, one JSON object per line for log shippers (Loki's `| json`, journald's `MESSAGE`
/// read by promtail or vector).
///
/// A JSON line holds `time` (UTC, milliseconds), `level`, `logger` (the label), `message`, and
/// every metadata key beside them as a string (a key that would collide with those four gets a
/// leading `_`). Under systemd the line still starts with the `<N>` priority, which journald
/// takes off before it stores the JSON as the record's `MESSAGE`.
public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json

    /// The format `FLIGHTEDGE_LOG_FORMAT` names (`text` when unset); nil for anything else.
    public static func from(environment: [String: String]) -> LogFormat? {
        guard let value = environment["FLIGHTEDGE_LOG_FORMAT"], !value.isEmpty else { return .text }
        return LogFormat(rawValue: value.lowercased())
    }

    /// One record as a JSON object (no newline).
    static func jsonLine(
        time: String, level: String, label: String, message: String, metadata: [(key: String, value: String)]
    ) -> String {
        var line = "{\"time\":" + quoted(time) + ",\"level\":" + quoted(level) + ",\"logger\":" + quoted(label)
            + ",\"message\":" + quoted(message)
        for (key, value) in metadata {
            let name = ["time", "level", "logger", "message"].contains(key) ? "_" + key : key
            line += "," + quoted(name) + ":" + quoted(value)
        }
        return line + "}"
    }

    /// `text` as a JSON string: quotes, backslashes and every control character escaped (the
    /// Unicode line and paragraph separators too), so a record is always one line.
    static func quoted(_ text: String) -> String {
        var result = "\""
        result.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028
                    || scalar.value == 0x2029
                {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
