/// The facts an update can carry about a flight besides its identity (DESIGN.md §3), in the
/// order of the normalized JSON. The raw value indexes per-field storage.
public enum FlightField: Int, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case origin
    case destination
    /// Scheduled block time: off-block for a departure, on-block for an arrival.
    case scheduled
    /// Estimated block time.
    case estimated
    /// Actual block time.
    case actual
    /// Estimated take-off (departure) or touchdown (arrival).
    case runwayEstimated
    /// Actual take-off (departure) or touchdown (arrival).
    case runwayActual
    case terminal
    case gate
    case stand
    /// Baggage reclaim belt (arrivals).
    case belt
    /// Check-in counters, as the feed writes them (`1-12`).
    case checkin
    /// Normalized status, ``FlightStatus``.
    case status
    /// The source's own status code.
    case rawStatus
    /// Free text for passengers.
    case remark
    /// Marketing flight numbers of the operating flight (`AC6701`).
    case codeshares
    /// IATA delay codes with minutes.
    case delays

    /// How many fields there are: the size of per-field storage.
    public static let count = allCases.count

    /// The name in the normalized JSON, the flight payload and `flight_changes.field`:
    /// snake case (`runway_estimated`, `raw_status`).
    public var name: String { Self.names[rawValue] }

    /// ``name`` as a literal, for payloads written with ``JSONWriter/memberName(_:)``.
    public var jsonName: StaticString {
        switch self {
        case .origin: "origin"
        case .destination: "destination"
        case .scheduled: "scheduled"
        case .estimated: "estimated"
        case .actual: "actual"
        case .runwayEstimated: "runway_estimated"
        case .runwayActual: "runway_actual"
        case .terminal: "terminal"
        case .gate: "gate"
        case .stand: "stand"
        case .belt: "belt"
        case .checkin: "checkin"
        case .status: "status"
        case .rawStatus: "raw_status"
        case .remark: "remark"
        case .codeshares: "codeshares"
        case .delays: "delays"
        }
    }

    /// ``name``.
    public var description: String { name }

    private static let names = [
        "origin", "destination", "scheduled", "estimated", "actual", "runway_estimated", "runway_actual", "terminal",
        "gate", "stand", "belt", "checkin", "status", "raw_status", "remark", "codeshares", "delays",
    ]

    private static let byName: [String: FlightField] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })

    /// The field with this JSON name (``name``); nil for any other text.
    public init?(name: some StringProtocol) {
        guard let field = Self.byName[String(name)] else { return nil }
        self = field
    }

    /// What kind of ``FieldValue`` the field holds.
    public var kind: FieldValue.Kind {
        switch self {
        case .scheduled, .estimated, .actual, .runwayEstimated, .runwayActual: .time
        case .status: .status
        case .codeshares: .list
        case .delays: .delays
        case .origin, .destination, .terminal, .gate, .stand, .belt, .checkin, .rawStatus, .remark: .text
        }
    }
}
