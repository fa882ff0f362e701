import HTTPTypes
import Hummingbird
import WebPushChannel

/// Anti-forgery for the passenger pages' forms: a signed double-submit token. The browser holds
/// a random value in the `fe_csrf` cookie (`HttpOnly`, `SameSite=Strict`); each form carries
/// HMAC(cookie) in its `csrf` field (or the `X-CSRF-Token` header, from the page's script). A
/// post is taken only when the two match: another site can neither read the cookie nor make
/// the token, and a Strict cookie does not even travel with its requests.
struct PassengerCSRF: Sendable {
    static let cookieName = "fe_csrf"
    static let fieldName = "csrf"
    static let header = HTTPField.Name("X-CSRF-Token")!

    let links: LinkSigner
    /// `Secure` on the cookie when the relay is served over HTTPS.
    let secure: Bool

    /// The browser's cookie value, when it sent a well-formed one.
    static func cookie(of request: Request) -> String? {
        guard let value = request.cookies[cookieName]?.value, value.count == 22, Base64URL.decode(value)?.count == 16 else {
            return nil
        }
        return value
    }

    /// The cookie to use for a page's forms: the browser's own, else a new one to set.
    func session(for request: Request) -> (value: String, setCookie: String?) {
        if let value = Self.cookie(of: request) { return (value, nil) }
        let value = Base64URL.encode(RelayService.randomBytes(16))
        let attributes = "Path=/; HttpOnly; SameSite=Strict; Max-Age=604800" + (secure ? "; Secure" : "")
        return (value, "\(Self.cookieName)=\(value); \(attributes)")
    }

    /// The token a form posts with this cookie value.
    func token(for cookie: String) -> String { links.token(.csrf, subscription: cookie) }

    /// True when the post's token (`csrf` field or header) matches its cookie.
    func accepts(_ request: Request, form: [(name: String, value: String)]) -> Bool {
        guard let cookie = Self.cookie(of: request) else { return false }
        let given = FormBody.value(Self.fieldName, in: form) ?? request.headers[Self.header]
        return links.isValid(given, .csrf, subscription: cookie)
    }
}
