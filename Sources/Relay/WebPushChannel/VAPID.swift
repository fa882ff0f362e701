import Crypto
import Foundation
import JSON
import Synchronization

/// The application server's identity toward push services (RFC 8292): an ES256-signed JWT naming
/// the push service's origin (`aud`), an expiry (`exp`, 12 hours ahead) and a contact (`sub`),
/// sent as `Authorization: vapid t=<jwt>, k=<public key>`. One token per origin is kept and reused
/// until less than an hour of it remains.
public final class VAPID: Sendable {
    /// How long a token is valid (RFC 8292 §2 allows at most 24 hours).
    public static let tokenLifetimeSeconds = 12 * 3600
    /// A token with less than this left is replaced before use.
    static let renewalMarginSeconds = 3600

    /// The private scalar: swift-crypto's key type is not `Sendable`, its 32 bytes are.
    private let keyBytes: [UInt8]
    /// The contact the push service may reach (`mailto:` or `https:`).
    public let subject: String
    /// The public key, base64url of the 65-byte uncompressed point: the `k=` parameter and the
    /// `applicationServerKey` a page passes to `PushManager.subscribe()`.
    public let publicKey: String
    private let tokens = Mutex<[String: (token: String, expires: Int)]>([:])

    /// Loads the key and checks the subject.
    ///
    /// - Parameters:
    ///   - privateKey: a PEM P-256 key (`EC PRIVATE KEY` as `openssl ecparam -genkey` writes it,
    ///     with or without its `EC PARAMETERS` block, or PKCS#8 `PRIVATE KEY`), or the raw 32-byte
    ///     private scalar as base64url (the form web-push tools print).
    ///   - subject: `mailto:` address or `https:` URL of the operator.
    public init(privateKey: String, subject: String) throws(WebPushSetupError) {
        guard subject.hasPrefix("mailto:") || subject.hasPrefix("https:"), subject.count > 7 else {
            throw WebPushSetupError(.invalidSubject, "subject must be a mailto: address or an https: URL, not '\(subject)'")
        }
        let key = try Self.loadKey(privateKey)
        self.keyBytes = Array(key.rawRepresentation)
        self.subject = subject
        self.publicKey = Base64URL.encode(key.publicKey.x963Representation)
    }

    /// The `Authorization` header's value for a request to `endpoint`, reusing the origin's token
    /// while it has more than an hour left.
    ///
    /// - Parameter now: seconds since 1970 (tests pass their own).
    public func authorization(for endpoint: String, now: Int = Int(Date().timeIntervalSince1970)) throws(WebPushSetupError)
        -> String
    {
        guard let origin = Self.origin(of: endpoint) else {
            throw WebPushSetupError(.invalidEndpoint, "the endpoint '\(endpoint)' is no https:// URL")
        }
        let token = tokens.withLock { cache in
            if let cached = cache[origin], cached.expires - now > Self.renewalMarginSeconds { return cached.token }
            let expires = now + Self.tokenLifetimeSeconds
            let token = makeToken(audience: origin, expires: expires)
            cache[origin] = (token, expires)
            return token
        }
        return "vapid t=\(token), k=\(publicKey)"
    }

    /// A new signed token (RFC 7515 compact form, ES256 as the raw 64-byte r‖s).
    func makeToken(audience: String, expires: Int) -> String {
        var claims = JSONWriter(capacity: 128)
        claims.beginObject()
        claims.field("aud", audience)
        claims.field("exp", expires)
        claims.field("sub", subject)
        claims.endObject()
        let header = Base64URL.encode(Array("{\"typ\":\"JWT\",\"alg\":\"ES256\"}".utf8))
        let signingInput = header + "." + Base64URL.encode(claims.bytes)
        // ECDSA over SHA-256 of the signing input; neither step fails for the key init accepted.
        let key = try! P256.Signing.PrivateKey(rawRepresentation: keyBytes)
        let signature = try! key.signature(for: Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature.rawRepresentation)
    }

    /// `https://host[:port]` of an https URL (RFC 6454 origin; the default port left out), lower-cased.
    public static func origin(of endpoint: String) -> String? {
        guard let components = URLComponents(string: endpoint), components.scheme?.lowercased() == "https",
            let host = components.host, !host.isEmpty
        else { return nil }
        let hostText = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let port = components.port.flatMap { $0 == 443 ? nil : ":\($0)" } ?? ""
        return "https://" + hostText.lowercased() + port
    }

    private static func loadKey(_ text: String) throws(WebPushSetupError) -> P256.Signing.PrivateKey {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.hasPrefix("-----BEGIN") {
            guard let raw = Base64URL.decode(trimmed), raw.count == 32,
                let key = try? P256.Signing.PrivateKey(rawRepresentation: raw)
            else {
                throw WebPushSetupError(
                    .invalidKey, "the VAPID private key is neither PEM nor a base64url 32-byte P-256 private key")
            }
            return key
        }
        // openssl's `ecparam -genkey` writes an EC PARAMETERS block first: keep only the key's.
        guard let block = privateKeyBlock(of: trimmed) else {
            throw WebPushSetupError(.invalidKey, "the VAPID key file holds no 'EC PRIVATE KEY' or 'PRIVATE KEY' PEM block")
        }
        do {
            return try P256.Signing.PrivateKey(pemRepresentation: block)
        } catch {
            throw WebPushSetupError(.invalidKey, "the VAPID key is no P-256 private key (\(error)); create one with "
                + "'openssl ecparam -name prime256v1 -genkey -noout -out vapid.pem'")
        }
    }

    private static func privateKeyBlock(of pem: String) -> String? {
        for label in ["EC PRIVATE KEY", "PRIVATE KEY"] {
            let begin = "-----BEGIN \(label)-----", end = "-----END \(label)-----"
            if let start = pem.range(of: begin), let stop = pem.range(of: end, range: start.upperBound..<pem.endIndex) {
                return String(pem[start.lowerBound..<stop.upperBound])
            }
        }
        return nil
    }
}
