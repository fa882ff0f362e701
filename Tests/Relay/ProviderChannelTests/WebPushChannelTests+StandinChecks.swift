import Channels
import FlightEdgeTestSupport
import Foundation
import Testing
import WebPushChannel

/// The stand-in is no rubber stamp: requests built by hand, each wrong in one way, are refused
/// the way a push service refuses them, while the same request done right is taken.
extension WebPushChannelTests {
    @Test func standinRefusesBadVAPIDTokensAndMissingHeaders() throws {
        let (_, subscription) = try subscribe()
        let vapid = try VAPID(privateKey: settings.vapidPrivateKey, subject: settings.subject)
        let now = Int(Date().timeIntervalSince1970)
        let body = try WebPushEncryption.encrypt(
            WebPushPayload.json(for: Self.message()), p256dh: subscription.p256dh, auth: subscription.auth)
        func post(_ headers: [String: String]) throws -> Int {
            try standin.request("POST", "", url: subscription.endpoint, body: body, headers: headers).status
        }
        let good = try vapid.authorization(for: subscription.endpoint, now: now)
        let plain = ["TTL": "60", "Content-Encoding": "aes128gcm", "Content-Type": "application/octet-stream"]

        // The signature is the third part of t=…: change one character in its middle.
        let tokenEnd = try #require(good.range(of: ", k="))
        let signatureStart = try #require(good.range(of: ".", options: .backwards, range: good.startIndex..<tokenEnd.lowerBound))
        var tampered = good
        let middle = good.index(signatureStart.upperBound, offsetBy: 40)
        tampered.replaceSubrange(middle...middle, with: good[middle] == "A" ? "B" : "A")

        #expect(try post(plain.merging(["Authorization": tampered]) { $1 }) == 403)
        // Tokens from a fresh VAPID each: one expired an hour ago, one valid for 25 hours.
        let expired = try VAPID(privateKey: settings.vapidPrivateKey, subject: settings.subject)
            .authorization(for: subscription.endpoint, now: now - 13 * 3600)
        #expect(try post(plain.merging(["Authorization": expired]) { $1 }) == 403)
        let tooLong = try VAPID(privateKey: settings.vapidPrivateKey, subject: settings.subject)
            .authorization(for: subscription.endpoint, now: now + 13 * 3600)
        #expect(try post(plain.merging(["Authorization": tooLong]) { $1 }) == 403)
        #expect(try post(plain) == 401)
        var noTTL = plain.merging(["Authorization": good]) { $1 }
        noTTL["TTL"] = nil
        #expect(try post(noTTL) == 400)
        #expect(try post(plain.merging(["Authorization": good, "Content-Encoding": "aesgcm"]) { $1 }) == 400)
        // And the same request done right is taken.
        #expect(try post(plain.merging(["Authorization": good]) { $1 }) == 201)
    }
}
