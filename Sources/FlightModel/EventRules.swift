/// Derives events from a flight's state before and after one committed update (DESIGN.md §4).
/// A flight seen for the first time has no "before": a flight first seen cancelled, or
/// already delayed past the threshold, fires that event. Pure.
enum EventRules {
    static func derive(
        before: FlightState?, after: inout FlightState, changes: [FieldChange], policy: EventPolicy, occurredAt: Timestamp
    ) -> [FlightEvent] {
        var events: [FlightEvent] = []
        let changed = Set(changes.map(\.field))
        func event(_ kind: EventKind, _ fields: [FlightField], delay: Int? = nil) {
            let previous = fields.compactMap { field -> FieldSnapshot? in
                guard let slot = before?.slot(field), slot.value != nil else { return nil }
                return FieldSnapshot(field, slot.value)
            }
            let current = fields.map { FieldSnapshot($0, after[$0]) }
            events.append(FlightEvent(
                kind: kind, flightID: after.key.flightID, seq: after.seq, occurredAt: occurredAt, previous: previous,
                current: current, delayMinutes: delay))
        }

        // Gate: first assignment or a change; clearing a gate is not a gate change.
        if changed.contains(.gate), after.gate != nil { event(.gateChange, [.gate]) }
        // Belt: first assignment matters to arriving passengers, as does a change.
        if changed.contains(.belt), after.belt != nil { event(.beltChange, [.belt]) }
        // Terminal: only a move from one terminal to another (every flight gets one at first).
        if changed.contains(.terminal), before?.terminal != nil, after.terminal != nil { event(.terminalChange, [.terminal]) }

        if changed.contains(.status) {
            let old = before?.status
            let new = after.status
            if new == .cancelled { event(.cancellation, [.status]) }
            if old == .cancelled, let new, new != .cancelled, new != .deleted { event(.reinstatement, [.status]) }
            if new == .diverted { event(.diversion, [.status, .destination]) }
            if new == .boarding { event(.boarding, [.status, .gate]) }
            if new == .gateClosed { event(.gateClosed, [.status, .gate]) }
        }

        let direction = after.key.direction
        let wasDone = before.map { isDone($0, direction) } ?? false
        if !wasDone, isDone(after, direction), changed.contains(.status) || changed.contains(.actual) || changed.contains(.runwayActual) {
            event(direction == .departure ? .departure : .arrival, [.status, .actual])
        }

        if changed.contains(.estimated) || changed.contains(.scheduled) {
            let delay = after.delayMinutes
            let announced = after.announcedDelayMinutes
            if let delay, delay >= policy.delayThresholdMinutes {
                if announced == nil || abs(delay - announced!) >= policy.delayStepMinutes {
                    event(.delay, [.estimated], delay: delay)
                    after.announcedDelayMinutes = delay
                }
            } else if announced != nil, let delay {
                // Recovered: back under the threshold after a delay was announced.
                event(.delay, [.estimated], delay: delay)
                after.announcedDelayMinutes = nil
            }
        }
        return events
    }

    /// Off-block (departure) or landed/on-block (arrival) already happened.
    private static func isDone(_ state: FlightState, _ direction: Direction) -> Bool {
        switch direction {
        case .departure:
            return state.status == .departed || state.status == .airborne || state.actual != nil
        case .arrival:
            return state.status == .landed || state.status == .arrived || state.actual != nil
                || state[.runwayActual] != nil
        }
    }
}
