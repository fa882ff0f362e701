import FlightModel
import JSON

/// `format = "jsonl"`: one normalized update per frame (DESIGN.md §3). Only `airline`,
/// `number`, `date` and `direction` are required; an absent field is unknown, `null` clears it.
/// `flight_id` and `feed` (as `flightedge parse` prints them) are accepted and ignored.
public struct JSONLinesDecoder: FrameDecoder {
    public init() {}

    private static let identityKeys: Set<String> = [
        "airline", "number", "suffix", "date", "direction", "source_time", "flight_id", "feed",
    ]

    public func decode(_ bytes: [UInt8], context: FrameContext) throws(DecodeError) -> [FlightUpdate] {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw DecodeError(error.message, at: "byte \(error.offset)")
        }
        guard case .object(let object) = json else {
            throw DecodeError("expected a JSON object, found \(json.kindName)")
        }
        func text(_ key: String, required: Bool) throws(DecodeError) -> String? {
            guard let value = object[key], value != .null else {
                if required { throw DecodeError("required member is missing", at: key) }
                return nil
            }
            guard case .string(let text) = value else { throw DecodeError("expected a string, found \(value.kindName)", at: key) }
            return text
        }
        let airline = try text("airline", required: true)!
        let number = try text("number", required: true)!
        let suffix = try text("suffix", required: false)
        let dateText = try text("date", required: true)!
        guard let date = FlightDate(dateText) else { throw DecodeError("\"\(dateText.prefix(40))\" is not a date yyyy-MM-dd", at: "date") }
        let directionText = try text("direction", required: true)!
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
        if let timeText = try text("source_time", required: false) {
            guard let time = Timestamp(iso8601: timeText) else {
                throw DecodeError("\"\(timeText.prefix(40))\" is not an ISO 8601 time", at: "source_time")
            }
            sourceTime = time
        }
        var update = FlightUpdate(key: key, feed: context.feed, sourceTime: sourceTime, position: context.position)
        for member in object.members {
            if Self.identityKeys.contains(member.key) { continue }
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
