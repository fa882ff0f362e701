import FlightModel

/// One flight's row, as the page renders it and as update events carry it: the same HTML
/// both ways, every value escaped. Hooks for scripts and tests: `data-flight-id` on the row,
/// `data-field` on its cells (`gate`, `status`, ...).
public enum BoardRow {
    /// - Parameter until: when the row leaves its board (milliseconds since 1970), for the
    ///   page's script; nil when only a change of the flight takes it off.
    public static func html(_ flight: BoardFlight, settings: BoardSettings, until: Int64? = nil) -> String {
        let id = HTMLText.escape(flight.id)
        var html = "<tr class=\"flight \(flight.status.cssClass)\" data-flight-id=\"\(id)\""
        html += " data-t=\"\(flight.sortTime)\"\(until.map { " data-until=\"\($0)\"" } ?? "")>"
        html += "<td class=\"time\" data-field=\"scheduled\">\(flight.scheduled.map(settings.localTime) ?? "")</td>"
        html += "<td class=\"expected\" data-field=\"estimated\">\(flight.estimated.map(settings.localTime) ?? "")</td>"
        html += "<td class=\"flight-no\" data-field=\"flight\">"
        for (index, designator) in flight.designators.enumerated() {
            html += "<span class=\"designator\(index == 0 ? " shown" : "")\">\(HTMLText.escape(designator))</span>"
        }
        html += "</td>"
        let place = flight.place.map { code in
            "\(HTMLText.escape(BoardPlaces.name(of: code)))<small>\(HTMLText.escape(code))</small>"
        }
        html += "<td class=\"place\" data-field=\"\(flight.direction == .departure ? "destination" : "origin")\">\(place ?? "")</td>"
        html += "<td class=\"gate\" data-field=\"gate\">\(flight.gate.map(HTMLText.escape) ?? "")</td>"
        if flight.direction == .arrival {
            html += "<td class=\"belt\" data-field=\"belt\">\(flight.belt.map(HTMLText.escape) ?? "")</td>"
        }
        html += "<td class=\"status\" data-field=\"status\" data-status=\"\(flight.status.rawValue)\">"
        html += settings.words(.status(flight.status))
        html += "</td></tr>"
        return html
    }
}
