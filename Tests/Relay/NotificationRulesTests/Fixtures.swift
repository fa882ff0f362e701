import FlightModel
import JSON
import NotificationRules
import Testing

/// `2026-11-24T{hh:mm[:ss]}Z`.
func at(_ clock: String) -> Timestamp {
    guard let time = Timestamp(iso8601: "2026-11-24T\(clock)Z") else { preconditionFailure("bad test time \(clock)") }
    return time
}

/// One flight's events as the gateway would publish them, numbered by `seq`; and the planner's
/// view of them for one subscriber, kept between events as the relay would store it.
struct FlightScript {
    var flightID = "LX1234-20261124-D"
    var flight = FlightFacts(
        airline: "LX", number: "1234", date: "2026-11-24", direction: .departure, origin: "ZRH", destination: "LHR",
        scheduled: at("06:30"))
    var seq: Int64 = 10
    var preferences = SubscriptionPreferences()
    var settings = RulesSettings()
    var view = PassengerView()

    /// The next event (`seq` + 1 unless `sameSeq`).
    mutating func event(
        _ kind: EventKind, at time: Timestamp, previous: [String: String?] = [:], current: [String: String?] = [:],
        delay: Int? = nil, sameSeq: Bool = false
    ) -> RelayEvent {
        if !sameSeq { seq += 1 }
        return RelayEvent(
            eventID: EventID.make(airport: "ZRH", flightID: flightID, seq: seq, kind: kind), kind: kind, airport: "ZRH",
            flightID: flightID, seq: seq, occurredAt: time, flight: flight, previous: EventFields(text: previous),
            current: EventFields(text: current), delayMinutes: delay)
    }

    /// Plans `event` at `now` (default: when it happened) and keeps the new view.
    mutating func apply(_ event: RelayEvent, now: Timestamp? = nil) -> Plan {
        let plan = NotificationPlanner.plan(
            event: event, preferences: preferences, view: view, now: now ?? event.occurredAt, settings: settings)
        view = plan.view
        return plan
    }

    /// A gate change from `old` to `new` at `time`, planned at once.
    mutating func gate(_ old: String?, _ new: String, at time: Timestamp) -> Plan {
        apply(event(.gateChange, at: time, previous: old.map { ["gate": $0] } ?? [:], current: ["gate": new]))
    }

    /// A delay of `minutes`, with the estimate it implies, planned at once.
    mutating func delay(_ minutes: Int, at time: Timestamp) -> Plan {
        let estimated = (flight.scheduled ?? at("06:30")).adding(minutes: minutes)
        return apply(event(.delay, at: time, current: ["estimated": estimated.iso8601], delay: minutes))
    }
}
