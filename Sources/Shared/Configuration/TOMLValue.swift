/// A TOML value as the configuration loader sees it. Each value sits in a ``TOMLNode`` that
/// remembers its line, so that every validation error can name the line.
public indirect enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    /// A date, time or date-time literal, kept as written.
    case datetime(String)
    case array([TOMLNode])
    case table(TOMLTable)

    /// How the value is named in an error: "a string", "an integer"…
    public var kindName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .datetime: "a date-time"
        case .array(let elements):
            elements.isEmpty || !elements.allSatisfy(\.isTable) ? "an array" : "an array of tables"
        case .table: "a table"
        }
    }
}

/// A value and the line it starts on (1-based).
public struct TOMLNode: Sendable, Equatable {
    /// The value.
    public var value: TOMLValue
    /// The 1-based line the value (or its key) is on.
    public var line: Int

    /// `value`, written on `line`.
    public init(_ value: TOMLValue, line: Int) {
        self.value = value
        self.line = line
    }

    /// True for a table, `[name]` or inline.
    public var isTable: Bool {
        if case .table = value { true } else { false }
    }

    /// True for an array whose elements are all tables, as `[[name]]` makes.
    public var isArrayOfTables: Bool {
        if case .array(let elements) = value { elements.allSatisfy(\.isTable) } else { false }
    }
}

/// A TOML table: keys in the order written, each with its value and line.
public struct TOMLTable: Sendable, Equatable {
    /// The entries in the order they were written.
    public var entries: [(key: String, node: TOMLNode)] = []
    /// The line of the table's header (`[name]`), or where it was first implied.
    public var line: Int
    /// True for tables defined by a header or inline: they cannot be defined again.
    var isDefined = false

    /// An empty table whose header is on `line` (0: none).
    public init(line: Int) {
        self.line = line
    }

    /// The value of `key`, or `nil`; setting `nil` removes the key.
    public subscript(key: String) -> TOMLNode? {
        get { entries.first { $0.key == key }?.node }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].node = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    /// The keys in the order they were written.
    public var keys: [String] { entries.map(\.key) }

    /// Same entries in the same order, with the same lines.
    public static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
        lhs.line == rhs.line && lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.node == $1.node }
    }
}
