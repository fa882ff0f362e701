import Boards
import FlightModel
import Testing

@Suite struct BoardStateTests {
    @Test func eachVisibleChangeTakesTheNextSequenceNumber() throws {
        var state = BoardState(boot: "b1")
        let firstChange = state.apply([BoardFixtures.flight([(.gate, .text("A1"))])])
        let first = try #require(firstChange)
        #expect(first.id == BoardEventID(boot: "b1", seq: 1))
        // The same row again changes nothing a screen shows: no event, no number.
        let repeated = state.apply([BoardFixtures.flight([(.gate, .text("A1"))])])
        #expect(repeated == nil)
        let secondChange = state.apply([BoardFixtures.flight([(.gate, .text("A2"))])])
        let second = try #require(secondChange)
        #expect(second.id.seq == 2)
        #expect(state.flights.values.first?.gate == "A2")
    }

    @Test func onlyTheFlightsThatChangedAreSentAndThePreviousRowsOnlyWhenAsked() throws {
        var state = BoardState(boot: "b1")
        _ = state.apply([BoardFixtures.flight("LX", "1"), BoardFixtures.flight("LX", "2"), BoardFixtures.flight("LX", "3")])
        // LX 2 comes again as it is: the change carries LX 1 and LX 3, in the order given.
        let batch = [
            BoardFixtures.flight("LX", "1", [(.gate, .text("A1"))]), BoardFixtures.flight("LX", "2"),
            BoardFixtures.flight("LX", "3", [(.gate, .text("C3"))]),
        ]
        let keptChange = state.apply(batch)
        let kept = try #require(keptChange)
        #expect(kept.flights.map(\.id) == [batch[0].id, batch[2].id])
        #expect(kept.previous[batch[0].id] == BoardFixtures.flight("LX", "1"))
        #expect(kept.previous.count == 2)
        // Without the previous rows (no screen open): the same change, the board the same.
        var bare = BoardState(boot: "b1")
        _ = bare.apply([BoardFixtures.flight("LX", "1"), BoardFixtures.flight("LX", "2"), BoardFixtures.flight("LX", "3")])
        let unkeptChange = bare.apply(batch, keepingPrevious: false)
        let unkept = try #require(unkeptChange)
        #expect(unkept.flights == kept.flights)
        #expect(unkept.previous.isEmpty)
        #expect(bare.flights == state.flights)
        #expect(bare.seq == state.seq)
    }

    @Test func aScreenThatMissedChangesGetsTheirFlightsAsTheyAreNow() throws {
        var state = BoardState(boot: "b1")
        _ = state.apply([BoardFixtures.flight("LX", "1"), BoardFixtures.flight("LX", "2")])
        _ = state.apply([BoardFixtures.flight("LX", "1", [(.gate, .text("A1"))])])
        _ = state.apply([], removed: [BoardFixtures.flight("LX", "2").id])
        _ = state.apply([BoardFixtures.flight("LX", "1", [(.gate, .text("A9"))])])
        guard case .replay(let update) = state.resume(after: BoardEventID(boot: "b1", seq: 1)) else {
            Issue.record("expected a replay")
            return
        }
        #expect(update.id.seq == 4)
        #expect(update.flights.map(\.gate) == ["A9"])
        #expect(update.removed == [BoardFixtures.flight("LX", "2").id])
        #expect(state.resume(after: BoardEventID(boot: "b1", seq: 4)) == .upToDate)
    }

    @Test func anotherRunAFutureIDOrNoIDGetsASnapshot() {
        var state = BoardState(boot: "b2")
        _ = state.apply([BoardFixtures.flight()])
        #expect(state.resume(after: BoardEventID(boot: "b1", seq: 1)) == .snapshot)
        #expect(state.resume(after: BoardEventID(boot: "b2", seq: 7)) == .snapshot)
        #expect(state.resume(after: nil) == .snapshot)
    }

    @Test func aGapOlderThanTheJournalGetsASnapshot() {
        var state = BoardState(boot: "b", journalCapacity: 3)
        for number in 1...6 { _ = state.apply([BoardFixtures.flight("LX", "\(number)")]) }
        // Three ids remembered: changes 4, 5, 6. A screen at 3 can catch up, one at 2 cannot.
        if case .replay(let update) = state.resume(after: BoardEventID(boot: "b", seq: 3)) {
            #expect(update.flights.count == 3)
        } else {
            Issue.record("expected a replay from 3")
        }
        #expect(state.resume(after: BoardEventID(boot: "b", seq: 2)) == .snapshot)
    }

    @Test func eventIDsRoundTripAndNonsenseIsRefused() {
        #expect(BoardEventID("mbx2k1.42") == BoardEventID(boot: "mbx2k1", seq: 42))
        #expect(BoardEventID("a.b.7") == BoardEventID(boot: "a.b", seq: 7))
        #expect(BoardEventID("42") == nil)
        #expect(BoardEventID("x.-1") == nil)
        #expect(BoardEventID(".5") == nil)
        #expect(BoardEventID(boot: "k", seq: 9).description == "k.9")
    }
}

@Suite struct BoardUpdateFilterTests {
    @Test func aBoardGetsItsRowsAndTheIDsOfRowsThatLeaveIt() throws {
        var state = BoardState(boot: "b")
        _ = state.apply([
            BoardFixtures.flight("LX", "1", [(.gate, .text("A1"))]), BoardFixtures.flight("LX", "2", [(.gate, .text("B2"))]),
        ])
        let change = state.apply([
            BoardFixtures.flight("LX", "1", [(.gate, .text("A9"))]), BoardFixtures.flight("LX", "2", [(.gate, .text("A1"))]),
            BoardFixtures.flight("BA", "3", direction: .arrival, [(.belt, .text("7"))]),
        ])
        let update = try #require(change)
        let gate = try #require(update.filtered(for: .gate("A1"), now: 0))
        #expect(gate.flights.map(\.id) == [BoardFixtures.flight("LX", "2").id])
        #expect(gate.removed == [BoardFixtures.flight("LX", "1").id])
        #expect(gate.id == update.id)
        #expect(update.filtered(for: .belt("9"), now: 0) == nil)
        #expect(update.filtered(for: .belt("7"), now: 0)?.flights.count == 1)
    }
}
