@preconcurrency import Crypto
import Foundation
import WebPushChannel

/// Signs and checks the links a passenger gets (their personal page, one-click unsubscribe) and
/// the passenger pages' form tokens:
/// HMAC-SHA-256 under the relay's shared secret (kept in the database, so every instance
/// accepts every instance's links), truncated to 128 bits, base64url.
struct LinkSigner: Sendable {
    /// What a link allows: a token for one purpose does not open another.
    enum Purpose: String, Sendable {
        case manage
        case unsubscribe
        /// The confirmation message's link: it alone shows the confirm button of a subscription
        /// made on the public page (the page the form leads to does not: whoever fills in an
        /// address must also read its mail).
        case confirm
        /// A form's anti-forgery token, over the browser's `fe_csrf` cookie (``PassengerCSRF``).
        case csrf
    }

    private let key: SymmetricKey
    let publicURL: String

    init(secret: [UInt8], publicURL: String) {
        key = SymmetricKey(data: secret)
        self.publicURL = publicURL
    }

    /// The token of `purpose` for `id` (a subscription id; for `.csrf`, the cookie's value).
    func token(_ purpose: Purpose, subscription id: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(purpose.rawValue):\(id)".utf8), using: key)
        return Base64URL.encode(Array(mac.prefix(16)))
    }

    func isValid(_ token: String?, _ purpose: Purpose, subscription id: String) -> Bool {
        guard let token, let given = Base64URL.decode(token), given.count == 16 else { return false }
        let expected = Array(HMAC<SHA256>.authenticationCode(for: Array("\(purpose.rawValue):\(id)".utf8), using: key).prefix(16))
        // Constant time: no early exit on the first differing byte.
        return zip(given, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    func manageURL(_ id: String) -> String { "\(publicURL)/manage/\(id)?token=\(token(.manage, subscription: id))" }
    /// The personal page with the confirm button: the confirmation message's link.
    func confirmURL(_ id: String) -> String { "\(manageURL(id))&confirm=\(token(.confirm, subscription: id))" }
    func unsubscribeURL(_ id: String) -> String {
        "\(publicURL)/unsubscribe/\(id)?token=\(token(.unsubscribe, subscription: id))"
    }
}
