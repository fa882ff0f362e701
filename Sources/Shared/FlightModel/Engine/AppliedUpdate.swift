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

/// What one update did, without the flight after it (``StateEngine/applyChanges(_:receivedAt:)``):
/// for a caller that reads the flight from the engine only when it needs more than its `seq`.
/// A copy of the flight in every result retained each of its references, and released them
/// when the result went (~1,100 instructions an update, callgrind), and kept the flight's
/// slots shared meanwhile.
public struct AppliedChanges: Sendable, Equatable {
    /// The flight's `seq` after the update.
    public var seq: Int64
    /// True when the flight was first seen with this update.
    public var isNewFlight: Bool
    /// Every changed field, in field order (see ``AppliedUpdate/changes``).
    public var changes: [FieldChange]
    /// The events derived from the before/after pair, in rule order.
    public var events: [FlightEvent]

    /// The outcome of one update.
    public init(seq: Int64, isNewFlight: Bool, changes: [FieldChange], events: [FlightEvent]) {
        self.seq = seq
        self.isNewFlight = isNewFlight
        self.changes = changes
        self.events = events
    }
}
