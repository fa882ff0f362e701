/// What one update did to a flight (``StateEngine/apply(_:receivedAt:)``).
public struct AppliedUpdate: Sendable, Equatable {
    /// The flight after the update, with its new `seq`.
    public var state: FlightState
    /// The flight before the update; nil when the update made it known.
    public var previous: FlightState?
    /// Every changed field, in field order; empty only for a new flight whose update carried
    /// nothing but its identity (or only cleared fields).
    public var changes: [FieldChange]
    /// The events derived from the before/after pair, in rule order.
    public var events: [FlightEvent]

    /// True when the flight was first seen with this update.
    public var isNewFlight: Bool { previous == nil }

    /// The outcome of one update.
    public init(state: FlightState, previous: FlightState?, changes: [FieldChange], events: [FlightEvent]) {
        self.state = state
        self.previous = previous
        self.changes = changes
        self.events = events
    }
}
