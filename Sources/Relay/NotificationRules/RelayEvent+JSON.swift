import FlightModel
public import JSON

extension RelayEvent {
    /// Parses an event message's bytes (`flightedge.event/1`); members it does not know are ignored.
    public init(json bytes: some Collection<UInt8>) throws(RelayEventError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw RelayEventError(.notJSON, field: nil, "the event is not JSON: \(error.description)")
        }
        try self.init(json: value)
    }

    /// Reads an event from its parsed JSON; the error names the first missing or bad member.
    public init(json value: JSONValue) throws(RelayEventError) {
        let root = try JSONReader(value, path: "")
        let schema = try root.string("schema")
        guard schema == "flightedge.event/1" else {
            throw RelayEventError(.badField, field: "schema", "schema is \(schema), expected flightedge.event/1")
        }
        let kindName = try root.string("kind")
        guard let kind = EventKind(rawValue: kindName) else {
            throw RelayEventError(
                .badField, field: "kind", "kind \(kindName) is not an event kind of flightedge.event/1")
        }
        let flight = try root.object("flight")
        let directionName = try flight.string("direction")
        guard let direction = Direction(rawValue: directionName) else {
            throw RelayEventError(
                .badField, field: "flight.direction",
                "flight.direction is \(directionName), expected arrival or departure")
        }
        let seq = try root.integer("seq")
        guard seq >= 1 else { throw RelayEventError(.badField, field: "seq", "seq is \(seq), expected 1 or more") }
        self.init(
            eventID: try root.string("event_id"), kind: kind, airport: try root.string("airport"),
            flightID: try root.string("flight_id"), seq: seq, occurredAt: try root.time("occurred_at"),
            flight: FlightFacts(
                airline: try flight.string("airline"), number: try flight.string("number"),
                date: try flight.string("date"), direction: direction, origin: try flight.optionalString("origin"),
                destination: try flight.optionalString("destination"), scheduled: try flight.optionalTime("scheduled")
            ),
            previous: EventFields(try root.object("previous").members),
            current: EventFields(try root.object("current").members),
            delayMinutes: try root.optionalInteger("delay_minutes").map { Int(clamping: $0) }
        )
    }
}

/// Why an event message could not be read: which member is missing or wrong, in words an
/// operator can act on (the relay logs it with the event and drops the message).
public struct RelayEventError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String {
            case notJSON = "not JSON"
            case missingField = "missing field"
            case badField = "bad field"
        }
        fileprivate let base: Base
        /// The bytes are not JSON.
        public static let notJSON = Code(base: .notJSON)
        /// A required member is absent.
        public static let missingField = Code(base: .missingField)
        /// A member has the wrong type or an impossible value.
        public static let badField = Code(base: .badField)
        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The member's path (`flight.direction`, `seq`); nil when the whole document is wrong.
    public var field: String?
    /// What is wrong.
    public var message: String
    public var description: String { message }

    public init(_ code: Code, field: String?, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }
}

/// Reads members of one JSON object, naming the member's path in every error.
struct JSONReader {
    let object: JSONObject
    let path: String

    init(_ value: JSONValue, path: String) throws(RelayEventError) {
        guard case .object(let object) = value else {
            throw RelayEventError(
                .badField, field: path.isEmpty ? nil : path,
                "\(path.isEmpty ? "the document" : path) is \(value.kindName), expected an object")
        }
        self.object = object
        self.path = path
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func required(_ key: String) throws(RelayEventError) -> JSONValue {
        guard let value = object[key], !value.isNull else {
            throw RelayEventError(.missingField, field: name(key), "\(name(key)) is missing")
        }
        return value
    }

    func wrongType(_ key: String, _ value: JSONValue, _ expected: String) -> RelayEventError {
        RelayEventError(.badField, field: name(key), "\(name(key)) is \(value.kindName), expected \(expected)")
    }

    func string(_ key: String) throws(RelayEventError) -> String {
        let value = try required(key)
        guard let text = value.stringValue else { throw wrongType(key, value, "a string") }
        return text
    }

    func optionalString(_ key: String) throws(RelayEventError) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw wrongType(key, value, "a string") }
        return text
    }

    func integer(_ key: String) throws(RelayEventError) -> Int64 {
        let value = try required(key)
        guard let number = value.integerValue else { throw wrongType(key, value, "an integer") }
        return number
    }

    func optionalInteger(_ key: String) throws(RelayEventError) -> Int64? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.integerValue else { throw wrongType(key, value, "an integer") }
        return number
    }

    func bool(_ key: String) throws(RelayEventError) -> Bool {
        let value = try required(key)
        guard case .bool(let flag) = value else { throw wrongType(key, value, "true or false") }
        return flag
    }

    func time(_ key: String) throws(RelayEventError) -> Timestamp {
        let text = try string(key)
        guard let time = Timestamp(iso8601: text) else {
            throw RelayEventError(.badField, field: name(key), "\(name(key)) is \(text), expected an ISO 8601 time")
        }
        return time
    }

    func optionalTime(_ key: String) throws(RelayEventError) -> Timestamp? {
        guard let text = try optionalString(key) else { return nil }
        guard let time = Timestamp(iso8601: text) else {
            throw RelayEventError(.badField, field: name(key), "\(name(key)) is \(text), expected an ISO 8601 time")
        }
        return time
    }

    func object(_ key: String) throws(RelayEventError) -> JSONReader {
        try JSONReader(try required(key), path: name(key))
    }

    func optionalObject(_ key: String) throws(RelayEventError) -> JSONReader? {
        guard let value = object[key], !value.isNull else { return nil }
        return try JSONReader(value, path: name(key))
    }

    func array(_ key: String) throws(RelayEventError) -> [JSONValue] {
        let value = try required(key)
        guard case .array(let items) = value else { throw wrongType(key, value, "an array") }
        return items
    }

    /// The members as a dictionary (the first of repeated keys wins, as `JSONObject`'s subscript).
    var members: [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for member in object.members where result[member.key] == nil { result[member.key] = member.value }
        return result
    }
}
