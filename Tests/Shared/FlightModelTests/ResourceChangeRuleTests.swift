import FlightModel
import Testing

/// `gate-change`, `belt-change`, `terminal-change`.
@Suite struct ResourceChangeRuleTests {
    var engine = Fixtures.engine()

    @Test mutating func aGateFirstAssignedIsAGateChangeWithoutPrevious() throws {
        _ = try engine.applied(Fixtures.update([(.status, .status(.scheduled))]))
        let first = try engine.applied(Fixtures.update([(.gate, .text("A12"))]))
        #expect(first.events.map(\.kind) == [.gateChange])
        #expect(try first.firstEvent.previous.isEmpty)
        #expect(try first.firstEvent.currentValue(of: .gate) == .some(.text("A12")))
    }

    @Test mutating func aGateOnTheFirstUpdateOfAFlightIsAGateChange() throws {
        let first = try engine.applied(Fixtures.update([(.gate, .text("A12")), (.stand, .text("E23"))]))
        #expect(first.events.map(\.kind) == [.gateChange])
        #expect(try first.firstEvent.previous.isEmpty)
    }

    @Test mutating func aGateMovingFromOneToAnotherIsAGateChangeWithBoth() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("A12"))]))
        let change = try engine.applied(Fixtures.update([(.gate, .text("B34"))]))
        #expect(change.events.map(\.kind) == [.gateChange])
        let event = try change.firstEvent
        #expect(event.previous.map(\.field) == [.gate])
        #expect(event.previousValue(of: .gate) == .some(.text("A12")))
        #expect(event.currentValue(of: .gate) == .some(.text("B34")))
        #expect(event.seq == 2)
        #expect(event.flightID == "LX1234-20261124-D")
    }

    @Test mutating func clearingAGateIsRecordedButIsNoGateChange() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("A12"))]))
        let cleared = try engine.applied(Fixtures.update([(.gate, nil)]))
        #expect(cleared.changes.map(\.field) == [.gate])
        #expect(cleared.events.isEmpty)
    }

    @Test mutating func aGateAssignedAfterBeingClearedShowsTheClearedPrevious() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("A12"))]))
        _ = try engine.applied(Fixtures.update([(.gate, nil)]))
        let again = try engine.applied(Fixtures.update([(.gate, .text("A14"))]))
        #expect(again.events.map(\.kind) == [.gateChange])
        #expect(try again.firstEvent.previousValue(of: .gate) == .some(nil))
    }

    @Test mutating func theSameGateAgainIsNoGateChange() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("A12"))]))
        #expect(engine.kinds(Fixtures.update([(.gate, .text("A12")), (.stand, .text("E1"))])).isEmpty)
    }

    @Test mutating func aBeltFirstAssignedOrChangedIsABeltChange() throws {
        #expect(engine.kinds(Fixtures.update([(.belt, .text("7"))], key: Fixtures.arrival)) == [.beltChange])
        #expect(engine.kinds(Fixtures.update([(.belt, .text("9"))], key: Fixtures.arrival)) == [.beltChange])
        #expect(engine.kinds(Fixtures.update([(.belt, nil)], key: Fixtures.arrival)).isEmpty)
    }

    @Test mutating func onlyAMoveBetweenTerminalsIsATerminalChange() throws {
        #expect(engine.kinds(Fixtures.update([(.terminal, .text("1"))])).isEmpty)
        let moved = try engine.applied(Fixtures.update([(.terminal, .text("2"))]))
        #expect(moved.events.map(\.kind) == [.terminalChange])
        #expect(try moved.firstEvent.previousValue(of: .terminal) == .some(.text("1")))
        #expect(engine.kinds(Fixtures.update([(.terminal, nil)])).isEmpty)
        // After a clear, a terminal is a first terminal again.
        #expect(engine.kinds(Fixtures.update([(.terminal, .text("3"))])).isEmpty)
    }

    @Test mutating func aGateThatLosesTheMergeFiresNothing() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("A12"))], at: "05:10"))
        #expect(engine.kinds(Fixtures.update([(.gate, .text("B34"))], at: "05:00")).isEmpty)
    }
}
