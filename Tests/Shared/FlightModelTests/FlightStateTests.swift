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

    /// A slot packs its provenance into 48 bytes and reads back what it was given: a source time
    /// or none (equal and hashed alike however it got there), and the precedence.
    @Test func aSlotIsFortyEightBytesAndReadsBackItsProvenance() {
        #expect(MemoryLayout<FlightState.Slot>.stride == 48)
        let time = Timestamp(millisecondsSinceEpoch: 1_795_000_000_123)
        var slot = FlightState.Slot(value: .text("A12"), sourceTime: time, feed: "aodb", precedence: -1000)
        #expect(slot.sourceTime == time && slot.precedence == -1000 && slot.feed == "aodb" && slot.value == .text("A12"))
        slot.precedence = 1000
        slot.sourceTime = nil
        let fresh = FlightState.Slot(value: .text("A12"), sourceTime: nil, feed: "aodb", precedence: 1000)
        #expect(slot.sourceTime == nil && slot.precedence == 1000)
        #expect(slot == fresh && slot.hashValue == fresh.hashValue)
        slot.sourceTime = Timestamp(millisecondsSinceEpoch: 0)
        #expect(slot.sourceTime == Timestamp(millisecondsSinceEpoch: 0) && slot != fresh)
    }

    /// Slots are kept for known fields only: setting, replacing and forgetting fields in any
    /// order reads back like one slot per field would, and equal states compare equal however
    /// they were built (copies of a state keep theirs).
    @Test func slotsSetReplacedAndForgottenInAnyOrderReadBackAsSet() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var state = FlightState(key: Fixtures.departure, firstSeen: Fixtures.received)
            var reference: [FlightField: FlightState.Slot] = [:]
            var copies: [(FlightState, [FlightField: FlightState.Slot])] = []
            for step in 0..<40 {
                let field = FlightField.allCases.randomElement(using: &generator)!
                if Bool.random(using: &generator) || reference.count < 3 {
                    let slot = FlightState.Slot(
                        value: step % 5 == 0 ? nil : .text("v\(step)"), sourceTime: nil, feed: "feed\(step % 3)",
                        precedence: step)
                    state.setSlot(field, slot)
                    reference[field] = slot
                } else {
                    state.setSlot(field, nil)
                    reference[field] = nil
                }
                if step % 7 == 0 { copies.append((state, reference)) }
            }
            for (copy, expected) in copies + [(state, reference)] {
                for field in FlightField.allCases {
                    #expect(copy.slot(field) == expected[field] && copy.isKnown(field) == (expected[field] != nil))
                }
                #expect(copy.knownFields.map(\.0) == FlightField.allCases.filter { expected[$0] != nil })
            }
            var rebuilt = FlightState(key: Fixtures.departure, firstSeen: Fixtures.received)
            for (field, slot) in reference.shuffled(using: &generator) { rebuilt.setSlot(field, slot) }
            #expect(rebuilt == state && rebuilt.hashValue == state.hashValue)
        }
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
