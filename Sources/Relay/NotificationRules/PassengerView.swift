public import FlightModel

/// What one subscription knows of one flight record (`flight_id`): what the passenger was told,
/// what is pending, what the relay last heard. The relay stores it (``json``) and hands it back to
/// ``NotificationPlanner/plan(event:preferences:view:now:settings:)`` with the next event.
///
/// A planned notification whose ``PlannedNotification/dueAt`` has passed counts as told: the next
/// plan ``settled(now:)`` moves it from ``pending`` into ``told`` (the relay cancels pending ones
/// only through a plan, so what was not cancelled by then went out, or waits in a digest).
public struct PassengerView: Sendable, Hashable {
    /// The highest `seq` of this flight applied so far.
    public var lastSeq: Int64?
    /// The kinds applied at ``lastSeq`` (one update can make several events with the same `seq`).
    public var kindsAtLastSeq: Set<EventKind>
    /// What the passenger was told (or knew before any message: the first gate seen).
    public var told: ToldFacts
    /// The newest values the relay heard of.
    public var known: KnownFacts
    /// The notification waiting per topic (held gate change, quiet hours): at most one each.
    public var pending: [NotificationTopic: PlannedNotification]

    /// The view of a flight nothing was heard of yet.
    public init(
        lastSeq: Int64? = nil, kindsAtLastSeq: Set<EventKind> = [], told: ToldFacts = ToldFacts(),
        known: KnownFacts = KnownFacts(), pending: [NotificationTopic: PlannedNotification] = [:]
    ) {
        self.lastSeq = lastSeq
        self.kindsAtLastSeq = kindsAtLastSeq
        self.told = told
        self.known = known
        self.pending = pending
    }

    /// The pending notifications in topic order.
    public var pendingNotifications: [PlannedNotification] {
        pending.sorted { $0.key < $1.key }.map(\.value)
    }

    /// This view with every pending notification due at or before `now` counted as told.
    public func settled(now: Timestamp) -> PassengerView {
        var view = self
        for (topic, notification) in pending where notification.dueAt <= now {
            view.told.absorb(notification)
            view.pending[topic] = nil
        }
        return view
    }

    /// True when `event` was applied already or is older than what was (duplicate, out of order).
    public func hasApplied(_ event: RelayEvent) -> Bool {
        guard let lastSeq else { return false }
        return event.seq < lastSeq || (event.seq == lastSeq && kindsAtLastSeq.contains(event.kind))
    }
}

/// What the passenger was told last, per topic.
public struct ToldFacts: Sendable, Hashable {
    /// Gate and terminal told, or first known before any message.
    public var gate: String?
    public var terminal: String?
    /// The delay last told; nil when none was told or the flight was told back on time.
    public var delayMinutes: Int?
    /// Cancelled or diverted, when that was told (a reinstatement clears it).
    public var condition: FlightCondition?
    /// The belt told.
    public var belt: String?

    public init(
        gate: String? = nil, terminal: String? = nil, delayMinutes: Int? = nil, condition: FlightCondition? = nil,
        belt: String? = nil
    ) {
        self.gate = gate
        self.terminal = terminal
        self.delayMinutes = delayMinutes
        self.condition = condition
        self.belt = belt
    }

    /// Takes in what a notification that went out told.
    mutating func absorb(_ notification: PlannedNotification) {
        let facts = notification.facts
        switch notification.notice {
        case .gateChange, .terminalChange:
            gate = facts.gate ?? gate
            terminal = facts.terminal ?? terminal
        case .delay: delayMinutes = facts.delayMinutes
        case .backOnTime: delayMinutes = nil
        case .cancellation: condition = .cancelled
        case .diversion: condition = .diverted
        case .reinstatement: condition = nil
        case .beltChange: belt = facts.belt ?? belt
        case .boarding, .gateClosed, .departure, .arrival: break
        }
    }
}

/// A state the passenger must know of before anything else.
public enum FlightCondition: String, Sendable, Hashable {
    case cancelled
    case diverted
}

/// The newest values heard of, whether told or not.
public struct KnownFacts: Sendable, Hashable {
    public var gate: String?
    public var terminal: String?
    public var belt: String?
    /// Scheduled and newest estimated block time (UTC).
    public var scheduled: Timestamp?
    public var estimated: Timestamp?
    /// The flight's own cancelled or diverted state, told or not.
    public var condition: FlightCondition?

    public init(
        gate: String? = nil, terminal: String? = nil, belt: String? = nil, scheduled: Timestamp? = nil,
        estimated: Timestamp? = nil, condition: FlightCondition? = nil
    ) {
        self.gate = gate
        self.terminal = terminal
        self.belt = belt
        self.scheduled = scheduled
        self.estimated = estimated
        self.condition = condition
    }

    /// The flight's time as known latest: the estimate when there is one, else the schedule.
    public var expectedTime: Timestamp? { estimated ?? scheduled }
}
