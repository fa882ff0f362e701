import FlightModel
import Foundation
import HistoryStore
import JSON

/// Flights as a table in the airport's local time, for `flightedge flights` and for the
/// flights `flightedge history` finds by number.
struct FlightTable {
    var zone: ZoneRules

    /// The table's lines: a heading, a rule, one row per flight.
    func lines(_ flights: [FlightSummary]) -> [String] {
        let headers = ["SCHED", "EXPECTED", "FLIGHT", "DIR", "FROM/TO", "GATE", "STATUS", "FLIGHT ID"]
        let rows = flights.map(row)
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        return [line(headers), line(widths.map { String(repeating: "─", count: $0) })] + rows.map(line)
    }

    /// What the times are, for a line under the table.
    var zoneNote: String { "airport local time, \(zone.identifier)" }

    private func row(_ flight: FlightSummary) -> [String] {
        var state = JSONObject()
        if let parsed = try? JSONParser.parse(Array(flight.stateJSON.utf8)), case .object(let object) = parsed { state = object }
        let text = { (key: String) in state[key]?.stringValue }
        let scheduled = local(text("scheduled"), showDateOf: nil)
        let expected = local(text("actual") ?? text("estimated"), showDateOf: text("scheduled"))
        let departure = flight.direction == "D"
        let place = (departure ? text("destination") : text("origin")) ?? "—"
        let designator = (text("airline") ?? "") + (text("number") ?? "") + (text("suffix") ?? "")
        return [
            scheduled, expected == scheduled ? "" : expected, designator, departure ? "dep" : "arr",
            (departure ? "to " : "from ") + place, text("gate") ?? "—", text("status") ?? "—", flight.flightID,
        ]
    }

    /// `HH:mm` in the airport's zone (with the local date when it differs from `reference`'s, as
    /// for a flight delayed past midnight); "—" without a time.
    private func local(_ text: String?, showDateOf reference: String?) -> String {
        guard let text, let instant = Timestamp(iso8601: text) else { return "—" }
        let localText = instant.iso8601(offsetSeconds: zone.offsetSeconds(at: instant))
        let time = String(localText.dropFirst(11).prefix(5))
        if let reference, let other = Timestamp(iso8601: reference) {
            let otherDate = other.iso8601(offsetSeconds: zone.offsetSeconds(at: other)).prefix(10)
            if otherDate != localText.prefix(10) { return "\(localText.prefix(10)) \(time)" }
        }
        return time
    }
}
