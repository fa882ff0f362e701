public import Configuration
public import FlightModel

/// `format = "aidx"`: IATA AIDX XML (docs/DESIGN.md §9), one update per `FlightLeg` at our airport.
///
/// **Finding legs.** `IATA_AIDX_FlightLegNotifRQ`, `…FlightLegRQ` or `…FlightLegRS` is found at
/// any depth (bare, in a SOAP body, in a vendor envelope), by namespace
/// `http://www.iata.org/IATA/2007/00` and local name, never by prefix. A response with only
/// `Success`/`Warnings` and no leg decodes to nothing. Legs at other airports are skipped; a
/// message whose legs are all elsewhere is rejected, naming the airports.
///
/// **Identity.** `LegIdentifier`: airline (IATA or ICAO by its shape: `CodeContext` is
/// unreliable), flight number, suffix, `OriginDate` (never changes, even when the flight is late
/// past midnight). Departure when `DepartureAirport` is ours, arrival when `ArrivalAirport` is.
/// Without a configured airport (`flightedge parse`), the direction comes from the leg itself:
/// `Resource@DepartureOrArrival`, `@FlightLegScope`, departure-only (OFB, TKO, BST…) or
/// arrival-only (TDN, ONB…) qualifiers; departure when nothing tells. `RepeatNumber` (an air or
/// ground return) stays out of the identity: to a display board the return is the same flight.
///
/// **Fields.** `OperationTime` by qualifier and `TimeType`: OFB/ONB SCT, EST, ACT are the
/// scheduled, estimated and actual block times; TKO/TDN EST, ACT the runway times; an A-CDM
/// target (TOBT, CTOT…) stands in only when the leg has no estimate. Actual GTO, BST, FCT,
/// BEN/GCL, CHK, OFB, TKO, TDN, ONB times advance the status (the furthest wins).
/// `OperationalStatus` DX (cancelled), DV (diverted: the destination becomes the last
/// `PlannedArrivalAptHistory` airport that is not the original one), NOP (not operating), SQ
/// (reinstated: scheduled), LAN, DEL… decide the status over milestones; `RemarkTextCode`
/// (BST, FCL, GCL, OFB, LAN, ONB, DEL…) fills in when nothing else does. `raw_status` keeps
/// the code that decided. `SpecialAction Delete` is status `deleted`, never a cancellation.
/// `AirportResources/Resource` for our direction (Actual over Planned): gate (`PassengerGate`,
/// lowest `RepeatIndex`), stand, terminal (`PublicTerminal`, else `AircraftTerminal`), belt
/// (`BaggageClaimUnit`), check-in (`CheckInInfo` first–last). `CodeShareInfo` → codeshares,
/// `RemarkFreeText` → remark, `IrregularityDelay` → delays.
///
/// **Absent and cleared.** A missing element says nothing (no change); `xsi:nil="true"` clears
/// the field; an empty element says nothing either (snapshots send empties for "unknown").
///
/// **Source time.** The message's `TimeStamp` (with or without zone, 0–9 fractional digits),
/// else a vendor `LastUpdateDatetime` in the leg's `TPA_Extension`.
public struct AIDXDecoder: FrameDecoder {
    /// Our airport's IATA code, or nil for the legs of any airport.
    public let airport: String?
    var reader = XMLReader()

    static let namespace = "http://www.iata.org/IATA/2007/00"
    static let instanceNamespace = "http://www.w3.org/2001/XMLSchema-instance"
    static let messageNames: Set<String> = ["IATA_AIDX_FlightLegNotifRQ", "IATA_AIDX_FlightLegRQ", "IATA_AIDX_FlightLegRS"]

    public init(airport: String?) {
        self.airport = airport?.uppercased()
    }

    /// The decoder of an `aidx` feed: our airport, and `max_frame_bytes` as the document limit.
    public init(feed: FeedConfig, airport: AirportConfig) throws(DecoderSetupError) {
        if let unknown = feed.options.keys.sorted().first {
            throw DecoderSetupError("aidx takes no options", option: unknown)
        }
        self.init(airport: airport.iata)
        reader.maxBytes = max(feed.maxFrameBytes, 1024)
    }

    public func decode(_ bytes: [UInt8], context: FrameContext) throws(DecodeError) -> [FlightUpdate] {
        let document = try reader.parse(bytes)
        guard
            let message = ([document.root] + document.descendants(of: document.root)).first(where: {
                document[$0].namespace == Self.namespace && Self.messageNames.contains(document[$0].name)
            })
        else {
            throw DecodeError("no IATA_AIDX_FlightLegNotifRQ, FlightLegRQ or FlightLegRS in namespace \(Self.namespace)")
        }
        var sourceTime: Timestamp?
        if let stamp = document[message].attribute("TimeStamp") {
            guard let time = Timestamp(iso8601: stamp) else {
                throw DecodeError("\"\(stamp.prefix(40))\" is not an ISO 8601 time", at: "\(document[message].name)@TimeStamp")
            }
            sourceTime = time
        }
        let legs = document.children(of: message, Self.namespace, "FlightLeg")
        var updates: [FlightUpdate] = []
        var elsewhere: [String] = []
        for (index, leg) in legs.enumerated() {
            let reader = AIDXLegReader(document: document, leg: leg, location: "FlightLeg[\(index + 1)]")
            switch try reader.update(airport: airport, sourceTime: sourceTime, context: context) {
            case .update(let update): updates.append(update)
            case .elsewhere(let airports): elsewhere.append(airports)
            }
        }
        if updates.isEmpty, !elsewhere.isEmpty, let airport {
            throw DecodeError("no FlightLeg departs from or arrives at \(airport) (legs: \(elsewhere.joined(separator: ", ")))")
        }
        return updates
    }
}
