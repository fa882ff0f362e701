import FlightEdgeTestSupport
import Foundation
import Testing

/// The relay with all four channels configured against the providers' stand-ins: one
/// subscription with an e-mail address, a phone, an app token and a browser subscription.
@Suite("Relay: every channel end to end", .serialized)
struct RelayChannelsEndToEndTests {
    /// A relay whose SMS, FCM and Web Push go to the stand-ins (and e-mail to the SMTP one).
    static func relay(databaseURL: String) throws -> RelayProcess {
        try RelayProcess(
            databaseURL: databaseURL, smtp: try SMTPStandin.shared(),
            extra: try providerSettings() + """

                [dispatch]
                max_attempts = 12
                """)
    }

    /// The `[sms]`, `[fcm]` and `[webpush]` sections for the stand-ins: Twilio's test account,
    /// the FCM stand-in's service account, a new VAPID key.
    static func providerSettings() throws -> String {
        let twilio = try ProviderStandin.named("twilio")
        let fcm = try ProviderStandin.named("fcm")
        let scratch = try TestServices.scratch.appendingPathComponent("relay-keys-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let vapid = scratch.appendingPathComponent("vapid.pem")
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", vapid.path]
        try openssl.run()
        openssl.waitUntilExit()
        return try twilio.smsSettings() + """
            [fcm]
            service_account_file = "\(fcm.folder.appendingPathComponent("service-account.json").path)"
            base_url = "\(fcm.baseURL)"
            ca_file = "\(fcm.caFile)"

            [webpush]
            vapid_private_key_file = "\(vapid.path)"
            subject = "mailto:ops@flightedge.test"
            ca_file = "\(fcm.caFile)"

            """
    }

    @Test("a cancellation reaches e-mail, SMS, app and browser once each; the browser's copy decrypts; Twilio's callback marks the SMS delivered")
    func everyChannel() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let relay = try Self.relay(databaseURL: url)
            try relay.start()
            defer { relay.stop() }
            let key = try relay.createAPIKey()
            let webpush = try WebPushStandin()
            let browser = String(decoding: try webpush.subscribe(), as: UTF8.self)
            let number = String(Int.random(in: 1000...8999))
            let tag = UUID().uuidString.prefix(6).lowercased()
            let phone = "+4179\(Int.random(in: 1_000_000...9_999_999))"
            let token = "app-token-\(tag)"
            let created = try relay.request(
                "POST", "/v1/subscriptions",
                body: """
                    {"flight": {"airline": "LX", "number": "\(number)", "date": "\(RelayEvents.today())"},
                     "contacts": [{"channel": "email", "address": "all.\(tag)@example.org"},
                                  {"channel": "sms", "number": "\(phone)"},
                                  {"channel": "fcm", "token": "\(token)"},
                                  {"channel": "webpush", "subscription": \(browser)}]}
                    """,
                headers: ["Authorization": "Bearer \(key)"])
            #expect(created.status == 201, "\(created.body)")
            let id = try #require(created.body.split(separator: "\"").dropFirst(3).first.map(String.init))
            try RelayEvents.publish(
                RelayEvents.event(
                    kind: "cancellation", number: number, date: RelayEvents.today(), seq: 3,
                    departure: Date().addingTimeInterval(3600), previous: #"{"status":"scheduled"}"#,
                    current: #"{"status":"cancelled"}"#),
                kind: "cancellation")

            let smtp = try SMTPStandin.shared()
            #expect(try eventually(within: 15) { try !smtp.received(for: "all.\(tag)@example.org").isEmpty }, "\(relay.log.suffix(2000))")
            let sms = try await ProviderStandin.named("twilio").record(within: .seconds(15)) { ($0["to"] as? String) == phone }
            #expect((sms["body"] as? String)?.contains(number) == true, "\(sms)")
            let push = try await ProviderStandin.named("fcm").record(within: .seconds(15)) { record in
                ((record["message"] as? [String: Any])?["token"] as? String) == token
            }
            let notification = (push["message"] as? [String: Any])?["notification"] as? [String: Any]
            #expect((notification?["title"] as? String)?.contains(number) == true, "\(push)")
            let endpoint = try #require(
                (try JSONSerialization.jsonObject(with: Data(browser.utf8)) as? [String: Any])?["endpoint"] as? String)
            let subscriptionID = String(endpoint.split(separator: "/").last ?? "")
            #expect(
                try eventually(within: 15) {
                    try webpush.receivedLines().contains { $0.contains(subscriptionID) && $0.contains(number) }
                }, "the browser's copy decrypts to the notification")

            // Twilio's status callback (signed) turns the SMS delivery into `delivered`.
            let delivered = try eventually(within: 10) {
                let answer = try relay.request("GET", "/v1/subscriptions/\(id)/deliveries", headers: ["Authorization": "Bearer \(key)"])
                return answer.body.contains(#""channel":"sms","state":"delivered""#)
            }
            #expect(delivered, "\(relay.log.suffix(2000))")
            let deliveries = try relay.request("GET", "/v1/subscriptions/\(id)/deliveries", headers: ["Authorization": "Bearer \(key)"])
            for channel in ["email", "fcm", "webpush"] {
                #expect(deliveries.body.contains(#""channel":"\#(channel)","state":"sent""#), "\(channel): \(deliveries.body)")
            }
        }
    }

    @Test("a push service answering 503 for 15 s loses nothing; an UNREGISTERED app token is disabled after its first failure")
    func outagesAndGoneTokens() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let relay = try Self.relay(databaseURL: url)
            try relay.start()
            defer { relay.stop() }
            let key = try relay.createAPIKey()
            let webpush = try WebPushStandin()
            let fcm = try ProviderStandin.named("fcm")
            let browser = String(decoding: try webpush.subscribe(), as: UTF8.self)
            let tag = UUID().uuidString.prefix(6).lowercased()
            let token = "gone-token-\(tag)"
            try fcm.post("/_unregister", json: #"{"token": "\#(token)"}"#)
            let number = String(Int.random(in: 1000...8999))
            let created = try relay.request(
                "POST", "/v1/subscriptions",
                body: """
                    {"flight": {"airline": "LX", "number": "\(number)", "date": "\(RelayEvents.today())"},
                     "contacts": [{"channel": "fcm", "token": "\(token)"}, {"channel": "webpush", "subscription": \(browser)}]}
                    """,
                headers: ["Authorization": "Bearer \(key)"])
            let id = try #require(created.body.split(separator: "\"").dropFirst(3).first.map(String.init))
            let endpoint = try #require(
                (try JSONSerialization.jsonObject(with: Data(browser.utf8)) as? [String: Any])?["endpoint"] as? String)
            let subscriptionID = String(endpoint.split(separator: "/").last ?? "")

            // Scoped to this subscription: WebPushChannelTests share the stand-in meanwhile.
            try webpush.control(#"{"path": "/push/\#(subscriptionID)", "mode": "status", "status": 503, "seconds": 15}"#)
            for seq in 2...4 {
                let kind = seq % 2 == 0 ? "cancellation" : "reinstatement"
                try RelayEvents.publish(
                    RelayEvents.event(
                        kind: kind, number: number, date: RelayEvents.today(), seq: seq, departure: Date().addingTimeInterval(3600),
                        previous: seq % 2 == 0 ? #"{"status":"scheduled"}"# : #"{"status":"cancelled"}"#,
                        current: seq % 2 == 0 ? #"{"status":"cancelled"}"# : #"{"status":"scheduled"}"#),
                    kind: kind)
            }
            let arrived = try eventually(within: 60) {
                try webpush.receivedLines().filter { $0.contains(subscriptionID) && $0.contains("\"plaintext\"") }.count >= 3
            }
            #expect(arrived, "\(relay.log.suffix(3000))")
            let subscription = try relay.request("GET", "/v1/subscriptions/\(id)", headers: ["Authorization": "Bearer \(key)"])
            #expect(subscription.body.contains("UNREGISTERED"), "the gone token is disabled with the reason: \(subscription.body)")
            let deliveries = try relay.request("GET", "/v1/subscriptions/\(id)/deliveries", headers: ["Authorization": "Bearer \(key)"])
            let fcmAttempts = deliveries.body.components(separatedBy: #""channel":"fcm""#).count - 1
            #expect(deliveries.body.contains(#""channel":"fcm","state":"failed""#))
            #expect(fcmAttempts >= 1)
            #expect(!deliveries.body.contains(#""channel":"webpush","state":"dead""#))
        }
    }
}
