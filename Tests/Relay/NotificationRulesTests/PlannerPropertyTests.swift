import FlightModel
import NotificationRules
import Testing

/// SplitMix64: a seeded generator, so a failing sequence can be replayed by its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Plays random event sequences through the planner the way the relay would (a queue of
/// deliveries that plans cancel and supersede, released when due) and checks the invariants.
@Suite struct PlannerPropertyTests {
    @Test func invariantsHoldOverRandomSequences() {
        var generator = SeededGenerator(state: 20_261_124)
        var tally = Tally()
        for sequence in 0..<3000 {
            var run = SequenceRun(seed: sequence, generator: &generator)
            run.play(generator: &generator)
            if !run.failures.isEmpty {
                Issue.record("sequence \(sequence): \(run.failures.prefix(3).joined(separator: "; "))")
                return
            }
            tally.add(run.tally)
        }
        // The sequences reach every path the invariants speak of.
        #expect(tally.delivered[.gate, default: 0] > 100)
        #expect(tally.delivered[.time, default: 0] > 100)
        #expect(tally.delivered[.status, default: 0] > 100)
        #expect(tally.reverted > 100, "gates that went back inside the hold")
        #expect(tally.superseded > 100)
        #expect(tally.replays > 100)
    }
}

/// What the sequences did, to show they exercised the rules.
struct Tally {
    var delivered: [NotificationTopic: Int] = [:]
    var reverted = 0
    var superseded = 0
    var replays = 0

    mutating func add(_ other: Tally) {
        delivered.merge(other.delivered, uniquingKeysWith: +)
        reverted += other.reverted
        superseded += other.superseded
        replays += other.replays
    }
}

struct SequenceRun {
    var tally = Tally()
    var script = FlightScript()
    var clock = at("02:30")
    var queued: [String: PlannedNotification] = [:]
    var trueGate = "A1"
    var trueTerminal = "1"
    var cancelled = false
    var history: [RelayEvent] = []
    var failures: [String] = []
    var lastToldDelay: Int?

    init(seed: Int, generator: inout SeededGenerator) {
        let zones: [String?] = ["Europe/Zurich", "America/New_York", "Asia/Tokyo", nil]
        var kinds = SubscriptionPreferences.defaultKinds
        for extra in [EventKind.boarding, .beltChange, .terminalChange] where Bool.random(using: &generator) {
            kinds.insert(extra)
        }
        let quiet =
            Bool.random(using: &generator)
            ? QuietHours(
                fromMinute: Int.random(in: 0..<1440, using: &generator),
                toMinute: Int.random(in: 0..<1440, using: &generator))
            : nil
        script.preferences = SubscriptionPreferences(
            kinds: kinds, timeZone: zones.randomElement(using: &generator)!, quietHours: quiet)
    }

    mutating func check(_ condition: Bool, _ message: String) {
        if !condition { failures.append(message) }
    }

    /// Delivers what is due by `now`, checking each as it leaves.
    mutating func deliver(until now: Timestamp) {
        for notification in queued.values.sorted(by: { $0.dueAt < $1.dueAt }) where notification.dueAt <= now {
            queued[notification.id] = nil
            tally.delivered[notification.topic, default: 0] += 1
            switch notification.topic {
            case .gate:
                // A held change that survived its hold is still true when it leaves: one that
                // reverted inside the hold was called off.
                check(
                    notification.facts.gate.map { $0 == trueGate } ?? (notification.notice == .terminalChange),
                    "gate \(notification.facts.gate ?? "-") sent while the gate is \(trueGate)")
                check(
                    notification.facts.terminal.map { $0 == trueTerminal } ?? true,
                    "terminal \(notification.facts.terminal ?? "-") sent while it is \(trueTerminal)")
                check(
                    notification.facts.oldGate != notification.facts.gate || notification.facts.oldTerminal != nil,
                    "a gate change to the same gate")
            case .time:
                let delay = notification.facts.delayMinutes ?? 0
                if notification.notice == .backOnTime {
                    check(lastToldDelay != nil && delay < 30, "back on time without a delay told")
                    lastToldDelay = nil
                } else {
                    check(delay >= 30, "a delay of \(delay) told")
                    check(lastToldDelay.map { abs($0 - delay) >= 30 } ?? true, "a delay step under 30 told")
                    lastToldDelay = delay
                }
            case .status, .belt:
                break
            }
        }
    }

    mutating func play(generator: inout SeededGenerator) {
        let steps = Int.random(in: 5...40, using: &generator)
        for step in 0..<steps {
            clock = clock.adding(
                seconds: Bool.random(using: &generator)
                    ? Int.random(in: 0...150, using: &generator) : Int.random(in: 0...1800, using: &generator))
            deliver(until: clock)
            let occurred = clock.adding(seconds: -Int.random(in: 0...20, using: &generator))
            let roll = Int.random(in: 0..<100, using: &generator)
            var replay = false
            let event: RelayEvent
            switch roll {
            case 0..<35:
                let next = ["A1", "A2", "A3"].filter { $0 != trueGate }.randomElement(using: &generator)!
                event = script.event(.gateChange, at: occurred, previous: ["gate": trueGate], current: ["gate": next])
                trueGate = next
            case 35..<43:
                let next = trueTerminal == "1" ? "2" : "1"
                event = script.event(
                    .terminalChange, at: occurred, previous: ["terminal": trueTerminal], current: ["terminal": next])
                trueTerminal = next
            case 43..<70:
                let minutes = Int.random(in: -10...150, using: &generator)
                event = script.event(
                    .delay, at: occurred, current: ["estimated": at("06:30").adding(minutes: minutes).iso8601],
                    delay: minutes)
            case 70..<75:
                event = script.event(.cancellation, at: occurred, current: ["status": "cancelled"])
                cancelled = true
            case 75..<80:
                event = script.event(
                    .reinstatement, at: occurred, previous: ["status": "cancelled"], current: ["status": "scheduled"])
                cancelled = false
            case 80..<87:
                event = script.event(.boarding, at: occurred, current: ["status": "boarding", "gate": trueGate])
            default:
                guard let old = history.randomElement(using: &generator) else { continue }
                event = old
                replay = true
            }
            if !replay { history.append(event) }
            let pendingBefore = script.view.pending.filter { $0.value.dueAt > clock }
            let plan = script.apply(event, now: clock)
            if replay {
                tally.replays += 1
                check(
                    plan.skipped == .alreadyApplied && plan.notifications.isEmpty && plan.cancellations.isEmpty,
                    "a replayed event planned something")
                check(plan.view.pending == pendingBefore, "a replayed event changed what is pending")
                continue
            }
            for cancellation in plan.cancellations {
                if cancellation.reason == .reverted, cancellation.topic == .gate { tally.reverted += 1 }
                check(
                    queued.removeValue(forKey: cancellation.id) != nil,
                    "cancelled \(cancellation.id), which is not pending")
            }
            var topics = Set<NotificationTopic>()
            for notification in plan.notifications {
                check(notification.dueAt >= notification.occurredAt, "due before it happened")
                check(notification.dueAt >= clock, "due in the past")
                check(topics.insert(notification.topic).inserted, "two notifications of one topic in one plan")
                if let old = notification.supersedes {
                    tally.superseded += 1
                    check(queued.removeValue(forKey: old) != nil, "supersedes \(old), which is not pending")
                }
                queued[notification.id] = notification
            }
            let waiting = queued.values.filter { $0.dueAt > clock }
            check(Set(waiting.map(\.topic)).count == waiting.count, "two pending notifications of one topic")
            check(
                Set(waiting.map(\.id)) == Set(script.view.pending.values.map(\.id)),
                "the view's pending differ from the queue")
            if step % 5 == 0 {
                check(
                    (try? PassengerView(json: script.view.json)) == script.view,
                    "the view does not round-trip through JSON")
            }
        }
        deliver(until: clock.adding(minutes: 48 * 60))
    }
}
