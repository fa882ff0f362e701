import FlightModel
import Testing

/// What every derived event carries, whatever its kind.
@Suite struct FlightEventTests {
    var engine = Fixtures.engine()

    @Test mutating func anEventOccursAtTheSourceTimeElseAtReceipt() throws {
        let timed = try engine.applied(Fixtures.update([(.gate, .text("A12"))], at: "04:58:12"))
        #expect(try timed.firstEvent.occurredAt == Fixtures.time("04:58:12"))
        let untimed = try engine.applied(
            Fixtures.update([(.gate, .text("B34"))]), receivedAt: Fixtures.time("05:03:00"))
        #expect(try untimed.firstEvent.occurredAt == Fixtures.time("05:03:00"))
    }

    @Test mutating func eventsCarryTheFlightAndTheSeqOfTheirUpdate() throws {
        _ = try engine.applied(Fixtures.update([(.status, .status(.scheduled))]))
        let applied = try engine.applied(Fixtures.update([(.status, .status(.cancelled))]))
        let event = try #require(applied.events.first)
        #expect(event.flightID == Fixtures.departure.flightID)
        #expect(event.seq == applied.state.seq)
        #expect(event.eventID == EventID.make(airport: "ZRH", flightID: event.flightID, seq: 2, kind: .cancellation))
        #expect(event.delayMinutes == nil)
    }

    @Test mutating func oneUpdateCanFireSeveralEventsInRuleOrder() throws {
        _ = try engine.applied(
            Fixtures.update([(.scheduled, .time(Fixtures.time("06:30"))), (.status, .status(.gateOpen))]))
        let applied = try engine.applied(
            Fixtures.update([
                (.status, .status(.boarding)), (.gate, .text("B34")), (.estimated, .time(Fixtures.time("06:50"))),
            ]))
        #expect(applied.events.map(\.kind) == [.gateChange, .boarding, .delay])
        #expect(Set(applied.events.map(\.eventID)).count == 3)
    }

    @Test mutating func unknownFieldsAreLeftOutOfPreviousAndCurrent() throws {
        _ = try engine.applied(Fixtures.update([(.status, .status(.gateOpen))]))
        let boarding = try engine.applied(Fixtures.update([(.status, .status(.boarding))]))
        // The gate was never mentioned: neither previous nor current name it.
        #expect(try boarding.firstEvent.previous.map(\.field) == [.status])
        #expect(try boarding.firstEvent.current.map(\.field) == [.status])
        #expect(try boarding.firstEvent.currentValue(of: .gate) == nil)
    }

    @Test func eventsCompareByEveryPart() {
        let event = FlightEvent(
            kind: .gateChange, airport: "ZRH", flightID: "LX1234-20261124-D", seq: 2, occurredAt: Fixtures.received,
            previous: [(.gate, .text("A12"))], current: [(.gate, .text("B34"))])
        var other = event
        #expect(other == event)
        other.current = [(.gate, nil)]
        #expect(other != event)
        #expect(Set([event, event]).count == 1)
    }
}
