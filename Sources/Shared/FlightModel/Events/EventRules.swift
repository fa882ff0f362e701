/// Derives the events of one applied update from the flight before and after it (DESIGN.md §4).
/// A flight seen for the first time has no "before", so a flight first seen cancelled, or
/// already delayed past the threshold, fires that event. Pure; each kind fires at most once per
/// update, which keeps event ids (airport, flight, seq, kind) unique.
enum EventRules {
    /// The events of `transition`; the delay rule may move `transition.announcedDelayMinutes`.
    static func derive(
        _ transition: inout FlightTransition, policy: EventPolicy, airport: String, occurredAt: Timestamp
    ) -> [FlightEvent] {
        // The rules, in the order their events are emitted; called directly, not through an
        // array of `any EventRule` (a copy of each existential per update).
        var triggers: [EventTrigger] = []
        ResourceChangeRule.gate.evaluate(&transition, policy: policy, into: &triggers)
        ResourceChangeRule.belt.evaluate(&transition, policy: policy, into: &triggers)
        ResourceChangeRule.terminal.evaluate(&transition, policy: policy, into: &triggers)
        StatusEventRule().evaluate(&transition, policy: policy, into: &triggers)
        MovementRule().evaluate(&transition, policy: policy, into: &triggers)
        DelayRule().evaluate(&transition, policy: policy, into: &triggers)
        guard !triggers.isEmpty else { return [] }
        let after = transition.after
        return triggers.map { trigger in
            FlightEvent(
                kind: trigger.kind, airport: airport, flightID: after.key.flightID, seq: after.seq, occurredAt: occurredAt,
                previous: before(transition, trigger.fields), current: snapshot(after, trigger.fields),
                delayMinutes: trigger.delayMinutes)
        }
    }

    /// The known fields among `fields` with their values (nil: cleared); unknown ones are left out.
    private static func snapshot(_ state: FlightState, _ fields: [FlightField]) -> [FlightEvent.FieldSnapshot] {
        fields.compactMap { field in state.slot(field).map { (field: field, value: $0.value) } }
    }

    /// ``snapshot(_:_:)`` of the flight before the update.
    private static func before(_ transition: FlightTransition, _ fields: [FlightField]) -> [FlightEvent.FieldSnapshot] {
        fields.compactMap { field in transition.wasKnown(field) ? (field: field, value: transition.old(field)) : nil }
    }
}
