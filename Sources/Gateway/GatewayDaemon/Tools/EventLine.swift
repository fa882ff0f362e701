import FlightModel
import Foundation
import JSON

/// One published message as one readable line, for `flightedge watch`. Pure.
///
/// `06:58:12  gate-change     LX1234   ZRH→LHR  gate A12 → B34`
public enum EventLine {
    /// The line for a message on `topic` under `root` (`{prefix}/{IATA}`); nil for a payload
    /// that is not a JSON object.
    public static func describe(topic: String, payload: [UInt8], root: String) -> String? {
        guard let json = try? JSONParser.parse(payload), case .object(let object) = json else {
            return payload.isEmpty ? "          cleared      \(topic.dropFirst(root.count + 1))" : nil
        }
        if topic == "\(root)/status" {
            return "          status       gateway \(object["state"]?.stringValue ?? "?") (boot \(object["boot_id"]?.stringValue?.prefix(8) ?? ""))"
        }
        let clock = String((object["occurred_at"]?.stringValue ?? object["as_of"]?.stringValue ?? "").dropFirst(11).prefix(8))
        let kind = object["kind"]?.stringValue ?? "state"
        var flight = ""
        var route = ""
        if case .object(let details)? = object["flight"] {
            flight = (details["airline"]?.stringValue ?? "") + (details["number"]?.stringValue ?? "")
            route = "\(details["origin"]?.stringValue ?? "???")→\(details["destination"]?.stringValue ?? "???")"
        } else {
            flight = (object["airline"]?.stringValue ?? "") + (object["number"]?.stringValue ?? "")
            route = "\(object["origin"]?.stringValue ?? "???")→\(object["destination"]?.stringValue ?? "???")"
        }
        var detail = ""
        if case .object(let previous)? = object["previous"], case .object(let current)? = object["current"] {
            detail = current.members.map { member in
                let old = previous[member.key].map(show) ?? "—"
                let new = show(member.value)
                return old == new ? "\(member.key) \(new)" : "\(member.key) \(old) → \(new)"
            }.joined(separator: ", ")
        }
        if let delay = object["delay_minutes"]?.integerValue, kind == "delay" { detail += " (\(delay) min)" }
        if kind == "state" {
            detail = ["status", "gate", "estimated"].compactMap { key in object[key].map { "\(key) \(show($0))" } }
                .joined(separator: ", ")
        }
        return "\(clock)  \(kind.padding(toLength: 15, withPad: " ", startingAt: 0)) \(flight.padding(toLength: 8, withPad: " ", startingAt: 0)) \(route)  \(detail)"
    }

    private static func show(_ value: JSONValue) -> String {
        switch value {
        case .string(let text):
            // Times as HH:MM, the way a board shows them.
            if text.count >= 16, Array(text)[10] == "T" { return String(text.dropFirst(11).prefix(5)) }
            return text
        case .null: return "—"
        case .number(let text): return text
        default: return "\(value)"
        }
    }
}
