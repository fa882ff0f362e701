/// The facts an update can carry about a flight, besides its identity (DESIGN.md §3).
public enum FlightField: Int, CaseIterable, Sendable, Hashable {
    case origin
    case destination
    case scheduled
    case estimated
    case actual
    case runwayEstimated
    case runwayActual
    case terminal
    case gate
    case stand
    case belt
    case checkin
    case status
    case rawStatus
    case remark
    case codeshares
    case delays

    /// The JSON and database name.
    public var name: String { Self.names[rawValue] }

    private static let names = [
        "origin", "destination", "scheduled", "estimated", "actual", "runway_estimated", "runway_actual", "terminal",
        "gate", "stand", "belt", "checkin", "status", "raw_status", "remark", "codeshares", "delays",
    ]

    private static let byName: [String: FlightField] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0.name, $0) })

    /// The field with this JSON name.
    public init?(name: String) {
        guard let field = Self.byName[name] else { return nil }
        self = field
    }

    /// What kind of value the field holds.
    public enum Kind: Sendable {
        case text, time, status, list, delays
    }

    public var kind: Kind {
        switch self {
        case .scheduled, .estimated, .actual, .runwayEstimated, .runwayActual: .time
        case .status: .status
        case .codeshares: .list
        case .delays: .delays
        default: .text
        }
    }

    public static let count = allCases.count
}

/// The value of one field.
public enum FieldValue: Hashable, Sendable {
    case text(String)
    case time(Timestamp)
    case status(FlightStatus)
    case list([String])
    case delays([DelayCode])

    public var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    public var time: Timestamp? {
        if case .time(let value) = self { return value }
        return nil
    }

    public var status: FlightStatus? {
        if case .status(let value) = self { return value }
        return nil
    }

    public var list: [String]? {
        if case .list(let value) = self { return value }
        return nil
    }

    public var delays: [DelayCode]? {
        if case .delays(let value) = self { return value }
        return nil
    }

    /// Writes the value as JSON.
    public func write(to writer: inout JSONWriter) {
        switch self {
        case .text(let value): writer.string(value)
        case .time(let value): writer.string(value.iso8601)
        case .status(let value): writer.string(value.rawValue)
        case .list(let values):
            writer.beginArray()
            for value in values { writer.string(value) }
            writer.endArray()
        case .delays(let values):
            writer.beginArray()
            for value in values {
                writer.beginObject()
                writer.field("code", value.code)
                writer.field("minutes", value.minutes)
                writer.endObject()
            }
            writer.endArray()
        }
    }

    /// The value as JSON text.
    public var json: String {
        var writer = JSONWriter(capacity: 32)
        write(to: &writer)
        return writer.string
    }
}

extension FlightField {
    /// Reads this field's value from JSON: nil for JSON null (cleared), or why it is not
    /// a value of this field.
    public func value(from json: JSONValue) throws(FieldProblem) -> FieldValue? {
        if json == .null { return nil }
        switch kind {
        case .text:
            guard case .string(let text) = json else { throw FieldProblem(field: self, "expected a string, found \(json.kindName)") }
            guard text.utf8.count <= 1024 else { throw FieldProblem(field: self, "longer than 1024 bytes") }
            guard !text.unicodeScalars.contains(where: { $0.value == 0 }) else { throw FieldProblem(field: self, "contains a NUL character") }
            return .text(text)
        case .time:
            guard case .string(let text) = json else { throw FieldProblem(field: self, "expected a time string, found \(json.kindName)") }
            guard let time = Timestamp(iso8601: text) else { throw FieldProblem(field: self, "\"\(text.prefix(40))\" is not an ISO 8601 time") }
            guard time.millisecondsSinceEpoch > 946_684_800_000, time.millisecondsSinceEpoch < 4_102_444_800_000 else {
                throw FieldProblem(field: self, "\(text) is outside 2000–2099")
            }
            return .time(time)
        case .status:
            guard case .string(let text) = json else { throw FieldProblem(field: self, "expected a string, found \(json.kindName)") }
            guard let status = FlightStatus(rawValue: text) else { throw FieldProblem(field: self, "unknown status \"\(text.prefix(40))\"") }
            return .status(status)
        case .list:
            guard case .array(let elements) = json else { throw FieldProblem(field: self, "expected an array, found \(json.kindName)") }
            guard elements.count <= 64 else { throw FieldProblem(field: self, "more than 64 entries") }
            var values: [String] = []
            for element in elements {
                guard case .string(let text) = element, !text.isEmpty, text.utf8.count <= 64,
                    !text.unicodeScalars.contains(where: { $0.value == 0 })
                else { throw FieldProblem(field: self, "entries must be non-empty strings") }
                values.append(text)
            }
            return .list(values)
        case .delays:
            guard case .array(let elements) = json else { throw FieldProblem(field: self, "expected an array, found \(json.kindName)") }
            guard elements.count <= 16 else { throw FieldProblem(field: self, "more than 16 delay codes") }
            var values: [DelayCode] = []
            for element in elements {
                guard case .object(let object) = element, case .string(let code)? = object["code"], !code.isEmpty, code.count <= 8,
                    let minutes = object["minutes"]?.integerValue, (0...10_000).contains(minutes)
                else { throw FieldProblem(field: self, "each delay needs a code string and minutes 0–10000") }
                values.append(DelayCode(code: code, minutes: Int(minutes)))
            }
            return .delays(values)
        }
    }
}

/// A value that does not fit its field.
public struct FieldProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: FlightField
    public var message: String

    public init(field: FlightField, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field.name): \(message)" }
}
