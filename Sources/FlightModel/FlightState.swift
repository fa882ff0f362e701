/// The current state of one flight: every known field with where it came from, so that the
/// merge rules (newer source time wins, then feed precedence) hold across restarts.
public struct FlightState: Sendable, Equatable {
    /// A known field: its value (nil when a feed cleared it) and its provenance.
    public struct Slot: Sendable, Equatable {
        public var value: FieldValue?
        public var sourceTime: Timestamp?
        public var feed: String
        public var precedence: Int

        public init(value: FieldValue?, sourceTime: Timestamp?, feed: String, precedence: Int) {
            self.value = value
            self.sourceTime = sourceTime
            self.feed = feed
            self.precedence = precedence
        }
    }

    public let key: FlightKey
    /// Grows by one with every committed update that changed the flight.
    public var seq: Int64
    public var firstSeen: Timestamp
    public var updatedAt: Timestamp
    /// The delay (minutes) last announced by a `delay` event; nil while not delayed.
    public var announcedDelayMinutes: Int?
    private var slots: [Slot?]

    public init(key: FlightKey, seq: Int64 = 0, firstSeen: Timestamp, updatedAt: Timestamp? = nil) {
        self.key = key
        self.seq = seq
        self.firstSeen = firstSeen
        self.updatedAt = updatedAt ?? firstSeen
        self.slots = Array(repeating: nil, count: FlightField.count)
    }

    /// The field's slot, or nil when nothing was ever said about it.
    public func slot(_ field: FlightField) -> Slot? { slots[field.rawValue] }

    public mutating func setSlot(_ field: FlightField, _ slot: Slot?) { slots[field.rawValue] = slot }

    /// The field's current value; nil when unknown or cleared.
    public subscript(field: FlightField) -> FieldValue? { slots[field.rawValue]?.value }

    public var status: FlightStatus? { self[.status]?.status }
    public var gate: String? { self[.gate]?.text }
    public var belt: String? { self[.belt]?.text }
    public var terminal: String? { self[.terminal]?.text }
    public var scheduled: Timestamp? { self[.scheduled]?.time }
    public var estimated: Timestamp? { self[.estimated]?.time }
    public var actual: Timestamp? { self[.actual]?.time }
    public var codeshares: [String] { self[.codeshares]?.list ?? [] }

    /// Estimated (else scheduled) block time minus scheduled, in minutes; nil without both.
    public var delayMinutes: Int? {
        guard let scheduled, let estimated else { return nil }
        return estimated.minutes(since: scheduled)
    }

    /// When the flight ended or is expected to end, for housekeeping: actual block time, else
    /// runway actual, else estimated. Never the scheduled time alone: a delayed flight must not
    /// vanish. A cancelled or deleted flight ends at its last update, or its scheduled time if later.
    public var endsAt: Timestamp? {
        if let actual { return actual }
        if let runwayActual = self[.runwayActual]?.time { return runwayActual }
        switch status {
        case .cancelled, .deleted, .notOperating, .diverted:
            return max(updatedAt, scheduled ?? updatedAt)
        default:
            return estimated
        }
    }
}

/// One changed field of one committed update (`flight_changes`).
public struct FieldChange: Sendable, Hashable {
    public var field: FlightField
    /// nil: unknown or cleared before.
    public var old: FieldValue?
    /// nil: cleared.
    public var new: FieldValue?
    public var feed: String
    public var sourceTime: Timestamp?

    public init(field: FlightField, old: FieldValue?, new: FieldValue?, feed: String, sourceTime: Timestamp?) {
        self.field = field
        self.old = old
        self.new = new
        self.feed = feed
        self.sourceTime = sourceTime
    }
}
