import Foundation
import RelayStore

/// One flight on the passenger pages, as a card with the boards' hooks (RELAY.md):
/// `data-flight-id` on the card, the status in `[data-field="status"]` (its word, and the
/// machine value in `data-status`), the gate in `[data-field="gate"]`. Times are the airport's
/// local time: the offset comes from the event's `scheduled_local`. Every value is escaped.
enum FlightCard {
    /// A delay this long or longer shows as "Delayed" when the airport gave no status word.
    static let delayedFromMinutes = 15

    static func html(_ flight: FlightRecord) -> String {
        let e = HTMLText.escape
        let departure = flight.direction != "arrival"
        let offset = localOffset(flight.scheduledLocal)
        let status = statusValue(flight)
        let route = [flight.origin, flight.destination].compactMap { $0 }.joined(separator: " → ")
        // (data-field, label, value already escaped), after the status.
        var rows: [(String, String, String)] = [("gate", "Gate", e(flight.gate ?? "–"))]
        if let terminal = flight.terminal { rows.append(("terminal", "Terminal", e(terminal))) }
        rows.append(("scheduled", departure ? "Scheduled departure" : "Scheduled arrival", time(flight.scheduled, offset: offset)))
        if let estimated = flight.estimated, estimated != flight.scheduled {
            var text = time(estimated, offset: offset)
            if let delay = flight.delayMinutes, delay != 0 {
                text += " <span class=\"delay\">(\(delay > 0 ? "+" : "−")\(abs(delay)) min)</span>"
            }
            rows.append(("estimated", departure ? "Expected departure" : "Expected arrival", text))
        }
        if let actual = flight.actual { rows.append(("actual", departure ? "Departed" : "Arrived", time(actual, offset: offset))) }
        if !departure, let belt = flight.belt { rows.append(("belt", "Baggage belt", e(belt))) }
        var html = """
            <article class="flight" data-flight-id="\(e(flight.flightID))" data-status="\(e(status))" aria-live="polite">
            <h2><span class="number">\(e(flight.airline)) \(e(flight.number))</span> <span class="route">\(e(route))</span></h2>
            <p class="side">\(departure ? "Departure from" : "Arrival at") \(e(flight.airport)) · \(e(longDate(flight.flightDate)))</p>
            <dl>
            <div><dt>Status</dt><dd data-field="status" data-status="\(e(status))">\(e(words(status)))</dd></div>\n
            """
        for (field, label, value) in rows {
            html += "<div><dt>\(label)</dt><dd data-field=\"\(field)\">\(value)</dd></div>\n"
        }
        html += "</dl>\n"
        if let remark = flight.remark, !remark.isEmpty { html += "<p class=\"remark\" data-field=\"remark\">\(e(remark))</p>\n" }
        html += "</article>"
        return html
    }

    /// The status to show: the airport's, else "delayed" for a delay past the threshold.
    static func statusValue(_ flight: FlightRecord) -> String {
        let given = flight.status ?? "scheduled"
        if given == "scheduled", let delay = flight.delayMinutes, delay >= delayedFromMinutes { return "delayed" }
        return given
    }

    static func words(_ status: String) -> String {
        switch status {
        case "scheduled": "On schedule"
        case "delayed": "Delayed"
        case "check-in": "Check-in open"
        case "gate-open": "Gate open"
        case "boarding": "Boarding"
        case "final-call": "Final call"
        case "gate-closed": "Gate closed"
        case "departed": "Departed"
        case "airborne": "In the air"
        case "landed": "Landed"
        case "arrived": "Arrived"
        case "cancelled": "Cancelled"
        case "diverted": "Diverted"
        case "not-operating": "Not operating"
        case "deleted": "Removed from the schedule"
        default: "Unknown"
        }
    }

    /// The airport's offset from UTC in seconds, from a local time such as `…T07:30:00+01:00`.
    static func localOffset(_ local: String?) -> Int? {
        guard let local, local.count >= 6 else { return nil }
        if local.hasSuffix("Z") { return 0 }
        let tail = local.suffix(6)
        guard let sign = tail.first, sign == "+" || sign == "-", let hours = Int(tail.dropFirst().prefix(2)),
            let minutes = Int(tail.suffix(2))
        else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    /// `<time>` with the local `HH:mm` (UTC when the offset is unknown, and then it says so).
    static func time(_ iso: String?, offset: Int?) -> String {
        guard let iso, let date = parse(iso) else { return "–" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone(secondsFromGMT: offset ?? 0)
        formatter.dateFormat = "HH:mm"
        let text = formatter.string(from: date) + (offset == nil ? " UTC" : "")
        return "<time datetime=\"\(HTMLText.escape(iso))\">\(text)</time>"
    }

    static func parse(_ iso: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: iso) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: iso)
    }

    /// `2026-11-24` → `Tue 24 Nov 2026`.
    static func longDate(_ date: String) -> String {
        let input = DateFormatter()
        input.locale = Locale(identifier: "en_US_POSIX")
        input.timeZone = TimeZone(identifier: "UTC")
        input.dateFormat = "yyyy-MM-dd"
        guard let day = input.date(from: date) else { return date }
        let output = DateFormatter()
        output.locale = Locale(identifier: "en_GB")
        output.timeZone = TimeZone(identifier: "UTC")
        output.dateFormat = "EEE d MMM yyyy"
        return output.string(from: day)
    }
}
