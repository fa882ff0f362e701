import FlightModel
import JSON

/// `format = "jsonl"`: one normalized update per frame (DESIGN.md §3). Only `airline`,
/// `number`, `date` and `direction` are required; an absent field is unknown, `null` clears it.
/// `flight_id` and `feed` (as `flightedge parse` prints them) are accepted and ignored.
public struct JSONLinesDecoder: FrameDecoder {
    public init() {}

    /// The names of a line's members, so that the parser does not make a String for each and
    /// says which each is: the identity's first, in ``IdentityMember`` order, then the fields.
    private static let knownKeys = JSONParser.KnownKeys(
        IdentityMember.allCases.map(\.name) + FlightField.allCases.map(\.name))
    private static let identityMembers = IdentityMember.allCases

    public func decode(_ bytes: [UInt8], context: FrameContext) throws(DecodeError) -> [FlightUpdate] {
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(DecodeError) -> [FlightUpdate] in try decode(buffer, context: context) }
        }
        return try result.get()
    }

    /// Reads the line's members without a tree of values (plain strings stay ranges of the
    /// line, times are read from their bytes): the tree cost ~5,000 instructions a line to make
    /// and let go (callgrind). The checks, their order and their messages are those of reading
    /// the whole line first: a syntax error anywhere wins, then the identity, then the fields
    /// in line order.
    private func decode(_ buffer: UnsafeBufferPointer<UInt8>, context: FrameContext) throws(DecodeError) -> [FlightUpdate] {
        let top: JSONParser.TopLevel
        do {
            top = try JSONParser.members(of: buffer, knownKeys: Self.knownKeys)
        } catch {
            throw DecodeError(error.message, at: "byte \(error.offset)")
        }
        guard case .object(let members) = top else {
            if case .other(let json) = top { throw DecodeError("expected a JSON object, found \(json.kindName)") }
            return []
        }
        // One pass finds the identity: the first member of each name, as `object[name]` would.
        var identity = Identity()
        for index in members.indices {
            guard let name = Self.identityMember(members[index]) else { continue }
            identity.keepFirst(index, as: name)
        }
        func text(_ index: Int?, at key: String, required: Bool) throws(DecodeError) -> String? {
            switch index.map({ members[$0].value }) ?? .value(.null) {
            case .plainString(let range):
                return String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
            case .value(.null):
                if required { throw DecodeError("required member is missing", at: key) }
                return nil
            case .value(.string(let text)):
                return text
            case .value(let other):
                throw DecodeError("expected a string, found \(other.kindName)", at: key)
            }
        }
        let key: FlightKey
        if let fast = fastKey(identity, members, buffer) {
            key = fast
        } else {
            key = try Self.key(identity, text: text)
        }
        var sourceTime: Timestamp?
        if let index = identity.sourceTime, case .plainString(let range) = members[index].value {
            let utf8 = UnsafeBufferPointer(rebasing: buffer[range])
            guard let time = Timestamp(iso8601Bytes: utf8) else {
                let timeText = String(decoding: utf8, as: UTF8.self)
                throw DecodeError("\"\(timeText.prefix(40))\" is not an ISO 8601 time", at: "source_time")
            }
            sourceTime = time
        } else if let timeText = try text(identity.sourceTime, at: "source_time", required: false) {
            guard let time = Timestamp(iso8601: timeText) else {
                throw DecodeError("\"\(timeText.prefix(40))\" is not an ISO 8601 time", at: "source_time")
            }
            sourceTime = time
        }
        var update = FlightUpdate(key: key, feed: context.feed, sourceTime: sourceTime)
        for member in members {
            if Self.identityMember(member) != nil { continue }
            let field: FlightField
            if let position = member.knownPosition, let known = FlightField(rawValue: position - Self.identityMembers.count) {
                field = known
            } else if let named = FlightField(name: member.key) {
                field = named
            } else {
                throw DecodeError("unknown member (see DESIGN.md §3 for the fields)", at: String(member.key.prefix(40)))
            }
            do {
                switch member.value {
                case .plainString(let range):
                    update.set(field, try field.value(fromPlainText: UnsafeBufferPointer(rebasing: buffer[range])))
                case .value(let json):
                    update.set(field, try field.value(from: json))
                }
            } catch {
                throw DecodeError(error.message, at: field.name)
            }
        }
        return [update]
    }

    /// The key of an identity whose parts are all plain text and valid, read from the line's
    /// bytes in place (nearly every line): a `String` per part, made only to be read again by
    /// the key, cost ~650 instructions a line (callgrind). Nil for anything else.
    private func fastKey(
        _ identity: Identity, _ members: [JSONParser.Member], _ buffer: UnsafeBufferPointer<UInt8>
    ) -> FlightKey? {
        func plain(_ index: Int?) -> UnsafeBufferPointer<UInt8>? {
            guard let index, case .plainString(let range) = members[index].value else { return nil }
            return UnsafeBufferPointer(rebasing: buffer[range])
        }
        guard let airline = plain(identity.airline), let number = plain(identity.number),
            let dateText = plain(identity.date), let date = FlightDate(utf8: dateText),
            let directionText = plain(identity.direction), let direction = Direction(utf8: directionText)
        else { return nil }
        let suffix: UnsafeBufferPointer<UInt8>?
        switch identity.suffix.map({ members[$0].value }) {
        case nil, .value(.null)?: suffix = nil
        case .plainString(let range)?: suffix = UnsafeBufferPointer(rebasing: buffer[range])
        case .value?: return nil
        }
        return FlightKey(asciiAirline: airline, number: number, suffix: suffix, date: date, direction: direction)
    }

    /// The key of any identity, its parts read as strings, or why there is none: the checks
    /// and words for every line ``fastKey(_:_:_:)`` leaves.
    private static func key(
        _ identity: Identity, text: (Int?, String, Bool) throws(DecodeError) -> String?
    ) throws(DecodeError) -> FlightKey {
        let airline = try text(identity.airline, "airline", true)!
        let number = try text(identity.number, "number", true)!
        let suffix = try text(identity.suffix, "suffix", false)
        let dateText = try text(identity.date, "date", true)!
        guard let date = FlightDate(dateText) else { throw DecodeError("\"\(dateText.prefix(40))\" is not a date yyyy-MM-dd", at: "date") }
        let directionText = try text(identity.direction, "direction", true)!
        guard let direction = Direction(rawValue: directionText) else {
            throw DecodeError("\"\(directionText.prefix(40))\" is not arrival or departure", at: "direction")
        }
        do {
            return try FlightKey(airline: airline, number: number, suffix: suffix, date: date, direction: direction)
        } catch {
            throw DecodeError(error.message)
        }
    }

    /// The identity member `member` names, if any: by its place among the known names, else
    /// (a name written with escapes) by its text.
    private static func identityMember(_ member: JSONParser.Member) -> IdentityMember? {
        if let position = member.knownPosition {
            return position < identityMembers.count ? identityMembers[position] : nil
        }
        return IdentityMember(key: member.key)
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
