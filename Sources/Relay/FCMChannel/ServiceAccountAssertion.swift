import Foundation
import JSON
import _CryptoExtras

/// The signed JWT a service account trades for an access token (RFC 7523, Google's
/// "OAuth 2.0 for server to server applications"): RS256 over `{iss, scope, aud, iat, exp}`.
struct ServiceAccountAssertion {
    /// What the token may do: send through FCM, nothing else.
    static let scope = "https://www.googleapis.com/auth/firebase.messaging"
    /// Google accepts assertions that live at most an hour.
    static let lifetimeSeconds = 3600

    let account: ServiceAccount
    let key: _RSA.Signing.PrivateKey

    /// The compact JWT, issued at `issuedAt` (seconds since 1970).
    func jwt(issuedAt: Int) throws -> String {
        var header = JSONWriter(capacity: 128)
        header.beginObject()
        header.field("alg", "RS256")
        header.field("typ", "JWT")
        if let kid = account.privateKeyID { header.field("kid", kid) }
        header.endObject()

        var claims = JSONWriter(capacity: 256)
        claims.beginObject()
        claims.field("iss", account.clientEmail)
        claims.field("scope", Self.scope)
        claims.field("aud", account.tokenURI)
        claims.field("iat", issuedAt)
        claims.field("exp", issuedAt + Self.lifetimeSeconds)
        claims.endObject()

        let signingInput = Self.base64URL(header.bytes) + "." + Self.base64URL(claims.bytes)
        let signature = try key.signature(for: Array(signingInput.utf8), padding: .insecurePKCS1v1_5)
        return signingInput + "." + Self.base64URL(signature.rawRepresentation)
    }

    /// Base64url without padding (RFC 7515 §2).
    static func base64URL(_ bytes: some DataProtocol) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }
}
