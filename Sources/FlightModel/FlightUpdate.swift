/// Partial facts about one flight from one feed (DESIGN.md §3): each field is absent
/// (unknown: no change), cleared (JSON null) or set.
public struct FlightUpdate: Sendable {
    /// One field's fact in an update.
    public enum Fact: Sendable, Hashable {
        case absent
        case cleared
        case value(FieldValue)
    }

    public var key: FlightKey
    /// The feed it came from (its configured name).
    public var feed: String
    /// The source's own time of these facts, when it gives one.
    public var sourceTime: Timestamp?
    /// Where in the feed, for provenance (`file@offset`, `peer#n@offset`).
    public var position: String
    private var facts: [Fact]

    public init(key: FlightKey, feed: String, sourceTime: Timestamp? = nil, position: String = "") {
        self.key = key
        self.feed = feed
        self.sourceTime = sourceTime
        self.position = position
        self.facts = Array(repeating: .absent, count: FlightField.count)
    }

    /// The fact about `field`.
    public subscript(field: FlightField) -> Fact {
        get { facts[field.rawValue] }
        set { facts[field.rawValue] = newValue }
    }

    /// Sets a field; nil clears it.
    public mutating func set(_ field: FlightField, _ value: FieldValue?) {
        facts[field.rawValue] = value.map(Fact.value) ?? .cleared
    }

    /// True when the update says nothing beyond the flight's identity.
    public var isEmpty: Bool { facts.allSatisfy { $0 == .absent } }

    /// The fields it says something about, in field order.
    public var presentFields: [FlightField] {
        FlightField.allCases.filter { facts[$0.rawValue] != .absent }
    }
}
