import FlightModel

/// What a board says about a flight, in one word per language and one colour (its CSS class,
/// `st-` and the raw value). Derived from the normalized status, and from the delay when the
/// status says no more than "scheduled".
public enum BoardStatus: String, CaseIterable, Sendable, Hashable {
    case onTime = "on-time"
    case delayed
    case checkIn = "check-in"
    case gateOpen = "gate-open"
    case boarding
    case finalCall = "final-call"
    case gateClosed = "gate-closed"
    case departed
    case landed
    case arrived
    case cancelled
    case diverted
    case notOperating = "not-operating"

    /// Minutes past the scheduled time from which a flight with no more specific status reads
    /// "delayed" (a screen says nothing about a minute or two).
    public static let delayedFromMinutes = 5

    /// The status a board shows for `state`.
    public init(_ state: FlightState) {
        switch state.status {
        case .cancelled: self = .cancelled
        case .diverted: self = .diverted
        case .notOperating, .deleted: self = .notOperating
        case .departed, .airborne: self = .departed
        case .landed: self = .landed
        case .arrived: self = .arrived
        case .boarding: self = .boarding
        case .finalCall: self = .finalCall
        case .gateClosed: self = .gateClosed
        case .gateOpen: self = .gateOpen
        case .checkIn: self = .checkIn
        case .delayed: self = .delayed
        case .scheduled, .unknown, nil:
            self = (state.delayMinutes ?? 0) >= Self.delayedFromMinutes ? .delayed : .onTime
        }
    }

    /// The CSS class that colours it.
    public var cssClass: String { "st-\(rawValue)" }

    /// Whether the flight is over as far as its gate is concerned.
    var hasLeftGate: Bool { [.departed, .cancelled, .diverted, .notOperating].contains(self) }
}
