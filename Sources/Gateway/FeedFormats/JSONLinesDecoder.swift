import FlightModel
import JSON

/// `format = "jsonl"`: one normalized update per frame (DESIGN.md §3). Only `airline`,
/// `number`, `date` and `direction` are required; an absent field is unknown, `null` clears it.
/// `flight_id` and `feed` (as `flightedge parse` prints them) are accepted and ignored.
public struct JSONLinesDecoder: FrameDecoder {
    public init() {}

    /// The names of a line's members, so that the parser does not make a String for each.
    private static let knownKeys = JSONParser.KnownKeys(
        IdentityMember.allCases.map(\.name) + FlightField.allCases.map(\.name))

    public func decode(_ bytes: [UInt8], context: FrameContext) throws(DecodeError) -> [FlightUpdate] {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes, knownKeys: Self.knownKeys)
        } catch {
            throw DecodeError(error.message, at: "byte \(error.offset)")
        }
        guard case .object(let object) = json else {
            throw DecodeError("expected a JSON object, found \(json.kindName)")
        }
        // One pass finds the identity: the first member of each name, as `object[name]` would.
        var identity = Identity()
        for index in object.members.indices {
            guard let name = IdentityMember(key: object.members[index].key) else { continue }
            identity.keepFirst(index, as: name)
        }
        func text(_ index: Int?, at key: String, required: Bool) throws(DecodeError) -> String? {
            let value = index.map { object.members[$0].value } ?? .null
            if case .null = value {
                if required { throw DecodeError("required member is missing", at: key) }
                return nil
            }
            guard case .string(let text) = value else { throw DecodeError("expected a string, found \(value.kindName)", at: key) }
            return text
        }
        let airline = try text(identity.airline, at: "airline", required: true)!
        let number = try text(identity.number, at: "number", required: true)!
        let suffix = try text(identity.suffix, at: "suffix", required: false)
        let dateText = try text(identity.date, at: "date", required: true)!
        guard let date = FlightDate(dateText) else { throw DecodeError("\"\(dateText.prefix(40))\" is not a date yyyy-MM-dd", at: "date") }
        let directionText = try text(identity.direction, at: "direction", required: true)!
        guard let direction = Direction(rawValue: directionText) else {
            throw DecodeError("\"\(directionText.prefix(40))\" is not arrival or departure", at: "direction")
        }
        let key: FlightKey
        do {
            key = try FlightKey(airline: airline, number: number, suffix: suffix, date: date, direction: direction)
        } catch {
            throw DecodeError(error.message)
        }
        var sourceTime: Timestamp?
        if let timeText = try text(identity.sourceTime, at: "source_time", required: false) {
            guard let time = Timestamp(iso8601: timeText) else {
                throw DecodeError("\"\(timeText.prefix(40))\" is not an ISO 8601 time", at: "source_time")
            }
            sourceTime = time
        }
        var update = FlightUpdate(key: key, feed: context.feed, sourceTime: sourceTime, position: context.position)
        for member in object.members {
            if IdentityMember(key: member.key) != nil { continue }
            guard let field = FlightField(name: member.key) else {
                throw DecodeError("unknown member (see DESIGN.md §3 for the fields)", at: String(member.key.prefix(40)))
            }
            do {
                update.set(field, try field.value(from: member.value))
            } catch {
                throw DecodeError(error.message, at: field.name)
            }
        }
        return [update]
    }
}

/// The members that are not fields: the identity, `source_time`, and the ignored `flight_id`
/// and `feed`.
private enum IdentityMember: String, CaseIterable {
    case airline, number, suffix, date, direction
    case sourceTime = "source_time"
    case flightID = "flight_id"
    case feed

    /// The member named `key`; nil for any other name. It compares at most two names, those of
    /// the key's length: a `Set<String>` hashed every member name (~1,700 instructions per
    /// update on the jsonl day).
    init?(key: String) {
        switch key.utf8.count {
        case 4: self.init(key, either: .date, or: .feed)
        case 6: self.init(key, either: .number, or: .suffix)
        case 7: self.init(key, either: .airline, or: nil)
        case 9: self.init(key, either: .direction, or: .flightID)
        case 11: self.init(key, either: .sourceTime, or: nil)
        default: return nil
        }
    }

    private init?(_ key: String, either first: IdentityMember, or second: IdentityMember?) {
        if key == first.name {
            self = first
        } else if let second, key == second.name {
            self = second
        } else {
            return nil
        }
    }

    var name: String { rawValue }
}

/// Where in a line's members the first of each identity member is.
private struct Identity {
    var airline: Int?
    var number: Int?
    var suffix: Int?
    var date: Int?
    var direction: Int?
    var sourceTime: Int?

    mutating func keepFirst(_ index: Int, as member: IdentityMember) {
        switch member {
        case .airline: airline = airline ?? index
        case .number: number = number ?? index
        case .suffix: suffix = suffix ?? index
        case .date: date = date ?? index
        case .direction: direction = direction ?? index
        case .sourceTime: sourceTime = sourceTime ?? index
        case .flightID, .feed: break
        }
    }
}
