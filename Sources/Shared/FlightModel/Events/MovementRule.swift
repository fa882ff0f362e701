/// `departure` and `arrival`: the first sign that a flight has moved, once.
///
/// A departure has gone when its status is `departed`, `airborne`, `landed` or `arrived`, or
/// its actual block or runway time is known; an arrival has come when its status is `landed`
/// or `arrived`, or its actual block or runway time is known. The event fires on the update
/// that makes this true, including a flight's first update; later signs (airborne after
/// departed, on-block after landed) fire nothing while the flight stays moved.
struct MovementRule: EventRule {
    func evaluate(_ transition: inout FlightTransition, policy: EventPolicy, into triggers: inout [EventTrigger]) {
        guard transition.didChange(.status) || transition.didChange(.actual) || transition.didChange(.runwayActual)
        else { return }
        let direction = transition.after.key.direction
        let hadMoved =
            transition.hadBefore
            && Self.hasMoved(
                direction: direction, status: transition.old(.status)?.status,
                actual: transition.old(.actual), runwayActual: transition.old(.runwayActual))
        guard !hadMoved, Self.hasMoved(transition.after) else { return }
        let kind: EventKind = transition.after.key.direction == .departure ? .departure : .arrival
        triggers.append(EventTrigger(kind: kind, fields: [.status, .runwayActual, .actual]))
    }

    static func hasMoved(_ state: FlightState) -> Bool {
        hasMoved(
            direction: state.key.direction, status: state.status, actual: state[.actual],
            runwayActual: state[.runwayActual])
    }

    static func hasMoved(
        direction: Direction, status: FlightStatus?, actual: FieldValue?, runwayActual: FieldValue?
    ) -> Bool {
        if actual != nil || runwayActual != nil { return true }
        switch (direction, status) {
        case (.departure, .departed), (.departure, .airborne), (_, .landed), (_, .arrived): return true
        default: return false
        }
    }
}
