import FlightModel
import Testing

/// `departure` and `arrival`: once, on the first sign of movement.
@Suite struct MovementRuleTests {
    var engine = Fixtures.engine()

    @Test mutating func aDepartureFiresOnceWhenItLeaves() throws {
        _ = try engine.applied(Fixtures.update([(.status, .status(.gateClosed))]))
        let off = try engine.applied(
            Fixtures.update([(.status, .status(.departed)), (.actual, .time(Fixtures.time("06:41")))]))
        #expect(off.events.map(\.kind) == [.departure])
        #expect(try off.firstEvent.currentValue(of: .actual) == .some(.time(Fixtures.time("06:41"))))
        #expect(engine.kinds(Fixtures.update([(.status, .status(.airborne))])).isEmpty)
        #expect(engine.kinds(Fixtures.update([(.runwayActual, .time(Fixtures.time("06:52")))])).isEmpty)
    }

    @Test mutating func anActualOffBlockTimeAloneIsADeparture() throws {
        _ = try engine.applied(Fixtures.update([(.status, .status(.boarding))]))
        #expect(engine.kinds(Fixtures.update([(.actual, .time(Fixtures.time("06:41")))])) == [.departure])
        #expect(engine.kinds(Fixtures.update([(.status, .status(.departed))])).isEmpty)
    }

    @Test mutating func anArrivalFiresOnceWhenItLands() throws {
        _ = try engine.applied(Fixtures.update([(.status, .status(.airborne))], key: Fixtures.arrival))
        #expect(engine.kinds(Fixtures.update([(.status, .status(.landed))], key: Fixtures.arrival)) == [.arrival])
        #expect(engine.kinds(Fixtures.update([(.status, .status(.arrived))], key: Fixtures.arrival)).isEmpty)
        #expect(
            engine.kinds(Fixtures.update([(.actual, .time(Fixtures.time("07:02")))], key: Fixtures.arrival)).isEmpty)
    }

    @Test mutating func anActualTimeAloneIsAnArrival() throws {
        _ = try engine.applied(Fixtures.update([(.status, .status(.airborne))], key: Fixtures.arrival))
        #expect(
            engine.kinds(Fixtures.update([(.runwayActual, .time(Fixtures.time("06:58")))], key: Fixtures.arrival)) == [
                .arrival
            ])
    }

    @Test mutating func airborneIsNoArrival() throws {
        #expect(engine.kinds(Fixtures.update([(.status, .status(.airborne))], key: Fixtures.arrival)).isEmpty)
    }

    @Test mutating func aFlightFirstSeenGoneFiresItsMovement() throws {
        #expect(engine.kinds(Fixtures.update([(.status, .status(.airborne))])) == [.departure])
        #expect(engine.kinds(Fixtures.update([(.status, .status(.arrived))], key: Fixtures.arrival)) == [.arrival])
    }

    @Test mutating func aCorrectedMovementFiresAgainWhenItHappens() throws {
        _ = try engine.applied(Fixtures.update([(.status, .status(.departed))]))
        #expect(engine.kinds(Fixtures.update([(.status, .status(.boarding))])) == [.boarding])
        #expect(engine.kinds(Fixtures.update([(.status, .status(.departed))])) == [.departure])
    }
}
