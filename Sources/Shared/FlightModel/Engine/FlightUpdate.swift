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
    /// Where in the feed, for provenance (`file@offset`, `peer#n@offset`).
    public var position: String
    private var storage: [Fact]

    /// An update that says nothing yet; add facts with ``set(_:_:)`` and ``clear(_:)``.
    public init(key: FlightKey, feed: String, sourceTime: Timestamp? = nil, position: String = "") {
        self.key = key
        self.feed = feed
        self.sourceTime = sourceTime
        self.position = position
        self.storage = Array(repeating: .absent, count: FlightField.count)
    }

    /// An update with these facts (a nil value clears the field); a later fact about the same
    /// field replaces an earlier one.
    public init(
        key: FlightKey, feed: String, sourceTime: Timestamp? = nil, position: String = "",
        facts: [(FlightField, FieldValue?)]
    ) {
        self.init(key: key, feed: feed, sourceTime: sourceTime, position: position)
        for (field, value) in facts { set(field, value) }
    }

    /// The fact about `field`.
    public subscript(field: FlightField) -> Fact {
        get { storage[field.rawValue] }
        set {
            if case .value(let value) = newValue { Self.check(value, fits: field) }
            storage[field.rawValue] = newValue
        }
    }

    /// Sets a field to a value, or clears it when `value` is nil. The value must be of the
    /// field's ``FlightField/kind`` (checked in debug builds).
    public mutating func set(_ field: FlightField, _ value: FieldValue?) {
        if let value {
            Self.check(value, fits: field)
            storage[field.rawValue] = .value(value)
        } else {
            storage[field.rawValue] = .cleared
        }
    }

    /// Clears a field (JSON `null`).
    public mutating func clear(_ field: FlightField) { storage[field.rawValue] = .cleared }

    /// Forgets what the update said about a field: absent again.
    public mutating func remove(_ field: FlightField) { storage[field.rawValue] = .absent }

    /// The facts the update carries, in field order: the value, or nil for cleared.
    public var facts: [(FlightField, FieldValue?)] {
        var facts: [(FlightField, FieldValue?)] = []
        for field in FlightField.allCases {
            switch storage[field.rawValue] {
            case .absent: continue
            case .cleared: facts.append((field, nil))
            case .value(let value): facts.append((field, value))
            }
        }
        return facts
    }

    /// True when the update says nothing beyond the flight's identity.
    public var isEmpty: Bool { storage.allSatisfy { $0 == .absent } }

    /// The fields it says something about (set or cleared), in field order.
    public var presentFields: [FlightField] { FlightField.allCases.filter { storage[$0.rawValue] != .absent } }

    private static func check(_ value: FieldValue, fits field: FlightField) {
        assert(value.kind == field.kind, "\(field.name) holds \(field.kind) values, not \(value.kind)")
    }
}
