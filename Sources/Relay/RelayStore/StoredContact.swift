import Channels
import JSON

/// A subscriber's contact point as stored (`relay.contacts`), with its row id.
public struct StoredContact: Sendable, Hashable {
    public var id: Int64
    public var point: ContactPoint

    public init(id: Int64, point: ContactPoint) {
        self.id = id
        self.point = point
    }

    /// The `address` and `keys` columns of a contact point.
    static func columns(of point: ContactPoint) -> (address: String, keys: String) {
        switch point {
        case .email(let address): return (address, "{}")
        case .sms(let number): return (number, "{}")
        case .fcm(let token): return (token, "{}")
        case .webpush(let subscription):
            var writer = JSONWriter()
            writer.beginObject()
            writer.field("p256dh", subscription.p256dh)
            writer.field("auth", subscription.auth)
            writer.endObject()
            return (subscription.endpoint, writer.string)
        }
    }

    /// The contact point of a row; nil for a channel this build does not know.
    static func point(channel: String, address: String, keys: String) -> ContactPoint? {
        switch ChannelKind(rawValue: channel) {
        case .email: return .email(address: address)
        case .sms: return .sms(number: address)
        case .fcm: return .fcm(token: address)
        case .webpush:
            guard case .object(let object)? = try? JSONParser.parse(Array(keys.utf8)),
                let p256dh = object["p256dh"]?.stringValue, let auth = object["auth"]?.stringValue
            else { return nil }
            return .webpush(WebPushSubscription(endpoint: address, p256dh: p256dh, auth: auth))
        case nil: return nil
        }
    }
}
