/// Merges updates into the current state of every flight, records what changed and derives
/// events (DESIGN.md §1). Pure: the same inputs give the same outputs, and applying an update
/// a second time changes nothing and emits nothing.
///
/// Per field: an update whose source time is older than the field's never overwrites it; on
/// equal or missing times the feed with the higher precedence wins, and on a tie the update
/// wins. Absent means unknown (no change); cleared (null) is a change.
public struct StateEngine: Sendable {
    public var policy: EventPolicy
    /// Feed name → precedence; feeds not listed have 0.
    public var precedence: [String: Int]
    private var flights: [String: FlightState] = [:]

    public init(policy: EventPolicy = EventPolicy(), precedence: [String: Int] = [:]) {
        self.policy = policy
        self.precedence = precedence
    }

    /// What one applied update did.
    public struct AppliedUpdate: Sendable {
        /// The flight after the update.
        public var state: FlightState
        /// The flight before (nil when first seen).
        public var previous: FlightState?
        public var changes: [FieldChange]
        public var events: [FlightEvent]
        public var isNewFlight: Bool { previous == nil }
    }

    /// Applies one update; nil when it changed nothing.
    public mutating func apply(_ update: FlightUpdate, receivedAt: Timestamp) -> AppliedUpdate? {
        let id = update.key.flightID
        let previous = flights[id]
        var state = previous ?? FlightState(key: update.key, firstSeen: receivedAt)
        let updatePrecedence = precedence[update.feed] ?? 0
        var changes: [FieldChange] = []
        for field in FlightField.allCases {
            let incoming: FieldValue?
            switch update[field] {
            case .absent: continue
            case .cleared: incoming = nil
            case .value(let value): incoming = value
            }
            let slot = state.slot(field)
            if let slot {
                guard Self.wins(update.sourceTime, updatePrecedence, over: slot) else { continue }
                if slot.value == incoming { continue }
            } else if incoming == nil {
                continue  // clearing what was never known changes nothing
            }
            state.setSlot(field, FlightState.Slot(
                value: incoming, sourceTime: update.sourceTime, feed: update.feed, precedence: updatePrecedence))
            changes.append(FieldChange(field: field, old: slot?.value, new: incoming, feed: update.feed, sourceTime: update.sourceTime))
        }
        guard !changes.isEmpty || previous == nil else { return nil }
        state.seq += 1
        state.updatedAt = receivedAt
        let events = EventRules.derive(
            before: previous, after: &state, changes: changes, policy: policy, occurredAt: update.sourceTime ?? receivedAt)
        flights[id] = state
        return AppliedUpdate(state: state, previous: previous, changes: changes, events: events)
    }

    /// Whether a fact with this time and precedence replaces the slot's.
    static func wins(_ time: Timestamp?, _ precedence: Int, over slot: FlightState.Slot) -> Bool {
        if let time, let current = slot.sourceTime {
            if time < current { return false }
            if time > current { return true }
        }
        return precedence >= slot.precedence
    }

    /// The current state of a flight.
    public func state(for flightID: String) -> FlightState? { flights[flightID] }

    /// Restores a flight (start-up, from the database).
    public mutating func load(_ state: FlightState) { flights[state.key.flightID] = state }

    /// Forgets a flight (housekeeping); its history stays in the database.
    public mutating func remove(_ flightID: String) { flights.removeValue(forKey: flightID) }

    /// Puts a flight back as it was, or removes it (undo of a batch that failed to commit).
    public mutating func restore(_ flightID: String, to state: FlightState?) {
        if let state { flights[flightID] = state } else { flights.removeValue(forKey: flightID) }
    }

    /// Flights in memory.
    public var count: Int { flights.count }

    /// Every flight in memory.
    public var allStates: Dictionary<String, FlightState>.Values { flights.values }
}
