@testable import FeedFormats
import FlightModel
import Testing

/// The mapping rules on small hand-written messages (FORMATS.md §1 and §6).
@Suite("AIDX mapping")
struct AIDXMappingTests {
    private let decoder = AIDXDecoder(airport: "ZRH")

    /// A FlightLegNotifRQ with one leg `LX1234` ZRH→LHR on 2026-11-24, `legData` inside LegData.
    private func message(
        _ legData: String, leg extra: String = "", airline: String = "LX", departure: String = "ZRH", arrival: String = "LHR",
        stamp: String = #"TimeStamp="2026-11-24T08:00:00Z""#
    ) -> [UInt8] {
        Array(
            """
            <IATA_AIDX_FlightLegNotifRQ xmlns="http://www.iata.org/IATA/2007/00" \
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" Version="22.1" \(stamp)>
            <FlightLeg><LegIdentifier><Airline>\(airline)</Airline><FlightNumber>1234</FlightNumber>
            <DepartureAirport>\(departure)</DepartureAirport><ArrivalAirport>\(arrival)</ArrivalAirport>
            <OriginDate>2026-11-24</OriginDate></LegIdentifier>\(extra)<LegData>\(legData)</LegData></FlightLeg>
            </IATA_AIDX_FlightLegNotifRQ>
            """.utf8)
    }

    private func decode(_ bytes: [UInt8]) throws -> FlightUpdate {
        let updates = try decoder.decode(bytes, context: testContext)
        try #require(updates.count == 1)
        return updates[0]
    }

    @Test func xsiNilClearsTheGateAndAMissingElementSaysNothing() throws {
        let update = try decode(message(
            #"<AirportResources Usage="Actual"><Resource DepartureOrArrival="Departure"><PassengerGate xsi:nil="true"/></Resource></AirportResources>"#))
        #expect(update[.gate] == .cleared)
        #expect(update[.stand] == .absent)
        #expect(update[.estimated] == .absent)
    }

    @Test func anEmptyElementIsNotAClear() throws {
        let update = try decode(message(
            #"<AirportResources><Resource DepartureOrArrival="Departure"><PassengerGate></PassengerGate></Resource></AirportResources>"#))
        #expect(update[.gate] == .absent)
    }

    @Test func actualResourcesWinOverPlannedWhateverTheirOrder() throws {
        let update = try decode(message(
            """
            <AirportResources Usage="Actual"><Resource DepartureOrArrival="Departure"><PassengerGate>B2</PassengerGate></Resource></AirportResources>
            <AirportResources Usage="Planned"><Resource DepartureOrArrival="Departure"><PassengerGate>A1</PassengerGate></Resource></AirportResources>
            <AirportResources><Resource DepartureOrArrival="Arrival"><PassengerGate>Z9</PassengerGate></Resource></AirportResources>
            """))
        #expect(update.text(.gate) == "B2")
    }

    @Test func deleteIsNotACancellation() throws {
        let update = try decode(message("", leg: "<SpecialAction>Delete</SpecialAction>"))
        #expect(update.status == .deleted)
        #expect(update.text(.rawStatus) == "Delete")
    }

    @Test func divertedTakesTheNewAirportFromTheHistory() throws {
        let update = try decode(message(
            #"<OperationalStatus CodeContext="2005">DV</OperationalStatus><PlannedArrivalAptHistory RepeatIndex="1">LHR</PlannedArrivalAptHistory><PlannedArrivalAptHistory RepeatIndex="2">STN</PlannedArrivalAptHistory>"#))
        #expect(update.status == .diverted)
        #expect(update.text(.destination) == "STN")
        #expect(update.text(.rawStatus) == "DV")
    }

    @Test func aFlightDivertedToUsIsOurArrival() throws {
        let update = try decode(message(
            #"<OperationalStatus>DV</OperationalStatus><PlannedArrivalAptHistory RepeatIndex="1">ZRH</PlannedArrivalAptHistory>"#,
            departure: "FRA", arrival: "MUC"))
        #expect(update.key.flightID == "LX1234-20261124-A")
        #expect(update.status == .diverted)
        #expect(update.text(.destination) == "ZRH")
    }

    @Test func anArrivalIgnoresDepartureDisplayCodes() throws {
        let update = try decode(message("<RemarkTextCode>BST</RemarkTextCode>", departure: "LHR", arrival: "ZRH"))
        #expect(update[.status] == .absent)
        #expect(update.text(.rawStatus) == "BST")
    }

    @Test func reinstatedIsScheduledAgain() throws {
        let update = try decode(message("<OperationalStatus>SQ</OperationalStatus>"))
        #expect(update.status == .scheduled)
        #expect(update.text(.rawStatus) == "SQ")
    }

    @Test func cancellationOutranksMilestones() throws {
        let update = try decode(message(
            #"<OperationalStatus>DX</OperationalStatus><OperationTime OperationQualifier="BST" TimeType="ACT">2026-11-24T07:50:00Z</OperationTime>"#))
        #expect(update.status == .cancelled)
    }

    @Test func icaoAirlineByItsShapeWhateverTheCodeContext() throws {
        let update = try decode(message("", airline: #"RUK"#))
        #expect(update.key.flightID == "RUK1234-20261124-D")
    }

    @Test func offsetsAndSevenFractionalDigitsAreUTCInstants() throws {
        let update = try decode(message(
            #"<OperationTime OperationQualifier="OFB" TimeType="EST">2026-11-24T10:15:00.1234567+01:00</OperationTime>"#,
            stamp: #"TimeStamp="2026-11-24T09:00:00.0000000+01:00""#))
        #expect(update.time(.estimated) == "2026-11-24T09:15:00.123Z")
        #expect(update.sourceTime?.iso8601 == "2026-11-24T08:00:00Z")
    }

    @Test func unknownQualifiersAndCodesAreKeptOrIgnoredNeverAnError() throws {
        let update = try decode(message(
            #"<OperationalStatus>XYZ</OperationalStatus><OperationTime OperationQualifier="CMA" CodeContext="ZZZ" TimeType="CAL">2026-11-24T09:00:00Z</OperationTime><RemarkTextCode>FOO</RemarkTextCode>"#))
        #expect(update[.status] == .absent)
        #expect(update.text(.rawStatus) == "XYZ")
    }

    @Test func aTargetTimeStandsInOnlyWithoutAnEstimate() throws {
        let target = #"<OperationTime OperationQualifier="OFB" TimeType="TAR">2026-11-24T10:20:00Z</OperationTime>"#
        #expect(try decode(message(target)).time(.estimated) == "2026-11-24T10:20:00Z")
        let both = target + #"<OperationTime OperationQualifier="OFB" TimeType="EST">2026-11-24T10:25:00Z</OperationTime>"#
        #expect(try decode(message(both)).time(.estimated) == "2026-11-24T10:25:00Z")
    }

    @Test func codesharesRemarksDelaysAndCheckIn() throws {
        let update = try decode(message(
            """
            <CodeShareInfo><Airline>AC</Airline><FlightNumber>6701</FlightNumber></CodeShareInfo>
            <IrregularityDelay><ReasonCode>81</ReasonCode><Duration>PT1H5M</Duration></IrregularityDelay>
            <RemarkFreeText>Go to gate</RemarkFreeText>
            <AirportResources><Resource><CheckInInfo><FirstPosition>1</FirstPosition><LastPosition>12</LastPosition></CheckInInfo></Resource></AirportResources>
            """))
        #expect(update[.codeshares] == .value(.list(["AC6701"])))
        #expect(update[.delays] == .value(.delays([DelayCode(code: "81", minutes: 65)])))
        #expect(update.text(.remark) == "Go to gate")
        #expect(update.text(.checkin) == "1-12")
    }

    @Test func aLegElsewhereIsSkippedAndAMessageOfOnlySuchLegsRejected() throws {
        let elsewhere = message("", departure: "FRA", arrival: "LHR")
        #expect(throws: DecodeError("no FlightLeg departs from or arrives at ZRH (legs: FRA→LHR)")) {
            try decoder.decode(elsewhere, context: testContext)
        }
        let arrival = try decode(message("", departure: "LHR", arrival: "ZRH"))
        #expect(arrival.key.flightID == "LX1234-20261124-A")
    }

    @Test func aLegWithoutIdentityIsRejectedWithWhere() {
        let bytes = Array(
            #"<IATA_AIDX_FlightLegNotifRQ xmlns="http://www.iata.org/IATA/2007/00"><FlightLeg><LegIdentifier><Airline>LX</Airline><DepartureAirport>ZRH</DepartureAirport><ArrivalAirport>LHR</ArrivalAirport><OriginDate>2026-11-24</OriginDate></LegIdentifier></FlightLeg></IATA_AIDX_FlightLegNotifRQ>"#.utf8)
        #expect(throws: DecodeError("missing or empty", at: "FlightLeg[1]/LegIdentifier/FlightNumber")) {
            try decoder.decode(bytes, context: testContext)
        }
    }

    @Test func aBadTimeNamesItsElement() {
        #expect(throws: DecodeError("\"soon\" is not an ISO 8601 time", at: "FlightLeg[1]/OperationTime[OFB/EST]")) {
            try decoder.decode(
                message(#"<OperationTime OperationQualifier="OFB" TimeType="EST">soon</OperationTime>"#), context: testContext)
        }
    }

    @Test func legsInsideASOAPEnvelopeAndSeveralPerMessage() throws {
        let soap = Array(
            """
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
            <a:IATA_AIDX_FlightLegRS xmlns:a="http://www.iata.org/IATA/2007/00"><a:Success/>
            <a:FlightLeg><a:LegIdentifier><a:Airline>LX</a:Airline><a:FlightNumber>1</a:FlightNumber><a:DepartureAirport>ZRH</a:DepartureAirport><a:ArrivalAirport>GVA</a:ArrivalAirport><a:OriginDate>2026-11-24</a:OriginDate></a:LegIdentifier></a:FlightLeg>
            <a:FlightLeg><a:LegIdentifier><a:Airline>LX</a:Airline><a:FlightNumber>2</a:FlightNumber><a:DepartureAirport>GVA</a:DepartureAirport><a:ArrivalAirport>ZRH</a:ArrivalAirport><a:OriginDate>2026-11-24</a:OriginDate></a:LegIdentifier></a:FlightLeg>
            </a:IATA_AIDX_FlightLegRS></s:Body></s:Envelope>
            """.utf8)
        let updates = try decoder.decode(soap, context: testContext)
        #expect(updates.map(\.key.flightID) == ["LX0001-20261124-D", "LX0002-20261124-A"])
    }

    @Test func aResponseWithoutLegsIsEmptyAndAForeignDocumentRejected() throws {
        let empty = Array(#"<IATA_AIDX_FlightLegRS xmlns="http://www.iata.org/IATA/2007/00"><Success/></IATA_AIDX_FlightLegRS>"#.utf8)
        #expect(try decoder.decode(empty, context: testContext).isEmpty)
        let foreign = Array(#"<IATA_AIDX_FlightLegNotifRQ xmlns="urn:not-iata"/>"#.utf8)
        #expect(throws: DecodeError.self) { try decoder.decode(foreign, context: testContext) }
    }

    @Test func durationsInMinutes() {
        #expect(AIDXDecoderDurations.minutes("PT15M") == 15)
        #expect(AIDXDecoderDurations.minutes("PT1H5M") == 65)
        #expect(AIDXDecoderDurations.minutes("P1DT2H") == 1560)
        #expect(AIDXDecoderDurations.minutes("PT") == nil)
        #expect(AIDXDecoderDurations.minutes("15M") == nil)
        #expect(AIDXDecoderDurations.minutes("PTM") == nil)
    }
}

enum AIDXDecoderDurations {
    static func minutes(_ text: String) -> Int? { AIDXLegReader.minutes(ofDuration: text) }
}
