import FlightModel
import Testing

/// `cancellation`, `reinstatement`, `diversion`, `boarding`, `gate-closed`.
@Suite struct StatusEventRuleTests {
    var engine = Fixtures.engine()

    func status(_ status: FlightStatus?, key: FlightKey = Fixtures.departure) -> FlightUpdate {
        Fixtures.update([(.status, status.map(FieldValue.status))], key: key)
    }

    @Test mutating func cancellationThenReinstatement() throws {
        _ = try engine.applied(status(.scheduled))
        let cancelled = try engine.applied(status(.cancelled))
        #expect(cancelled.events.map(\.kind) == [.cancellation])
        #expect(try cancelled.firstEvent.previousValue(of: .status) == .some(.status(.scheduled)))
        let back = try engine.applied(status(.checkIn))
        #expect(back.events.map(\.kind) == [.reinstatement])
        #expect(try back.firstEvent.previousValue(of: .status) == .some(.status(.cancelled)))
        #expect(try back.firstEvent.currentValue(of: .status) == .some(.status(.checkIn)))
    }

    @Test mutating func aFlightSeenFirstAsCancelledFiresTheCancellation() throws {
        let first = try engine.applied(status(.cancelled))
        #expect(first.events.map(\.kind) == [.cancellation])
        #expect(try first.firstEvent.previous.isEmpty)
    }

    @Test mutating func cancelledAgainIsNoNewCancellation() throws {
        _ = try engine.applied(status(.cancelled))
        #expect(engine.kinds(Fixtures.update([(.status, .status(.cancelled)), (.remark, .text("Cancelled"))])).isEmpty)
    }

    @Test mutating func deletionOrNotOperatingAfterACancellationIsNoReinstatement() throws {
        _ = try engine.applied(status(.cancelled))
        #expect(engine.kinds(status(.deleted)).isEmpty)
        _ = try engine.applied(status(.cancelled))
        #expect(engine.kinds(status(.notOperating)).isEmpty)
        _ = try engine.applied(status(.cancelled))
        #expect(engine.kinds(status(nil)).isEmpty)
    }

    @Test mutating func aDiversionFiresWithTheNewDestination() throws {
        _ = try engine.applied(
            Fixtures.update([(.destination, .text("ZRH")), (.status, .status(.airborne))], key: Fixtures.arrival))
        let diverted = try engine.applied(
            Fixtures.update([(.status, .status(.diverted)), (.destination, .text("BSL"))], key: Fixtures.arrival))
        #expect(diverted.events.map(\.kind) == [.diversion])
        #expect(try diverted.firstEvent.currentValue(of: .destination) == .some(.text("BSL")))
        #expect(try diverted.firstEvent.previousValue(of: .destination) == .some(.text("ZRH")))
    }

    @Test mutating func boardingAndGateClosedFireWithTheGate() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("A12")), (.status, .status(.gateOpen))]))
        let boarding = try engine.applied(status(.boarding))
        #expect(boarding.events.map(\.kind) == [.boarding])
        #expect(try boarding.firstEvent.currentValue(of: .gate) == .some(.text("A12")))
        #expect(engine.kinds(status(.finalCall)).isEmpty)
        #expect(engine.kinds(status(.gateClosed)) == [.gateClosed])
    }

    @Test mutating func otherStatusesFireNothing() throws {
        for next in [FlightStatus.scheduled, .delayed, .checkIn, .gateOpen, .finalCall, .unknown] {
            #expect(engine.kinds(status(next)).isEmpty, "\(next)")
        }
    }
}
