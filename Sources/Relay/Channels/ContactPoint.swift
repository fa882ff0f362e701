/// Where one notification goes: an address on one channel, as the subscriber gave it (validated).
public enum ContactPoint: Sendable, Hashable {
    /// An e-mail address (`local@domain`).
    case email(address: String)
    /// A phone number in E.164 form (`+41790000000`).
    case sms(number: String)
    /// An FCM registration token of an app installation.
    case fcm(token: String)
    /// A browser's push subscription (RFC 8030 endpoint, RFC 8291 keys).
    case webpush(WebPushSubscription)

    /// The channel this contact point belongs to.
    public var channel: ChannelKind {
        switch self {
        case .email: .email
        case .sms: .sms
        case .fcm: .fcm
        case .webpush: .webpush
        }
    }
}

/// A browser's push subscription as `PushManager.subscribe()` returns it.
public struct WebPushSubscription: Sendable, Hashable {
    /// The push service's URL for this subscription (HTTPS; RFC 8030 §5).
    public var endpoint: String
    /// The user agent's P-256 public key, uncompressed point, base64url without padding (65 bytes decoded).
    public var p256dh: String
    /// The 16-byte authentication secret, base64url without padding.
    public var auth: String

    public init(endpoint: String, p256dh: String, auth: String) {
        self.endpoint = endpoint
        self.p256dh = p256dh
        self.auth = auth
    }
}
