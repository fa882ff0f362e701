/// The kinds of event FlightEdge derives (DESIGN.md §4); raw values are the MQTT topic level
/// `events/{kind}` and the payload's `kind`.
public enum EventKind: String, CaseIterable, Sendable, Hashable {
    /// A gate is first assigned, or changes from one gate to another.
    case gateChange = "gate-change"
    /// A delay crosses the threshold, changes by at least the step, or is recovered.
    case delay
    /// The status becomes `cancelled`.
    case cancellation
    /// The status goes from `cancelled` to an operating status.
    case reinstatement
    /// The status becomes `diverted`.
    case diversion
    /// The status becomes `boarding`.
    case boarding
    /// The status becomes `gate-closed`.
    case gateClosed = "gate-closed"
    /// A departure goes off block or takes off (first sign of it).
    case departure
    /// An arrival lands or reaches its stand (first sign of it).
    case arrival
    /// A belt is first assigned, or changes from one belt to another.
    case beltChange = "belt-change"
    /// The terminal changes from one terminal to another.
    case terminalChange = "terminal-change"
}
