import FlightModel

/// Which board a screen shows: the two lists of the hall, one gate, one baggage belt.
public enum BoardKind: Sendable, Hashable {
    case departures
    case arrivals
    case gate(String)
    case belt(String)

    /// Gate and belt names in a path: what airports use (`A12`, `B34a`, `7`, `T2-04`), nothing more.
    public static func isPlausibleName(_ name: String) -> Bool {
        (1...12).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || byte == UInt8(ascii: "-")
        }
    }

    /// Whether `flight` belongs on this board at `now` (milliseconds since 1970).
    public func shows(_ flight: BoardFlight, now: Int64) -> Bool {
        switch self {
        case .departures: return flight.direction == .departure && flight.leavesListAt >= now
        case .arrivals: return flight.direction == .arrival && flight.leavesListAt >= now
        case .gate(let gate): return flight.direction == .departure && flight.gate == gate && !flight.status.hasLeftGate
        case .belt(let belt): return flight.direction == .arrival && flight.belt == belt && flight.leavesBeltAt >= now
        }
    }

    /// When `flight` leaves this board by the clock alone (a gate board waits for a change).
    public func leavesAt(_ flight: BoardFlight) -> Int64? {
        switch self {
        case .departures, .arrivals: flight.leavesListAt
        case .belt: flight.leavesBeltAt
        case .gate: nil
        }
    }

    /// The flights of this board in display order: by scheduled time, then flight.
    public func rows(of flights: some Sequence<BoardFlight>, now: Int64) -> [BoardFlight] {
        flights.filter { shows($0, now: now) }.sorted { ($0.sortTime, $0.id) < ($1.sortTime, $1.id) }
    }

    /// `departures`, `arrivals`, `gate`, `belt`: the page's `data-board`.
    public var name: String {
        switch self {
        case .departures: "departures"
        case .arrivals: "arrivals"
        case .gate: "gate"
        case .belt: "belt"
        }
    }

    /// The gate or belt the board is for.
    public var resource: String? {
        switch self {
        case .departures, .arrivals: nil
        case .gate(let name), .belt(let name): name
        }
    }

    /// Departure rows (departures, gate) or arrival rows (arrivals, belt).
    public var showsDepartures: Bool {
        switch self {
        case .departures, .gate: true
        case .arrivals, .belt: false
        }
    }
}
