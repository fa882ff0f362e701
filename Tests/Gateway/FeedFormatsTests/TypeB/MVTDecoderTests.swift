@testable import FeedFormats
import FlightModel
import Testing

/// Type B movement messages written after FORMATS.md §2 (no freely licensed real traffic
/// exists), with and without their envelope.
@Suite("MVT decoder")
struct MVTDecoderTests {
    private func decode(_ text: String, airport: String? = "ZRH", received: String = "2026-11-24T22:00:00Z") throws -> FlightUpdate {
        let context = FrameContext(feed: "typeb", receivedAt: Timestamp(iso8601: received)!)
        let updates = try MVTDecoder(airport: airport).decode(Array(text.utf8), context: context)
        try #require(updates.count == 1)
        return updates[0]
    }

    private func failure(_ text: String, airport: String? = "ZRH") -> DecodeError? {
        let context = FrameContext(feed: "typeb", receivedAt: Timestamp(iso8601: "2026-11-24T22:00:00Z")!)
        do {
            _ = try MVTDecoder(airport: airport).decode(Array(text.utf8), context: context)
            return nil
        } catch {
            return error
        }
    }

    @Test func anArrivalWithEnvelopeCRLFAndFreeTextAfterSI() throws {
        let text = "\u{01}QD HKGTSXH\r\n.HKGODCI 061625/AMAMQ\r\n\u{02}MVT\r\nCI5825/06.B18778.HKG\r\nAA1612/1624\r\nSI\r\nFR 50500\r\n\u{03}"
        let update = try decode(text, airport: "HKG", received: "2026-11-06T17:00:00Z")
        #expect(update.key.flightID == "CI5825-20261106-A")
        #expect(update.time(.runwayActual) == "2026-11-06T16:12:00Z")
        #expect(update.time(.actual) == "2026-11-06T16:24:00Z")
        #expect(update.status == .arrived)
        #expect(update.text(.rawStatus) == "MVT AA")
        #expect(update[.remark] == .absent)  // FR 50500 is fuel in SI, not a forced return
        #expect(update.sourceTime?.iso8601 == "2026-11-06T16:25:00Z")
    }

    @Test func aDepartureFromUsWithDestinationAndDelayCodes() throws {
        let update = try decode("MVT\nLX1234/24.HBJHA.ZRH\nAD1939/2009 EA2122 LHR\nDL46/02/0005/0004\n")
        #expect(update.key.flightID == "LX1234-20261124-D")
        #expect(update.text(.origin) == "ZRH")
        #expect(update.text(.destination) == "LHR")
        #expect(update.time(.actual) == "2026-11-24T19:39:00Z")
        #expect(update.time(.runwayActual) == "2026-11-24T20:09:00Z")
        #expect(update.status == .airborne)
        #expect(update[.delays] == .value(.delays([DelayCode(code: "46", minutes: 5), DelayCode(code: "02", minutes: 4)])))
    }

    @Test func theSameDepartureElsewhereIsOurArrivalByItsEstimate() throws {
        let update = try decode("MVT\nBA117/24.GEUUA.LHR\nAD1915/1928 EA2040 ZRH\nDL72/0015\n")
        #expect(update.key.flightID == "BA0117-20261124-A")
        #expect(update.text(.origin) == "LHR")
        #expect(update.time(.runwayEstimated) == "2026-11-24T20:40:00Z")
        #expect(update.status == .airborne)
        #expect(update[.delays] == .absent)  // the departure's delay codes belong to the departure
    }

    @Test func aLongFlightsArrivalEstimateIsTheNextDay() throws {
        // Off-block 15:00, airborne 15:10, estimated touchdown 04:00 — the next morning.
        let update = try decode(".SINKKSQ 241512\nMVT\nSQ26/24.9VSKA.SIN\nAD1500/1510 EA0400 ZRH\n")
        #expect(update.key.flightID == "SQ0026-20261124-A")
        #expect(update.time(.runwayEstimated) == "2026-11-25T04:00:00Z")
    }

    @Test func anOnBlockAfterMidnightFollowsItsTouchdown() throws {
        let update = try decode(".ZRHKLLX 250001\nMVT\nLX1/24.HBJHA.ZRH\nAA2355/0004\n", received: "2026-11-25T00:02:00Z")
        #expect(update.time(.runwayActual) == "2026-11-24T23:55:00Z")
        #expect(update.time(.actual) == "2026-11-25T00:04:00Z")
    }

    @Test func anEstimatedDepartureIsADelay() throws {
        let update = try decode("MVT\nLX1234/22.HBJHA.ZRH\nED221125\nDL93/0045\nDLA93//95/\n", received: "2026-11-22T10:00:00Z")
        #expect(update.time(.estimated) == "2026-11-22T11:25:00Z")
        #expect(update.status == .delayed)
        #expect(update[.delays] == .value(.delays([DelayCode(code: "93", minutes: 45)])))
        #expect(update.text(.rawStatus) == "MVT ED")
    }

    @Test func nextInformationIsARemark() throws {
        let update = try decode("MVT\nLX1234/22.HBJHA.ZRH\nNI221150\n", received: "2026-11-22T10:00:00Z")
        #expect(update.text(.remark) == "Next information 11:50")
        #expect(update.text(.rawStatus) == "MVT NI")
    }

    @Test func aDiversionAwayFromUsNamesTheNewAirport() throws {
        let update = try decode("DIV\nNZ081/21.ZKNZC.HKG\nEA0254 BNE\nPOB247\nCAN\n", airport: "AKL", received: "2026-11-21T20:00:00Z")
        #expect(update.key.flightID == "NZ0081-20261121-A")
        #expect(update.status == .diverted)
        #expect(update.text(.destination) == "BNE")
        #expect(update.time(.runwayEstimated) == "2026-11-22T02:54:00Z")
        #expect(update.text(.rawStatus) == "DIV")
    }

    @Test func correctionsAndPossibleDuplicatesAreReadLikeTheOriginal() throws {
        let original = try decode("MVT\nLX1234/24.HBJHA.ZRH\nAD1939/2009\n")
        #expect(try decode("COR MVT\nLX1234/24.HBJHA.ZRH\nAD1939/2009\n") == original)
        #expect(try decode("PDM\nMVT\nLX1234/24.HBJHA.ZRH\nAD1939/2009\n") == original)
    }

    @Test func multiLineAddressesAndNoFramingAtAll() throws {
        let text = "QU ZRHKLLX ZRHOWLX\nHKGKKCX\n.LHROOBA 241930\nMVT\nLX1234/24.HBJHA.ZRH\nAD1939\n"
        let update = try decode(text)
        #expect(update.status == .departed)
        #expect(update.sourceTime?.iso8601 == "2026-11-24T19:30:00Z")
    }

    @Test func dayOfMonthRollsBackAcrossTheYearEnd() throws {
        let update = try decode("MVT\nLX1234/31.HBJHA.ZRH\nAD2350/0005\n", received: "2026-01-01T00:20:00Z")
        #expect(update.key.flightID == "LX1234-20251231-D")
        #expect(update.time(.actual) == "2025-12-31T23:50:00Z")
        #expect(update.time(.runwayActual) == "2026-01-01T00:05:00Z")
    }

    @Test func theEnvelopeDayRollsBackToo() throws {
        let update = try decode(".ZRHKLLX 312355\nMVT\nLX1234/31.HBJHA.ZRH\nAD2350\n", received: "2026-01-01T00:05:00Z")
        #expect(update.sourceTime?.iso8601 == "2025-12-31T23:55:00Z")
        #expect(update.key.date.description == "2025-12-31")
    }

    @Test func tomorrowAcrossAMonthEndAndLeapDays() {
        let reference = Timestamp(iso8601: "2026-01-31T22:00:00Z")!
        #expect(TypeBDates.date(day: 1, near: reference)?.description == "2026-02-01")
        #expect(TypeBDates.date(day: 30, near: reference)?.description == "2026-01-30")
        #expect(TypeBDates.date(day: 29, near: Timestamp(iso8601: "2028-03-01T08:00:00Z")!)?.description == "2028-02-29")
        #expect(TypeBDates.date(day: 30, near: Timestamp(iso8601: "2026-03-01T08:00:00Z")!)?.description == "2026-01-30")
        #expect(TypeBDates.clockTime("0010", near: Timestamp(iso8601: "2026-11-24T23:50:00Z")!)?.iso8601 == "2026-11-25T00:10:00Z")
        #expect(TypeBDates.minutes("2460") == nil)
    }

    @Test func whatIsNotAMovementIsRejectedByName() {
        #expect(failure("LDM\nLX1/24\n")?.message == "not a movement message: LDM")
        #expect(failure("QU ZRHKLLX\n")?.message == "no message identifier (MVT, MVA or DIV)")
    }

    @Test func aBadFlightLineOrTimeNamesItsLine() {
        #expect(failure("MVT\nLX/24.HBJHA.ZRH\nAD1939\n")?.location == "line 2")
        let badTime = failure("MVT\nLX1234/24.HBJHA.ZRH\nAD0770\n")
        #expect(badTime?.location == "line 3, AD")
        #expect(badTime?.message == "\"0770\" is not a time hhmm or ddhhmm")
    }

    @Test func aMessageAboutOtherAirportsIsRejectedWithWhy() {
        #expect(failure("MVT\nLX1234/24.HBJHA.FRA\nAD1939 EA2100 LHR\n")?.message == "MVT for LX1234/24 at FRA does not concern ZRH")
    }

    @Test func withoutAnAirportTheStationIsOurs() throws {
        let update = try decode("MVT\nLX1234/24.HBJHA.FRA\nAA1939/1950\n", airport: nil)
        #expect(update.key.flightID == "LX1234-20261124-A")
        #expect(update.status == .arrived)
    }
}
