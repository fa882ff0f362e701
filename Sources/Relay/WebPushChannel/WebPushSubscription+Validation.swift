import Channels
import Crypto

extension WebPushSubscription {
    /// What is wrong with a subscription a page posted, before it is stored: nil when the endpoint is
    /// an https URL, `p256dh` a base64url uncompressed P-256 point and `auth` a base64url 16-byte
    /// secret; otherwise the JSON field (`endpoint`, `keys.p256dh`, `keys.auth`) and why, for a 422.
    public var validationProblem: (field: String, message: String)? {
        if VAPID.origin(of: endpoint) == nil {
            return ("endpoint", "the push endpoint must be an https:// URL")
        }
        guard let point = Base64URL.decode(p256dh), point.count == 65,
            (try? P256.KeyAgreement.PublicKey(x963Representation: point)) != nil
        else {
            return ("keys.p256dh", "p256dh must be a base64url uncompressed P-256 public key (65 bytes)")
        }
        guard let secret = Base64URL.decode(auth), secret.count == 16 else {
            return ("keys.auth", "auth must be a base64url 16-byte secret")
        }
        return nil
    }
}
