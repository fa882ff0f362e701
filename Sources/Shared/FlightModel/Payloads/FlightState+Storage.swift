import JSON

extension FlightState {
    /// Per field: source time, feed and precedence of the current value (and whether it was
    /// cleared), plus the delay last announced: what the merge and delay rules need after a
    /// restart. Stored in `flights.provenance`.
    public var provenanceJSON: String { String(decoding: provenanceBytes, as: UTF8.self) }

    /// ``provenanceJSON`` as UTF-8 bytes, as the batch commit sends it.
    public var provenanceBytes: [UInt8] {
        var writer = JSONWriter(capacity: 512)
        writer.beginObject()
        for raw in 0..<FlightField.count {
            guard let field = FlightField(rawValue: raw), let slot = slot(field) else { continue }
            writer.memberName(field.jsonName)
            writer.beginObject()
            if let time = slot.sourceTime { writer.member("t", time.millisecondsSinceEpoch) }
            writer.member("f", slot.feed)
            writer.member("p", slot.precedence)
            if slot.value == nil {
                writer.memberName("c")
                writer.bool(true)
            }
            writer.endObject()
        }
        if let announced = announcedDelayMinutes { writer.member("_announced_delay", announced) }
        writer.member("_first_seen", firstSeen.millisecondsSinceEpoch)
        writer.endObject()
        return writer.bytes
    }

    /// Rebuilds a flight from its `flights` row: the state payload, the provenance and `seq`.
    public static func restore(
        key: FlightKey, seq: Int64, updatedAt: Timestamp, stateJSON: [UInt8], provenanceJSON: [UInt8]
    ) throws -> FlightState {
        guard case .object(let stateObject) = try JSONParser.parse(stateJSON),
            case .object(let provenance) = try JSONParser.parse(provenanceJSON)
        else { throw FieldProblem(field: .status, "stored state is not a JSON object") }
        let firstSeen = provenance["_first_seen"]?.integerValue.map(Timestamp.init) ?? updatedAt
        var state = FlightState(key: key, seq: seq, firstSeen: firstSeen, updatedAt: updatedAt)
        state.announcedDelayMinutes = provenance["_announced_delay"]?.integerValue.map { Int($0) }
        for field in FlightField.allCases {
            guard case .object(let meta)? = provenance[field.name] else { continue }
            let cleared = meta["c"] == .bool(true)
            let value = cleared ? nil : try stateObject[field.name].flatMap { try field.value(from: $0) }
            state.setSlot(
                field,
                Slot(
                    value: value, sourceTime: meta["t"]?.integerValue.map(Timestamp.init),
                    feed: meta["f"]?.stringValue ?? "", precedence: Int(meta["p"]?.integerValue ?? 0)))
        }
        return state
    }
}
