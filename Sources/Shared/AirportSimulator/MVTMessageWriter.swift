/// Simulated updates as IATA Type B movement messages (AHM 780): `MVT` for estimates, off-block,
/// airborne, touchdown and on-block, `DIV` for a diversion. Only movements exist in MVT, so
/// most updates of the day write nothing (``SimulatedFeedWriter`` lists what is carried).
/// Remembers each flight's off-block and touchdown, which later messages repeat (`AD off/air`,
/// `AA touchdown/on-block`), as a station's handler does.
struct MVTMessageWriter: Sendable {
    private var offBlocks: [String: Int64] = [:]
    private var touchdowns: [String: Int64] = [:]

    mutating func frame(_ update: SimulatedUpdate, time: Int64) -> [UInt8]? {
        let flight = update.flight
        let status = update.text("status")
        var kind = "MVT"
        var station = flight.airport
        var elements: [String] = []
        if flight.departure {
            if status == "departed", let actual = update.time("actual") {
                offBlocks[flight.key] = actual
                elements.append("AD\(Self.clock(actual))")
            } else if status == "airborne", let airborne = update.time("runway_actual") {
                let offBlock = offBlocks[flight.key] ?? airborne - 720
                elements.append("AD\(Self.clock(offBlock))/\(Self.clock(airborne))")
            } else if let estimated = update.time("estimated"), update.time("actual") == nil {
                elements.append("\(status == "delayed" ? "ED" : "EO")\(Self.dayClock(estimated))")
            }
        } else {
            switch status {
            case "airborne":
                // Sent by the station the flight took off from, naming us as its destination.
                guard let estimated = update.time("estimated") else { return nil }
                station = flight.other
                elements.append("AD\(Self.clock(time - 720))/\(Self.clock(time - 120))")
                elements.append("EA\(Self.clock(estimated - 300))")
                elements.append(flight.airport)
                elements.append("EB\(Self.dayClock(estimated))")
            case "landed":
                guard let touchdown = update.time("runway_actual") else { return nil }
                touchdowns[flight.key] = touchdown
                elements.append("AA\(Self.clock(touchdown))")
            case "arrived":
                guard let onBlock = update.time("actual") else { return nil }
                elements.append("AA\(Self.clock(touchdowns[flight.key] ?? onBlock - 300))/\(Self.clock(onBlock))")
            case "diverted":
                guard let alternate = update.text("destination") else { return nil }
                kind = "DIV"
                station = flight.other
                elements.append("EA\(Self.clock(time + 1_800))")
                elements.append(alternate)
            default:
                return nil
            }
        }
        guard !elements.isEmpty else { return nil }
        let day = flight.date.suffix(2)
        var text = ByteText(capacity: 160)
        text.add(0x01)
        text.add("QU \(flight.airport)KOXH \(flight.airport)KK\(flight.airline)\r\n")
        text.add(".\(station)KO\(flight.airline) \(Self.dayClock(time))\r\n")
        text.add(0x02)
        text.add("\(kind)\r\n")
        text.add("\(flight.airline)\(flight.number)/\(day).\(AIDXMessageWriter.registration(flight)).\(station)\r\n")
        text.add(elements.joined(separator: " "))
        text.add("\r\nSI SIMULATED\r\n")
        text.add(0x03)
        return text.bytes
    }

    /// `hhmm` of a UTC instant given in seconds.
    static func clock(_ seconds: Int64) -> String {
        let iso = SimulatedClock.iso8601(seconds)
        let hours = iso.dropFirst(11).prefix(2)
        let minutes = iso.dropFirst(14).prefix(2)
        return "\(hours)\(minutes)"
    }

    /// `ddhhmm` of a UTC instant given in seconds.
    static func dayClock(_ seconds: Int64) -> String {
        let iso = SimulatedClock.iso8601(seconds)
        return "\(iso.dropFirst(8).prefix(2))\(clock(seconds))"
    }
}
