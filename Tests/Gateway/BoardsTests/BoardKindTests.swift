import Boards
import FlightModel
import Testing

@Suite struct BoardKindTests {
    let now = BoardFixtures.time("06:00").millisecondsSinceEpoch

    @Test func departuresAreSortedByScheduledTimeNotEstimated() {
        let late = BoardFixtures.flight("LX", "1", [
            (.scheduled, .time(BoardFixtures.time("06:30"))), (.estimated, .time(BoardFixtures.time("08:00"))),
        ])
        let next = BoardFixtures.flight("LX", "2", [(.scheduled, .time(BoardFixtures.time("07:00")))])
        let arrival = BoardFixtures.flight("BA", "3", direction: .arrival, [(.scheduled, .time(BoardFixtures.time("06:45")))])
        #expect(BoardKind.departures.rows(of: [next, arrival, late], now: now).map(\.id) == [late.id, next.id])
        #expect(BoardKind.arrivals.rows(of: [next, arrival, late], now: now).map(\.id) == [arrival.id])
    }

    @Test func aDepartedFlightLeavesTheListTenMinutesAfterOffBlock() {
        let gone = BoardFixtures.flight([
            (.scheduled, .time(BoardFixtures.time("05:30"))), (.actual, .time(BoardFixtures.time("05:45"))),
            (.status, .status(.departed)),
        ])
        #expect(BoardKind.departures.shows(gone, now: BoardFixtures.time("05:55").millisecondsSinceEpoch))
        #expect(!BoardKind.departures.shows(gone, now: BoardFixtures.time("05:56").millisecondsSinceEpoch))
    }

    @Test func aDelayedFlightStaysWhileItsEstimateIsAhead() {
        let delayed = BoardFixtures.flight([
            (.scheduled, .time(BoardFixtures.time("01:00"))), (.estimated, .time(BoardFixtures.time("05:30"))),
        ])
        #expect(BoardKind.departures.shows(delayed, now: now))
    }

    @Test func aGateShowsItsDeparturesUntilTheyLeaveIt() {
        let boarding = BoardFixtures.flight("LX", "1", [(.gate, .text("A12")), (.status, .status(.boarding))])
        let departed = BoardFixtures.flight("LX", "2", [(.gate, .text("A12")), (.status, .status(.departed))])
        let elsewhere = BoardFixtures.flight("LX", "3", [(.gate, .text("B34"))])
        #expect(BoardKind.gate("A12").rows(of: [boarding, departed, elsewhere], now: now).map(\.id) == [boarding.id])
    }

    @Test func aBeltShowsArrivalsUntil90MinutesAfterLanding() {
        let landed = BoardFixtures.flight("BA", "1", direction: .arrival, [
            (.belt, .text("7")), (.actual, .time(BoardFixtures.time("05:00"))), (.status, .status(.arrived)),
        ])
        #expect(BoardKind.belt("7").shows(landed, now: BoardFixtures.time("06:30").millisecondsSinceEpoch))
        #expect(!BoardKind.belt("7").shows(landed, now: BoardFixtures.time("06:31").millisecondsSinceEpoch))
        #expect(!BoardKind.belt("8").shows(landed, now: now))
    }

    @Test func gateAndBeltNamesInAPathAreLettersDigitsAndDashes() {
        #expect(BoardKind.isPlausibleName("A12"))
        #expect(BoardKind.isPlausibleName("T2-04"))
        #expect(!BoardKind.isPlausibleName(""))
        #expect(!BoardKind.isPlausibleName("<script>"))
        #expect(!BoardKind.isPlausibleName("A12/../x"))
        #expect(!BoardKind.isPlausibleName(String(repeating: "A", count: 13)))
    }
}
