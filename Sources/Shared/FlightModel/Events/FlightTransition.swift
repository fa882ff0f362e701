/// One applied update as the event rules see it: the flight after, which fields changed and
/// what they held before. The flight before is not kept whole: the engine merges in place, and
/// a copy of the state to compare with cost a copy of every slot per update (callgrind). A
/// field the update did not change held before what it holds after.
struct FlightTransition {
    /// False when the flight was first seen with this update: there is no "before".
    let hadBefore: Bool
    let after: FlightState
    let changed: FieldSet
    /// The update's changes, in field order: their `old` values are the before of ``changed``.
    let changes: [FieldChange]
    /// Among the changed fields, those that were known (set or cleared) before the update.
    let knownBefore: FieldSet
    /// The delay announced after the rules ran: the flight's until ``DelayRule`` moves it; the
    /// engine stores it in the flight.
    var announcedDelayMinutes: Int?

    init(hadBefore: Bool, after: FlightState, changed: FieldSet, changes: [FieldChange], knownBefore: FieldSet) {
        self.hadBefore = hadBefore
        self.after = after
        self.changed = changed
        self.changes = changes
        self.knownBefore = knownBefore
        self.announcedDelayMinutes = after.announcedDelayMinutes
    }

    /// Whether the update changed the field's value.
    func didChange(_ field: FlightField) -> Bool { changed.contains(field) }

    /// The value before the update; nil when unknown, cleared, or the flight is new.
    func old(_ field: FlightField) -> FieldValue? {
        guard hadBefore else { return nil }
        guard changed.contains(field) else { return after[field] }
        return changes.first { $0.field == field }?.old
    }

    /// Whether some update had mentioned the field before this one (false for a new flight).
    func wasKnown(_ field: FlightField) -> Bool {
        guard hadBefore else { return false }
        return changed.contains(field) ? knownBefore.contains(field) : after.isKnown(field)
    }

    /// The value after the update; nil when unknown or cleared.
    func new(_ field: FlightField) -> FieldValue? { after[field] }
}

/// What a rule decided: an event of `kind` about `fields`.
struct EventTrigger: Equatable {
    var kind: EventKind
    /// The fields that go into the event's `previous` and `current`.
    var fields: [FlightField]
    var delayMinutes: Int?
}

/// One rule of DESIGN.md §4.
protocol EventRule: Sendable {
    /// Appends the events this transition fires, if any.
    func evaluate(_ transition: inout FlightTransition, policy: EventPolicy, into triggers: inout [EventTrigger])
}
