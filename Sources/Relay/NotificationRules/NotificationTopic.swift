public import FlightModel

/// What a notification is about. A newer notification of a flight's topic replaces one still
/// pending; the channels collapse them by the same topic (``PlannedNotification/replaceKey``).
public enum NotificationTopic: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Gate and terminal (held down against flapping).
    case gate
    /// Delay and estimated time.
    case time
    /// Cancellation, reinstatement, diversion, boarding, gate closed, departure, arrival.
    case status
    /// Baggage belt.
    case belt

    /// The topic an event kind belongs to.
    public init(_ kind: EventKind) {
        switch kind {
        case .gateChange, .terminalChange: self = .gate
        case .delay: self = .time
        case .beltChange: self = .belt
        case .cancellation, .reinstatement, .diversion, .boarding, .gateClosed, .departure, .arrival: self = .status
        }
    }

    public static func < (lhs: NotificationTopic, rhs: NotificationTopic) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What a notification tells, which chooses its text. Mostly the event kind; a delay that ended
/// is ``backOnTime``.
public enum Notice: String, Sendable, Hashable, CaseIterable {
    case gateChange = "gate-change"
    case terminalChange = "terminal-change"
    case delay
    case backOnTime = "back-on-time"
    case cancellation
    case reinstatement
    case diversion
    case boarding
    case gateClosed = "gate-closed"
    case departure
    case arrival
    case beltChange = "belt-change"

    /// Cancellation, diversion and reinstatement: sent at once, quiet hours do not hold them.
    public var isUrgent: Bool { self == .cancellation || self == .diversion || self == .reinstatement }

    /// The notice of an event kind that is told as it is (all but gate/terminal and delay,
    /// which the planner chooses).
    init(_ kind: EventKind) {
        switch kind {
        case .gateChange: self = .gateChange
        case .terminalChange: self = .terminalChange
        case .delay: self = .delay
        case .cancellation: self = .cancellation
        case .reinstatement: self = .reinstatement
        case .diversion: self = .diversion
        case .boarding: self = .boarding
        case .gateClosed: self = .gateClosed
        case .departure: self = .departure
        case .arrival: self = .arrival
        case .beltChange: self = .beltChange
        }
    }
}
