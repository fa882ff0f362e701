import FeedFormats
import FlightModel
import Testing

/// Every real AIDX sample decodes to what a person reads in it (Samples/aidx).
@Suite("AIDX samples")
struct AIDXSampleTests {
    private func decode(_ file: String, airport: String?) throws -> FlightUpdate {
        let updates = try AIDXDecoder(airport: airport).decode(try Samples.bytes("aidx/\(file)"), context: testContext)
        try #require(updates.count == 1)
        return updates[0]
    }

    @Test func gatwickArrivalWithPrefixedNamespaceAndZonelessTimeStamp() throws {
        let update = try decode("drt-lgw__lgw.xml", airport: "LGW")
        #expect(update.key.flightID == "VS0808P-20180603-A")
        #expect(update.text(.origin) == "LHR")
        #expect(update.time(.scheduled) == "2018-06-03T19:50:00Z")
        #expect(update.time(.estimated) == "2018-06-03T19:37:00Z")
        #expect(update.time(.actual) == "2018-06-03T19:36:00Z")
        #expect(update.time(.runwayEstimated) == "2018-06-03T19:28:00Z")
        #expect(update.time(.runwayActual) == "2018-06-03T19:30:00Z")
        #expect(update.text(.terminal) == "2")
        #expect(update.status == .arrived)
        #expect(update.text(.rawStatus) == "LAN")
        #expect(update.sourceTime?.iso8601 == "2018-06-07T11:24:57Z")  // no zone: UTC
    }

    @Test func arrivalEstimatedTenMinutesLate() throws {
        let update = try decode("wsi-amadeus__Arrival_ETA_LATE_10MIN_STA.xml", airport: "WSI")
        #expect(update.key.flightID == "JQ0255-20250910-A")
        #expect(update.text(.origin) == "OOL")
        #expect(update.time(.scheduled) == "2025-09-10T09:15:00Z")
        #expect(update.time(.estimated) == "2025-09-10T09:25:00Z")
        #expect(update.text(.gate) == "19B")
        #expect(update.text(.belt) == "RE01")
        #expect(update[.status] == .absent)
        #expect(update.text(.rawStatus) == "OP")
    }

    @Test func arrivalEstimatedTenMinutesEarly() throws {
        let update = try decode("wsi-amadeus__Arrival_ETA_LESS_10MIN_STA.xml", airport: "WSI")
        #expect(update.key.flightID == "JQ0155-20250910-A")
        #expect(update.time(.scheduled) == "2025-09-10T09:30:00Z")
        #expect(update.time(.estimated) == "2025-09-10T09:20:00Z")
        #expect(update.text(.gate) == "22A")
        #expect(update.text(.belt) == "RE02")
    }

    @Test func arrivalLandedByTouchdownTime() throws {
        let update = try decode("wsi-amadeus__Arrival_with_OperationTime_TDN_landed.xml", airport: "WSI")
        #expect(update.key.flightID == "VA0419-20250908-A")
        #expect(update.time(.runwayActual) == "2025-09-08T04:20:00Z")
        #expect(update.status == .landed)
        #expect(update.text(.belt) == "RE02")
    }

    @Test func arrivalCancelledByDX() throws {
        let update = try decode("wsi-amadeus__Arrival_with_OperationalStatus_DX_Cancelled.xml", airport: "WSI")
        #expect(update.key.flightID == "QF0472-20250905-A")
        #expect(update.status == .cancelled)
        #expect(update.text(.rawStatus) == "DX")
        #expect(update.text(.origin) == "BNE")
    }

    @Test func departureEstimatedThirtyMinutesLate() throws {
        let update = try decode("wsi-amadeus__Departure_ETD_LATE_30MIN_STD.xml", airport: "WSI")
        #expect(update.key.flightID == "QF0215-20250910-D")
        #expect(update.text(.destination) == "DXB")
        #expect(update.time(.scheduled) == "2025-09-10T10:00:00Z")
        #expect(update.time(.estimated) == "2025-09-10T10:30:00Z")
        #expect(update.text(.gate) == "24A")
    }

    @Test func departureBoardingStarted() throws {
        let update = try decode("wsi-amadeus__Departure_with_OperationTime_BST_Boarding_Start_XMIDS.xml", airport: "WSI")
        #expect(update.key.flightID == "VA0619-20250908-D")
        #expect(update.status == .boarding)  // BST after GTO: the furthest milestone
        #expect(update.text(.gate) == "19B")
        #expect(update[.codeshares] == .value(.list(["VA6199"])))
    }

    @Test func departureCheckInClosedSaysSoInTheRawStatus() throws {
        let update = try decode("wsi-amadeus__Departure_with_OperationTime_CHC_Checkin_closed.xml", airport: "WSI")
        #expect(update.key.flightID == "QF0166-20250908-D")
        #expect(update[.status] == .absent)
        #expect(update.text(.rawStatus) == "CHC")
        #expect(update.text(.gate) == "22A")
        #expect(update.text(.checkin) == "SD01")
    }

    @Test func departureGateClosed() throws {
        let update = try decode("wsi-amadeus__Departure_with_OperationTime_GCL_Gate_Close_XMIDS.xml", airport: "WSI")
        #expect(update.key.flightID == "VA0619-20250908-D")
        #expect(update.status == .gateClosed)
        #expect(update.sourceTime?.iso8601 == "2025-09-08T07:10:25Z")
    }

    @Test func departureOffBlockAndAirborne() throws {
        let update = try decode("wsi-amadeus__Departure_with_OperationTime_and_Resource_OFB_TKO.xml", airport: "WSI")
        #expect(update.key.flightID == "QF0215-20250905-D")
        #expect(update.time(.actual) == "2025-09-05T10:00:00Z")
        #expect(update.time(.runwayActual) == "2025-09-05T10:10:00Z")
        #expect(update.status == .airborne)
        #expect(update.text(.stand) == "24L")
    }

    @Test func departureNotOperating() throws {
        let update = try decode("wsi-amadeus__Departure_with_OperationalStatus_NOP_NotOperating.xml", airport: "WSI")
        #expect(update.key.flightID == "6X0447-20250905-D")
        #expect(update.status == .notOperating)
        #expect(update.text(.rawStatus) == "NOP")
    }

    @Test func departureGateAssigned() throws {
        let update = try decode("wsi-amadeus__JQ355_Departure_Gate_19A.xml", airport: "WSI")
        #expect(update.key.flightID == "JQ0355-20250910-D")
        #expect(update.text(.gate) == "19A")
        #expect(update.text(.stand) == "19L")
        #expect(update.text(.terminal) == "1")
        #expect(update.text(.destination) == "ADL")
        #expect(update.sourceTime?.iso8601 == "2025-09-10T09:12:02Z")
    }

    @Test func withoutAnAirportEachSampleTakesTheDirectionItsNameSays() throws {
        let names = try FileManagerNames.aidxSamples()
        #expect(names.count == 12)
        for name in names {
            let update = try decode(name, airport: nil)
            let expected: Direction = name.contains("Arrival") || name.contains("lgw") ? .arrival : .departure
            #expect(update.key.direction == expected, "\(name)")
        }
    }
}

import Foundation

enum FileManagerNames {
    static func aidxSamples() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Samples.folder.appendingPathComponent("aidx").path)
            .filter { $0.hasSuffix(".xml") }.sorted()
    }
}
