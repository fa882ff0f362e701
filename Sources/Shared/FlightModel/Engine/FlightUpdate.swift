/// Partial facts about one flight from one feed (DESIGN.md §3), what a decoder makes of a
/// frame. Each field is absent (unknown: no change), cleared (JSON `null`) or set.
///
/// The facts sit in one small array indexed by ``FlightField/rawValue``: building an update
/// costs one allocation, and reading a field is an index.
public struct FlightUpdate: Sendable, Hashable {
    /// One field's fact in an update.
    public enum Fact: Sendable, Hashable {
        /// The update says nothing about the field: no change.
        case absent
        /// The update says the field has no value (JSON `null`).
        case cleared
        /// The update gives the field this value.
        case value(FieldValue)

        /// The value (`.some(nil)` when cleared), or nil when absent.
        public var valueOrCleared: FieldValue?? {
            switch self {
            case .absent: nil
            case .cleared: .some(nil)
            case .value(let value): .some(value)
            }
        }
    }

    /// The flight the facts are about.
    public var key: FlightKey
    /// The feed it came from (its configured name); its precedence is the engine's to know.
    public var feed: String
    /// The source's own time of these facts, when it gives one.
    public var sourceTime: Timestamp?
    /// Which fields the update mentions.
    @usableFromInline internal private(set) var mentioned = FieldSet()
    /// The mentioned fields' values in field order, nil where the update clears the field. An
    /// update names ~6 of the 17 fields, and two batches of them wait decoded in the ingest
    /// queue: one fact per field took 440 bytes an update, 4.4 MB at the 10,000-flight peak.
    @usableFromInline internal private(set) var storage: [FieldValue?]

    /// An update that says nothing yet; add facts with ``set(_:_:)`` and ``clear(_:)``.
    ///
    /// Where in the feed the update came from is its frame's to say (an event's `position`):
    /// the pipeline writes it only for the frames that make events.
    public init(key: FlightKey, feed: String, sourceTime: Timestamp? = nil) {
        self.key = key
        self.feed = feed
        self.sourceTime = sourceTime
        self.storage = []
        storage.reserveCapacity(8)
    }

    /// An update with these facts (a nil value clears the field); a later fact about the same
    /// field replaces an earlier one.
    public init(
        key: FlightKey, feed: String, sourceTime: Timestamp? = nil, facts: [(FlightField, FieldValue?)]
    ) {
        self.init(key: key, feed: feed, sourceTime: sourceTime)
        for (field, value) in facts { set(field, value) }
    }

    /// The fact about `field`.
    @inlinable public subscript(field: FlightField) -> Fact {
        get {
            guard mentioned.contains(field) else { return .absent }
            return storage[mentioned.rank(of: field)].map(Fact.value) ?? .cleared
        }
        set {
            switch newValue {
            case .absent: remove(field)
            case .cleared: clear(field)
            case .value(let value): set(field, value)
            }
        }
    }

    /// Stores a fact (`.some(nil)`: cleared) or forgets the field (nil).
    private mutating func store(_ fact: FieldValue??, _ field: FlightField) {
        let index = mentioned.rank(of: field)
        switch (fact, mentioned.contains(field)) {
        case (.some(let value), true): storage[index] = value
        case (.some(let value), false):
            storage.insert(value, at: index)
            mentioned.insert(field)
        case (nil, true):
            storage.remove(at: index)
            mentioned.remove(field)
        case (nil, false): break
        }
    }

    /// Sets a field to a value, or clears it when `value` is nil. The value must be of the
    /// field's ``FlightField/kind`` (checked in debug builds).
    public mutating func set(_ field: FlightField, _ value: FieldValue?) {
        if let value { Self.check(value, fits: field) }
        store(.some(value), field)
    }

    /// Clears a field (JSON `null`).
    public mutating func clear(_ field: FlightField) { store(.some(nil), field) }

    /// Forgets what the update said about a field: absent again.
    public mutating func remove(_ field: FlightField) { store(nil, field) }

    /// The facts the update carries, in field order: the value, or nil for cleared.
    public var facts: [(FlightField, FieldValue?)] {
        zip(presentFields, storage).map { ($0, $1) }
    }

    /// How many fields it says something about (set or cleared).
    public var mentionedCount: Int { mentioned.bits.nonzeroBitCount }

    /// True when the update says nothing beyond the flight's identity.
    public var isEmpty: Bool { mentioned.isEmpty }

    /// The fields it says something about (set or cleared), in field order.
    public var presentFields: [FlightField] { FlightField.allCases.filter(mentioned.contains) }

    private static func check(_ value: FieldValue, fits field: FlightField) {
        assert(value.kind == field.kind, "\(field.name) holds \(field.kind) values, not \(value.kind)")
    }
}
