import Foundation
import FlightModel
import Testing

/// The merge rules and the events of DESIGN.md §3–§4, one test per rule.
@Suite struct StateEngineTests {
    static let date = FlightDate("2026-11-24")!
    static let departure = try! FlightKey(airline: "LX", number: "1234", date: date, direction: .departure)
    static let arrival = try! FlightKey(airline: "BA", number: "117", suffix: "A", date: date, direction: .arrival)

    static func time(_ text: String) -> Timestamp { Timestamp(iso8601: "2026-11-24T\(text)Z")! }

    func update(
        _ facts: [(FlightField, FieldValue?)], key: FlightKey = departure, feed: String = "aodb", at sourceTime: String? = nil
    ) -> FlightUpdate {
        var update = FlightUpdate(key: key, feed: feed, sourceTime: sourceTime.map(Self.time))
        for (field, value) in facts { update.set(field, value) }
        return update
    }

    let received = Self.time("05:00:00")

    func must(_ applied: StateEngine.AppliedUpdate?) throws -> StateEngine.AppliedUpdate { try #require(applied) }
    func nothing(_ applied: StateEngine.AppliedUpdate?) -> Bool { applied == nil }
    var engine = StateEngine(policy: EventPolicy(delayThresholdMinutes: 15, delayStepMinutes: 5), precedence: ["aodb": 10, "fids": 5])

    @Test mutating func firstSightingCreatesTheFlightWithSeqOne() throws {
        let applied = try must(engine.apply(update([(.gate, .text("A12"))]), receivedAt: received))
        #expect(applied.isNewFlight)
        #expect(applied.state.seq == 1)
        #expect(applied.state.gate == "A12")
        #expect(applied.changes == [FieldChange(field: .gate, old: nil, new: .text("A12"), feed: "aodb", sourceTime: nil)])
    }

    @Test mutating func theSameUpdateTwiceChangesNothingAndEmitsNothing() throws {
        let first = update([(.gate, .text("A12")), (.status, .status(.boarding))], at: "05:00:00")
        #expect(nothing(engine.apply(first, receivedAt: received)) == false)
        #expect(nothing(engine.apply(first, receivedAt: received)))
        #expect(engine.state(for: Self.departure.flightID)?.seq == 1)
    }

    @Test mutating func seqGrowsByOnePerUpdateThatChangedSomething() throws {
        _ = engine.apply(update([(.gate, .text("A1"))]), receivedAt: received)
        _ = engine.apply(update([(.gate, .text("A1"))]), receivedAt: received)  // no change
        _ = engine.apply(update([(.gate, .text("A2")), (.stand, .text("E1"))]), receivedAt: received)
        #expect(engine.state(for: Self.departure.flightID)?.seq == 2)
    }

    @Test mutating func anOlderUpdateNeverOverwritesANewerValue() throws {
        _ = engine.apply(update([(.gate, .text("B34"))], at: "05:10:00"), receivedAt: received)
        #expect(nothing(engine.apply(update([(.gate, .text("A12"))], at: "05:05:00"), receivedAt: received)))
        #expect(engine.state(for: Self.departure.flightID)?.gate == "B34")
        // Out of order per field: the older update still sets a field it is first to know.
        let late = try must(engine.apply(update([(.gate, .text("A12")), (.stand, .text("E23"))], at: "05:05:00"), receivedAt: received))
        #expect(late.changes.map(\.field) == [.stand])
        #expect(late.state.gate == "B34")
    }

    @Test mutating func onEqualOrMissingTimesTheHigherPrecedenceFeedWins() throws {
        _ = engine.apply(update([(.gate, .text("A12"))], feed: "aodb", at: "05:00:00"), receivedAt: received)
        #expect(nothing(engine.apply(update([(.gate, .text("C1"))], feed: "fids", at: "05:00:00"), receivedAt: received)))
        #expect(nothing(engine.apply(update([(.gate, .text("C1"))], feed: "fids"), receivedAt: received)))
        // A newer time wins whatever the precedence.
        let newer = try must(engine.apply(update([(.gate, .text("C1"))], feed: "fids", at: "05:01:00"), receivedAt: received))
        #expect(newer.state.gate == "C1")
        // Equal precedence on a tie: the update wins.
        let tie = try must(engine.apply(update([(.gate, .text("C2"))], feed: "fids", at: "05:01:00"), receivedAt: received))
        #expect(tie.state.gate == "C2")
    }

    @Test mutating func absentIsUnknownButNullClears() throws {
        _ = engine.apply(update([(.gate, .text("A12")), (.remark, .text("Go to gate"))]), receivedAt: received)
        let cleared = try must(engine.apply(update([(.remark, nil)]), receivedAt: received))
        #expect(cleared.changes == [FieldChange(field: .remark, old: .text("Go to gate"), new: nil, feed: "aodb", sourceTime: nil)])
        #expect(cleared.state.gate == "A12")  // absent: untouched
        #expect(cleared.state[.remark] == nil)
        #expect(cleared.state.slot(.remark) != nil)  // known to be cleared, not unknown
    }

    @Test mutating func firstGateAssignmentAndAChangeAreGateChanges() throws {
        let first = try must(engine.apply(update([(.gate, .text("A12"))]), receivedAt: received))
        #expect(first.events.map(\.kind) == [.gateChange])
        #expect(first.events[0].previous.isEmpty)
        #expect(first.events[0].current == [FieldSnapshot(.gate, .text("A12"))])
        let change = try must(engine.apply(update([(.gate, .text("B34"))]), receivedAt: received))
        #expect(change.events.map(\.kind) == [.gateChange])
        #expect(change.events[0].previous == [FieldSnapshot(.gate, .text("A12"))])
        #expect(change.events[0].current == [FieldSnapshot(.gate, .text("B34"))])
    }

    @Test mutating func clearingAGateIsRecordedButIsNoGateChange() throws {
        _ = engine.apply(update([(.gate, .text("A12"))]), receivedAt: received)
        let cleared = try must(engine.apply(update([(.gate, nil)]), receivedAt: received))
        #expect(cleared.changes.map(\.field) == [.gate])
        #expect(cleared.events.isEmpty)
    }

    @Test mutating func delayCrossingTheThresholdUpAndBackDown() throws {
        _ = engine.apply(update([(.scheduled, .time(Self.time("06:30:00"))), (.estimated, .time(Self.time("06:40:00")))]), receivedAt: received)
        let up = try must(engine.apply(update([(.estimated, .time(Self.time("06:50:00")))]), receivedAt: received))
        #expect(up.events.map(\.kind) == [.delay])
        #expect(up.events[0].delayMinutes == 20)
        let down = try must(engine.apply(update([(.estimated, .time(Self.time("06:35:00")))]), receivedAt: received))
        #expect(down.events.map(\.kind) == [.delay])
        #expect(down.events[0].delayMinutes == 5)  // recovered
        let still = try must(engine.apply(update([(.estimated, .time(Self.time("06:38:00")))]), receivedAt: received))
        #expect(still.events.isEmpty)
    }

    @Test mutating func delayGrowingByLessThanTheStepIsQuietByMoreIsAnnounced() throws {
        _ = engine.apply(update([(.scheduled, .time(Self.time("06:30:00"))), (.estimated, .time(Self.time("06:50:00")))]), receivedAt: received)
        let small = try must(engine.apply(update([(.estimated, .time(Self.time("06:54:00")))]), receivedAt: received))
        #expect(small.events.isEmpty)
        let large = try must(engine.apply(update([(.estimated, .time(Self.time("06:56:00")))]), receivedAt: received))
        #expect(large.events.map(\.kind) == [.delay])
        #expect(large.events[0].delayMinutes == 26)
    }

    @Test mutating func aFlightFirstSeenDelayedFiresTheDelay() throws {
        let first = try must(engine.apply(
            update([(.scheduled, .time(Self.time("06:30:00"))), (.estimated, .time(Self.time("07:30:00")))]), receivedAt: received))
        #expect(first.events.map(\.kind) == [.delay])
        #expect(first.events[0].delayMinutes == 60)
    }

    @Test mutating func cancellationThenReinstatement() throws {
        _ = engine.apply(update([(.status, .status(.scheduled))]), receivedAt: received)
        let cancelled = try must(engine.apply(update([(.status, .status(.cancelled))]), receivedAt: received))
        #expect(cancelled.events.map(\.kind) == [.cancellation])
        let back = try must(engine.apply(update([(.status, .status(.scheduled))]), receivedAt: received))
        #expect(back.events.map(\.kind) == [.reinstatement])
        #expect(back.events[0].previous == [FieldSnapshot(.status, .status(.cancelled))])
    }

    @Test mutating func aFlightSeenFirstAsCancelledFiresTheCancellation() throws {
        let first = try must(engine.apply(update([(.status, .status(.cancelled))]), receivedAt: received))
        #expect(first.events.map(\.kind) == [.cancellation])
    }

    @Test mutating func departureAndArrivalFireOnce() throws {
        let off = try must(engine.apply(update([(.status, .status(.departed)), (.actual, .time(Self.time("06:41:00")))]), receivedAt: received))
        #expect(off.events.map(\.kind) == [.departure])
        let airborne = try must(engine.apply(update([(.status, .status(.airborne))]), receivedAt: received))
        #expect(airborne.events.isEmpty)
        let landed = try must(engine.apply(update([(.status, .status(.landed))], key: Self.arrival), receivedAt: received))
        #expect(landed.events.map(\.kind) == [.arrival])
        let onBlock = try must(engine.apply(update([(.status, .status(.arrived))], key: Self.arrival), receivedAt: received))
        #expect(onBlock.events.isEmpty)
    }

    @Test mutating func beltAssignmentTerminalMoveBoardingDiversion() throws {
        let belt = try must(engine.apply(update([(.belt, .text("7")), (.terminal, .text("1"))], key: Self.arrival), receivedAt: received))
        #expect(Set(belt.events.map(\.kind)) == [.beltChange])  // a first terminal is no move
        let moved = try must(engine.apply(update([(.terminal, .text("2"))], key: Self.arrival), receivedAt: received))
        #expect(moved.events.map(\.kind) == [.terminalChange])
        let diverted = try must(engine.apply(update([(.status, .status(.diverted)), (.destination, .text("BSL"))], key: Self.arrival), receivedAt: received))
        #expect(diverted.events.map(\.kind) == [.diversion])
        let boarding = try must(engine.apply(update([(.status, .status(.boarding))]), receivedAt: received))
        #expect(boarding.events.map(\.kind) == [.boarding])
        let closed = try must(engine.apply(update([(.status, .status(.gateClosed))]), receivedAt: received))
        #expect(closed.events.map(\.kind) == [.gateClosed])
    }

    @Test mutating func eventIDsAreStableNameBasedUUIDs() throws {
        let applied = try must(engine.apply(update([(.gate, .text("A12"))]), receivedAt: received))
        let id = applied.events[0].eventID
        #expect(id == EventID.make(flightID: "LX1234-20261124-D", seq: 1, kind: .gateChange))
        #expect(id != EventID.make(flightID: "LX1234-20261124-D", seq: 2, kind: .gateChange))
        #expect(id.count == 36)
        #expect(Array(id)[14] == "5")
    }

    @Test mutating func stateSurvivesARoundTripThroughStorage() throws {
        _ = engine.apply(update([(.gate, .text("A12")), (.remark, .text("x"))], feed: "aodb", at: "05:00:00"), receivedAt: received)
        _ = engine.apply(update([(.remark, nil), (.scheduled, .time(Self.time("06:30:00"))), (.estimated, .time(Self.time("07:00:00")))], feed: "aodb", at: "05:01:00"), receivedAt: received)
        let state = try #require(engine.state(for: Self.departure.flightID))
        let context = PayloadContext(airport: "ZRH", timeZone: .init(identifier: "Europe/Zurich")!)
        let payload = FlightPayload.encode(state, previousSeq: 1, context: context)
        let restored = try FlightState.restore(
            key: state.key, seq: state.seq, updatedAt: state.updatedAt, stateJSON: payload,
            provenanceJSON: Array(state.provenanceJSON.utf8))
        #expect(restored == state)
        // A restarted engine keeps the merge rules: an older gate still loses.
        var restarted = StateEngine(precedence: ["aodb": 10])
        restarted.load(restored)
        #expect(nothing(restarted.apply(update([(.gate, .text("Z9"))], feed: "aodb", at: "04:00:00"), receivedAt: received)))
    }
}

extension StateEngine.AppliedUpdate: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.state == rhs.state && lhs.changes == rhs.changes && lhs.events == rhs.events
    }
}
