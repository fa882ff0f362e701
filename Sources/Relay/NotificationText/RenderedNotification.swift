public import Channels

/// A notification's texts in one language, before it is addressed: what every channel's
/// ``OutgoingMessage`` is made of.
public struct RenderedNotification: Sendable, Hashable {
    /// E-mail subject, push title.
    public var subject: String
    /// The full plain text; its first line is ``smsText``.
    public var text: String
    /// The SMS: one line of at most 160 characters.
    public var smsText: String
    /// The e-mail's HTML part, every value escaped.
    public var html: String
    /// What a tap opens (the personal page).
    public var link: String?
    /// The one-click unsubscribe URL.
    public var unsubscribeURL: String?
    /// Collapse key of the channels.
    public var replaceKey: String
    /// How urgently a device should wake.
    public var urgency: OutgoingMessage.Urgency
    /// How long a push service may hold it.
    public var timeToLiveSeconds: Int
    /// The language the text is in (`en`, `de`).
    public var locale: String

    public init(
        subject: String, text: String, smsText: String, html: String, link: String?, unsubscribeURL: String?,
        replaceKey: String, urgency: OutgoingMessage.Urgency, timeToLiveSeconds: Int, locale: String
    ) {
        self.subject = subject
        self.text = text
        self.smsText = smsText
        self.html = html
        self.link = link
        self.unsubscribeURL = unsubscribeURL
        self.replaceKey = replaceKey
        self.urgency = urgency
        self.timeToLiveSeconds = timeToLiveSeconds
        self.locale = locale
    }

    /// The message for one delivery on `channel`: an SMS carries ``smsText`` and no HTML, a push
    /// the headline as its body, an e-mail the full text and the HTML.
    public func message(deliveryID: String, channel: ChannelKind) -> OutgoingMessage {
        let body: String
        switch channel {
        case .email: body = text
        case .sms, .fcm, .webpush: body = smsText
        }
        return OutgoingMessage(
            deliveryID: deliveryID, replaceKey: replaceKey, subject: subject, text: body,
            html: channel == .email ? html : nil, link: link, unsubscribeURL: unsubscribeURL, urgency: urgency,
            timeToLiveSeconds: timeToLiveSeconds, locale: locale)
    }

    /// `text` cut to `limit` characters on one line, with `…` when something was cut.
    static func smsLine(_ text: String, limit: Int = 160) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard line.count > limit else { return line }
        return String(line.prefix(limit - 1)) + "…"
    }
}
