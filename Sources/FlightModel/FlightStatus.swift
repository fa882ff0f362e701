/// A flight's normalized status (DESIGN.md §3). The source's own code is kept in `raw_status`.
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

/// An IATA delay code (AHM 730) and its duration. Codes stay strings: "09", "81", "93A".
public struct DelayCode: Hashable, Sendable {
    public var code: String
    public var minutes: Int

    public init(code: String, minutes: Int) {
        self.code = code
        self.minutes = minutes
    }
}
