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
            // `{"t":…,"f":"…","p":…}` in one write when the feed's name needs no escaping (a
            // configured name always: letters, digits, '-' and '_').
            let written: Bool? = slot.feed.utf8.withContiguousStorageIfAvailable { feed in
                guard feed.allSatisfy(Self.isPlainJSONText) else { return false }
                writer.member(field.jsonName, encodedCapacity: feed.count + 72) { out in
                    Self.writeProvenance(of: slot, feed: feed, to: out)
                }
                return true
            }
            if written == true { continue }
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

    /// One slot's provenance object at `out` (at most the feed's length + 72 bytes): the
    /// members the general path above writes, in its order. Returns how many bytes.
    private static func writeProvenance(
        of slot: Slot, feed: UnsafeBufferPointer<UInt8>, to out: UnsafeMutablePointer<UInt8>
    ) -> Int {
        var at = 0
        func put(_ text: StaticString) {
            (out + at).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
            at += text.utf8CodeUnitCount
        }
        put("{")
        if let time = slot.sourceTime {
            put("\"t\":")
            at += JSONWriter.writeDecimal(time.millisecondsSinceEpoch, to: out + at)
            put(",")
        }
        put("\"f\":\"")
        if let base = feed.baseAddress { (out + at).update(from: base, count: feed.count) }
        at += feed.count
        put("\",\"p\":")
        at += JSONWriter.writeDecimal(Int64(slot.precedence), to: out + at)
        if slot.value == nil { put(",\"c\":true") }
        put("}")
        return at
    }

    /// A byte JSON writes as it is inside a string: printable ASCII but `"` and `\`.
    private static func isPlainJSONText(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
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
