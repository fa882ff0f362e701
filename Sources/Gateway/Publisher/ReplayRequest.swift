import JSON

/// A request to publish a run of the airport's events again, received on
/// `{prefix}/{IATA}/cmd/replay` as `{"from": 1200, "to": 1300}`: the events whose `stream_seq`
/// is from `from` to `to`, both included (docs/MQTT.md). Other members are ignored.
public struct ReplayRequest: Sendable, Equatable {
    /// The first `stream_seq` asked for.
    public var from: Int64
    /// The last `stream_seq` asked for (included).
    public var to: Int64

    public init(from: Int64, to: Int64) {
        self.from = from
        self.to = to
    }

    /// `from...to`.
    public var range: ClosedRange<Int64> { from...to }

    /// How many events the request asks for.
    public var count: Int64 { to - from + 1 }

    /// Events one request may ask for; a consumer with a longer hole asks in several requests.
    public static let maximumEvents: Int64 = 100_000

    /// Decodes and checks a request's payload.
    ///
    /// - Throws: ``ReplayRequestError`` naming the member at fault (none when the payload is
    ///   not a JSON object at all).
    public static func parse(_ payload: [UInt8]) throws(ReplayRequestError) -> ReplayRequest {
        let value: JSONValue
        do {
            value = try JSONParser.parse(payload)
        } catch {
            throw ReplayRequestError(field: nil, reason: "the payload is not JSON (\(error))")
        }
        guard case .object(let object) = value else {
            throw ReplayRequestError(field: nil, reason: "expected a JSON object, found \(value.kindName)")
        }
        let from = try number(object, "from")
        let to = try number(object, "to")
        guard from <= to else {
            throw ReplayRequestError(field: "from", reason: "\(from) is after to (\(to))")
        }
        guard to - from < maximumEvents else {
            throw ReplayRequestError(
                field: "to", reason: "asks for \(to - from + 1) events; at most \(maximumEvents) per request")
        }
        return ReplayRequest(from: from, to: to)
    }

    private static func number(_ object: JSONObject, _ key: String) throws(ReplayRequestError) -> Int64 {
        guard let member = object[key] else { throw ReplayRequestError(field: key, reason: "missing") }
        guard let number = member.integerValue else {
            throw ReplayRequestError(field: key, reason: "expected an integer, found \(member.kindName)")
        }
        guard number >= 1 else {
            throw ReplayRequestError(field: key, reason: "\(number) is out of range (stream_seq starts at 1)")
        }
        return number
    }
}

/// Why a replay request was refused: the member at fault and what is wrong with it.
public struct ReplayRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `from` or `to`; nil when the payload as a whole is wrong.
    public var field: String?
    /// What is wrong, in an operator's words.
    public var reason: String

    public init(field: String?, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { field.map { "\($0): \(reason)" } ?? reason }
}
