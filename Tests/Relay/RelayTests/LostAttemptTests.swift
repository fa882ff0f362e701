import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

/// An instance died between Twilio's 201 and the commit: the SMS delivery it held stays
/// `sending` until its lease runs out. The instance that takes it over asks Twilio's Messages
/// list first, and records the message found there instead of sending it again.
@Suite("Relay: a lost SMS attempt is looked up at Twilio, not sent twice", .serialized)
struct LostAttemptTests {
    @Test("taken-over SMS: Twilio's copy of the lost attempt is recorded; an older identical text, one another delivery records, and a text Twilio never had are not")
    func lostAttemptsAreLookedUp() async throws {
        let twilio = try ProviderStandin.named("twilio")
        try await TestServices.withTemporaryDatabase { url in
            let relay = try RelayProcess(
                databaseURL: url, extra: try RelayChannelsEndToEndTests.providerSettings() + "\n[dispatch]\nlease_seconds = 5\n")
            try relay.start()
            defer { relay.stop() }
            let admin = try PostgresConnection(conninfo: url)
            let phone = "+4179\(Int.random(in: 1_000_000...9_999_999))"
            let cancelled = "LX 1234 to London on \(phone.suffix(4)) is cancelled."
            let delayed = "LX 1234 to London on \(phone.suffix(4)) now leaves at 14:05."

            // Sent before the lost lease began: an earlier notification with the same words
            // (cancelled, reinstated, cancelled again). It is not the lost attempt.
            let earlier = try twilio.sendTwilioMessage(to: phone, body: cancelled)
            // The lease is 5 s; the lookup reaches 2 s further back for the provider's clock.
            try await Task.sleep(for: .seconds(8.5))
            // Inside the lost lease: the lost attempt itself, and a copy another delivery records.
            let lost = try twilio.sendTwilioMessage(to: phone, body: cancelled)
            let recorded = try twilio.sendTwilioMessage(to: phone, body: cancelled)

            try admin.execute(Self.subscription("a1", phone: phone))
            // Three deliveries a dead instance held, their lease just run out: two of the
            // cancelled text (one went out before the crash, one did not), one of another text;
            // and a sent one that records `recorded`.
            let rows: [(name: String, text: String, state: String)] = [
                ("lost-a", cancelled, "sending"), ("lost-b", cancelled, "sending"), ("lost-c", delayed, "sending"),
                ("done", cancelled, "sent"),
            ]
            for (index, row) in rows.enumerated() {
                try admin.execute(
                    """
                    INSERT INTO relay.deliveries (event_id, subscription_id, channel, contact_id, flight_id, kind, topic,
                        notification_id, replace_key, state, due_at, occurred_at, message, attempts, lease_until, leased_by,
                        provider_id, sent_at)
                    SELECT gen_random_uuid(), c.subscription_id, 'sms', c.id, 'LX1234', 'cancellation', 'status',
                        'n\(index)', 'LX1234_status', '\(row.state)', now(), now(),
                        jsonb_build_object('delivery_id', '\(row.name)', 'replace_key', 'LX1234_status', 'subject', 'LX 1234',
                            'text', '\(row.text)', 'urgency', 'high', 'ttl', 3600, 'locale', 'en'),
                        1, CASE WHEN '\(row.state)' = 'sending' THEN now() - interval '200 milliseconds' END,
                        'dead-instance', CASE WHEN '\(row.state)' = 'sent' THEN '\(recorded)' END,
                        CASE WHEN '\(row.state)' = 'sent' THEN now() END
                    FROM relay.contacts c WHERE c.address = '\(phone)'
                    """)
            }

            let settled = try eventually(within: 30) {
                try admin.query("SELECT count(*) FROM relay.deliveries WHERE state <> 'sent'").rows.first?.first == "0"
            }
            #expect(settled, "relay log:\n\(relay.log.suffix(3000))")
            let ids = Dictionary(
                uniqueKeysWithValues: try admin.query("SELECT message->>'delivery_id', provider_id FROM relay.deliveries").rows.map {
                    ($0[0] ?? "", $0[1] ?? "")
                })
            // One of the two cancelled deliveries took the lost attempt's message; the other went
            // out now, as did the other text. Nobody took the earlier message or the recorded one.
            let cancelledIDs = [ids["lost-a"] ?? "", ids["lost-b"] ?? ""]
            #expect(cancelledIDs.filter { $0 == lost }.count == 1, "\(ids); lost attempt \(lost)")
            #expect(!ids.values.contains(earlier), "the message from before the lease is not the lost attempt")
            #expect(ids.values.filter { $0 == recorded }.count == 1, "the recorded message stays its delivery's alone")
            #expect(Set(ids.values).count == 4 && ids.values.allSatisfy { $0.hasPrefix("SM") }, "\(ids)")

            let messages = try twilio.received().filter { $0["kind"] as? String == "message" && $0["to"] as? String == phone }
            #expect(messages.filter { $0["body"] as? String == cancelled }.count == 4, "earlier, lost, recorded and one new")
            #expect(messages.filter { $0["body"] as? String == delayed }.count == 1)
            let metrics = try relay.request("GET", "/metrics").body
            #expect(metrics.contains(#"flightedge_relay_lost_attempts_found_total{channel="sms"} 1"#), "\(metrics.prefix(4000))")
        }
    }

    @Test("a lost attempt stays open while Twilio's list cannot be read, and is looked up once it can")
    func lookupWaitsForTwilio() async throws {
        let twilio = try ProviderStandin.named("twilio")
        try await TestServices.withTemporaryDatabase { url in
            let relay = try RelayProcess(
                databaseURL: url,
                extra: try RelayChannelsEndToEndTests.providerSettings() + "\n[dispatch]\nlease_seconds = 5\n")
            try relay.start()
            defer { relay.stop() }
            let admin = try PostgresConnection(conninfo: url)
            let phone = "+4179\(Int.random(in: 1_000_000...9_999_999))"
            let text = "LX 1234 to London on \(phone.suffix(4)) is cancelled."
            let lost = try twilio.sendTwilioMessage(to: phone, body: text)
            // The list answers 503 once (its path: the sends have no query): the takeover must
            // neither send nor give up, and the retry must look again, not send blind.
            try twilio.control(
                #"{"mode": "status", "status": 503, "count": 1, "path": "/2010-04-01/Accounts/ACtest/Messages.json?To="}"#)
            try admin.execute(
                """
                \(Self.subscription("a2", phone: phone))
                INSERT INTO relay.deliveries (event_id, subscription_id, channel, contact_id, flight_id, kind, topic,
                    notification_id, replace_key, state, due_at, occurred_at, message, attempts, lease_until, leased_by)
                SELECT gen_random_uuid(), c.subscription_id, 'sms', c.id, 'LX1234', 'cancellation', 'status',
                    'n1', 'LX1234_status', 'sending', now(), now(),
                    jsonb_build_object('delivery_id', 'lost', 'replace_key', 'LX1234_status', 'subject', 'LX 1234',
                        'text', '\(text)', 'urgency', 'high', 'ttl', 3600, 'locale', 'en'),
                    1, now() - interval '200 milliseconds', 'dead-instance'
                FROM relay.contacts c WHERE c.address = '\(phone)';
                """)
            let settled = try eventually(within: 60) {
                try admin.query("SELECT state FROM relay.deliveries").rows.first?.first == "sent"
            }
            #expect(settled, "relay log:\n\(relay.log.suffix(3000))")
            let row = try admin.query("SELECT provider_id, attempts, last_error FROM relay.deliveries").rows.first
            #expect(row?[0] == lost, "the lost attempt's message, found once the list answered: \(String(describing: row))")
            #expect((row?[1].flatMap { Int($0) } ?? 0) >= 3, "the takeover's failed lookup was an attempt, the next one found it")
            let messages = try twilio.received().filter { $0["kind"] as? String == "message" && $0["to"] as? String == phone }
            #expect(messages.count == 1, "nothing sent blind while Twilio could not say")
            #expect(relay.log.contains("to look up a lost attempt"), "the operator reads why it waits")
        }
    }

    /// A subscription to LX 1234's cancellation with one SMS contact point, `phone`.
    static func subscription(_ idSuffix: String, phone: String) -> String {
        """
        INSERT INTO relay.subscriptions (id, airline, number, flight_date, kinds, state)
        VALUES ('00000000-0000-0000-0000-0000000000\(idSuffix)', 'LX', '1234', current_date, ARRAY['cancellation'], 'active');
        INSERT INTO relay.contacts (subscription_id, channel, address)
        VALUES ('00000000-0000-0000-0000-0000000000\(idSuffix)', 'sms', '\(phone)');
        """
    }
}
