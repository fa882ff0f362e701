import Crypto
import JSON
import Testing
import WebPushChannel

/// RFC 8292: the token's form, claims and signature, its reuse per origin, and the key forms accepted.
@Suite struct WebPushVAPIDTests {
    /// As `openssl ecparam -name prime256v1 -genkey` writes it (parameters block first). A test key only.
    static let opensslPEM = """
        -----BEGIN EC PARAMETERS-----
        BggqhkjOPQMBBw==
        -----END EC PARAMETERS-----
        -----BEGIN EC PRIVATE KEY-----
        MHcCAQEEIDGm1x23I9FftJv9GAQ0+R2Ik+KMtSmxON2M44FMU0CloAoGCCqGSM49
        AwEHoUQDQgAEv+CeEJ+sXr2RubizB1FHzSMnSNcXiKPeY8oHAocw+QVoQoPA9W9d
        +9dTNqHo45hi/DVy9N1y7mGlfFux09WOWQ==
        -----END EC PRIVATE KEY-----
        """
    /// Its public key, as `openssl ec -pubout -conv_form uncompressed` prints it, in base64url.
    static let opensslPublic = "BL_gnhCfrF69kbm4swdRR80jJ0jXF4ij3mPKBwKHMPkFaEKDwPVvXfvXUzah6OOYYvw1cvTdcu5hpXxbsdPVjlk"

    @Test func loadsOpensslPEMPKCS8AndRawKeys() throws {
        #expect(try VAPID(privateKey: Self.opensslPEM, subject: "mailto:ops@example.org").publicKey == Self.opensslPublic)

        let key = P256.Signing.PrivateKey()
        let expected = Base64URL.encode(key.publicKey.x963Representation)
        #expect(try VAPID(privateKey: key.pemRepresentation, subject: "https://example.org").publicKey == expected)
        #expect(try VAPID(privateKey: Base64URL.encode(key.rawRepresentation) + "\n", subject: "mailto:a@b.c").publicKey == expected)
        #expect(Base64URL.decode(expected)?.count == 65)
    }

    @Test func refusesABadKeyOrSubject() {
        let badKey = #expect(throws: WebPushSetupError.self) { try VAPID(privateKey: "not a key", subject: "mailto:a@b.c") }
        #expect(badKey?.code == .invalidKey)
        let rsa = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----"
        #expect(throws: WebPushSetupError.self) { try VAPID(privateKey: rsa, subject: "mailto:a@b.c") }
        let badSubject = #expect(throws: WebPushSetupError.self) {
            try VAPID(privateKey: Self.opensslPEM, subject: "ops@example.org")
        }
        #expect(badSubject?.code == .invalidSubject)
    }

    @Test func tokenIsAnES256JWTForTheEndpointsOriginValidFor12Hours() throws {
        let vapid = try VAPID(privateKey: Self.opensslPEM, subject: "mailto:ops@example.org")
        let now = 1_790_000_000
        let header = try vapid.authorization(for: "https://push.example.net:8443/wpush/v2/abc?x=1", now: now)

        let parts = header.split(separator: " ")
        #expect(parts.count == 3 && parts[0] == "vapid")
        #expect(parts[2] == "k=\(Self.opensslPublic)")
        let token = try #require(parts[1].hasPrefix("t=") ? parts[1].dropFirst(2).dropLast() : nil)  // no trailing comma
        let segments = token.split(separator: ".").map(String.init)
        try #require(segments.count == 3)

        let jose = try JSONParser.parse(try #require(Base64URL.decode(segments[0])))
        guard case .object(let joseObject) = jose else { Issue.record("JOSE header is \(jose.kindName)"); return }
        #expect(joseObject["alg"]?.stringValue == "ES256")
        let claims = try JSONParser.parse(try #require(Base64URL.decode(segments[1])))
        guard case .object(let claimsObject) = claims else { Issue.record("claims are \(claims.kindName)"); return }
        #expect(claimsObject["aud"]?.stringValue == "https://push.example.net:8443")
        #expect(claimsObject["exp"]?.integerValue == Int64(now + 12 * 3600))
        #expect(claimsObject["sub"]?.stringValue == "mailto:ops@example.org")

        let publicKey = try P256.Signing.PublicKey(x963Representation: try #require(Base64URL.decode(Self.opensslPublic)))
        let signature = try P256.Signing.ECDSASignature(rawRepresentation: try #require(Base64URL.decode(segments[2])))
        #expect(publicKey.isValidSignature(signature, for: Array("\(segments[0]).\(segments[1])".utf8)))
        #expect(!publicKey.isValidSignature(signature, for: Array("\(segments[0]).\(segments[1])x".utf8)))
    }

    @Test func tokenIsReusedPerOriginUntilAnHourIsLeft() throws {
        let vapid = try VAPID(privateKey: Self.opensslPEM, subject: "mailto:ops@example.org")
        let now = 1_790_000_000
        let first = try vapid.authorization(for: "https://push.example.net/a", now: now)
        #expect(try vapid.authorization(for: "https://push.example.net/b", now: now + 10 * 3600) == first)
        #expect(try vapid.authorization(for: "https://PUSH.example.net:443/c", now: now + 60) == first)
        #expect(try vapid.authorization(for: "https://other.example.net/a", now: now) != first)
        #expect(try vapid.authorization(for: "https://push.example.net/a", now: now + 11 * 3600 + 1) != first)
    }

    @Test func originIsSchemeHostAndNonDefaultPort() {
        #expect(VAPID.origin(of: "https://fcm.googleapis.com/fcm/send/abc") == "https://fcm.googleapis.com")
        #expect(VAPID.origin(of: "https://127.0.0.1:52503/push/x") == "https://127.0.0.1:52503")
        #expect(VAPID.origin(of: "http://127.0.0.1/push/x") == nil)
        #expect(VAPID.origin(of: "not a url") == nil)
    }
}
