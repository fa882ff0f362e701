/// One applied update as the event rules see it: the flight before (nil when first seen), the
/// flight after, and which fields changed. Rules may note what they announced in ``after``
/// (``FlightState/announcedDelayMinutes``).
struct FlightTransition {
    let before: FlightState?
    var after: FlightState
    let changed: FieldSet

    /// Whether the update changed the field's value.
    func didChange(_ field: FlightField) -> Bool { changed.contains(field) }

    /// The value before the update; nil when unknown, cleared, or the flight is new.
    func old(_ field: FlightField) -> FieldValue? { before?[field] }

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
