/// Merges updates into the current state of every flight, records what changed and derives
/// events (DESIGN.md §1, §3, §4). Pure: no I/O and no clock; the same inputs give the same
/// outputs, and applying an update a second time changes nothing and emits nothing.
///
/// Fields merge one by one by ``MergeRule``: an older source time never overwrites a newer one;
/// on equal or missing times the feed with the higher precedence wins, and on a tie the update
/// wins. Absent means unknown (no change); cleared (null) is a change when the field had a value.
/// Events come from ``EventRules`` over the flight before and after the update.
///
/// A value type driven by one task (the pipeline keeps it behind a lock); copying it is cheap
/// until one copy changes.
public struct StateEngine: Sendable {
    /// The thresholds of `delay` events (`[events]`).
    public var policy: EventPolicy
    /// Feed name → precedence (`precedence` of `[[feeds]]`); feeds not listed have 0.
    public var precedence: [String: Int] { didSet { lastFeed = nil } }
    /// The last feed an update came from, with its precedence: a batch's updates come from a
    /// few feeds, and hashing the name for every update cost ~300 instructions (callgrind).
    private var lastFeed: (name: String, precedence: Int)?
    /// The airport's IATA code: part of every event id (``EventID``).
    public let airport: String
    private var flights: [HashedFlightID: FlightState] = [:]

    /// What one applied update did; the same type as ``FlightModel/AppliedUpdate``.
    public typealias AppliedUpdate = FlightModel.AppliedUpdate

    /// An engine holding no flight yet for `airport` (its IATA code, part of every event id);
    /// restore flights with ``load(_:)``.
    public init(airport: String, policy: EventPolicy = EventPolicy(), precedence: [String: Int] = [:]) {
        self.airport = airport
        self.policy = policy
        self.precedence = precedence
    }

    /// The precedence of a feed: its configured value, else 0.
    public func precedence(of feed: String) -> Int { precedence[feed] ?? 0 }

    /// Applies one update received at `receivedAt` (the receipt time stamps `updatedAt`,
    /// `firstSeen`, and events without a source time).
    ///
    /// - Returns: nil when nothing changed (a provenance refresh alone is silent); else the
    ///   flight after, its changes and events. A flight's first update always returns its new
    ///   state, `seq` 1, even when it carries nothing but the identity.
    public mutating func apply(_ update: FlightUpdate, receivedAt: Timestamp) -> AppliedUpdate? {
        guard let applied = applyChanges(update, receivedAt: receivedAt), let state = flights[update.key.hashedID] else {
            return nil
        }
        return AppliedUpdate(
            state: state, isNewFlight: applied.isNewFlight, changes: applied.changes, events: applied.events)
    }

    /// ``apply(_:receivedAt:)`` without a copy of the flight after the update: read it with
    /// ``state(for:)-(HashedFlightID)`` when more than its `seq` is needed.
    public mutating func applyChanges(_ update: FlightUpdate, receivedAt: Timestamp) -> AppliedChanges? {
        let id = update.key.hashedID
        let updatePrecedence = precedence(ofUpdateFrom: update.feed)
        // One lookup of the id per update, and the state merged where it is stored: a copy to
        // merge into copied every slot of the flight (~5,000 instructions an update).
        if let index = flights.index(forKey: id) {
            return Self.merge(
                update, receivedAt: receivedAt, precedence: updatePrecedence, policy: policy,
                airport: airport, into: &flights.values[index], isNew: false)
        }
        var state = FlightState(key: update.key, firstSeen: receivedAt)
        let applied = Self.merge(
            update, receivedAt: receivedAt, precedence: updatePrecedence, policy: policy, airport: airport,
            into: &state, isNew: true)
        flights[id] = consume state
        return applied
    }

    /// ``precedence(of:)``, remembering the last feed asked for.
    private mutating func precedence(ofUpdateFrom feed: String) -> Int {
        if let lastFeed, lastFeed.name == feed { return lastFeed.precedence }
        let value = precedence(of: feed)
        lastFeed = (feed, value)
        return value
    }

    /// Merges `update` into `state` field by field; see ``apply(_:receivedAt:)``.
    private static func merge(
        _ update: FlightUpdate, receivedAt: Timestamp, precedence updatePrecedence: Int, policy: EventPolicy,
        airport: String, into state: inout FlightState, isNew: Bool
    ) -> AppliedChanges? {
        var changes: [FieldChange] = []
        changes.reserveCapacity(update.mentionedCount)  // one allocation, not one per doubling
        var changed = FieldSet()
        var knownBefore = FieldSet()
        for field in FlightField.allCases {
            let incoming: FieldValue?
            switch update[field] {
            case .absent: continue
            case .cleared: incoming = nil
            case .value(let value): incoming = value
            }
            let slot = state.slot(field)
            switch MergeRule.merge(
                incoming, sourceTime: update.sourceTime, feed: update.feed, precedence: updatePrecedence, into: slot)
            {
            case .keep:
                continue
            case .refresh(let confirmed):
                // A provenance refresh alone is silent, but kept.
                state.setSlot(field, confirmed)
            case .change(let new):
                state.setSlot(field, new)
                changed.insert(field)
                if slot != nil { knownBefore.insert(field) }
                changes.append(
                    FieldChange(
                        field: field, old: slot?.value, new: incoming, feed: update.feed, sourceTime: update.sourceTime)
                )
            }
        }
        guard isNew || !changes.isEmpty else { return nil }
        state.seq += 1
        state.updatedAt = receivedAt
        var transition = FlightTransition(
            hadBefore: !isNew, after: state, changed: changed, changes: changes, knownBefore: knownBefore)
        let events = EventRules.derive(
            &transition, policy: policy, airport: airport, occurredAt: update.sourceTime ?? receivedAt)
        // Outside the slots: setting it copies nothing while the transition still shares them.
        state.announcedDelayMinutes = transition.announcedDelayMinutes
        return AppliedChanges(seq: state.seq, isNewFlight: isNew, changes: changes, events: events)
    }

    /// The current state of a flight, by flight id.
    public func state(for flightID: String) -> FlightState? { flights[HashedFlightID(flightID)] }

    /// The current state of a flight, by its hashed id.
    public func state(for id: HashedFlightID) -> FlightState? { flights[id] }

    /// The current state of a flight.
    public func state(for key: FlightKey) -> FlightState? { flights[key.hashedID] }

    /// Whether the engine holds the flight: by the hash the key carries, without copying its state.
    public func knows(_ key: FlightKey) -> Bool { flights.index(forKey: key.hashedID) != nil }

    /// Restores a flight as it was stored (start-up, from the database); replaces what the
    /// engine had for it.
    public mutating func load(_ state: FlightState) { flights[state.key.hashedID] = state }

    /// Forgets a flight (housekeeping); its history stays in the database.
    public mutating func remove(_ flightID: String) { flights.removeValue(forKey: HashedFlightID(flightID)) }

    /// Forgets a flight (housekeeping); its history stays in the database.
    public mutating func remove(_ key: FlightKey) { flights.removeValue(forKey: key.hashedID) }

    /// Puts a flight back as it was, or forgets it for nil (undo of a batch that failed to commit).
    public mutating func restore(_ id: HashedFlightID, to state: FlightState?) {
        if let state { flights[id] = state } else { flights.removeValue(forKey: id) }
    }

    /// ``restore(_:to:)`` by flight id.
    public mutating func restore(_ flightID: String, to state: FlightState?) { restore(HashedFlightID(flightID), to: state) }

    /// How many flights the engine holds.
    public var count: Int { flights.count }

    /// Every flight the engine holds, in no particular order.
    public var allStates: Dictionary<HashedFlightID, FlightState>.Values { flights.values }
}
