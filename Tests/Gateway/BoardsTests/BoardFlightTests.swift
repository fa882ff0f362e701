@testable import Boards
import FlightModel
import Testing

@Suite struct BoardFlightTests {
    @Test func statusWordsFollowTheNormalizedStatus() {
        let cases: [(FlightStatus, BoardStatus)] = [
            (.boarding, .boarding), (.finalCall, .finalCall), (.gateClosed, .gateClosed), (.airborne, .departed),
            (.cancelled, .cancelled), (.deleted, .notOperating), (.landed, .landed), (.gateOpen, .gateOpen),
        ]
        for (status, expected) in cases {
            #expect(BoardFixtures.flight([(.status, .status(status))]).status == expected)
        }
    }

    @Test func aScheduledFlightFiveMinutesLateReadsDelayed() {
        let late = BoardFixtures.flight([
            (.scheduled, .time(BoardFixtures.time("06:30"))), (.estimated, .time(BoardFixtures.time("06:35"))),
        ])
        let early = BoardFixtures.flight([
            (.scheduled, .time(BoardFixtures.time("06:30"))), (.estimated, .time(BoardFixtures.time("06:34"))),
        ])
        #expect(late.status == .delayed)
        #expect(early.status == .onTime)
        #expect(BoardStatus.delayed.cssClass == "st-delayed")
    }

    @Test func designatorsDropLeadingZerosAndKeepCodesharesInOrder() {
        let flight = BoardFixtures.flight("JQ", "355", [(.codeshares, .list(["AC6701", "LH 0042", "odd one"]))])
        #expect(flight.designators == ["JQ 355", "AC 6701", "LH 42", "odd one"])
    }

    /// The byte path (printable ASCII) and the Character path (anything else) read codeshares
    /// by the same rules.
    @Test func codeshareDesignatorsOnBothPaths() {
        let cases: [(String, String)] = [
            ("EZY1234", "EZY 1234"), ("AC 0670", "AC 670"), ("AC6701A", "AC 6701A"), ("AC0000", "AC 0"),
            ("U20001", "U2 1"), ("AC67AB", "AC67AB"), ("ACB", "ACB"), ("AC ", "AC "),
            ("ÄC6701", "ÄC 6701"), ("AC６７", "AC６７"), ("AC\r\n67", "AC\r\n 67"),
        ]
        for (codeshare, shown) in cases {
            #expect(BoardFlight.designator(codeshare: codeshare) == shown, "\(codeshare)")
        }
        #expect(BoardFlight.designator(airline: "LX", number: "0012") == "LX 12")
        #expect(BoardFlight.designator(airline: "LX", number: "0000") == "LX 0")
        #expect(BoardFlight.designator(airline: "EZY", number: "1234") == "EZY 1234")
    }

    @Test func estimatedEqualToScheduledIsNotShownTwice() {
        let flight = BoardFixtures.flight([
            (.scheduled, .time(BoardFixtures.time("06:30"))), (.estimated, .time(BoardFixtures.time("06:30"))),
        ])
        #expect(flight.estimated == nil)
    }

    @Test func localTimesAreTheAirportsIncludingSummerTime() {
        #expect(BoardFixtures.settings.localTime(BoardFixtures.time("06:30")) == "07:30")
        #expect(BoardFixtures.settings.localTime(Timestamp(iso8601: "2026-07-01T23:10:00Z")!) == "01:10")
    }

    @Test func everyStatusHasAWordInEveryLanguage() {
        for language in BoardLanguage.allCases {
            for status in BoardStatus.allCases {
                #expect(!language.word(.status(status)).isEmpty)
            }
        }
        #expect(BoardLanguage.de.word(.status(.cancelled)) == "Annulliert")
    }
}
