/// One simulated update as an IATA AIDX 21.3 `IATA_AIDX_FlightLegNotifRQ`, shaped like the
/// Amadeus airport platform's messages (default namespace, one line, a `TPA_Extension` with
/// reference airports, FIDS statuses and resource allocations): about 6 kB, as real ones are.
/// The leg carries the update's facts and, like a SITA delta, nothing it does not change.
enum AIDXMessageWriter {
    static func frame(_ update: SimulatedUpdate, time: Int64) -> [UInt8] {
        let flight = update.flight
        let side = flight.departure ? "Departure" : "Arrival"
        let block = flight.departure ? "OFB" : "ONB"
        let runway = flight.departure ? "TKO" : "TDN"
        let stamp = SimulatedClock.iso8601(time)
        var xml = ByteText(capacity: 7_000)
        xml.add(0x02)
        xml.add(#"<?xml version="1.0" encoding="utf-8"?><IATA_AIDX_FlightLegNotifRQ xmlns="http://www.iata.org/IATA/2007/00" "#)
        xml.add(#"xmlns:ns2="http://www.amadeus.com/apt/esb" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" "#)
        xml.add(#"Version="21.3" TimeStamp="\#(stamp)" CorrelationID="\#(correlation(flight, time))">"#)
        xml.add(#"<Originator CompanyShortName="AMADEUS" Code="1A" CodeContext="3" />"#)
        xml.add(#"<DeliveringSystem CompanyShortName="\#(flight.airport).ESB" Code="ESB" CodeContext="2" />"#)
        xml.add("<FlightLeg><LegIdentifier>")
        xml.element("Airline", #" CodeContext="3""#, flight.airline)
        xml.element("FlightNumber", flight.number)
        xml.element("DepartureAirport", #" CodeContext="3""#, flight.origin)
        xml.element("ArrivalAirport", #" CodeContext="3""#, flight.destination)
        xml.element("OriginDate", flight.date)
        xml.add(#"</LegIdentifier><LegData InternationalStatus="International">"#)

        // The status, as AIDX says each one (the milestones below say the rest).
        let status = update.text("status")
        var milestone: String?
        switch status {
        case "cancelled": xml.element("OperationalStatus", #" CodeContext="2005" FlightLegScope="\#(side)""#, "DX")
        case "diverted": xml.element("OperationalStatus", #" CodeContext="2005" FlightLegScope="Arrival""#, "DV")
        case "delayed": xml.element("OperationalStatus", #" CodeContext="9750" FlightLegScope="\#(side)""#, "DEL")
        case "scheduled" where update.time("scheduled") == nil:
            xml.element("OperationalStatus", #" CodeContext="1245" FlightLegScope="\#(side)""#, "SQ")
        case "airborne" where !flight.departure:
            xml.element("OperationalStatus", #" CodeContext="9750" FlightLegScope="Arrival""#, "TKO")
        case "check-in": milestone = "CHK"
        case "gate-open": milestone = "GTO"
        case "boarding": milestone = "BST"
        case "final-call": milestone = "FCT"
        case "gate-closed": milestone = "GCL"
        default: break
        }
        xml.element("ServiceType", "J")
        if status == "diverted", let destination = update.text("destination") {
            xml.element("PlannedArrivalAptHistory", #" CodeContext="3" RepeatIndex="1""#, flight.airport)
            xml.element("PlannedArrivalAptHistory", #" CodeContext="3" RepeatIndex="2""#, destination)
        }
        if case .list(let shares)?? = update["codeshares"] {
            for share in shares {
                xml.add("<CodeShareInfo>")
                xml.element("Airline", #" CodeContext="3""#, String(share.prefix(2)))
                xml.element("FlightNumber", String(share.dropFirst(2)))
                xml.add("</CodeShareInfo>")
            }
        }
        xml.add(#"<AssociatedFlightLegAircraft FlightSequence="\#(flight.departure ? "upline" : "downline")">"#)
        xml.element("Airline", #" CodeContext="3""#, flight.airline)
        xml.element("FlightNumber", flight.number)
        xml.element("DepartureAirport", #" CodeContext="3""#, flight.departure ? flight.other : flight.airport)
        xml.element("ArrivalAirport", #" CodeContext="3""#, flight.departure ? flight.airport : flight.other)
        xml.element("OriginDate", flight.date)
        xml.add("</AssociatedFlightLegAircraft>")
        if status == "scheduled", update.time("scheduled") != nil {
            xml.element("RemarkTextCode", #" Qualifier="TER" CodeContext="9932" RepeatIndex="1""#, "SCT")
        }
        switch update["remark"] {
        case .some(.text(let remark)?): xml.element("RemarkFreeText", remark)
        case .some(nil): xml.add(#"<RemarkFreeText xsi:nil="true" />"#)
        default: break
        }
        resources(update, side: side, into: &xml)

        var index = 0
        func operation(_ qualifier: String, _ timeType: String, _ seconds: Int64) {
            index += 1
            let attributes = #" OperationQualifier="\#(qualifier)" CodeContext="ZZZ" RepeatIndex="\#(index)" TimeType="\#(timeType)""#
            xml.element("OperationTime", attributes, SimulatedClock.iso8601(seconds))
        }
        if let scheduled = update.time("scheduled") { operation(block, "SCT", scheduled) }
        if let estimated = update.time("estimated") { operation(block, "EST", estimated) }
        if let actual = update.time("actual") { operation(block, "ACT", actual) }
        if let estimate = update.time("runway_estimated") { operation(runway, "EST", estimate) }
        if let actual = update.time("runway_actual") { operation(runway, "ACT", actual) }
        if let milestone { operation(milestone, "ACT", time) }
        // What Amadeus adds to every leg and a gateway has no field for.
        operation("CMA", "CAL", time + 1_800)
        operation("CMI", "CAL", time + 1_800)
        xml.add(#"<AircraftInfo><AircraftType CodeContext="3">32N</AircraftType><AircraftSubType>A20N</AircraftSubType>"#)
        xml.add("<Registration>\(registration(flight))</Registration><CallSign>\(flight.airline)\(flight.number)</CallSign></AircraftInfo>")
        xml.add("<ClearanceAgreement>INT</ClearanceAgreement><PublicFlightDisplay><AirlineType>\(flight.airline)</AirlineType>")
        xml.add("<FlightNumber>\(flight.number)</FlightNumber></PublicFlightDisplay>")
        xml.add(#"<OperationDuration RepeatIndex="1" TimeType="SCT" OperationQualifier="TTT">PT1H0M</OperationDuration>"#)
        xml.add(#"<OperationDuration RepeatIndex="2" TimeType="EST" OperationQualifier="TXO">PT10M</OperationDuration>"#)
        xml.add("</LegData>")
        vendorExtension(flight, side: side, time: time, into: &xml)
        xml.add("</FlightLeg></IATA_AIDX_FlightLegNotifRQ>")
        xml.add(0x03)
        return xml.bytes
    }

    /// Gate, stand, terminal, belt and check-in desks of our side, when the update names any.
    private static func resources(_ update: SimulatedUpdate, side: String, into xml: inout ByteText) {
        let fields = ["gate", "stand", "terminal", "belt", "checkin"]
        guard fields.contains(where: { update[$0] != nil }) else { return }
        xml.add(#"<AirportResources Usage="Actual"><Resource DepartureOrArrival="\#(side)">"#)
        func text(_ field: String, _ name: String, _ attributes: String = "") {
            switch update[field] {
            case .some(.text(let value)?): xml.element(name, attributes, value)
            case .some(nil): xml.add(#"<\#(name)\#(attributes) xsi:nil="true" />"#)
            default: break
            }
        }
        text("stand", "AircraftParkingPosition")
        text("gate", "PassengerGate", #" RepeatIndex="1""#)
        text("terminal", "PublicTerminal", #" RepeatIndex="1""#)
        text("belt", "BaggageClaimUnit", #" RepeatIndex="1""#)
        if let desks = update.text("checkin") {
            let parts = desks.split(separator: "-", maxSplits: 1).map(String.init)
            xml.add("<CheckInInfo>")
            xml.element("FirstPosition", parts[0])
            xml.element("LastPosition", parts.count > 1 ? parts[1] : parts[0])
            xml.add("</CheckInInfo>")
        }
        xml.add("</Resource></AirportResources>")
    }

    /// Amadeus's `AmadeusAptExtensionType`: ids, reference airports, statuses, allocations.
    private static func vendorExtension(_ flight: SimulatedUpdate.Flight, side: String, time: Int64, into xml: inout ByteText) {
        let id = "C_\(flight.airline)_\(flight.number)__\(flight.date.replacing("-", with: ""))_\(side.uppercased())_L\(flight.airport)"
        let numerical = 2_000_000_000 + abs(flight.key.hashValueStable % 99_999_999)
        xml.add("<TPA_Extension><ns2:AmadeusAptExtensionType>")
        xml.add("<ns2:FlightFunctionalId>\(id)</ns2:FlightFunctionalId><ns2:FlightNumericalId>\(numerical)</ns2:FlightNumericalId>")
        xml.add("<ns2:LegType>\(flight.departure ? "D" : "A")</ns2:LegType>")
        xml.add("<ns2:LastUpdateDatetime>\(SimulatedClock.iso8601(time - 1))</ns2:LastUpdateDatetime><ns2:ReferenceAirports>")
        for airport in [flight.origin, flight.destination] {
            xml.add("<ns2:ReferenceAirport><ns2:ReferenceKey>\(airport)</ns2:ReferenceKey><ns2:IATACode>\(airport)</ns2:IATACode>")
            xml.add("<ns2:ICAOCode>X\(airport)</ns2:ICAOCode><ns2:Name>\(airport) International</ns2:Name><ns2:City>\(airport)</ns2:City>")
            xml.add("</ns2:ReferenceAirport>")
        }
        xml.add("</ns2:ReferenceAirports><ns2:Statuses><ns2:Status><ns2:Qualifier>FIDS</ns2:Qualifier><ns2:Value>SCT</ns2:Value>")
        xml.add("</ns2:Status><ns2:Status><ns2:Qualifier>Internal</ns2:Qualifier><ns2:Value>150</ns2:Value></ns2:Status></ns2:Statuses>")
        xml.add("<ns2:ResourceAllocations>")
        for (index, resource) in ["PASSENGER_GATE", "STAND", "CHECK_IN_DESK", "BAGGAGE_CAROUSEL"].enumerated() {
            xml.add(#"<ns2:ResourceAllocation ResourceType="\#(resource)" Direction="\#(side)"><ns2:Allocations>"#)
            for slot in 0..<3 {
                let start = SimulatedClock.iso8601(time - 3_600 + Int64(slot) * 1_200)
                let end = SimulatedClock.iso8601(time - 2_400 + Int64(slot) * 1_200)
                xml.add("<ns2:Allocation><ns2:AllocationId>ALLOC\(numerical % 1_000_000 + index * 10 + slot)</ns2:AllocationId>")
                xml.add("<ns2:ResourceName>R\(index)\(slot)</ns2:ResourceName><ns2:AllocationTimes>")
                xml.add(#"<ns2:AllocationTime OperationQualifier="ALST" TimeType="SCT">\#(start)</ns2:AllocationTime>"#)
                xml.add(#"<ns2:AllocationTime OperationQualifier="ALET" TimeType="SCT">\#(end)</ns2:AllocationTime>"#)
                xml.add("</ns2:AllocationTimes><ns2:Qualifier>Common</ns2:Qualifier></ns2:Allocation>")
            }
            xml.add("</ns2:Allocations></ns2:ResourceAllocation>")
        }
        xml.add("</ns2:ResourceAllocations></ns2:AmadeusAptExtensionType></TPA_Extension>")
    }

    /// A message id that is the same for the same flight and time (the day is deterministic).
    private static func correlation(_ flight: SimulatedUpdate.Flight, _ time: Int64) -> String {
        let first = UInt64(bitPattern: Int64(flight.key.hashValueStable))
        let second = first &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(bitPattern: time)
        let hex = [first, second].map { value in
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
        let cuts = [8, 4, 4, 4, 12]
        var parts: [Substring] = []
        var rest = Substring(hex)
        for cut in cuts {
            parts.append(rest.prefix(cut))
            rest = rest.dropFirst(cut)
        }
        return parts.joined(separator: "-")
    }

    /// A Swiss-style registration, the same for a flight all day.
    static func registration(_ flight: SimulatedUpdate.Flight) -> String {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        var value = UInt64(bitPattern: Int64(flight.key.hashValueStable))
        var text = "HB"
        for _ in 0..<3 {
            text.append(Character(UnicodeScalar(letters[Int(value % 26)])))
            value /= 26
        }
        return text
    }
}

extension String {
    /// FNV-1a of the UTF-8 bytes: stable across runs (Swift's `hashValue` is seeded per process).
    var hashValueStable: Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int(truncatingIfNeeded: hash >> 1)
    }
}
