import FlightModel

/// The elements of one movement message, read and checked; ``apply(to:direction:kind:)`` turns
/// them into facts for a departure or an arrival.
struct MVTElements {
    var offBlock: Timestamp?
    var airborne: Timestamp?
    var touchdown: Timestamp?
    var onBlock: Timestamp?
    var estimatedDeparture: Timestamp?
    var estimatedOffBlock: Timestamp?
    var estimatedOnBlock: Timestamp?
    var estimatedArrival: (time: Timestamp, station: String?)?
    var nextInformation: Timestamp?
    var returned: String?
    var delays: [DelayCode] = []
    var status: FlightStatus?
    var raw: String?

    /// True when the message reports an arrival (touchdown or on-block).
    var arrival: Timestamp? { onBlock ?? touchdown }

    init(_ elements: [(token: Substring, line: Int)], reference: Timestamp) throws(DecodeError) {
        var index = 0
        func time(_ text: Substring, _ name: String, line: Int) throws(DecodeError) -> Timestamp {
            guard let value = TypeBDates.time(text, near: reference) else {
                throw DecodeError("\"\(text.prefix(12))\" is not a time hhmm or ddhhmm", at: "line \(line), \(name)")
            }
            return value
        }
        var delayCodes: [String] = []
        var delayMinutes: [Int] = []
        while index < elements.count {
            let (token, line) = elements[index]
            index += 1
            if token.hasPrefix("AD") {
                let parts = token.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false)
                guard let first = parts.first, !first.isEmpty else { throw DecodeError("AD without a time", at: "line \(line)") }
                offBlock = try time(first, "AD", line: line)
                if parts.count > 1, !parts[1].isEmpty { airborne = try time(parts[1], "AD", line: line) }
                raw = "AD"
            } else if token.hasPrefix("AA") {
                let parts = token.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false)
                guard let first = parts.first, !first.isEmpty else { throw DecodeError("AA without a time", at: "line \(line)") }
                touchdown = try time(first, "AA", line: line)
                if parts.count > 1, !parts[1].isEmpty { onBlock = try time(parts[1], "AA", line: line) }
                raw = "AA"
            } else if token.hasPrefix("TD"), token.count > 2 {
                touchdown = try time(token.dropFirst(2), "TD", line: line)
                raw = raw ?? "TD"
            } else if token.hasPrefix("EA"), token.count > 2 {
                var station: String?
                if index < elements.count, elements[index].token.count == 3, elements[index].token.allSatisfy(\.isLetter) {
                    station = String(elements[index].token).uppercased()
                    index += 1
                }
                estimatedArrival = (try time(token.dropFirst(2), "EA", line: line), station)
            } else if token.hasPrefix("EDL") {
                delayCodes += token.dropFirst(3).split(separator: "/").filter { $0.count != 4 }.map(String.init)
                delayMinutes += token.dropFirst(3).split(separator: "/").filter { $0.count == 4 }.compactMap { TypeBDates.minutes($0) }
            } else if token.hasPrefix("ED"), token.count > 2 {
                estimatedDeparture = try time(token.dropFirst(2), "ED", line: line)
                raw = raw ?? "ED"
            } else if token.hasPrefix("EO"), token.count > 2 {
                estimatedOffBlock = try time(token.dropFirst(2), "EO", line: line)
                raw = raw ?? "EO"
            } else if token.hasPrefix("EB"), token.count > 2 {
                estimatedOnBlock = try time(token.dropFirst(2), "EB", line: line)
            } else if token.hasPrefix("NI"), token.count > 2 {
                nextInformation = try time(token.dropFirst(2), "NI", line: line)
                raw = raw ?? "NI"
            } else if token == "RR" || token.hasPrefix("RR") && token.dropFirst(2).allSatisfy(\.isNumber) {
                returned = "RR"
            } else if token == "FR" || token.hasPrefix("FR") && token.dropFirst(2).allSatisfy(\.isNumber) {
                returned = "FR"
            } else if token.hasPrefix("DLA") {
                continue  // sub-codes (AHM 731/732): no field for them
            } else if token.hasPrefix("DL") {
                // DL c1[/c2]/d1[/d2]: codes first, then a 4-digit duration per code.
                let parts = token.dropFirst(2).split(separator: "/")
                for part in parts {
                    if part.count == 4, let minutes = TypeBDates.minutes(part) {
                        delayMinutes.append(minutes)
                    } else if !part.isEmpty, part.count <= 4 {
                        delayCodes.append(String(part))
                    } else {
                        throw DecodeError("\"\(part.prefix(12))\" is neither a delay code nor a duration hhmm", at: "line \(line), DL")
                    }
                }
            }
            // PX, PAX, POB, FLD and anything unknown: nothing to keep.
        }
        // A time that follows another in the message is after it: airborne after off-block,
        // on-block after touchdown, the arrival estimate after take-off (a long flight's EA is
        // often more than 12 h after the message).
        if let airborne { self.airborne = TypeBDates.notBefore(airborne, offBlock) }
        if let onBlock { self.onBlock = TypeBDates.notBefore(onBlock, touchdown) }
        if let estimate = estimatedArrival {
            estimatedArrival = (TypeBDates.notBefore(estimate.time, self.airborne ?? offBlock ?? reference), estimate.station)
        }
        delays = delayCodes.enumerated().map { index, code in
            DelayCode(code: code, minutes: index < delayMinutes.count ? delayMinutes[index] : 0)
        }
    }

    func apply(to update: inout FlightUpdate, direction: Direction, kind: String) throws(DecodeError) {
        func set(_ field: FlightField, _ time: Timestamp?, _ element: String) throws(DecodeError) {
            if let time { try update.set(field, checked: .time(time), at: element) }
        }
        var status = self.status
        switch direction {
        case .departure:
            try set(.actual, offBlock, "AD")
            try set(.runwayActual, airborne, "AD")
            try set(.estimated, estimatedDeparture ?? estimatedOffBlock, "ED")
            if status == nil {
                if airborne != nil { status = .airborne } else if offBlock != nil { status = .departed } else if estimatedDeparture != nil { status = .delayed }
            }
            if !delays.isEmpty { try update.set(.delays, checked: .delays(delays), at: "DL") }
        case .arrival:
            try set(.runwayActual, touchdown, "AA")
            try set(.actual, onBlock, "AA")
            try set(.runwayEstimated, estimatedArrival?.time, "EA")
            try set(.estimated, estimatedOnBlock, "EB")
            if status == nil {
                if onBlock != nil { status = .arrived } else if touchdown != nil { status = .landed } else if airborne != nil { status = .airborne } else if offBlock != nil { status = .departed }
            }
        }
        if let status { update.set(.status, .status(status)) }
        if let nextInformation {
            try update.set(.remark, checked: .text("Next information \(Self.clock(nextInformation))"), at: "NI")
        }
        if let returned {
            try update.set(.remark, checked: .text(returned == "RR" ? "Returned to ramp" : "Returned"), at: returned)
        }
        let code = returned ?? raw
        try update.set(.rawStatus, checked: .text(code.map { kind == "DIV" ? "DIV" : "\(kind) \($0)" } ?? kind), at: "identifier")
    }

    /// `hh:mm` of an instant, UTC.
    static func clock(_ time: Timestamp) -> String {
        let iso = time.iso8601
        let start = iso.index(iso.startIndex, offsetBy: 11)
        return String(iso[start..<iso.index(start, offsetBy: 5)])
    }
}
