import JSON

/// A request to publish a run of the airport's events again, received on
/// `{prefix}/{IATA}/cmd/replay` as `{"from": 1200, "to": 1300}`: the events whose `stream_seq`
/// is from `from` to `to`, both included (docs/MQTT.md). Other members are ignored.
struct ReplayRequest: Sendable, Equatable {
    var from: Int64
    var to: Int64

    var range: ClosedRange<Int64> { from...to }

    /// Events one request may ask for; a consumer with a longer hole asks in several requests.
    static let maximumEvents: Int64 = 100_000

    /// Decodes and checks a request's payload.
    ///
    /// - Throws: ``ReplayRequestError`` naming the member at fault (none when the payload is
    ///   not a JSON object at all).
    static func parse(_ payload: [UInt8]) throws(ReplayRequestError) -> ReplayRequest {
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
struct ReplayRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `from` or `to`; nil when the payload as a whole is wrong.
    var field: String?
    var reason: String

    var description: String { field.map { "\($0): \(reason)" } ?? reason }
}
