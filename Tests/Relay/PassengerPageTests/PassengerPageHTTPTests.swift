import FlightEdgeTestSupport
import Foundation
import Testing

/// The passenger page over plain HTTP, as a browser without JavaScript uses it: a real relay
/// between the test broker, a temporary PostgreSQL database and the SMTP stand-in.
@Suite("Passenger page over HTTP", .serialized)
struct PassengerPageHTTPTests {
    @Test("bad input is a 400 page naming the field, an unknown flight a friendly 404, hostile text is escaped")
    func badInputUnknownFlightAndEscaping() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let relay = try RelayProcess(databaseURL: url, smtp: try SMTPStandin.shared())
            try relay.start()
            defer { relay.stop() }

            let start = try relay.request("GET", "/")
            #expect(start.status == 200)
            #expect(start.body.contains("<html lang=\"en\">"))
            #expect(start.body.contains("data-form=\"lookup\""))
            #expect(start.headers["content-security-policy"]?.contains("script-src 'self'") == true)
            #expect(start.headers["set-cookie"]?.contains("SameSite=Strict") == true)

            for (path, field) in [
                ("/?flight=&date=2026-11-24", "flight"), ("/?flight=L&date=2026-11-24", "flight"),
                ("/?flight=%3Cscript%3E&date=2026-11-24", "flight"), ("/?flight=LX1234&date=2026-02-30", "date"),
                ("/?flight=LX1234&date=tomorrow", "date"), ("/?flight=LX1234&date=", "date"),
            ] {
                let page = try relay.request("GET", path)
                #expect(page.status == 400, "\(path) → \(page.status)")
                #expect(page.body.contains("data-problem-field=\"\(field)\""), "\(path): \(page.body)")
                #expect(page.body.contains("id=\"\(field)\"") && page.body.contains("aria-invalid=\"true\""))
                #expect(!page.body.contains("<script>"), "\(path) echoed markup")
            }

            var flight = SimulatedFlight()
            let unknown = try relay.request("GET", flight.lookupPath)
            #expect(unknown.status == 404)
            #expect(unknown.body.contains("No news of LX \(flight.number)"))
            #expect(unknown.body.contains("data-form=\"subscribe\""), "one may still subscribe to a flight not reported yet")
            #expect(unknown.body.contains("name=\"email\"") && unknown.body.contains("name=\"phone\""))

            try flight.publish(
                "gate-change", current: #"{"gate":"\"><img src=x onerror=alert(1)>","remark":"<script>alert('hi')</script> & go"}"#)
            #expect(try eventually(within: 10) { try relay.request("GET", flight.lookupPath).status == 200 })
            let page = try relay.request("GET", flight.lookupPath)
            #expect(page.body.contains("data-flight-id=\"\(flight.flightID)\""))
            #expect(page.body.contains("&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt; &amp; go"), "\(page.body)")
            #expect(page.body.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
            #expect(!page.body.contains("<script>alert") && !page.body.contains("<img src=x"))
            // Lower case and a space are fine; the local time is Zurich's (the event's offset).
            let typed = try relay.request("GET", "/?flight=lx+\(flight.number)&date=\(flight.date)")
            #expect(typed.status == 200)
            #expect(typed.body.contains(">\(SimulatedFlight.zurich(flight.departure))</time>"), "\(typed.body)")
            #expect(relay.stop() == 0)
        }
    }

    @Test("posts without the form token are refused; a subscription stays inactive until its confirmation link's button")
    func csrfAndConfirmation() async throws {
        let smtp = try SMTPStandin.shared()
        try await TestServices.withTemporaryDatabase { url in
            let relay = try RelayProcess(databaseURL: url, smtp: smtp)
            try relay.start()
            defer { relay.stop() }
            var flight = SimulatedFlight()
            let address = "pax.\(flight.number).\(UUID().uuidString.prefix(6).lowercased())@example.org"
            let fields = [
                ("flight", "\(flight.airline)\(flight.number)"), ("date", flight.date), ("email", address), ("kinds", "cancellation"),
                ("kinds", "delay"), ("time_zone", "Europe/Zurich"), ("locale", "en"),
            ]
            let form = fields.map { "\($0.0)=\(FormSession.encode($0.1))" }.joined(separator: "&")

            // No cookie and no token; a cookie with another cookie's token; a token without its cookie.
            let session = try FormSession(relay: relay, path: flight.lookupPath)
            let other = try FormSession(relay: relay, path: "/")
            #expect(!session.token.isEmpty && session.cookie.hasPrefix("fe_csrf="))
            for headers in [
                ["Content-Type": "application/x-www-form-urlencoded"],
                ["Content-Type": "application/x-www-form-urlencoded", "Cookie": other.cookie],
            ] {
                let refused = try relay.request("POST", "/subscribe", body: "csrf=\(session.token)&" + form, headers: headers)
                #expect(refused.status == 403)
                #expect(refused.body.contains("send it again"))
            }
            let noToken = try relay.request("POST", "/subscribe", body: form, headers: session.headers)
            #expect(noToken.status == 403)
            #expect(try smtp.received(for: address).isEmpty, "a refused form sent mail")

            let created = try session.post(relay, "/subscribe", fields)
            #expect(created.status == 303, "\(created.body)")
            let manage = try #require(created.headers["location"])
            #expect(manage.contains("/manage/") && manage.contains("token="))
            let path = String(manage.dropFirst("http://127.0.0.1:\(relay.httpPort)".count))
            let personal = try relay.request("GET", path)
            #expect(personal.body.contains("data-state=\"unconfirmed\""))
            #expect(!personal.body.contains("data-action=\"confirm\""), "the page the form leads to must not confirm: the mailbox does")

            // One confirmation mail, with the link that shows the button.
            #expect(try eventually(within: 15) { try smtp.received(for: address).count == 1 }, "relay log:\n\(relay.log)")
            let mail = try #require(try smtp.received(for: address).first)
            #expect(mail.subject.contains("Confirm"))
            let link = try #require(mail.text?.url(containing: "confirm="))
            let confirmPath = String(link.dropFirst("http://127.0.0.1:\(relay.httpPort)".count))

            // Unconfirmed: a cancellation sends nothing.
            try flight.publish("cancellation", previous: #"{"status":"scheduled"}"#, current: #"{"status":"cancelled"}"#)
            #expect(try eventually(within: 10) { try relay.request("GET", flight.lookupPath).body.contains("Cancelled") })
            try await Task.sleep(for: .seconds(1.5))
            #expect(try smtp.received(for: address).count == 1, "an unconfirmed subscription was told")

            let page = try relay.request("GET", confirmPath, headers: ["Cookie": session.cookie])
            #expect(page.body.contains("data-action=\"confirm\""))
            let action = try #require(page.body.range(of: "action=\"/manage/").map { page.body[$0.lowerBound...] })
                .dropFirst("action=\"".count).prefix { $0 != "\"" }
            let confirmAction = String(action).htmlUnescaped
            let forged = try relay.request("POST", confirmAction, body: "csrf=nope", headers: session.headers)
            #expect(forged.status == 403)
            #expect(try relay.request("GET", path).body.contains("data-state=\"unconfirmed\""))
            let confirmed = try session.post(relay, confirmAction, [])
            #expect(confirmed.status == 303)
            #expect(try relay.request("GET", path).body.contains("data-state=\"active\""))

            // Active: a delay is mailed, and listed on the personal page.
            try flight.publishDelay(45)
            #expect(try eventually(within: 15) { try smtp.received(for: address).count == 2 }, "relay log:\n\(relay.log)")
            #expect(try eventually(within: 5) {
                try relay.request("GET", path).body.contains("data-event-kind=\"delay\"")
            })
            let unsubscribe = try relay.request("POST", path.replacingOccurrences(of: "/manage/", with: "/unsubscribe/"), body: "", headers: session.headers)
            #expect(unsubscribe.status == 404, "the manage token must not unsubscribe")
            #expect(relay.stop() == 0)
        }
    }

    @Test("the form is checked field by field, and one address gets at most three confirmations an hour")
    func formValidationAndRateLimit() async throws {
        let smtp = try SMTPStandin.shared()
        try await TestServices.withTemporaryDatabase { url in
            let relay = try RelayProcess(databaseURL: url, smtp: smtp)
            try relay.start()
            defer { relay.stop() }
            let flight = SimulatedFlight()
            let session = try FormSession(relay: relay, path: flight.lookupPath)
            let base = [("flight", "\(flight.airline)\(flight.number)"), ("date", flight.date), ("kinds", "delay")]
            let cases: [(fields: [(String, String)], field: String)] = [
                ([("email", "not-mail")], "email"),
                ([("email", "")], "email"),
                ([("phone", "+41790000000")], "phone"),  // SMS is not configured on this relay
                ([("email", "a@b.org"), ("quiet_from", "22:00")], "quiet_to"),
                ([("email", "a@b.org"), ("quiet_from", "25:00"), ("quiet_to", "07:00"), ("time_zone", "Europe/Zurich")], "quiet_from"),
                ([("email", "a@b.org"), ("quiet_from", "22:00"), ("quiet_to", "07:00"), ("time_zone", "Mars/Base")], "time_zone"),
                ([("email", "a@b.org"), ("locale", "fr")], "locale"),
            ]
            for (extra, field) in cases {
                let answer = try session.post(relay, "/subscribe", base + extra)
                #expect(answer.status == 422 || answer.status == 400, "\(extra) → \(answer.status)")
                #expect(answer.body.contains("data-problem-field=\"\(field)\""), "\(extra): expected \(field)")
            }
            let noKinds = try session.post(relay, "/subscribe", [("flight", "LX1"), ("date", flight.date), ("email", "a@b.org")])
            #expect(noKinds.body.contains("data-problem-field=\"kinds\""))
            let hostile = try session.post(relay, "/subscribe", base + [("email", "\"><script>x</script>@evil")])
            #expect(hostile.body.contains("&quot;&gt;&lt;script&gt;") && !hostile.body.contains("<script>x"))

            let address = "limit.\(UUID().uuidString.prefix(8).lowercased())@example.org"
            for _ in 0..<3 {
                #expect(try session.post(relay, "/subscribe", base + [("email", address)]).status == 303)
            }
            let limited = try session.post(relay, "/subscribe", base + [("email", address)])
            #expect(limited.status == 429)
            #expect(limited.headers["retry-after"] != nil)
            #expect(limited.body.contains("data-problem-field=\"email\""))
            #expect(try eventually(within: 15) { try smtp.received(for: address).count == 3 })
            try await Task.sleep(for: .seconds(1))
            #expect(try smtp.received(for: address).count == 3, "each confirmation goes exactly once")
            #expect(relay.stop() == 0)
        }
    }
    @Test("a mobile number alone: checked as E.164, and the confirmation goes by SMS through the Twilio stand-in")
    func phoneOnlyIsConfirmedBySMS() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let twilio = try ProviderStandin.named("twilio")
            let relay = try RelayProcess(databaseURL: url, smtp: try SMTPStandin.shared(), extra: try twilio.smsSettings())
            try relay.start()
            defer { relay.stop() }
            let flight = SimulatedFlight()
            let session = try FormSession(relay: relay, path: flight.lookupPath)
            let base = [("flight", "\(flight.airline)\(flight.number)"), ("date", flight.date), ("kinds", "delay")]
            for bad in ["0790000000", "+0790000000", "+41 79 abc"] {
                let refused = try session.post(relay, "/subscribe", base + [("phone", bad)])
                #expect(refused.status == 422, "\(bad) → \(refused.status)")
                #expect(refused.body.contains("data-problem-field=\"phone\""), "\(bad)")
            }
            let phone = "+4179\(Int.random(in: 1_000_000...9_999_999))"
            let created = try session.post(relay, "/subscribe", base + [("phone", phone.prefix(3) + " " + phone.dropFirst(3))])
            #expect(created.status == 303, "\(created.body)")
            let sms = try await twilio.record(within: .seconds(15)) { ($0["to"] as? String) == phone }
            let text = try #require(sms["body"] as? String)
            #expect(text.contains("confirm=") && text.contains("\(flight.airline) \(flight.number)"), "\(text)")
        }
    }
}
