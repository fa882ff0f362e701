/// The current state of one flight: every known field with where it came from, so that the
/// merge rules (newer source time wins, then feed precedence) hold across updates and restarts.
///
/// A field is *unknown* until some update mentions it (``slot(_:)`` is nil); once mentioned it
/// has a ``Slot`` whose value is nil when a feed cleared it.
public struct FlightState: Sendable, Hashable {
    /// A known field: its value (nil when a feed cleared it) and its provenance.
    public struct Slot: Sendable, Hashable {
        /// The current value; nil when a feed cleared it.
        public var value: FieldValue?
        // Stored in 48 bytes, not 64: the flag and the precedence fill the value's padding
        // (10,000 flights hold ~110,000 slots). Precedence is -1000…1000 in the configuration.
        @usableFromInline var hasSourceTime: Bool
        @usableFromInline var storedPrecedence: Int16
        @usableFromInline var sourceMilliseconds: Int64
        /// The feed of that fact.
        public var feed: String

        /// The source time of the fact that set the value, if the source gave one.
        @inlinable public var sourceTime: Timestamp? {
            get { hasSourceTime ? Timestamp(millisecondsSinceEpoch: sourceMilliseconds) : nil }
            set {
                hasSourceTime = newValue != nil
                sourceMilliseconds = newValue?.millisecondsSinceEpoch ?? 0
            }
        }

        /// The feed's precedence when it set the value.
        @inlinable public var precedence: Int {
            get { Int(storedPrecedence) }
            set { storedPrecedence = Int16(clamping: newValue) }
        }

        /// A slot with a value (nil: cleared) and its provenance.
        public init(value: FieldValue?, sourceTime: Timestamp?, feed: String, precedence: Int) {
            self.value = value
            self.hasSourceTime = sourceTime != nil
            self.storedPrecedence = Int16(clamping: precedence)
            self.sourceMilliseconds = sourceTime?.millisecondsSinceEpoch ?? 0
            self.feed = feed
        }
    }

    /// The flight's identity.
    public let key: FlightKey
    /// Grows by exactly one with every applied update that changed at least one field; 1 when
    /// the flight is first seen.
    public var seq: Int64
    /// When FlightEdge first received an update about the flight.
    public var firstSeen: Timestamp
    /// When FlightEdge received the last update that changed the flight.
    public var updatedAt: Timestamp
    /// The delay (estimated − scheduled, minutes) last announced by a `delay` event; nil while
    /// no delay is announced. Kept with the state so that the step rule survives a restart.
    public var announcedDelayMinutes: Int?
    /// Which fields are known.
    @usableFromInline internal private(set) var known = FieldSet()
    /// The known fields' slots only, in field order (a flight knows ~11 of the 17 fields):
    /// with 10,000 flights the engine's states took 12.6 MB as one optional slot per field.
    @usableFromInline internal private(set) var slots: [Slot] = []

    /// A flight with no known field.
    public init(key: FlightKey, seq: Int64 = 0, firstSeen: Timestamp, updatedAt: Timestamp? = nil) {
        assert(FlightField.count <= UInt32.bitWidth, "one bit of a FieldSet per field")
        self.key = key
        self.seq = seq
        self.firstSeen = firstSeen
        self.updatedAt = updatedAt ?? firstSeen
    }

    // The reads are inlinable, as the one slot per field they replace was: the event rules,
    // payloads and boards read fields by the hundred thousand a second.

    /// The field's value and provenance, or nil when no update ever mentioned it.
    @inlinable @inline(__always) public func slot(_ field: FlightField) -> Slot? {
        known.contains(field) ? slots[known.rank(of: field)] : nil
    }

    /// Replaces a field's slot (nil: unknown again). For restoring state; the engine merges.
    public mutating func setSlot(_ field: FlightField, _ slot: Slot?) {
        let index = known.rank(of: field)
        switch (slot, known.contains(field)) {
        case (let slot?, true):
            slots[index] = slot
        case (let slot?, false):
            // Grown a few slots at a time, never doubled, also when the array is shared with a
            // batch and copied on write here: it lives as long as the flight.
            slots.reserveCapacity(slots.count < slots.capacity ? slots.capacity : min(slots.count + 4, FlightField.count))
            slots.insert(slot, at: index)
            known.insert(field)
        case (nil, true):
            slots.remove(at: index)
            known.remove(field)
        case (nil, false):
            break
        }
    }

    /// The field's current value; nil when unknown or cleared (``isKnown(_:)`` tells which).
    @inlinable @inline(__always) public subscript(field: FlightField) -> FieldValue? {
        known.contains(field) ? slots[known.rank(of: field)].value : nil
    }

    /// Whether some update mentioned the field (set or cleared).
    @inlinable public func isKnown(_ field: FlightField) -> Bool { known.contains(field) }

    /// The known fields with their values (nil: cleared), in field order.
    public var knownFields: [(FlightField, FieldValue?)] {
        FlightField.allCases.compactMap { field in slot(field).map { (field, $0.value) } }
    }

    // MARK: Typed values (nil when unknown or cleared)

    /// The ``FlightField/origin`` airport code.
    public var origin: String? { self[.origin]?.text }
    /// The ``FlightField/destination`` airport code.
    public var destination: String? { self[.destination]?.text }
    /// Scheduled block time.
    public var scheduled: Timestamp? { self[.scheduled]?.time }
    /// Estimated block time.
    public var estimated: Timestamp? { self[.estimated]?.time }
    /// Actual block time.
    public var actual: Timestamp? { self[.actual]?.time }
    /// Estimated take-off or touchdown.
    public var runwayEstimated: Timestamp? { self[.runwayEstimated]?.time }
    /// Actual take-off or touchdown.
    public var runwayActual: Timestamp? { self[.runwayActual]?.time }
    /// Terminal.
    public var terminal: String? { self[.terminal]?.text }
    /// Gate.
    public var gate: String? { self[.gate]?.text }
    /// Aircraft stand.
    public var stand: String? { self[.stand]?.text }
    /// Baggage belt.
    public var belt: String? { self[.belt]?.text }
    /// Check-in counters.
    public var checkin: String? { self[.checkin]?.text }
    /// Normalized status.
    public var status: FlightStatus? { self[.status]?.status }
    /// The source's own status code.
    public var rawStatus: String? { self[.rawStatus]?.text }
    /// Remark for passengers.
    public var remark: String? { self[.remark]?.text }
    /// Marketing flight numbers; empty when unknown or cleared.
    public var codeshares: [String] { self[.codeshares]?.list ?? [] }
    /// Delay codes; empty when unknown or cleared.
    public var delays: [DelayCode] { self[.delays]?.delays ?? [] }

    /// Estimated minus scheduled block time in whole minutes (negative when early); nil unless
    /// both are known.
    public var delayMinutes: Int? {
        guard let scheduled, let estimated else { return nil }
        return estimated.minutes(since: scheduled)
    }

    /// When the flight ended or is expected to end, for housekeeping: actual block time, else
    /// runway actual, else estimated. Never the scheduled time alone, so a delayed flight does
    /// not vanish; but a cancelled, deleted, not-operating or diverted flight ends at its last
    /// update, or at its scheduled time if that is later.
    public var endsAt: Timestamp? {
        if let actual { return actual }
        if let runwayActual { return runwayActual }
        switch status {
        case .cancelled, .deleted, .notOperating, .diverted:
            return max(updatedAt, scheduled ?? updatedAt)
        default:
            return estimated
        }
    }
}
