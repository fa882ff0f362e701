/// The value of one field of a flight. Which case a field holds is ``FlightField/kind``.
public enum FieldValue: Hashable, Sendable, CustomStringConvertible {
    case text(String)
    case time(Timestamp)
    case status(FlightStatus)
    case list([String])
    case delays([DelayCode])

    /// The cases of ``FieldValue``, without their payloads.
    public enum Kind: Sendable, Hashable {
        case text, time, status, list, delays
    }

    /// Which case this is.
    public var kind: Kind {
        switch self {
        case .text: .text
        case .time: .time
        case .status: .status
        case .list: .list
        case .delays: .delays
        }
    }

    /// The text of a `.text` value, else nil.
    public var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    /// The instant of a `.time` value, else nil.
    public var time: Timestamp? {
        if case .time(let value) = self { return value }
        return nil
    }

    /// The status of a `.status` value, else nil.
    public var status: FlightStatus? {
        if case .status(let value) = self { return value }
        return nil
    }

    /// The entries of a `.list` value, else nil.
    public var list: [String]? {
        if case .list(let value) = self { return value }
        return nil
    }

    /// The codes of a `.delays` value, else nil.
    public var delays: [DelayCode]? {
        if case .delays(let value) = self { return value }
        return nil
    }

    /// For logs and the `history` command: the text, ISO 8601 time, status name, comma-separated
    /// list, or `code:minutes` pairs.
    public var description: String {
        switch self {
        case .text(let value): value
        case .time(let value): value.iso8601
        case .status(let value): value.rawValue
        case .list(let values): values.joined(separator: ",")
        case .delays(let values): values.map { "\($0.code):\($0.minutes)" }.joined(separator: ",")
        }
    }
}
