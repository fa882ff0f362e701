import Channels
import Crypto
import Foundation
import JSON

/// The body of one FCM HTTP v1 `messages:send`: the notification a person sees, and for each
/// platform how it replaces an older one (`replaceKey`), how urgent it is and how long it may wait.
enum FCMMessageBody {
    /// `{"message": {...}}` for `registrationToken`; `now` dates the APNs expiration.
    static func encode(_ message: OutgoingMessage, registrationToken: String, now: Date) -> [UInt8] {
        let ttl = max(0, message.timeToLiveSeconds)
        var json = JSONWriter(capacity: 1024)
        json.beginObject()
        json.key("message")
        json.beginObject()
        json.field("token", registrationToken)

        json.key("notification")
        json.beginObject()
        json.field("title", message.subject)
        json.field("body", message.text)
        json.endObject()

        json.key("android")
        json.beginObject()
        json.field("collapse_key", message.replaceKey)
        json.field("priority", message.urgency == .high ? "high" : "normal")
        json.field("ttl", "\(ttl)s")
        json.key("notification")
        json.beginObject()
        json.field("tag", message.replaceKey)
        json.endObject()
        json.endObject()

        json.key("apns")
        json.beginObject()
        json.key("headers")
        json.beginObject()
        json.field("apns-collapse-id", boundedKey(message.replaceKey, limit: 64, base64URLOnly: false))
        json.field("apns-priority", apnsPriority(message.urgency))
        json.field("apns-expiration", String(Int(now.timeIntervalSince1970) + ttl))
        json.endObject()
        json.endObject()

        json.key("webpush")
        json.beginObject()
        json.key("headers")
        json.beginObject()
        json.field("Topic", boundedKey(message.replaceKey, limit: 32, base64URLOnly: true))
        json.field("Urgency", message.urgency.rawValue)
        json.field("TTL", String(ttl))
        json.endObject()
        if let link = message.link, link.hasPrefix("https://") {
            json.key("fcm_options")
            json.beginObject()
            json.field("link", link)
            json.endObject()
        }
        json.endObject()

        // FCM's data values are strings only.
        json.key("data")
        json.beginObject()
        json.field("delivery_id", message.deliveryID)
        json.field("replace_key", message.replaceKey)
        if let link = message.link { json.field("link", link) }
        json.endObject()

        json.endObject()
        json.endObject()
        return json.bytes
    }

    /// APNs: 10 delivers at once, 5 when the device's power allows, 1 never wakes it.
    static func apnsPriority(_ urgency: OutgoingMessage.Urgency) -> String {
        switch urgency {
        case .high: "10"
        case .normal: "5"
        case .low: "1"
        }
    }

    /// `key` itself when it fits the header's rules (APNs: 64 bytes; Web Push `Topic`: 32 base64url
    /// characters), else a digest of it that does: the same key always gives the same value.
    static func boundedKey(_ key: String, limit: Int, base64URLOnly: Bool) -> String {
        let fits = key.utf8.count <= limit && !key.isEmpty
            && (!base64URLOnly || key.utf8.allSatisfy { isBase64URL($0) })
        if fits { return key }
        let digest = ServiceAccountAssertion.base64URL(Array(SHA256.hash(data: Array(key.utf8))))
        return String(digest.prefix(limit))
    }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }
}
