import Channels
import Crypto
import JSON

/// What the relay's service worker receives and how the push service may collapse it: the
/// plaintext JSON `{"title","body","url","tag","id"}` (`tag` = the message's replace key, so a
/// newer notification replaces the older one on screen; `id` = the delivery's, the same on every
/// attempt, so a repeat replaces itself without a second alert) and the RFC 8030 `Topic` header.
public enum WebPushPayload {
    /// The plaintext of `message`, before encryption: `title` (subject), `body` (text), `url`
    /// (link, null when none), `tag` (replace key) and `id` (delivery id).
    public static func json(for message: OutgoingMessage) -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + message.text.utf8.count)
        writer.beginObject()
        writer.field("title", message.subject)
        writer.field("body", message.text)
        writer.field("url", message.link)
        writer.field("tag", message.replaceKey)
        writer.field("id", message.deliveryID)
        writer.endObject()
        return writer.bytes
    }

    /// The `Topic` for a replace key: RFC 8030 §5.4 allows at most 32 characters of the base64url
    /// alphabet, so it is the first 32 characters of the key's SHA-256 in base64url (192 bits: no
    /// two flights' keys meet).
    public static func topic(forReplaceKey replaceKey: String) -> String {
        String(Base64URL.encode(SHA256.hash(data: Array(replaceKey.utf8))).prefix(32))
    }
}
