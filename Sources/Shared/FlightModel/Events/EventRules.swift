/// Derives the events of one applied update from the flight before and after it (DESIGN.md §4).
/// A flight seen for the first time has no "before", so a flight first seen cancelled, or
/// already delayed past the threshold, fires that event. Pure; each kind fires at most once per
/// update, which keeps event ids (airport, flight, seq, kind) unique.
enum EventRules {
    /// The rules, in the order their events are emitted.
    static let all: [any EventRule] = [
        ResourceChangeRule.gate, ResourceChangeRule.belt, ResourceChangeRule.terminal, StatusEventRule(),
        MovementRule(), DelayRule(),
    ]

    /// The events of `transition`; rules may update `transition.after` (what they announced).
    static func derive(
        _ transition: inout FlightTransition, policy: EventPolicy, airport: String, occurredAt: Timestamp
    ) -> [FlightEvent] {
        var triggers: [EventTrigger] = []
        for rule in all { rule.evaluate(&transition, policy: policy, into: &triggers) }
        guard !triggers.isEmpty else { return [] }
        let before = transition.before
        let after = transition.after
        return triggers.map { trigger in
            FlightEvent(
                kind: trigger.kind, airport: airport, flightID: after.key.flightID, seq: after.seq, occurredAt: occurredAt,
                previous: snapshot(before, trigger.fields), current: snapshot(after, trigger.fields),
                delayMinutes: trigger.delayMinutes)
        }
    }

    /// The known fields among `fields` with their values (nil: cleared); unknown ones are left out.
    private static func snapshot(_ state: FlightState?, _ fields: [FlightField]) -> [FlightEvent.FieldSnapshot] {
        guard let state else { return [] }
        return fields.compactMap { field in state.slot(field).map { (field: field, value: $0.value) } }
    }
}
