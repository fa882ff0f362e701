@testable import RelayDaemon
import Testing

/// The lookup's reading of what passengers type, and the card's local time and escaping.
@Suite struct FlightQueryTests {
    @Test func flightNumbersAsPrintedOnBoardingPasses() throws {
        for (typed, airline, number) in [
            ("LX1234", "LX", "1234"), ("lx 1234", "LX", "1234"), ("U2 1474", "U2", "1474"), ("4U12", "4U", "12"),
            ("SWR123", "SWR", "123"), ("LX1234A", "LX", "1234A"), (" ba 7 ", "BA", "7"),
        ] {
            let query = try FlightQuery(flight: typed, date: "2026-11-24")
            #expect(query.airline == airline && query.number == number, "\(typed)")
        }
    }

    @Test func badInputNamesTheField() {
        for (flight, date, field) in [
            ("", "2026-11-24", "flight"), ("12345", "2026-11-24", "flight"), ("LX12345", "2026-11-24", "flight"),
            ("<b>", "2026-11-24", "flight"), ("LX1234", "", "date"), ("LX1234", "2026-02-29", "date"), ("LX1234", "24.11.2026", "date"),
        ] {
            let problem = #expect(throws: FlightQuery.Problem.self, "\(flight) \(date)") { try FlightQuery(flight: flight, date: date) }
            #expect(problem?.field == field, "\(flight) \(date)")
        }
    }

    @Test func shortNumbersAreAlsoTriedPaddedToFourDigits() throws {
        #expect(try FlightQuery(flight: "TP980", date: "2026-11-24").padded?.number == "0980")
        #expect(try FlightQuery(flight: "LX8A", date: "2026-11-24").padded?.number == "0008A")
        #expect(try FlightQuery(flight: "LX1234", date: "2026-11-24").padded == nil)
    }

    @Test func aStreamWatchesItsFlightsBothSidesAndSuffixes() {
        let key = PassengerHub.FlightKey(airline: "LX", number: "1234", date: "2026-11-24")
        #expect(key.matches(flightID: "LX1234-20261124-D"))
        #expect(key.matches(flightID: "LX1234-20261124-A"))
        #expect(key.matches(flightID: "LX1234A-20261124-D"))
        #expect(!key.matches(flightID: "LX12345-20261124-D"))
        #expect(!key.matches(flightID: "LX1234-20261125-D"))
        #expect(!key.matches(flightID: "LX123-20261124-D"))
    }

    @Test func timesAreTheAirportsLocalTimeFromTheEventsOffset() {
        #expect(FlightCard.localOffset("2026-11-24T07:30:00+01:00") == 3600)
        #expect(FlightCard.localOffset("2026-06-24T08:30:00+02:00") == 7200)
        #expect(FlightCard.localOffset("2026-11-24T01:30:00-05:00") == -18000)
        #expect(FlightCard.localOffset(nil) == nil)
        #expect(FlightCard.time("2026-11-24T06:30:00Z", offset: 3600).contains(">07:30</time>"))
        #expect(FlightCard.time("2026-11-24T06:30:00Z", offset: nil).contains(">06:30 UTC</time>"))
    }

    @Test func theStreamsFramingKeepsEachFieldOnItsLine() {
        let event = String(decoding: PassengerStreamEvent.event("flight", id: "a\nb", data: "one\ntwo"), as: UTF8.self)
        #expect(event == "event: flight\nid: ab\ndata: one\ndata: two\n\n")
        #expect(PassengerHub.stateID("x", "y") == PassengerHub.stateID("x", "y"))
        #expect(PassengerHub.stateID("xy", "") != PassengerHub.stateID("x", "y"))
    }
}
