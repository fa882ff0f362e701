import FlightModel
import Testing

@Suite struct FlightStateTests {
    var engine = Fixtures.engine()

    @Test func aNewStateKnowsNothing() {
        let state = FlightState(key: Fixtures.departure, firstSeen: Fixtures.received)
        #expect(state.seq == 0)
        #expect(state.knownFields.isEmpty)
        for field in FlightField.allCases { #expect(state[field] == nil && !state.isKnown(field)) }
        #expect(state.codeshares.isEmpty)
        #expect(state.delayMinutes == nil)
        #expect(state.updatedAt == state.firstSeen)
    }

    @Test mutating func typedGettersReadTheirFields() throws {
        let state = try engine.applied(
            Fixtures.update([
                (.origin, .text("ZRH")), (.destination, .text("LHR")), (.scheduled, .time(Fixtures.time("06:30"))),
                (.estimated, .time(Fixtures.time("06:55"))), (.runwayEstimated, .time(Fixtures.time("07:05"))),
                (.terminal, .text("1")), (.gate, .text("A12")), (.stand, .text("E23")), (.checkin, .text("1-12")),
                (.status, .status(.boarding)), (.rawStatus, .text("BRD")), (.remark, .text("Go to gate")),
                (.codeshares, .list(["AC6701"])), (.delays, .delays([DelayCode(code: "81", minutes: 15)])),
            ])
        ).state
        #expect(state.origin == "ZRH" && state.destination == "LHR")
        #expect(state.scheduled == Fixtures.time("06:30") && state.estimated == Fixtures.time("06:55"))
        #expect(state.runwayEstimated == Fixtures.time("07:05") && state.actual == nil && state.runwayActual == nil)
        #expect(state.terminal == "1" && state.gate == "A12" && state.stand == "E23" && state.checkin == "1-12")
        #expect(state.status == .boarding && state.rawStatus == "BRD" && state.remark == "Go to gate")
        #expect(state.codeshares == ["AC6701"])
        #expect(state.delays == [DelayCode(code: "81", minutes: 15)])
        #expect(state.delayMinutes == 25)
        #expect(state.belt == nil)
        #expect(state.knownFields.count == 14)
    }

    @Test mutating func aFlightEndsByActualOrEstimatedTimeNeverByScheduleAlone() throws {
        var state = try engine.applied(Fixtures.update([(.scheduled, .time(Fixtures.time("06:30")))])).state
        #expect(state.endsAt == nil)
        state = try engine.applied(Fixtures.update([(.estimated, .time(Fixtures.time("09:30")))])).state
        #expect(state.endsAt == Fixtures.time("09:30"))
        state = try engine.applied(Fixtures.update([(.runwayActual, .time(Fixtures.time("09:45")))])).state
        #expect(state.endsAt == Fixtures.time("09:45"))
        state = try engine.applied(Fixtures.update([(.actual, .time(Fixtures.time("09:35")))])).state
        #expect(state.endsAt == Fixtures.time("09:35"))
    }

    @Test mutating func aCancelledFlightEndsAtItsScheduleOrLastUpdate() throws {
        let state = try engine.applied(
            Fixtures.update([(.scheduled, .time(Fixtures.time("06:30"))), (.status, .status(.cancelled))]),
            receivedAt: Fixtures.time("05:00")
        ).state
        #expect(state.endsAt == Fixtures.time("06:30"))
        let late = try engine.applied(
            Fixtures.update([(.remark, .text("Rebooked"))]), receivedAt: Fixtures.time("08:00")
        ).state
        #expect(late.endsAt == Fixtures.time("08:00"))
    }
}
