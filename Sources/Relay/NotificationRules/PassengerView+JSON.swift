import FlightModel
public import JSON

extension PassengerView {
    /// The stored form (the relay's `jsonb` column), version 1:
    ///
    /// ```json
    /// {"version":1,"last_seq":17,"kinds_at_last_seq":["gate-change"],
    ///  "told":{"gate":"A12","terminal":"1","delay_minutes":45,"condition":"cancelled","belt":"3"},
    ///  "known":{"gate":"B34","terminal":"1","belt":"3","scheduled":"…Z","estimated":"…Z","condition":"cancelled"},
    ///  "pending":[{PlannedNotification's json}]}
    /// ```
    /// Unknown values are left out; `pending` is in topic order.
    public var json: [UInt8] {
        var writer = JSONWriter(capacity: 512)
        writer.beginObject()
        writer.field("version", 1)
        if let lastSeq { writer.field("last_seq", lastSeq) }
        writer.key("kinds_at_last_seq")
        writer.beginArray()
        for kind in kindsAtLastSeq.map(\.rawValue).sorted() { writer.string(kind) }
        writer.endArray()
        writer.key("told")
        writer.beginObject()
        for (key, value) in [
            ("gate", told.gate), ("terminal", told.terminal), ("condition", told.condition?.rawValue),
            ("belt", told.belt),
        ] {
            if let value { writer.field(key, value) }
        }
        if let delay = told.delayMinutes { writer.field("delay_minutes", delay) }
        writer.endObject()
        writer.key("known")
        writer.beginObject()
        let knownTexts = [
            ("gate", known.gate), ("terminal", known.terminal), ("belt", known.belt),
            ("scheduled", known.scheduled?.iso8601), ("estimated", known.estimated?.iso8601),
            ("condition", known.condition?.rawValue),
        ]
        for (key, value) in knownTexts { if let value { writer.field(key, value) } }
        writer.endObject()
        writer.key("pending")
        writer.beginArray()
        for notification in pendingNotifications { notification.write(to: &writer) }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    /// Reads what ``json`` wrote.
    public init(json bytes: some Collection<UInt8>) throws(StoredStateError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw StoredStateError(field: nil, "not JSON: \(error.description)")
        }
        try self.init(json: value)
    }

    /// Reads the parsed form of ``json``.
    public init(json value: JSONValue) throws(StoredStateError) {
        do {
            try self.init(reader: try JSONReader(value, path: ""))
        } catch {
            throw StoredStateError(error)
        }
    }

    private init(reader: JSONReader) throws(RelayEventError) {
        let version = try reader.integer("version")
        guard version == 1 else {
            throw RelayEventError(.badField, field: "version", "version \(version) is newer than this relay reads (1)")
        }
        func condition(_ object: JSONReader) throws(RelayEventError) -> FlightCondition? {
            guard let text = try object.optionalString("condition") else { return nil }
            guard let value = FlightCondition(rawValue: text) else {
                throw RelayEventError(
                    .badField, field: object.name("condition"), "\(object.name("condition")) \(text) is unknown")
            }
            return value
        }
        var kinds = Set<EventKind>()
        for item in try reader.array("kinds_at_last_seq") {
            guard let kind = item.stringValue.flatMap(EventKind.init(rawValue:)) else {
                throw RelayEventError(
                    .badField, field: "kinds_at_last_seq", "kinds_at_last_seq holds \(item), not an event kind")
            }
            kinds.insert(kind)
        }
        let toldObject = try reader.object("told")
        let knownObject = try reader.object("known")
        var pending: [NotificationTopic: PlannedNotification] = [:]
        for (index, item) in try reader.array("pending").enumerated() {
            let notification = try PlannedNotification(reader: try JSONReader(item, path: "pending[\(index)]"))
            pending[notification.topic] = notification
        }
        self.init(
            lastSeq: try reader.optionalInteger("last_seq"), kindsAtLastSeq: kinds,
            told: ToldFacts(
                gate: try toldObject.optionalString("gate"), terminal: try toldObject.optionalString("terminal"),
                delayMinutes: try toldObject.optionalInteger("delay_minutes").map { Int(clamping: $0) },
                condition: try condition(toldObject), belt: try toldObject.optionalString("belt")),
            known: KnownFacts(
                gate: try knownObject.optionalString("gate"), terminal: try knownObject.optionalString("terminal"),
                belt: try knownObject.optionalString("belt"), scheduled: try knownObject.optionalTime("scheduled"),
                estimated: try knownObject.optionalTime("estimated"), condition: try condition(knownObject)),
            pending: pending)
    }
}

extension RecipientBudget {
    /// The stored form: `{"capacity":10,"refill_per_hour":10,"tokens":7,"refilled_at":"…Z"}`.
    public var json: [UInt8] {
        var writer = JSONWriter(capacity: 96)
        writer.beginObject()
        writer.field("capacity", capacity)
        writer.field("refill_per_hour", refillPerHour)
        writer.field("tokens", tokens)
        writer.field("refilled_at", refilledAt.iso8601)
        writer.endObject()
        return writer.bytes
    }

    /// Reads what ``json`` wrote.
    public init(json bytes: some Collection<UInt8>) throws(StoredStateError) {
        do {
            let reader = try JSONReader(try JSONParser.parse(bytes), path: "")
            self.init(
                capacity: Int(clamping: try reader.integer("capacity")),
                refillPerHour: Int(clamping: try reader.integer("refill_per_hour")),
                tokens: Int(clamping: try reader.integer("tokens")), refilledAt: try reader.time("refilled_at"))
        } catch let error as RelayEventError {
            throw StoredStateError(error)
        } catch {
            throw StoredStateError(field: nil, "not JSON: \(error)")
        }
    }
}
