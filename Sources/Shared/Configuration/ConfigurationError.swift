/// One problem in a configuration file: which file, which line, which key, and what is wrong.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (or other source) the configuration came from.
    public var source: String
    /// The 1-based line, when the problem has one: the key's line, or the line of the table
    /// header for a missing key; none for a missing table or an unreadable file.
    public var line: Int?
    /// The key's full name, e.g. `feeds[1].format` or `mqtt.port`; empty for a syntax error or
    /// an unreadable file.
    public var key: String
    /// What is wrong, for an operator: `unknown format "xml" (expected one of: aidx, mvt, csv, jsonl)`.
    public var message: String

    /// A problem in `source` at `line` (if any), about `key` (empty when it is about no key).
    public init(source: String, line: Int?, key: String, message: String) {
        self.source = source
        self.line = line
        self.key = key
        self.message = message
    }

    /// `conf/x.toml:14: feeds[1].format: unknown format "xml" (expected one of: aidx, mvt, csv, jsonl)`
    public var description: String {
        let location = line.map { "\(source):\($0)" } ?? source
        return key.isEmpty ? "\(location): \(message)" : "\(location): \(key): \(message)"
    }
}

/// Every problem found in a configuration file, not just the first, in line order.
public struct ConfigurationErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, in line order (those without a line first).
    public var errors: [ConfigurationError]

    /// Wraps `errors` as they are.
    public init(_ errors: [ConfigurationError]) {
        self.errors = errors
    }

    /// One problem per line, as `check-config` prints them.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
