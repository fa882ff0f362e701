/// One notification, rendered and ready to leave on a channel: the text a person reads, and what each
/// channel needs to identify it (idempotency) and to replace an older one (collapse).
public struct OutgoingMessage: Sendable, Hashable {
    /// Stable across every retry of the same delivery: the e-mail's `Message-ID`, the idempotency
    /// key, the push message's id. Derived from the delivery row, never random.
    public var deliveryID: String
    /// The same for notifications that supersede each other (flight + kind): FCM `collapse_key` and
    /// `tag`, APNs collapse id, Web Push `Topic` (at most 32 base64url characters there).
    public var replaceKey: String
    /// E-mail subject, push title.
    public var subject: String
    /// Plain text: the SMS, the push body, the e-mail's text part.
    public var text: String
    /// The e-mail's HTML part (already escaped); nil sends text only.
    public var html: String?
    /// What a tap on a push opens, and the e-mail's "manage" link.
    public var link: String?
    /// The signed one-click unsubscribe URL (RFC 8058); e-mail puts it in `List-Unsubscribe`.
    public var unsubscribeURL: String?
    /// How urgently the device should wake for it (Web Push `Urgency`, FCM/APNs priority).
    public var urgency: Urgency
    /// How long a push service may hold it for an offline device before it is stale.
    public var timeToLiveSeconds: Int
    /// BCP 47 language of the text (`en`, `de`): e-mail `Content-Language`.
    public var locale: String

    /// How soon a device should wake for a message.
    public enum Urgency: String, Sendable, Hashable {
        case low
        case normal
        case high
    }

    public init(
        deliveryID: String, replaceKey: String, subject: String, text: String, html: String? = nil,
        link: String? = nil, unsubscribeURL: String? = nil, urgency: Urgency = .normal,
        timeToLiveSeconds: Int = 6 * 3600, locale: String = "en"
    ) {
        self.deliveryID = deliveryID
        self.replaceKey = replaceKey
        self.subject = subject
        self.text = text
        self.html = html
        self.link = link
        self.unsubscribeURL = unsubscribeURL
        self.urgency = urgency
        self.timeToLiveSeconds = timeToLiveSeconds
        self.locale = locale
    }
}
