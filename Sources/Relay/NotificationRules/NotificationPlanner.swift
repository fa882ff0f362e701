public import FlightModel

/// The notification rules (issue #12): which notification one event means for one subscriber,
/// and when. Pure: the same inputs always give the same plan.
///
/// - delay: told from ``RulesSettings/delayThresholdMinutes`` late, again when it moved at least
///   ``RulesSettings/delayStepMinutes`` from what was last told (either way), and "back on time"
///   when it falls under the threshold after a delay was told;
/// - cancellation, diversion, reinstatement: at once, always, through quiet hours;
/// - gate and terminal: only within ``RulesSettings/gateWindowHours`` of the flight's time
///   (estimated, else scheduled), held ``RulesSettings/gateHoldSeconds`` after the last change
///   and compared with what the passenger knows: a change back sends nothing, A→B→C one A→C;
///   outside the window the passenger's baseline follows silently;
/// - boarding, gate closed, departure, arrival, belt: only when asked for;
/// - quiet hours move a non-urgent notification's due time to their end;
/// - a newer notification of a topic supersedes the pending one; events already applied (by
///   `seq`, then kind) plan nothing.
public enum NotificationPlanner {
    /// Plans what `event` means for a subscriber with `preferences` whose view of the flight is
    /// `view` (a fresh ``PassengerView`` for the first event), at `now`.
    public static func plan(
        event: RelayEvent, preferences: SubscriptionPreferences, view: PassengerView, now: Timestamp,
        settings: RulesSettings = RulesSettings()
    ) -> Plan {
        var state = PlanningState(
            event: event, preferences: preferences, view: view.settled(now: now), now: now, settings: settings)
        guard !state.view.hasApplied(event) else { return Plan(view: state.view, skipped: .alreadyApplied) }
        if event.seq != state.view.lastSeq { state.view.kindsAtLastSeq = [] }
        state.view.lastSeq = event.seq
        state.view.kindsAtLastSeq.insert(event.kind)
        state.learnSchedule()
        switch NotificationTopic(event.kind) {
        case .gate: state.planGate()
        case .time: state.planDelay()
        case .status: state.planStatus()
        case .belt: state.planBelt()
        }
        // What is due already goes out now: only what waits stays pending.
        state.view = state.view.settled(now: now)
        return Plan(view: state.view, notifications: state.notifications, cancellations: state.cancellations)
    }
}

/// One plan in the making.
struct PlanningState {
    let event: RelayEvent
    let preferences: SubscriptionPreferences
    var view: PassengerView
    let now: Timestamp
    let settings: RulesSettings
    var notifications: [PlannedNotification] = []
    var cancellations: [Cancellation] = []

    init(
        event: RelayEvent, preferences: SubscriptionPreferences, view: PassengerView, now: Timestamp,
        settings: RulesSettings
    ) {
        self.event = event
        self.preferences = preferences
        self.view = view
        self.now = now
        self.settings = settings
    }

    /// When the event reached the relay, never before it happened.
    var reference: Timestamp { max(now, event.occurredAt) }

    mutating func learnSchedule() {
        if let scheduled = event.current.time("scheduled") ?? event.flight.scheduled {
            view.known.scheduled = scheduled
        }
        if event.current.contains("estimated") { view.known.estimated = event.current.time("estimated") }
    }

    // MARK: gate and terminal

    mutating func planGate() {
        let field = event.kind == .terminalChange ? "terminal" : "gate"
        // The first value seen is what the passenger knows (boarding pass), silently.
        if view.pending[.gate] == nil {
            if field == "gate", view.told.gate == nil {
                view.told.gate = event.previous.text("gate") ?? view.known.gate
            }
            if field == "terminal", view.told.terminal == nil {
                view.told.terminal = event.previous.text("terminal") ?? view.known.terminal
            }
        }
        if event.current.contains(field) {
            let value = event.current.text(field)
            if field == "gate" { view.known.gate = value } else { view.known.terminal = value }
        }
        let known = view.known
        let told = view.told
        let gateMoved = known.gate != nil && known.gate != told.gate
        let terminalMoved = known.terminal != nil && known.terminal != told.terminal
        guard gateMoved || terminalMoved else { return callOff(.gate, .reverted) }
        guard preferences.wants(event.kind) else { return followSilently() }
        guard known.condition != .cancelled, withinGateWindow else { return followSilently() }
        var facts = baseFacts()
        facts.gate = known.gate
        facts.terminal = known.terminal
        if gateMoved { facts.oldGate = told.gate }
        if terminalMoved { facts.oldTerminal = told.terminal }
        schedule(
            notice: gateMoved ? .gateChange : .terminalChange, topic: .gate,
            due: reference.adding(seconds: settings.gateHoldSeconds), facts: facts)
    }

    /// Outside the window (or not asked for) the passenger's baseline follows without a message.
    mutating func followSilently() {
        callOff(.gate, .obsolete)
        view.told.gate = view.known.gate ?? view.told.gate
        view.told.terminal = view.known.terminal ?? view.told.terminal
    }

    var withinGateWindow: Bool {
        guard let expected = view.known.expectedTime ?? event.flight.scheduled else { return true }
        return expected.minutes(since: event.occurredAt) <= settings.gateWindowHours * 60
    }

    // MARK: delay

    mutating func planDelay() {
        let delay =
            event.delayMinutes
            ?? view.known.estimated.flatMap { estimated in
                view.known.scheduled.map { estimated.minutes(since: $0) }
            }
        guard let delay else { return }
        guard preferences.wants(.delay) else { return callOff(.time, .unwanted) }
        guard view.known.condition != .cancelled else { return callOff(.time, .obsolete) }
        let threshold = settings.delayThresholdMinutes
        let notice: Notice?
        if let told = view.told.delayMinutes {
            if delay < threshold {
                notice = .backOnTime
            } else {
                notice = abs(delay - told) >= max(1, settings.delayStepMinutes) ? .delay : nil
            }
        } else {
            notice = delay >= threshold ? .delay : nil
        }
        guard let notice else { return callOff(.time, .reverted) }
        var facts = baseFacts()
        facts.delayMinutes = delay
        schedule(notice: notice, topic: .time, due: reference, facts: facts)
    }

    // MARK: status

    mutating func planStatus() {
        var facts = baseFacts()
        facts.gate = event.current.text("gate") ?? view.known.gate
        switch event.kind {
        case .cancellation:
            view.known.condition = .cancelled
            callOff(.gate, .obsolete)
            callOff(.time, .obsolete)
            callOff(.belt, .obsolete)
        case .diversion:
            view.known.condition = .diverted
            facts.divertedTo = event.current.text("destination")
        case .reinstatement:
            view.known.condition = nil
            // The cancellation never went out: there is nothing to take back.
            if let pending = view.pending[.status], pending.notice == .cancellation {
                return callOff(.status, .reverted)
            }
        case .departure, .arrival:
            facts.actual = event.current.time("runway_actual") ?? event.current.time("actual")
        default:
            break
        }
        guard preferences.wants(event.kind) else { return }
        schedule(notice: Notice(event.kind), topic: .status, due: reference, facts: facts)
    }

    // MARK: belt

    mutating func planBelt() {
        if view.pending[.belt] == nil, view.told.belt == nil { view.told.belt = event.previous.text("belt") }
        if event.current.contains("belt") { view.known.belt = event.current.text("belt") }
        guard preferences.wants(.beltChange) else { return }
        guard let belt = view.known.belt, belt != view.told.belt else { return callOff(.belt, .reverted) }
        var facts = baseFacts()
        facts.belt = belt
        facts.oldBelt = view.told.belt
        schedule(notice: .beltChange, topic: .belt, due: reference, facts: facts)
    }

    // MARK: common

    func baseFacts() -> NotificationFacts {
        let flight = event.flight
        return NotificationFacts(
            airline: flight.airline, number: flight.number, date: flight.date, direction: flight.direction,
            origin: flight.origin, destination: flight.destination, scheduled: view.known.scheduled,
            estimated: view.known.estimated, terminal: view.known.terminal,
            remark: event.current.text("remark"))
    }

    /// Plans a notification, replacing the topic's pending one; quiet hours hold non-urgent ones.
    mutating func schedule(notice: Notice, topic: NotificationTopic, due: Timestamp, facts: NotificationFacts) {
        var dueAt = due
        if !notice.isUrgent, let quiet = preferences.quietHours {
            dueAt = quiet.release(of: dueAt, zone: preferences.timeZone)
        }
        let notification = PlannedNotification(
            id: "\(event.eventID)/\(topic.rawValue)", eventID: event.eventID, eventKind: event.kind, notice: notice,
            topic: topic, flightID: event.flightID, occurredAt: event.occurredAt, dueAt: dueAt, urgent: notice.isUrgent,
            replaceKey: PlannedNotification.replaceKey(flightID: event.flightID, topic: topic),
            supersedes: view.pending[topic]?.id, facts: facts)
        view.pending[topic] = notification
        notifications.append(notification)
    }

    /// Calls off the topic's pending notification, if there is one.
    mutating func callOff(_ topic: NotificationTopic, _ reason: Cancellation.Reason) {
        guard let pending = view.pending.removeValue(forKey: topic) else { return }
        cancellations.append(Cancellation(id: pending.id, topic: topic, reason: reason))
    }
}
