/// What one update did to a flight (``StateEngine/apply(_:receivedAt:)``).
public struct AppliedUpdate: Sendable, Equatable {
    /// The flight after the update, with its new `seq`.
    public var state: FlightState
    /// True when the flight was first seen with this update. (The flight before is not kept:
    /// each change has its old value.)
    public var isNewFlight: Bool
    /// Every changed field, in field order; empty only for a new flight whose update carried
    /// nothing but its identity (or only cleared fields).
    public var changes: [FieldChange]
    /// The events derived from the before/after pair, in rule order.
    public var events: [FlightEvent]

    /// The outcome of one update.
    public init(state: FlightState, isNewFlight: Bool, changes: [FieldChange], events: [FlightEvent]) {
        self.state = state
        self.isNewFlight = isNewFlight
        self.changes = changes
        self.events = events
    }
}
