/// A flight's normalized status (DESIGN.md §3); the source's own code is kept in
/// ``FlightField/rawStatus``. Raw values are the JSON names.
public enum FlightStatus: String, CaseIterable, Sendable, Hashable {
    case scheduled
    case delayed
    case checkIn = "check-in"
    case gateOpen = "gate-open"
    case boarding
    case finalCall = "final-call"
    case gateClosed = "gate-closed"
    case departed
    case airborne
    case landed
    case arrived
    case cancelled
    case diverted
    case notOperating = "not-operating"
    case deleted
    case unknown
}
