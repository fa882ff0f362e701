public import FlightModel

/// One notification the planner decided on: what it says (``facts``), when it is due, and which
/// pending one it replaces. The relay turns it into one delivery per contact point, due at
/// ``dueAt``; until then a later plan may cancel or supersede it by ``id``.
public struct PlannedNotification: Sendable, Hashable {
    /// Stable identity: `{event_id}/{topic}` of the event that made it (the same event planned
    /// twice gives the same id, so the relay's insert can be idempotent).
    public var id: String
    /// The event that made it.
    public var eventID: String
    /// That event's kind (the deliveries' and the personal page's `kind`).
    public var eventKind: EventKind
    /// What it tells; chooses the text.
    public var notice: Notice
    /// What it is about.
    public var topic: NotificationTopic
    /// The flight record it is about.
    public var flightID: String
    /// When the event happened.
    public var occurredAt: Timestamp
    /// When it should go out: at once for urgent ones, after the hold for gates, at the end of
    /// quiet hours for non-urgent ones. Never before ``occurredAt``.
    public var dueAt: Timestamp
    /// Cancellation, diversion, reinstatement: high urgency, never held.
    public var urgent: Bool
    /// The same for notifications that supersede each other: `{flight_id}_{topic}` (at most 32
    /// base64url characters for the usual flight ids: Web Push `Topic`, FCM `collapse_key`).
    public var replaceKey: String
    /// The ``id`` of the pending notification this one replaces, if any: cancel it.
    public var supersedes: String?
    /// What the text shows.
    public var facts: NotificationFacts

    public init(
        id: String, eventID: String, eventKind: EventKind, notice: Notice, topic: NotificationTopic, flightID: String,
        occurredAt: Timestamp, dueAt: Timestamp, urgent: Bool, replaceKey: String, supersedes: String? = nil,
        facts: NotificationFacts
    ) {
        self.id = id
        self.eventID = eventID
        self.eventKind = eventKind
        self.notice = notice
        self.topic = topic
        self.flightID = flightID
        self.occurredAt = occurredAt
        self.dueAt = dueAt
        self.urgent = urgent
        self.replaceKey = replaceKey
        self.supersedes = supersedes
        self.facts = facts
    }

    /// `{flight_id}_{topic}`.
    public static func replaceKey(flightID: String, topic: NotificationTopic) -> String {
        "\(flightID)_\(topic.rawValue)"
    }
}

/// The facts a notification's text shows; absent ones are unknown or do not apply.
public struct NotificationFacts: Sendable, Hashable {
    /// Airline designator, `LX`.
    public var airline: String
    /// Flight number, `1234`.
    public var number: String
    /// The flight's date, `yyyy-MM-dd`.
    public var date: String
    /// Departure or arrival record.
    public var direction: Direction
    /// Origin and destination IATA codes.
    public var origin: String?
    public var destination: String?
    /// Scheduled time (UTC).
    public var scheduled: Timestamp?
    /// The newest estimated time (UTC), when known.
    public var estimated: Timestamp?
    /// What the passenger knew before (gate and terminal changes) and the new values.
    public var oldGate: String?
    public var gate: String?
    public var oldTerminal: String?
    public var terminal: String?
    /// The delay in minutes (delay, back on time).
    public var delayMinutes: Int?
    /// The belt, and the one told before.
    public var oldBelt: String?
    public var belt: String?
    /// Where a diverted flight goes instead.
    public var divertedTo: String?
    /// Actual time of a departure or arrival.
    public var actual: Timestamp?
    /// The airport's free-text remark, when the event carried one (hostile text possible: escape it).
    public var remark: String?

    public init(
        airline: String, number: String, date: String, direction: Direction, origin: String? = nil,
        destination: String? = nil, scheduled: Timestamp? = nil, estimated: Timestamp? = nil, oldGate: String? = nil,
        gate: String? = nil, oldTerminal: String? = nil, terminal: String? = nil, delayMinutes: Int? = nil,
        oldBelt: String? = nil, belt: String? = nil, divertedTo: String? = nil, actual: Timestamp? = nil,
        remark: String? = nil
    ) {
        self.airline = airline
        self.number = number
        self.date = date
        self.direction = direction
        self.origin = origin
        self.destination = destination
        self.scheduled = scheduled
        self.estimated = estimated
        self.oldGate = oldGate
        self.gate = gate
        self.oldTerminal = oldTerminal
        self.terminal = terminal
        self.delayMinutes = delayMinutes
        self.oldBelt = oldBelt
        self.belt = belt
        self.divertedTo = divertedTo
        self.actual = actual
        self.remark = remark
    }

    /// `LX 1234`.
    public var flightLabel: String { "\(airline) \(number)" }

    /// `ZRH–LHR` when both ends are known.
    public var route: String? {
        guard let origin, let destination else { return nil }
        return "\(origin)–\(destination)"
    }
}
