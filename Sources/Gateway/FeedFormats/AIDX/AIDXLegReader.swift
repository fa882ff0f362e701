import FlightModel

/// Reads one `FlightLeg` into a ``FlightUpdate`` (the mapping is described on ``AIDXDecoder``).
struct AIDXLegReader {
    let document: XMLDocument
    let leg: Int
    /// Where the leg is, for errors: `FlightLeg[2]`.
    let location: String

    enum Outcome {
        case update(FlightUpdate)
        /// The leg is not at our airport: its airports, for the rejection message.
        case elsewhere(String)
    }

    private var ns: String { AIDXDecoder.namespace }

    func update(airport: String?, sourceTime messageTime: Timestamp?, context: FrameContext) throws(DecodeError) -> Outcome {
        guard let identifier = document.child(of: leg, ns, "LegIdentifier") else {
            throw DecodeError("no LegIdentifier", at: location)
        }
        let legData = document.child(of: leg, ns, "LegData")
        func identity(_ name: String, required: Bool = true) throws(DecodeError) -> String? {
            let text = document.child(of: identifier, ns, name).map { String(document[$0].trimmedText) } ?? ""
            if text.isEmpty && required { throw DecodeError("missing or empty", at: "\(location)/LegIdentifier/\(name)") }
            return text.isEmpty ? nil : text
        }
        let airline = try identity("Airline")!
        let number = try identity("FlightNumber")!
        let suffix = try identity("OperationalSuffix", required: false)
        let departureAirport = try identity("DepartureAirport")!.uppercased()
        let arrivalAirport = try identity("ArrivalAirport")!.uppercased()
        let originDate = try identity("OriginDate")!
        guard let date = FlightDate(originDate) else {
            throw DecodeError("\"\(originDate.prefix(40))\" is not a date yyyy-MM-dd", at: "\(location)/LegIdentifier/OriginDate")
        }

        let direction: Direction
        if let airport {
            if departureAirport == airport {
                direction = .departure
            } else if arrivalAirport == airport || divertedHere(legData, airport: airport) {
                direction = .arrival
            } else {
                return .elsewhere("\(departureAirport)→\(arrivalAirport)")
            }
        } else {
            direction = inferredDirection(legData)
        }

        let key: FlightKey
        do {
            key = try FlightKey(airline: airline, number: number, suffix: suffix, date: date, direction: direction)
        } catch {
            throw DecodeError(error.message, at: "\(location)/LegIdentifier")
        }
        var update = FlightUpdate(
            key: key, feed: context.feed, sourceTime: messageTime ?? vendorUpdateTime())
        try update.set(.origin, checked: .text(departureAirport), at: "\(location)/LegIdentifier/DepartureAirport")
        try update.set(.destination, checked: .text(arrivalAirport), at: "\(location)/LegIdentifier/ArrivalAirport")
        if let legData {
            try readTimesAndStatus(legData, direction: direction, arrivalAirport: arrivalAirport, into: &update)
            try readResources(legData, direction: direction, into: &update)
            try readExtras(legData, into: &update)
        }
        if let action = document.child(of: leg, ns, "SpecialAction"), document[action].trimmedText == "Delete" {
            update.set(.status, .status(.deleted))
            update.set(.rawStatus, .text("Delete"))
        }
        return .update(update)
    }

    // MARK: Times and status

    private func readTimesAndStatus(
        _ legData: Int, direction: Direction, arrivalAirport: String, into update: inout FlightUpdate
    ) throws(DecodeError) {
        var fallbacks: [(FlightField, FieldValue?, String)] = []
        var milestone: (rank: Int, status: FlightStatus?, code: String)?
        for element in document.children(of: legData, ns, "OperationTime") {
            let qualifier = document[element].attribute("OperationQualifier") ?? ""
            let timeType = document[element].attribute("TimeType") ?? ""
            let here = "\(location)/OperationTime[\(qualifier)/\(timeType)]"
            guard let value = try timeValue(element, at: here) else { continue }
            if let field = AIDXCodes.field(qualifier: qualifier, timeType: timeType, direction: direction) {
                try set(field, value, into: &update, at: here)
            } else if let field = AIDXCodes.fallbackEstimate(qualifier: qualifier, timeType: timeType, direction: direction) {
                fallbacks.append((field, value, here))
            }
            if timeType == "ACT", value != nil, let reached = AIDXCodes.milestone(qualifier: qualifier, direction: direction),
                reached.rank > milestone?.rank ?? -1
            {
                milestone = (reached.rank, reached.status, qualifier)
            }
        }
        for (field, value, here) in fallbacks where update[field] == .absent {
            try set(field, value, into: &update, at: here)
        }

        // The status: the end of a flight (DX, DV, NOP…) over the furthest milestone or other
        // operational code, over a display code. The raw status is the source's own status code.
        var operational: (status: FlightStatus, code: String)?
        var rawCode: String?
        for element in document.children(of: legData, ns, "OperationalStatus") {
            let code = String(document[element].trimmedText)
            guard !code.isEmpty else { continue }
            if rawCode == nil { rawCode = code }
            if let status = AIDXCodes.operational(code), AIDXCodes.rank(status) > operational.map({ AIDXCodes.rank($0.status) }) ?? -1 {
                operational = (status, code)
            }
        }
        var status = operational?.status
        rawCode = operational?.code ?? rawCode
        if let milestone, milestone.rank > status.map(AIDXCodes.rank) ?? -1 {
            status = milestone.status
            // A milestone without a status of its own (check-in closed) is said by its code.
            rawCode = milestone.status == nil ? milestone.code : rawCode ?? milestone.code
        }
        if status == nil {
            for element in document.children(of: legData, ns, "RemarkTextCode") {
                let code = String(document[element].trimmedText)
                guard !code.isEmpty else { continue }
                if let remarkStatus = AIDXCodes.remark(code, direction: direction) {
                    status = remarkStatus
                    rawCode = code
                    break
                }
                if rawCode == nil { rawCode = code }
            }
        }
        if let status {
            update.set(.status, .status(status))
            if status == .diverted, let destination = diversionAirport(legData, original: arrivalAirport) {
                try update.set(.destination, checked: .text(destination), at: "\(location)/LegData/PlannedArrivalAptHistory")
            }
        }
        if let rawCode { try update.set(.rawStatus, checked: .text(rawCode), at: "\(location)/LegData") }
    }

    /// The time in an element: nil (no value) when empty, `.some(nil)` when `xsi:nil` clears it.
    private func timeValue(_ element: Int, at here: String) throws(DecodeError) -> FieldValue?? {
        if isNil(element) { return .some(nil) }
        let text = document[element].trimmedText
        if text.isEmpty { return nil }
        guard let time = Timestamp(iso8601: text) else {
            throw DecodeError("\"\(text.prefix(40))\" is not an ISO 8601 time", at: here)
        }
        return .some(.time(time))
    }

    /// True when the leg is diverted to `airport`: it is in the planned-arrival history.
    private func divertedHere(_ legData: Int?, airport: String) -> Bool {
        guard let legData else { return false }
        return document.children(of: legData, ns, "PlannedArrivalAptHistory").contains {
            document[$0].trimmedText.uppercased() == airport
        }
    }

    /// The planned airport the flight now heads for: the last history entry that is not the
    /// original arrival airport.
    private func diversionAirport(_ legData: Int, original: String) -> String? {
        let history = document.children(of: legData, ns, "PlannedArrivalAptHistory").sorted {
            Int(document[$0].attribute("RepeatIndex") ?? "") ?? 0 < Int(document[$1].attribute("RepeatIndex") ?? "") ?? 0
        }
        return history.map { String(document[$0].trimmedText).uppercased() }.last { !$0.isEmpty && $0 != original }
    }

    // MARK: Resources

    private func readResources(_ legData: Int, direction: Direction, into update: inout FlightUpdate) throws(DecodeError) {
        let wanted = direction == .departure ? "Departure" : "Arrival"
        // Planned first, Actual last: an actual allocation overrides the plan.
        let groups = document.children(of: legData, ns, "AirportResources").sorted {
            (document[$0].attribute("Usage") == "Actual" ? 1 : 0) < (document[$1].attribute("Usage") == "Actual" ? 1 : 0)
        }
        for group in groups {
            for resource in document.children(of: group, ns, "Resource") {
                let side = document[resource].attribute("DepartureOrArrival")
                guard side == nil || side == wanted else { continue }
                let here = "\(location)/AirportResources/Resource"
                try setText(.gate, from: firstByRepeatIndex(resource, "PassengerGate"), into: &update, at: here + "/PassengerGate")
                try setText(.stand, from: document.child(of: resource, ns, "AircraftParkingPosition"), into: &update, at: here)
                let terminal = firstByRepeatIndex(resource, "PublicTerminal") ?? document.child(of: resource, ns, "AircraftTerminal")
                try setText(.terminal, from: terminal, into: &update, at: here + "/Terminal")
                if direction == .arrival {
                    try setText(.belt, from: firstByRepeatIndex(resource, "BaggageClaimUnit"), into: &update, at: here + "/BaggageClaimUnit")
                }
                if let checkIn = document.child(of: resource, ns, "CheckInInfo") {
                    if isNil(checkIn) {
                        update.clear(.checkin)
                    } else {
                        let first = document.child(of: checkIn, ns, "FirstPosition").map { String(document[$0].trimmedText) } ?? ""
                        let last = document.child(of: checkIn, ns, "LastPosition").map { String(document[$0].trimmedText) } ?? ""
                        let desks = first.isEmpty || last.isEmpty || first == last ? (first.isEmpty ? last : first) : "\(first)-\(last)"
                        if !desks.isEmpty { try update.set(.checkin, checked: .text(desks), at: here + "/CheckInInfo") }
                    }
                }
            }
        }
    }

    /// The child named `name` with the lowest `RepeatIndex` (their order is not meaningful).
    private func firstByRepeatIndex(_ parent: Int, _ name: String) -> Int? {
        document.children(of: parent, ns, name).min {
            Int(document[$0].attribute("RepeatIndex") ?? "") ?? 0 < Int(document[$1].attribute("RepeatIndex") ?? "") ?? 0
        }
    }

    // MARK: Codeshares, remarks, delays

    private func readExtras(_ legData: Int, into update: inout FlightUpdate) throws(DecodeError) {
        var codeshares: [String] = []
        for share in document.children(of: legData, ns, "CodeShareInfo") {
            let airline = document.child(of: share, ns, "Airline").map { String(document[$0].trimmedText) } ?? ""
            let number = document.child(of: share, ns, "FlightNumber").map { String(document[$0].trimmedText) } ?? ""
            let suffix = document.child(of: share, ns, "OperationalSuffix").map { String(document[$0].trimmedText) } ?? ""
            if !airline.isEmpty && !number.isEmpty { codeshares.append(airline.uppercased() + number + suffix) }
        }
        if !codeshares.isEmpty { try update.set(.codeshares, checked: .list(codeshares), at: "\(location)/LegData/CodeShareInfo") }
        try setText(.remark, from: document.child(of: legData, ns, "RemarkFreeText"), into: &update, at: "\(location)/LegData/RemarkFreeText")
        var delays: [DelayCode] = []
        for delay in document.children(of: legData, ns, "IrregularityDelay") {
            let here = "\(location)/LegData/IrregularityDelay"
            let code = document.child(of: delay, ns, "ReasonCode").map { String(document[$0].trimmedText) } ?? ""
            guard !code.isEmpty else { continue }
            let durationText = document.child(of: delay, ns, "Duration").map { String(document[$0].trimmedText) } ?? ""
            var minutes = 0
            if !durationText.isEmpty {
                guard let parsed = Self.minutes(ofDuration: durationText) else {
                    throw DecodeError("\"\(durationText.prefix(40))\" is not a duration like PT15M", at: here + "/Duration")
                }
                minutes = parsed
            }
            delays.append(DelayCode(code: code, minutes: minutes))
        }
        if !delays.isEmpty { try update.set(.delays, checked: .delays(delays), at: "\(location)/LegData/IrregularityDelay") }
    }

    /// Whole minutes of an `xs:duration` with days, hours, minutes and seconds (`PT1H5M`,
    /// `P1DT2H`, `PT90S`); nil for anything else or over 10,000 minutes.
    static func minutes(ofDuration text: String) -> Int? {
        var scalars = Substring(text)
        guard scalars.first == "P" else { return nil }
        scalars = scalars.dropFirst()
        var total = 0
        var number = 0
        var digits = 0
        var inTime = false
        var components = 0
        for character in scalars {
            if let digit = character.wholeNumberValue, character.isASCII {
                number = number * 10 + digit
                digits += 1
                guard digits <= 6 else { return nil }
                continue
            }
            switch (character, inTime) {
            case ("T", false):
                guard digits == 0 else { return nil }
                inTime = true
                continue
            case ("D", false): total += number * 1440
            case ("H", true): total += number * 60
            case ("M", true): total += number
            case ("S", true): total += number / 60
            default: return nil
            }
            guard digits > 0 else { return nil }
            number = 0
            digits = 0
            components += 1
        }
        guard digits == 0, components > 0, total <= 10_000 else { return nil }
        return total
    }

    // MARK: Helpers

    private func set(_ field: FlightField, _ value: FieldValue?, into update: inout FlightUpdate, at here: String) throws(DecodeError) {
        if let value {
            try update.set(field, checked: value, at: here)
        } else {
            update.clear(field)
        }
    }

    /// A text field from an element: cleared by `xsi:nil`, absent when missing or empty.
    private func setText(_ field: FlightField, from element: Int?, into update: inout FlightUpdate, at here: String) throws(DecodeError) {
        guard let element else { return }
        if isNil(element) {
            update.clear(field)
            return
        }
        let text = document[element].trimmedText
        guard !text.isEmpty else { return }
        try update.set(field, checked: .text(String(text)), at: here)
    }

    private func isNil(_ element: Int) -> Bool {
        let value = document[element].attribute(AIDXDecoder.instanceNamespace, "nil")
        return value == "true" || value == "1"
    }

    /// A vendor's last-update time in the leg's `TPA_Extension` (Amadeus `LastUpdateDatetime`).
    private func vendorUpdateTime() -> Timestamp? {
        guard let extensionElement = document.child(of: leg, ns, "TPA_Extension") else { return nil }
        for element in document.descendants(of: extensionElement)
        where document[element].name == "LastUpdateDatetime" || document[element].name == "LastUpdateDateTime" {
            if let time = Timestamp(iso8601: document[element].trimmedText) { return time }
        }
        return nil
    }

    /// The leg's own direction, when no airport is configured.
    private func inferredDirection(_ legData: Int?) -> Direction {
        guard let legData else { return .departure }
        var departure = 0
        var arrival = 0
        for element in document.descendants(of: legData) {
            let item = document[element]
            for value in [item.attribute("DepartureOrArrival"), item.attribute("FlightLegScope")] {
                if value == "Departure" { departure += 1 }
                if value == "Arrival" { arrival += 1 }
            }
            if item.name == "OperationTime", let qualifier = item.attribute("OperationQualifier") {
                if AIDXCodes.departureOnly.contains(qualifier) { departure += 1 }
                if AIDXCodes.arrivalOnly.contains(qualifier) { arrival += 1 }
            }
            if item.name == "BaggageClaimUnit" { arrival += 1 }
        }
        return arrival > departure ? .arrival : .departure
    }
}
