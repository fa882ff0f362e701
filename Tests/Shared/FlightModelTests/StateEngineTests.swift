import FlightModel
import Testing

/// The merge rules of DESIGN.md §3: per field, newer source time wins, then precedence, then
/// the last writer; absent is no change, null clears.
@Suite struct StateEngineTests {
    var engine = Fixtures.engine()
    let id = Fixtures.departure.flightID

    @Test mutating func firstSightingCreatesTheFlightWithSeqOne() throws {
        let applied = try engine.applied(Fixtures.update([(.gate, .text("A12"))], at: "04:59:00"))
        #expect(applied.isNewFlight)
        #expect(applied.state.seq == 1)
        #expect(applied.state.gate == "A12")
        #expect(applied.state.firstSeen == Fixtures.received)
        #expect(applied.state.updatedAt == Fixtures.received)
        #expect(
            applied.changes == [
                FieldChange(
                    field: .gate, old: nil, new: .text("A12"), feed: "aodb", sourceTime: Fixtures.time("04:59:00"))
            ])
        #expect(engine.count == 1)
    }

    /// The pipeline's `applyChanges` does what `apply` does, without the copy of the flight:
    /// the same seq, changes and events, and the engine holds the same flight after.
    @Test func applyChangesIsApplyWithoutTheFlight() throws {
        var withState = Fixtures.engine()
        var withoutState = Fixtures.engine()
        let updates = [
            Fixtures.update([(.gate, .text("A12")), (.status, .status(.scheduled)), (.scheduled, .time(Fixtures.time("09:00")))], at: "04:00"),
            Fixtures.update([(.gate, .text("A14"))], at: "04:10"),
            Fixtures.update([(.gate, .text("A14"))], at: "04:11"),  // nothing new
            Fixtures.update([(.estimated, .time(Fixtures.time("09:40")))], feed: "fids", at: "04:20"),
            Fixtures.update([(.status, .status(.cancelled)), (.gate, nil)], at: "04:30"),
            Fixtures.update([(.belt, .text("7"))], key: Fixtures.arrival, at: "04:31"),
            Fixtures.update([(.gate, .text("B1"))], feed: "fids", at: "04:00"),  // older and lower: kept out
        ]
        var events = 0
        for update in updates {
            let full = withState.apply(update, receivedAt: Fixtures.received)
            let light = withoutState.applyChanges(update, receivedAt: Fixtures.received)
            #expect(light?.seq == full?.state.seq)
            #expect(light?.isNewFlight == full?.isNewFlight)
            #expect(light?.changes == full?.changes)
            #expect(light?.events == full?.events)
            #expect(withoutState.state(for: update.key) == withState.state(for: update.key))
            events += light?.events.count ?? 0
        }
        #expect(events >= 3, "gate change, cancellation, delay among them")
    }

    @Test mutating func knowsAFlightOnlyOnceItWasApplied() throws {
        let update = Fixtures.update([(.gate, .text("A12"))], at: "04:59:00")
        #expect(!engine.knows(update.key))
        _ = try engine.applied(update)
        #expect(engine.knows(update.key))
        engine.remove(update.key.flightID)
        #expect(!engine.knows(update.key))
    }

    @Test mutating func aFlightWithOnlyItsIdentityIsStillANewFlight() throws {
        let applied = try engine.applied(Fixtures.update([]))
        #expect(applied.isNewFlight)
        #expect(applied.state.seq == 1)
        #expect(applied.changes.isEmpty)
        #expect(engine.apply(Fixtures.update([]), receivedAt: Fixtures.received) == nil)
    }

    @Test mutating func theSameUpdateTwiceChangesNothingAndEmitsNothing() throws {
        let update = Fixtures.update(
            [
                (.gate, .text("A12")), (.status, .status(.cancelled)), (.scheduled, .time(Fixtures.time("06:30"))),
                (.estimated, .time(Fixtures.time("07:30"))), (.remark, nil),
            ], at: "05:00:00")
        let first = try engine.applied(update)
        #expect(!first.events.isEmpty)
        #expect(engine.apply(update, receivedAt: Fixtures.time("05:01:00")) == nil)
        #expect(engine.state(for: id) == first.state)
        // Without a source time too.
        let untimed = Fixtures.update([(.stand, .text("E23"))])
        _ = try engine.applied(untimed)
        #expect(engine.apply(untimed, receivedAt: Fixtures.received) == nil)
    }

    @Test mutating func seqGrowsByExactlyOnePerUpdateThatChangedSomething() throws {
        #expect(try engine.applied(Fixtures.update([(.gate, .text("A1"))])).state.seq == 1)
        #expect(engine.apply(Fixtures.update([(.gate, .text("A1"))]), receivedAt: Fixtures.received) == nil)
        let three = try engine.applied(
            Fixtures.update([(.gate, .text("A2")), (.stand, .text("E1")), (.belt, .text("3"))]))
        #expect(three.state.seq == 2)
        #expect(three.changes.count == 3)
        #expect(try engine.applied(Fixtures.update([(.stand, nil)])).state.seq == 3)
        #expect(engine.state(for: id)?.seq == 3)
    }

    @Test mutating func anOlderSourceTimeNeverOverwritesANewerValue() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("B34"))], at: "05:10:00"))
        #expect(
            engine.apply(Fixtures.update([(.gate, .text("A12"))], at: "05:05:00"), receivedAt: Fixtures.received) == nil
        )
        #expect(engine.apply(Fixtures.update([(.gate, nil)], at: "05:05:00"), receivedAt: Fixtures.received) == nil)
        #expect(engine.state(for: id)?.gate == "B34")
        // Even from a feed of higher precedence.
        #expect(
            engine.apply(
                Fixtures.update([(.gate, .text("A12"))], feed: "aodb", at: "05:09:59"), receivedAt: Fixtures.received)
                == nil)
    }

    @Test mutating func outOfOrderUpdatesMergeFieldByField() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("B34"))], at: "05:10:00"))
        let late = try engine.applied(Fixtures.update([(.gate, .text("A12")), (.stand, .text("E23"))], at: "05:05:00"))
        #expect(late.changes.map(\.field) == [.stand])
        #expect(late.state.gate == "B34")
        #expect(late.state.stand == "E23")
        #expect(late.state.slot(.stand)?.sourceTime == Fixtures.time("05:05:00"))
        #expect(late.state.slot(.gate)?.sourceTime == Fixtures.time("05:10:00"))
    }

    @Test mutating func aNewerSourceTimeWinsWhateverThePrecedence() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("A12"))], feed: "aodb", at: "05:00:00"))
        let newer = try engine.applied(Fixtures.update([(.gate, .text("C1"))], feed: "fids", at: "05:01:00"))
        #expect(newer.state.gate == "C1")
        #expect(
            newer.changes == [
                FieldChange(
                    field: .gate, old: .text("A12"), new: .text("C1"), feed: "fids",
                    sourceTime: Fixtures.time("05:01:00"))
            ])
        #expect(
            newer.state.slot(.gate)
                == FlightState.Slot(
                    value: .text("C1"), sourceTime: Fixtures.time("05:01:00"), feed: "fids", precedence: 5))
    }

    @Test mutating func onEqualSourceTimesTheHigherPrecedenceFeedWins() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("A12"))], feed: "aodb", at: "05:00:00"))
        #expect(
            engine.apply(
                Fixtures.update([(.gate, .text("C1"))], feed: "fids", at: "05:00:00"), receivedAt: Fixtures.received)
                == nil)
        #expect(engine.state(for: id)?.gate == "A12")
        // The other way round: the higher precedence overwrites the lower one at the same time.
        _ = try engine.applied(Fixtures.update([(.stand, .text("E1"))], feed: "fids", at: "05:00:00"))
        #expect(
            try engine.applied(Fixtures.update([(.stand, .text("E2"))], feed: "aodb", at: "05:00:00")).state.stand
                == "E2")
    }

    @Test mutating func onAMissingSourceTimeTheHigherPrecedenceFeedWins() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("A12"))], feed: "aodb", at: "05:00:00"))
        #expect(
            engine.apply(Fixtures.update([(.gate, .text("C1"))], feed: "fids"), receivedAt: Fixtures.received) == nil)
        _ = try engine.applied(Fixtures.update([(.stand, .text("E1"))], feed: "fids"))
        #expect(
            engine.apply(
                Fixtures.update([(.stand, .text("E9"))], feed: "fids", at: "04:00:00"), receivedAt: Fixtures.received)?
                .state.stand == "E9")
        #expect(
            engine.apply(Fixtures.update([(.stand, .text("E2"))], feed: "aodb"), receivedAt: Fixtures.received)?.state
                .stand == "E2")
    }

    @Test mutating func onEqualTimesAndPrecedenceTheLastWriterWins() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("C1"))], feed: "fids", at: "05:01:00"))
        #expect(
            try engine.applied(Fixtures.update([(.gate, .text("C2"))], feed: "fids", at: "05:01:00")).state.gate == "C2"
        )
        _ = try engine.applied(Fixtures.update([(.stand, .text("E1"))], feed: "fids"))
        #expect(try engine.applied(Fixtures.update([(.stand, .text("E2"))], feed: "fids")).state.stand == "E2")
    }

    @Test mutating func feedsWithoutAConfiguredPrecedenceHaveZero() throws {
        #expect(engine.precedence(of: "aodb") == 10)
        #expect(engine.precedence(of: "integrations") == 0)
        _ = try engine.applied(Fixtures.update([(.gate, .text("A12"))], feed: "fids", at: "05:00:00"))
        #expect(
            engine.apply(
                Fixtures.update([(.gate, .text("Z1"))], feed: "integrations", at: "05:00:00"),
                receivedAt: Fixtures.received) == nil)
    }

    @Test mutating func absentIsUnknownButNullClears() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("A12")), (.remark, .text("Go to gate"))]))
        let cleared = try engine.applied(Fixtures.update([(.remark, nil)]))
        #expect(
            cleared.changes == [
                FieldChange(field: .remark, old: .text("Go to gate"), new: nil, feed: "aodb", sourceTime: nil)
            ])
        #expect(cleared.state.gate == "A12")
        #expect(cleared.state[.remark] == nil)
        #expect(cleared.state.isKnown(.remark))
        #expect(!cleared.state.isKnown(.stand))
    }

    @Test mutating func clearingAnUnknownFieldIsNoChangeButMakesItKnown() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("A12"))], at: "05:00:00"))
        #expect(engine.apply(Fixtures.update([(.belt, nil)], at: "05:10:00"), receivedAt: Fixtures.received) == nil)
        let state = try #require(engine.state(for: id))
        #expect(state.isKnown(.belt))
        #expect(state.seq == 1)
        // The known-cleared field now keeps an older value out.
        #expect(
            engine.apply(Fixtures.update([(.belt, .text("7"))], at: "05:05:00"), receivedAt: Fixtures.received) == nil)
    }

    @Test mutating func anEqualValueIsNoChangeButConfirmsTheNewerSourceTime() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("A12"))], feed: "aodb", at: "05:00:00"))
        #expect(
            engine.apply(
                Fixtures.update([(.gate, .text("A12"))], feed: "fids", at: "05:10:00"), receivedAt: Fixtures.received)
                == nil)
        #expect(engine.state(for: id)?.seq == 1)
        #expect(engine.state(for: id)?.slot(.gate)?.sourceTime == Fixtures.time("05:10:00"))
        // So an update from before the confirmation cannot undo it.
        #expect(
            engine.apply(
                Fixtures.update([(.gate, .text("B1"))], feed: "aodb", at: "05:05:00"), receivedAt: Fixtures.received)
                == nil)
        #expect(engine.state(for: id)?.gate == "A12")
    }

    @Test mutating func changesAreListedInFieldOrderWithOldAndNewValues() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("A12")), (.status, .status(.scheduled))]))
        let applied = try engine.applied(
            Fixtures.update([(.status, .status(.boarding)), (.remark, .text("Go")), (.gate, .text("B2"))]))
        #expect(applied.changes.map(\.field) == [.gate, .status, .remark])
        #expect(applied.changes.map(\.old) == [.text("A12"), .status(.scheduled), nil])
        #expect(applied.changes.map(\.new) == [.text("B2"), .status(.boarding), .text("Go")])
        #expect(!applied.isNewFlight)
        #expect(applied.state.updatedAt == Fixtures.received)
    }

    /// The engine merges into the state it stores; a state read out before (a batch keeps
    /// one to undo a refused commit) must not change with it.
    @Test mutating func aStateReadBeforeAnUpdateKeepsItsValues() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("A12")), (.status, .status(.scheduled))]))
        let before = try #require(engine.state(for: id))
        let applied = try engine.applied(Fixtures.update([(.gate, .text("B2"))]))
        #expect(before.gate == "A12")
        #expect(before.seq == 1)
        #expect(applied.state.gate == "B2")
        #expect(applied.state.seq == 2)
        let next = try engine.applied(Fixtures.update([(.status, .status(.boarding))]))
        #expect(applied.state.status == .scheduled)
        #expect(next.state.status == .boarding)
        #expect(engine.state(for: id)?.gate == "B2")
    }

    @Test mutating func updatedAtIsTheReceiptOfTheLastChange() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("A12"))]), receivedAt: Fixtures.time("05:00"))
        _ = engine.apply(Fixtures.update([(.gate, .text("A12"))]), receivedAt: Fixtures.time("05:30"))
        #expect(engine.state(for: id)?.updatedAt == Fixtures.time("05:00"))
        _ = try engine.applied(Fixtures.update([(.gate, .text("A14"))]), receivedAt: Fixtures.time("05:40"))
        #expect(engine.state(for: id)?.updatedAt == Fixtures.time("05:40"))
        #expect(engine.state(for: id)?.firstSeen == Fixtures.time("05:00"))
    }

    @Test mutating func flightsAreKeptApart() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("A12"))]))
        let other = try engine.applied(Fixtures.update([(.belt, .text("7"))], key: Fixtures.arrival))
        #expect(other.isNewFlight)
        #expect(other.state.seq == 1)
        #expect(other.state.gate == nil)
        #expect(engine.count == 2)
        #expect(engine.state(for: Fixtures.arrival)?.belt == "7")
        #expect(engine.state(for: "BA0117A-20261124-A")?.belt == "7")
    }

    @Test mutating func loadRemoveAndRestoreManageTheFlightsHeld() throws {
        let first = try engine.applied(Fixtures.update([(.gate, .text("A12"))]))
        var restarted = Fixtures.engine()
        restarted.load(first.state)
        #expect(restarted.count == 1)
        let next = try restarted.applied(Fixtures.update([(.gate, .text("B34"))]))
        #expect(!next.isNewFlight)
        #expect(next.state.seq == 2)
        #expect(next.changes.first?.old == .text("A12"))
        restarted.restore(id, to: first.state)
        #expect(restarted.state(for: id)?.gate == "A12")
        restarted.remove(Fixtures.departure)
        #expect(restarted.count == 0)
        restarted.restore(id, to: first.state)
        restarted.remove(id)
        #expect(restarted.state(for: id) == nil)
        #expect(try restarted.applied(Fixtures.update([(.gate, .text("B34"))])).isNewFlight)
        #expect(Array(restarted.allStates.map(\.key)) == [Fixtures.departure])
    }

    @Test mutating func theEngineIsDeterministic() throws {
        var other = Fixtures.engine()
        let updates = [
            Fixtures.update([(.scheduled, .time(Fixtures.time("06:30"))), (.gate, .text("A1"))], at: "04:00"),
            Fixtures.update(
                [(.estimated, .time(Fixtures.time("07:00"))), (.status, .status(.delayed))], feed: "fids", at: "04:10"),
            Fixtures.update([(.gate, .text("B2")), (.status, .status(.boarding))], at: "04:20"),
        ]
        for update in updates {
            #expect(
                engine.apply(update, receivedAt: Fixtures.received)
                    == other.apply(update, receivedAt: Fixtures.received))
        }
    }
}
