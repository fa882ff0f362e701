/// A value of a free-form table such as `[feeds.options]`: what a decoder reads for its own
/// settings.
public enum ConfigValue: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case strings([String])
    /// A nested table, e.g. `[feeds.options.status_map]` or `columns = { gate = 4 }`.
    case table([String: ConfigValue])

    /// The text, if this is a string.
    public var string: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// The number, if this is an integer.
    public var integer: Int? {
        if case .integer(let value) = self { value } else { nil }
    }

    /// The flag, if this is a boolean.
    public var boolean: Bool? {
        if case .boolean(let value) = self { value } else { nil }
    }

    /// The texts, if this is an array of strings (an empty array included).
    public var strings: [String]? {
        if case .strings(let value) = self { value } else { nil }
    }

    /// The entries, if this is a table.
    public var table: [String: ConfigValue]? {
        if case .table(let value) = self { value } else { nil }
    }

    /// The value as TOML: `"text"`, `42`, `true`, `["a", "b"]`, `{ a = 1 }` (keys sorted).
    public var description: String {
        switch self {
        case .string(let value): TOMLText.quoted(value)
        case .integer(let value): String(value)
        case .boolean(let value): String(value)
        case .strings(let values): "[" + values.map(TOMLText.quoted).joined(separator: ", ") + "]"
        case .table(let entries):
            entries.isEmpty
                ? "{}"
                : "{ "
                    + entries.sorted { $0.key < $1.key }.map { "\(TOMLText.key($0.key)) = \($0.value)" }
                    .joined(separator: ", ") + " }"
        }
    }
}

/// Writing TOML text.
enum TOMLText {
    /// A basic string with the escapes TOML needs.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// A key: bare when it can be, else quoted.
    static func key(_ key: String) -> String {
        let isBare =
            !key.isEmpty
            && key.unicodeScalars.allSatisfy {
                ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_"
                    || $0 == "-"
            }
        return isBare ? key : quoted(key)
    }
}
