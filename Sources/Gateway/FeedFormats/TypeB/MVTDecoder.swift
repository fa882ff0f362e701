public import Configuration
public import FlightModel

/// `format = "mvt"`: IATA Type B movement messages, MVT, MVA and DIV, with `COR` and `PDM`
/// (docs/DESIGN.md §9).
///
/// **Envelope.** SOH/STX/ETX framing bytes, CR LF or LF, address lines and the originator line
/// are all optional; its `DDHHMM` is the message's source time. Anything that is not a
/// movement message (`LDM`, `ASM`…) is rejected by name. `COR` and `PDM` messages are read like
/// any other: the state engine ignores what it already has, and a correction's later source
/// time wins.
///
/// **Dates.** The flight line's day of month is the flight's date (its scheduled departure
/// day), resolved against the envelope time, else the receipt time: a day later than tomorrow
/// is last month's, across year ends. `hhmm` times are the instant at that clock time nearest
/// to the envelope time; `ddhhmm` carry their own day.
///
/// **Meaning.** The flight line's station is where the movement happened; our airport is the
/// configured one (or, for `flightedge parse` without one, that station).
/// - `AD off/air` at our station: our departure — `actual`, `runway_actual`, status departed or
///   airborne; `EA hhmm STN` names the destination; `DL` delay codes with their minutes.
/// - `AD` elsewhere with `EA hhmm` at our airport: our arrival — `runway_estimated`, origin,
///   status airborne (departed when only off-block is known).
/// - `AA touchdown/onblock` (or `TD`) at our station: our arrival — `runway_actual`, `actual`,
///   status landed or arrived.
/// - `ED ddhhmm` / `EO`: our departure's new estimate (ED also says delayed); `EB`: estimated
///   on-block of an arrival at our airport.
/// - `NI ddhhmm`: raw status `NI`, remark "Next information hh:mm"; `RR`/`FR`: return to ramp
///   or forced return, kept as raw status and remark.
/// - `DIV … EA hhmm STN`: status diverted, destination STN; our arrival when we were the
///   destination (or are STN), our departure when the station is ours.
/// - Codes stay strings (`DL46/02/0005/0004` → 46: 5 min, 02: 4 min); `EDL` adds codes; `DLA`
///   sub-codes, `PX`, `POB`, `FLD` and `SI` free text carry nothing the normalized update has.
///   Nothing after `SI` is read as an element (`SI` then `FR 50500` is fuel, not a return).
/// A message that concerns neither a departure from nor an arrival at our airport is rejected
/// with a reason saying so.
public struct MVTDecoder: FrameDecoder {
    /// Our airport's IATA code; nil takes the message's station as ours.
    public let airport: String?

    public init(airport: String?) {
        self.airport = airport?.uppercased()
    }

    public init(feed: FeedConfig, airport: AirportConfig) throws(DecoderSetupError) {
        if let unknown = feed.options.keys.sorted().first {
            throw DecoderSetupError("mvt takes no options", option: unknown)
        }
        self.init(airport: airport.iata)
    }

    public func decode(_ bytes: [UInt8], context: FrameContext) throws(DecodeError) -> [FlightUpdate] {
        let message = try TypeBMessage(bytes)
        var sourceTime: Timestamp?
        if let stamp = message.envelopeTime {
            guard let time = TypeBDates.dayTime(stamp, near: context.receivedAt) else {
                throw DecodeError("\"\(stamp)\" is not a day and time DDHHMM", at: "originator line")
            }
            sourceTime = time
        }
        let reference = sourceTime ?? context.receivedAt
        guard let date = TypeBDates.date(day: message.day, near: reference) else {
            throw DecodeError("day \(message.day) does not exist near \(reference.dateString)", at: "flight line")
        }
        let station = message.station.map { String($0).uppercased() }
        let ours = airport ?? station
        var movement = try MVTElements(message.elements, reference: reference)

        let flight = "\(message.airline)\(message.number)\(message.suffix ?? "")/\(message.day)"
        let direction: Direction
        var origin: String?
        var destination: String?
        switch message.kind {
        case "DIV":
            guard let ours else { throw DecodeError("DIV without a station for \(flight)") }
            if station == ours {
                direction = .departure
                origin = ours
            } else {
                direction = .arrival
                origin = station
            }
            destination = movement.estimatedArrival?.station
            movement.status = .diverted
            movement.raw = "DIV"
        default:
            if let ours, station == ours, movement.arrival != nil {
                direction = .arrival
                destination = ours
            } else if let ours, station == ours {
                direction = .departure
                origin = ours
                destination = movement.estimatedArrival?.station
            } else if let ours, movement.estimatedArrival?.station == ours {
                direction = .arrival
                origin = station
                destination = ours
            } else {
                throw DecodeError(
                    "\(message.kind) for \(flight) at \(station ?? "an unnamed station") does not concern \(ours ?? "this airport")")
            }
        }
        let key: FlightKey
        do {
            key = try FlightKey(airline: message.airline, number: message.number, suffix: message.suffix.map(String.init), date: date, direction: direction)
        } catch {
            throw DecodeError(error.message, at: "flight line")
        }
        var update = FlightUpdate(key: key, feed: context.feed, sourceTime: sourceTime)
        if let origin { try update.set(.origin, checked: .text(origin), at: "flight line") }
        if let destination { try update.set(.destination, checked: .text(destination), at: "EA") }
        try movement.apply(to: &update, direction: direction, kind: message.kind)
        return [update]
    }
}
