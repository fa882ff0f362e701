import FlightModel
import JSON

extension PlannedNotification {
    /// The notification as JSON (a pending one inside ``PassengerView/json``, or the relay's
    /// delivery row): `{"id", "event_id", "event_kind", "notice", "topic", "flight_id",
    /// "occurred_at", "due_at", "urgent", "replace_key", "supersedes"?, "facts": {...}}`.
    public var json: [UInt8] {
        var writer = JSONWriter(capacity: 600)
        write(to: &writer)
        return writer.bytes
    }

    /// Reads what ``json`` wrote.
    public init(json bytes: some Collection<UInt8>) throws(StoredStateError) {
        do {
            try self.init(reader: JSONReader(try JSONParser.parse(bytes), path: ""))
        } catch let error as JSONParser.Error {
            throw StoredStateError(field: nil, "not JSON: \(error.description)")
        } catch let error as RelayEventError {
            throw StoredStateError(error)
        } catch {
            throw StoredStateError(field: nil, "\(error)")
        }
    }

    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("id", id)
        writer.field("event_id", eventID)
        writer.field("event_kind", eventKind.rawValue)
        writer.field("notice", notice.rawValue)
        writer.field("topic", topic.rawValue)
        writer.field("flight_id", flightID)
        writer.field("occurred_at", occurredAt.iso8601)
        writer.field("due_at", dueAt.iso8601)
        writer.key("urgent")
        writer.bool(urgent)
        writer.field("replace_key", replaceKey)
        if let supersedes { writer.field("supersedes", supersedes) }
        writer.key("facts")
        facts.write(to: &writer)
        writer.endObject()
    }

    init(reader: JSONReader) throws(RelayEventError) {
        func parsed<T: RawRepresentable<String>>(_ key: String, as type: T.Type) throws(RelayEventError) -> T {
            let text = try reader.string(key)
            guard let value = T(rawValue: text) else {
                throw RelayEventError(.badField, field: reader.name(key), "\(reader.name(key)) \(text) is unknown")
            }
            return value
        }
        self.init(
            id: try reader.string("id"), eventID: try reader.string("event_id"),
            eventKind: try parsed("event_kind", as: EventKind.self), notice: try parsed("notice", as: Notice.self),
            topic: try parsed("topic", as: NotificationTopic.self), flightID: try reader.string("flight_id"),
            occurredAt: try reader.time("occurred_at"), dueAt: try reader.time("due_at"),
            urgent: try reader.bool("urgent"), replaceKey: try reader.string("replace_key"),
            supersedes: try reader.optionalString("supersedes"),
            facts: try NotificationFacts(reader: try reader.object("facts")))
    }
}

extension NotificationFacts {
    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("airline", airline)
        writer.field("number", number)
        writer.field("date", date)
        writer.field("direction", direction.rawValue)
        let texts: [(String, String?)] = [
            ("origin", origin), ("destination", destination), ("scheduled", scheduled?.iso8601),
            ("estimated", estimated?.iso8601), ("old_gate", oldGate), ("gate", gate), ("old_terminal", oldTerminal),
            ("terminal", terminal), ("old_belt", oldBelt), ("belt", belt), ("diverted_to", divertedTo),
            ("actual", actual?.iso8601), ("remark", remark),
        ]
        for (key, value) in texts { if let value { writer.field(key, value) } }
        if let delayMinutes { writer.field("delay_minutes", delayMinutes) }
        writer.endObject()
    }

    init(reader: JSONReader) throws(RelayEventError) {
        let directionName = try reader.string("direction")
        guard let direction = Direction(rawValue: directionName) else {
            throw RelayEventError(
                .badField, field: reader.name("direction"), "\(reader.name("direction")) \(directionName) is unknown")
        }
        self.init(
            airline: try reader.string("airline"), number: try reader.string("number"), date: try reader.string("date"),
            direction: direction, origin: try reader.optionalString("origin"),
            destination: try reader.optionalString("destination"), scheduled: try reader.optionalTime("scheduled"),
            estimated: try reader.optionalTime("estimated"), oldGate: try reader.optionalString("old_gate"),
            gate: try reader.optionalString("gate"), oldTerminal: try reader.optionalString("old_terminal"),
            terminal: try reader.optionalString("terminal"),
            delayMinutes: try reader.optionalInteger("delay_minutes").map { Int(clamping: $0) },
            oldBelt: try reader.optionalString("old_belt"), belt: try reader.optionalString("belt"),
            divertedTo: try reader.optionalString("diverted_to"), actual: try reader.optionalTime("actual"),
            remark: try reader.optionalString("remark"))
    }
}
