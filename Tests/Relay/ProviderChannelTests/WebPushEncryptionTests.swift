import Channels
import Crypto
import Testing
import WebPushChannel

/// RFC 8291's worked example (§5, with the intermediate values of Appendix A), reproduced byte for
/// byte with its ephemeral key and salt injected, and the limits of a single record.
@Suite struct WebPushEncryptionTests {
    static let plaintext = Array("When I grow up, I want to be a watermelon".utf8)
    static let asPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
    static let asPublic = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
    static let uaPublic = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
    static let auth = "BTBZMqHH6r4Tts7J_aSIgg"
    static let salt = "DGv6ra1nlYgDCS1FRnbzlw"
    static let body =
        "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_"
        + "yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"

    @Test func reproducesTheRFC8291WorkedExample() throws {
        let ephemeral = try P256.KeyAgreement.PrivateKey(rawRepresentation: try #require(Base64URL.decode(Self.asPrivate)))
        #expect(Base64URL.encode(ephemeral.publicKey.x963Representation) == Self.asPublic)

        let body = try WebPushEncryption.encrypt(
            Self.plaintext, p256dh: Self.uaPublic, auth: Self.auth, ephemeralKey: ephemeral, salt: Base64URL.decode(Self.salt))

        #expect(Base64URL.encode(body) == Self.body)
    }

    @Test func headerCarriesSaltRecordSizeAndTheSendersKey() throws {
        let body = try WebPushEncryption.encrypt(Self.plaintext, p256dh: Self.uaPublic, auth: Self.auth)
        #expect(body.count == 86 + Self.plaintext.count + 1 + 16)
        #expect(Array(body[16..<20]) == [0, 0, 0x10, 0])  // rs = 4096, big-endian
        #expect(body[20] == 65)
        #expect(body[21] == 0x04)  // an uncompressed point
        // A fresh key and salt each time: the same plaintext never looks the same twice.
        let again = try WebPushEncryption.encrypt(Self.plaintext, p256dh: Self.uaPublic, auth: Self.auth)
        #expect(Array(again[0..<16]) != Array(body[0..<16]))
        #expect(Array(again[21..<86]) != Array(body[21..<86]))
    }

    @Test func paddingGrowsTheRecordAndStaysWithinTheLimit() throws {
        let padded = try WebPushEncryption.encrypt(Self.plaintext, p256dh: Self.uaPublic, auth: Self.auth, paddingLength: 100)
        #expect(padded.count == 86 + Self.plaintext.count + 1 + 100 + 16)

        let largest = [UInt8](repeating: 0x61, count: WebPushEncryption.maximumPlaintextLength)
        #expect(try WebPushEncryption.encrypt(largest, p256dh: Self.uaPublic, auth: Self.auth).count == 4096)

        let failure = #expect(throws: WebPushEncryption.Failure.self) {
            try WebPushEncryption.encrypt(largest + [0x61], p256dh: Self.uaPublic, auth: Self.auth)
        }
        #expect(failure?.subscriptionIsInvalid == false)
    }

    @Test func refusesKeysThatAreNoP256PointOrSecret() {
        let notAPoint = #expect(throws: WebPushEncryption.Failure.self) {
            try WebPushEncryption.encrypt(Self.plaintext, p256dh: "BAAA" + String(Self.uaPublic.dropFirst(4)), auth: Self.auth)
        }
        #expect(notAPoint?.subscriptionIsInvalid == true)
        let shortAuth = #expect(throws: WebPushEncryption.Failure.self) {
            try WebPushEncryption.encrypt(Self.plaintext, p256dh: Self.uaPublic, auth: "BTBZMqHH6r4Tts7J")
        }
        #expect(shortAuth?.subscriptionIsInvalid == true)
        let notBase64 = #expect(throws: WebPushEncryption.Failure.self) {
            try WebPushEncryption.encrypt(Self.plaintext, p256dh: "not base64!", auth: Self.auth)
        }
        #expect(notBase64?.subscriptionIsInvalid == true)
    }

    @Test func base64URLRoundTripsAndRejectsStrayCharacters() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(($0 * 37 + 11) % 256) }
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Base64URL.decode(text) == bytes)
        }
        #expect(Base64URL.decode("BTBZMqHH6r4Tts7J_aSIgg==")?.count == 16)
        #expect(Base64URL.decode("ab$d") == nil)
        #expect(Base64URL.decode("A") == nil)  // 6 bits: no whole byte
    }

    @Test func topicIsAtMost32Base64URLCharactersAndStablePerReplaceKey() {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let topic = WebPushPayload.topic(forReplaceKey: "LX1234/2026-11-24/gate-change")
        #expect(topic.count == 32)
        #expect(topic.allSatisfy { alphabet.contains($0) })
        #expect(topic == WebPushPayload.topic(forReplaceKey: "LX1234/2026-11-24/gate-change"))
        #expect(topic != WebPushPayload.topic(forReplaceKey: "LX1234/2026-11-24/delay"))
    }

    @Test func subscriptionValidationNamesTheBadField() {
        let good = WebPushSubscription(endpoint: "https://push.example.net/x", p256dh: Self.uaPublic, auth: Self.auth)
        #expect(good.validationProblem == nil)
        var bad = good
        bad.endpoint = "http://push.example.net/x"
        #expect(bad.validationProblem?.field == "endpoint")
        bad = good
        bad.p256dh = Self.auth
        #expect(bad.validationProblem?.field == "keys.p256dh")
        bad = good
        bad.auth = Self.uaPublic
        #expect(bad.validationProblem?.field == "keys.auth")
    }
}
