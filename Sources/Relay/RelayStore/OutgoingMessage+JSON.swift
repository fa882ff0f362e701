import Channels
import JSON

/// A rendered message is stored with its delivery (`deliveries.message`), so that every retry
/// sends the very same bytes, whatever the templates say by then.
extension OutgoingMessage {
    /// The message as the JSON stored in `deliveries.message`.
    public var storedJSON: String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("delivery_id", deliveryID)
        writer.field("replace_key", replaceKey)
        writer.field("subject", subject)
        writer.field("text", text)
        writer.field("html", html)
        writer.field("link", link)
        writer.field("unsubscribe_url", unsubscribeURL)
        writer.field("urgency", urgency.rawValue)
        writer.field("ttl", timeToLiveSeconds)
        writer.field("locale", locale)
        writer.endObject()
        return writer.string
    }

    /// The member names ``storedJSON`` writes: every claimed delivery's message is read again.
    private static let storedKeys = JSONParser.KnownKeys([
        "delivery_id", "replace_key", "subject", "text", "html", "link", "unsubscribe_url", "urgency", "ttl", "locale",
    ])

    /// Reads what ``storedJSON`` wrote; nil when a required member is missing.
    public init?(storedJSON: String) {
        guard case .object(let object)? = try? JSONParser.parse(storedJSON.utf8, knownKeys: Self.storedKeys),
            let deliveryID = object["delivery_id"]?.stringValue, let replaceKey = object["replace_key"]?.stringValue,
            let subject = object["subject"]?.stringValue, let text = object["text"]?.stringValue
        else { return nil }
        self.init(
            deliveryID: deliveryID, replaceKey: replaceKey, subject: subject, text: text,
            html: object["html"]?.stringValue, link: object["link"]?.stringValue,
            unsubscribeURL: object["unsubscribe_url"]?.stringValue,
            urgency: object["urgency"]?.stringValue.flatMap(Urgency.init(rawValue:)) ?? .normal,
            timeToLiveSeconds: object["ttl"]?.integerValue.map { Int($0) } ?? 6 * 3600,
            locale: object["locale"]?.stringValue ?? "en")
    }
}
