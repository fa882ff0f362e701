import FlightModel
import Testing

/// `delay`, with threshold 15 and step 5 minutes.
@Suite struct DelayRuleTests {
    var engine = Fixtures.engine()

    func schedule(_ scheduled: String, estimated: String? = nil) -> FlightUpdate {
        var facts: [(FlightField, FieldValue?)] = [(.scheduled, .time(Fixtures.time(scheduled)))]
        if let estimated { facts.append((.estimated, .time(Fixtures.time(estimated)))) }
        return Fixtures.update(facts)
    }

    func estimate(_ clock: String) -> FlightUpdate { Fixtures.update([(.estimated, .time(Fixtures.time(clock)))]) }

    @Test mutating func aDelayBelowTheThresholdIsQuiet() throws {
        #expect(engine.kinds(schedule("06:30", estimated: "06:40")).isEmpty)
        #expect(engine.kinds(estimate("06:44")).isEmpty)
        #expect(engine.state(for: Fixtures.departure)?.delayMinutes == 14)
    }

    @Test mutating func crossingTheThresholdUpwardsIsADelay() throws {
        _ = try engine.applied(schedule("06:30", estimated: "06:40"))
        let up = try engine.applied(estimate("06:45"))
        #expect(up.events.map(\.kind) == [.delay])
        #expect(try up.firstEvent.delayMinutes == 15)
        #expect(try up.firstEvent.previousValue(of: .estimated) == .some(.time(Fixtures.time("06:40"))))
        #expect(try up.firstEvent.currentValue(of: .estimated) == .some(.time(Fixtures.time("06:45"))))
        #expect(up.state.announcedDelayMinutes == 15)
    }

    @Test mutating func fallingBackBelowTheThresholdIsARecoveredDelayOnce() throws {
        _ = try engine.applied(schedule("06:30", estimated: "06:40"))
        _ = try engine.applied(estimate("06:50"))
        let down = try engine.applied(estimate("06:35"))
        #expect(down.events.map(\.kind) == [.delay])
        #expect(try down.firstEvent.delayMinutes == 5)
        #expect(down.state.announcedDelayMinutes == nil)
        #expect(engine.kinds(estimate("06:38")).isEmpty)
        #expect(engine.kinds(estimate("06:25")).isEmpty)  // early, never announced again
    }

    @Test mutating func aDelayGrowingByLessThanTheStepIsQuiet() throws {
        _ = try engine.applied(schedule("06:30", estimated: "06:50"))
        #expect(engine.kinds(estimate("06:54")).isEmpty)
        #expect(engine.state(for: Fixtures.departure)?.announcedDelayMinutes == 20)
    }

    @Test mutating func aDelayGrowingByTheStepOrMoreIsAnnounced() throws {
        _ = try engine.applied(schedule("06:30", estimated: "06:50"))
        let large = try engine.applied(estimate("06:55"))
        #expect(large.events.map(\.kind) == [.delay])
        #expect(try large.firstEvent.delayMinutes == 25)
    }

    @Test mutating func smallDriftsAddUpAgainstTheLastAnnouncedDelay() throws {
        _ = try engine.applied(schedule("06:30", estimated: "06:50"))  // announced 20
        #expect(engine.kinds(estimate("06:53")).isEmpty)  // 23
        #expect(engine.kinds(estimate("06:54")).isEmpty)  // 24
        #expect(engine.kinds(estimate("06:55")) == [.delay])  // 25: five from 20
    }

    @Test mutating func aDelayShrinkingByTheStepWhileStillDelayedIsAnnounced() throws {
        _ = try engine.applied(schedule("06:30", estimated: "07:30"))  // 60
        #expect(engine.kinds(estimate("07:27")).isEmpty)  // 57
        let shrunk = try engine.applied(estimate("07:10"))  // 40
        #expect(shrunk.events.map(\.kind) == [.delay])
        #expect(try shrunk.firstEvent.delayMinutes == 40)
    }

    @Test mutating func aFlightFirstSeenDelayedFiresTheDelay() throws {
        let first = try engine.applied(schedule("06:30", estimated: "07:30"))
        #expect(first.events.map(\.kind) == [.delay])
        #expect(try first.firstEvent.delayMinutes == 60)
        #expect(try first.firstEvent.previous.isEmpty)
    }

    @Test mutating func aNewScheduleMovesTheDelayToo() throws {
        _ = try engine.applied(schedule("06:30", estimated: "06:40"))
        #expect(engine.kinds(Fixtures.update([(.scheduled, .time(Fixtures.time("06:20")))])) == [.delay])
        #expect(engine.state(for: Fixtures.departure)?.delayMinutes == 20)
    }

    @Test mutating func withoutBothTimesThereIsNoDelay() throws {
        #expect(engine.kinds(estimate("07:30")).isEmpty)
        #expect(engine.kinds(Fixtures.update([(.estimated, nil)])).isEmpty)
        #expect(engine.kinds(schedule("06:30")).isEmpty)  // estimate cleared: nothing to compare
    }

    @Test mutating func otherFieldsDoNotReannounceADelay() throws {
        _ = try engine.applied(schedule("06:30", estimated: "07:30"))
        #expect(engine.kinds(Fixtures.update([(.remark, .text("Delayed")), (.status, .status(.delayed))])).isEmpty)
    }

    @Test mutating func thePolicyIsTheConfiguredOne() throws {
        var strict = StateEngine(airport: "ZRH", policy: EventPolicy(delayThresholdMinutes: 5, delayStepMinutes: 1))
        #expect(strict.kinds(schedule("06:30", estimated: "06:35")) == [.delay])
        #expect(strict.kinds(estimate("06:36")) == [.delay])
        #expect(EventPolicy() == EventPolicy(delayThresholdMinutes: 15, delayStepMinutes: 5))
    }

    @Test mutating func theAnnouncedDelaySurvivesARestart() throws {
        let first = try engine.applied(schedule("06:30", estimated: "06:50"))
        var restarted = Fixtures.engine()
        restarted.load(first.state)
        #expect(restarted.kinds(estimate("06:53")).isEmpty)
        #expect(restarted.kinds(estimate("06:40")) == [.delay])
    }
}
