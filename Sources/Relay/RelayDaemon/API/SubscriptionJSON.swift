import Channels
import JSON
import RelayStore

/// The API's JSON for subscriptions and deliveries (docs/relay-openapi.yaml).
enum SubscriptionJSON {
    static func subscription(_ record: SubscriptionRecord, manageURL: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("id", record.id)
        writer.field("state", record.state)
        writer.key("flight")
        writer.beginObject()
        writer.field("airline", record.airline)
        writer.field("number", record.number)
        writer.field("date", record.flightDate)
        writer.endObject()
        writer.key("kinds")
        writer.beginArray()
        for kind in record.kinds { writer.string(kind) }
        writer.endArray()
        writer.field("locale", record.locale)
        writer.field("time_zone", record.timeZone)
        if let from = record.quietFrom, let to = record.quietTo {
            writer.key("quiet_hours")
            writer.beginObject()
            writer.field("from", clock(from))
            writer.field("to", clock(to))
            writer.endObject()
        }
        writer.key("contacts")
        writer.beginArray()
        for (contact, disabledReason) in record.contacts {
            writer.beginObject()
            writer.field("channel", contact.point.channel.rawValue)
            switch contact.point {
            case .email(let address): writer.field("address", address)
            case .sms(let number): writer.field("number", number)
            case .fcm(let token): writer.field("token", token)
            case .webpush(let subscription): writer.field("endpoint", subscription.endpoint)
            }
            writer.field("disabled", disabledReason)
            writer.endObject()
        }
        writer.endArray()
        writer.field("manage_url", manageURL)
        writer.endObject()
        return writer.bytes
    }

    static func deliveries(_ records: [DeliveryRecord]) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginArray()
        for record in records {
            writer.beginObject()
            writer.field("event_id", record.eventID)
            writer.field("kind", record.kind)
            writer.field("channel", record.channel)
            writer.field("state", record.state)
            writer.field("attempts", record.attempts)
            writer.field("subject", record.subject)
            writer.field("sent_at", record.sentAt)
            writer.field("due_at", record.dueAt)
            writer.field("created_at", record.createdAt)
            writer.field("last_error", record.lastError)
            writer.field("provider_id", record.providerID)
            writer.endObject()
        }
        writer.endArray()
        return writer.bytes
    }

    static func clock(_ minutes: Int) -> String {
        let hours = minutes / 60
        let rest = minutes % 60
        return "\(hours < 10 ? "0" : "")\(hours):\(rest < 10 ? "0" : "")\(rest)"
    }
}
