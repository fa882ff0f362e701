import FlightEdgeTestSupport
import Foundation
import Testing

/// The relay as a process between the real broker, a real PostgreSQL and the SMTP stand-in:
/// an event published as the gateway publishes it reaches a subscriber's mailbox once.
@Suite("Relay: event to e-mail, end to end", .serialized)
struct RelayEndToEndTests {
    @Test("a cancellation reaches the subscriber by e-mail once, even when the event comes twice")
    func aCancellationIsMailedOnce() async throws {
        let smtp = try SMTPStandin.shared()
        try await TestServices.withTemporaryDatabase { url in
            let relay = try RelayProcess(databaseURL: url, smtp: smtp)
            try relay.start()
            defer { relay.stop() }
            let key = try relay.createAPIKey()
            let number = String(Int.random(in: 1000...8999))
            let address = "ana.\(number).\(UUID().uuidString.prefix(6).lowercased())@example.org"
            let date = RelayEvents.today()
            let created = try relay.request(
                "POST", "/v1/subscriptions",
                body: """
                    {"flight": {"airline": "LX", "number": "\(number)", "date": "\(date)"},
                     "locale": "en", "time_zone": "Europe/Zurich",
                     "contacts": [{"channel": "email", "address": "\(address)"}]}
                    """,
                headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"])
            #expect(created.status == 201, "\(created.body)")
            let id = try #require(created.body.split(separator: "\"").dropFirst(3).first.map(String.init))

            let event = RelayEvents.event(
                kind: "cancellation", number: number, date: date, seq: 5, departure: Date().addingTimeInterval(3600),
                previous: #"{"status":"scheduled"}"#, current: #"{"status":"cancelled"}"#)
            try RelayEvents.publish(event, kind: "cancellation")
            // The same event again, as after a redelivery: dropped by its event_id.
            try RelayEvents.publish(event, kind: "cancellation")

            let arrived = try eventually(within: 15) { try !smtp.received(for: address).isEmpty }
            #expect(arrived, "no mail for \(address); relay log:\n\(relay.log)")
            try await Task.sleep(for: .seconds(1))
            let mails = try smtp.received(for: address)
            #expect(mails.count == 1)
            let mail = try #require(mails.first)
            #expect(mail.subject.contains("LX \(number)") || mail.subject.contains("LX\(number)"), "\(mail.subject)")
            #expect(mail.listUnsubscribe?.contains("/unsubscribe/\(id)") == true)
            #expect(mail.tls)

            let deliveries = try relay.request("GET", "/v1/subscriptions/\(id)/deliveries", headers: ["Authorization": "Bearer \(key)"])
            #expect(deliveries.status == 200)
            #expect(deliveries.body.contains(#""state":"sent""#), "\(deliveries.body)")
            #expect(deliveries.body.contains(#""kind":"cancellation""#))
            #expect(relay.stop() == 0)
        }
    }

    @Test("bad API requests get a 4xx with a JSON body naming the field; no key is a 401")
    func badRequestsAreRefusedWithTheField() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let relay = try RelayProcess(databaseURL: url, smtp: try SMTPStandin.shared())
            try relay.start()
            defer { relay.stop() }
            let key = try relay.createAPIKey()
            let auth = ["Authorization": "Bearer \(key)"]
            let noKey = try relay.request("POST", "/v1/subscriptions", body: "{}")
            #expect(noKey.status == 401)
            #expect(noKey.body.contains(#""error""#))
            let wrongKey = try relay.request("GET", "/v1/subscriptions/\(UUID())", headers: ["Authorization": "Bearer fer_nope"])
            #expect(wrongKey.status == 401)
            let notJSON = try relay.request("POST", "/v1/subscriptions", body: "{nope", headers: auth)
            #expect(notJSON.status == 400)
            let cases: [(body: String, field: String)] = [
                (#"{"contacts": [{"channel": "email", "address": "a@b.org"}]}"#, "flight"),
                (#"{"flight": {"airline": "lx", "number": "1", "date": "2026-11-24"}, "contacts": [{"channel": "email", "address": "a@b.org"}]}"#, "flight.airline"),
                (#"{"flight": {"airline": "LX", "number": "1", "date": "2026-02-30"}, "contacts": [{"channel": "email", "address": "a@b.org"}]}"#, "flight.date"),
                (#"{"flight": {"airline": "LX", "number": "1", "date": "2026-11-24"}, "contacts": [{"channel": "email", "address": "not-mail"}]}"#, "contacts[0].address"),
                (#"{"flight": {"airline": "LX", "number": "1", "date": "2026-11-24"}, "contacts": [{"channel": "sms", "number": "+41790000000"}]}"#, "contacts[0].channel"),
                (#"{"flight": {"airline": "LX", "number": "1", "date": "2026-11-24"}, "kinds": ["gate-chaos"], "contacts": [{"channel": "email", "address": "a@b.org"}]}"#, "kinds"),
                (#"{"flight": {"airline": "LX", "number": "1", "date": "2026-11-24"}, "time_zone": "Mars/Base", "contacts": [{"channel": "email", "address": "a@b.org"}]}"#, "time_zone"),
                (#"{"flight": {"airline": "LX", "number": "1", "date": "2026-11-24"}, "contacts": []}"#, "contacts"),
            ]
            for (body, field) in cases {
                let answer = try relay.request("POST", "/v1/subscriptions", body: body, headers: auth)
                #expect(answer.status == 422, "\(body) → \(answer.status) \(answer.body)")
                #expect(answer.body.contains(#""field":"\#(field)""#), "\(body) → \(answer.body)")
            }
            let huge = "{\"x\": \"" + String(repeating: "a", count: 70_000) + "\"}"
            let tooLarge = try relay.request("POST", "/v1/subscriptions", body: huge, headers: auth)
            #expect(tooLarge.status == 413)
            let unknown = try relay.request("GET", "/v1/subscriptions/\(UUID())", headers: auth)
            #expect(unknown.status == 404)
            let badLink = try relay.request("GET", "/manage/\(UUID())?token=AAAAAAAAAAAAAAAAAAAAAA")
            #expect(badLink.status == 404)
            #expect(badLink.body.contains("not valid"))
        }
    }
}
