/// One problem in a configuration file: which file, which line, which key, and what is wrong.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (or other source) the configuration came from.
    public var source: String
    /// The 1-based line, when the problem has one.
    public var line: Int?
    /// The key's full name, e.g. `feeds[1].format` or `mqtt.port`.
    public var key: String
    public var message: String

    public init(source: String, line: Int?, key: String, message: String) {
        self.source = source
        self.line = line
        self.key = key
        self.message = message
    }

    /// `conf/x.toml:14: feeds[1].format: unknown format "xml" (expected one of: …)`
    public var description: String {
        let location = line.map { "\(source):\($0)" } ?? source
        return key.isEmpty ? "\(location): \(message)" : "\(location): \(key): \(message)"
    }
}

/// Every problem found in a configuration file, not just the first.
public struct ConfigurationErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigurationError]

    public init(_ errors: [ConfigurationError]) {
        self.errors = errors
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
