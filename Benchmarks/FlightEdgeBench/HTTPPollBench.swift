import Configuration
import FeedFormats
import FlightModel
import Foundation

/// http-poll's cost per answer (issue 19): a 2,000-leg AIDX `FlightLegRS`, as an AODB web
/// service answers a full poll, decoded and diffed against the flights' state, alternating two
/// answers that differ in 100 gates (the changes of a poll interval); and an unchanged answer,
/// which the feed recognizes by its hash alone. Call ``run(legs:seconds:)`` from any part.
enum HTTPPollBench {
    static let airport = "ZRH"

    /// A SOAP-wrapped `FlightLegRS` of `legs` departures with times, gates and stands; `variant`
    /// moves the gate of every 20th leg.
    static func body(legs: Int, variant: Int) -> [UInt8] {
        var text = #"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>"#
        text += #"<IATA_AIDX_FlightLegRS xmlns="http://www.iata.org/IATA/2007/00" Version="22.1"><Success/>"#
        for index in 1...legs {
            let gate = index % 20 == 0 && variant % 2 == 1 ? "Z\(index % 90)" : "A\(index % 90)"
            let hour = String(format: "%02d", 6 + index % 16)
            text += """
                <FlightLeg><LegIdentifier><Airline>LX</Airline><FlightNumber>\(index)</FlightNumber>\
                <DepartureAirport>\(airport)</DepartureAirport><ArrivalAirport>LHR</ArrivalAirport>\
                <OriginDate>2026-12-06</OriginDate></LegIdentifier><LegData>\
                <OperationalStatus>SCH</OperationalStatus>\
                <OperationTime OperationQualifier="OFB" TimeType="SCT">2026-12-06T\(hour):\(index % 6)0:00Z</OperationTime>\
                <OperationTime OperationQualifier="OFB" TimeType="EST">2026-12-06T\(hour):\(index % 6)5:00Z</OperationTime>\
                <AirportResources Usage="Planned"><Resource DepartureOrArrival="Departure">\
                <AircraftParkingPosition>E\(index % 50)</AircraftParkingPosition><PassengerGate>\(gate)</PassengerGate>\
                <PublicTerminal>1</PublicTerminal></Resource></AirportResources></LegData></FlightLeg>
                """
        }
        return Array((text + "</IATA_AIDX_FlightLegRS></s:Body></s:Envelope>").utf8)
    }

    static func run(legs: Int = 2000, seconds: Double = 3) -> [Micro.Figure] {
        let answers = [body(legs: legs, variant: 0), body(legs: legs, variant: 1)]
        let decoder = AIDXDecoder(airport: airport)
        // Each answer without a TimeStamp: the poll's time orders it, as a later poll is newer.
        func context(_ poll: Int) -> FrameContext {
            FrameContext(
                feed: "aodb-api", receivedAt: Timestamp(millisecondsSinceEpoch: 1_796_540_000_000 + Int64(poll) * 30_000))
        }
        var engine = StateEngine(airport: "ZRH")
        for update in (try? decoder.decode(answers[1], context: context(0))) ?? [] {
            _ = engine.apply(update, receivedAt: context(0).receivedAt)
        }
        var polls = 0
        var changes = 0
        var updates = 0
        let started = now()
        while now() - started < seconds {
            let here = context(polls + 1)
            let decoded = (try? decoder.decode(answers[polls % 2], context: here)) ?? []
            updates += decoded.count
            for update in decoded { changes += engine.apply(update, receivedAt: here.receivedAt)?.changes.count ?? 0 }
            polls += 1
        }
        let elapsed = now() - started
        let bytes = answers[0].count
        var hashed = 0
        let hashStart = now()
        while now() - hashStart < 1 {
            var hasher = Hasher()
            answers[hashed % 2].withUnsafeBytes { hasher.combine(bytes: $0) }
            _ = hasher.finalize()
            hashed += 1
        }
        let hashElapsed = now() - hashStart
        return [
            Micro.Figure(
                name: "http-poll: decode + diff a \(legs)-leg FlightLegRS (\(bytes / 1024) KiB, \(updates / max(polls, 1)) legs, "
                    + "\(changes / max(polls, 1)) changes/answer)",
                perSecond: Double(polls) / elapsed, megabytesPerSecond: Double(polls * bytes) / elapsed / 1e6),
            Micro.Figure(
                name: "http-poll: an unchanged \(legs)-leg answer recognized by its hash", perSecond: Double(hashed) / hashElapsed,
                megabytesPerSecond: Double(hashed * bytes) / hashElapsed / 1e6),
        ]
    }
}
