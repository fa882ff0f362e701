import FlightModel
import Foundation
import JSON

/// One published message as one line of `flightedge watch`, in the airport's local time, with
/// the flight id `flightedge history` takes. Pure.
///
/// `2026-11-24  06:58:12  gate-change     LX1234    ZRH→LHR   LX1234-20261124-D     gate A12 → B34`
struct LiveEventLine {
    /// `{prefix}/{IATA}`.
    var root: String
    var zone: ZoneRules
    /// `events.delay_threshold_minutes`: a delay under it is "on time" again.
    var delayThresholdMinutes: Int

    /// The column headings, the local time labelled with the airport's zone.
    var header: String {
        columns(
            date: "DATE", time: "TIME", kind: "EVENT", flight: "FLIGHT", route: "ROUTE", id: "FLIGHT ID", detail: "WHAT")
            + "\n(times are airport local time, \(zone.identifier), UTC\(offsetText(at: Timestamp(Date()))) now)"
    }

    /// For the gateway's status topic, what a reader of the view cares about: its state and boot.
    /// The gateway re-publishes its status every few seconds with fresh figures; the view prints
    /// a status line only when this changes. Nil for every other topic.
    func statusIdentity(topic: String, payload: [UInt8]) -> String? {
        guard topic.count == root.count + 7, topic.hasSuffix("/status"), topic.hasPrefix(root) else { return nil }
        guard let json = try? JSONParser.parse(payload), case .object(let object) = json else { return "" }
        return "\(object["state"]?.stringValue ?? "?") \(object["boot_id"]?.stringValue ?? "")"
    }

    /// The line for a message on `topic`; nil for a payload that is not a JSON object.
    func describe(topic: String, payload: [UInt8]) -> String? {
        let subtopic = String(topic.dropFirst(root.count + 1))
        guard let json = try? JSONParser.parse(payload), case .object(let object) = json else {
            return payload.isEmpty ? columns(kind: "cleared", detail: subtopic) : nil
        }
        let (date, time) = local(object["occurred_at"]?.stringValue ?? object["as_of"]?.stringValue)
        if subtopic == "status" {
            let boot = object["boot_id"]?.stringValue?.prefix(8) ?? ""
            return columns(date: date, time: time, kind: "status", detail: "gateway \(object["state"]?.stringValue ?? "?") (boot \(boot))")
        }
        let kind = object["kind"]?.stringValue ?? "state"
        let flightObject: JSONObject
        if case .object(let details)? = object["flight"] { flightObject = details } else { flightObject = object }
        let flight = (flightObject["airline"]?.stringValue ?? "") + (flightObject["number"]?.stringValue ?? "")
        let route = "\(flightObject["origin"]?.stringValue ?? "???")→\(flightObject["destination"]?.stringValue ?? "???")"
        let id = object["flight_id"]?.stringValue ?? ""
        var detail = ""
        if kind == "state" {
            detail = ["status", "gate", "estimated"].compactMap { key in object[key].map { "\(key) \(show($0))" } }
                .joined(separator: ", ")
        } else if kind == "delay" {
            detail = delayDetail(object, scheduled: flightObject["scheduled"]?.stringValue)
        } else if case .object(let previous)? = object["previous"], case .object(let current)? = object["current"] {
            detail = changes(previous, current)
        }
        return columns(date: date, time: time, kind: kind, flight: flight, route: route, id: id, detail: detail)
    }

    /// What a delay event means: still or more delayed, less delayed, or on time again.
    private func delayDetail(_ object: JSONObject, scheduled: String?) -> String {
        var previous = JSONObject()
        var current = JSONObject()
        if case .object(let value)? = object["previous"] { previous = value }
        if case .object(let value)? = object["current"] { current = value }
        let estimates = changes(previous, current)
        guard let raw = object["delay_minutes"]?.integerValue else { return estimates }
        let minutes = Int(raw)
        let before = minutesLate(previous["estimated"]?.stringValue, scheduled: scheduled)
        if minutes < delayThresholdMinutes {
            let late = minutes > 0 ? ", \(minutes) min late" : minutes < 0 ? ", \(-minutes) min early" : ""
            return "back on time (\(estimates)\(late))"
        }
        if let before, before > minutes {
            return "delay reduced to \(minutes) min from \(before) (\(estimates))"
        }
        return "delayed \(minutes) min (\(estimates))"
    }

    private func minutesLate(_ estimated: String?, scheduled: String?) -> Int? {
        guard let estimated, let scheduled, let late = Timestamp(iso8601: estimated), let planned = Timestamp(iso8601: scheduled)
        else { return nil }
        return late.minutes(since: planned)
    }

    private func changes(_ previous: JSONObject, _ current: JSONObject) -> String {
        current.members.map { member in
            let old = previous[member.key].map(show) ?? "—"
            let new = show(member.value)
            return old == new ? "\(member.key) \(new)" : "\(member.key) \(old) → \(new)"
        }.joined(separator: ", ")
    }

    private func columns(
        date: String = "", time: String = "", kind: String, flight: String = "", route: String = "", id: String = "",
        detail: String
    ) -> String {
        [pad(date, 10), pad(time, 8), pad(kind, 15), pad(flight, 9), pad(route, 9), pad(id, 21), detail].joined(separator: " ")
    }

    private func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }

    /// Local date and time of day of an ISO 8601 instant; empty strings when there is none.
    private func local(_ text: String?) -> (date: String, time: String) {
        guard let text, let instant = Timestamp(iso8601: text) else { return ("", "") }
        let localText = instant.iso8601(offsetSeconds: zone.offsetSeconds(at: instant))
        return (String(localText.prefix(10)), String(localText.dropFirst(11).prefix(8)))
    }

    private func offsetText(at time: Timestamp) -> String {
        let seconds = zone.offsetSeconds(at: time)
        let sign = seconds < 0 ? "-" : "+"
        let minutes = abs(seconds) / 60
        return sign + String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }

    private func show(_ value: JSONValue) -> String {
        switch value {
        case .string(let text):
            // Times as local HH:MM, the way a board shows them.
            if text.count >= 16, Array(text)[10] == "T" {
                let (_, time) = local(text)
                return time.isEmpty ? String(text.dropFirst(11).prefix(5)) : String(time.prefix(5))
            }
            return text
        case .null: return "—"
        case .number(let text): return text
        default: return "\(value)"
        }
    }
}
