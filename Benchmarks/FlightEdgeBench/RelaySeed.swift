import Channels
import Foundation

/// The relay benchmark's data, made by PostgreSQL itself (`generate_series`): subscriptions of
/// airline BQ with an FCM token and an e-mail address each, and deliveries made due at once.
enum RelaySeed {
    static let text = """
        BQ 1234 ZRH–LHR is delayed by 45 min, now departing 10:25 (Europe/Zurich).
        Scheduled: 09:40, expected: 10:25. Gate B34, terminal 2.

        Your notifications: https://alerts.bench.example/manage/00000000-0000-0000-0000-000000000000?token=abcdefghijklmnopqrstuv
        Unsubscribe: https://alerts.bench.example/unsubscribe/00000000-0000-0000-0000-000000000000?token=abcdefghijklmnopqrstuv
        """
    static let html = "<!doctype html><html lang=\"en\"><body><p>" + String(repeating: "BQ 1234 ZRH–LHR is delayed by 45 min. ", count: 20)
        + "</p></body></html>"

    /// `count` active subscriptions, `perFlight` to a flight (flight `f`: BQ `1000 + f % 9000`, on
    /// today + `f / 9000` days), each with an FCM and an e-mail contact point.
    static func subscriptions(count: Int, perFlight: Int) -> String {
        """
        INSERT INTO relay.subscriptions (id, airline, number, flight_date, kinds, locale, state)
        SELECT md5('s' || i)::uuid, 'BQ', (1000 + (i / \(perFlight)) % 9000)::text,
            current_date + (i / \(perFlight)) / 9000,
            ARRAY['gate-change', 'delay', 'cancellation', 'diversion', 'reinstatement'], 'en', 'active'
        FROM generate_series(0, \(count - 1)) i;
        INSERT INTO relay.contacts (subscription_id, channel, address)
        SELECT md5('s' || i)::uuid, 'fcm', 'bench-token-' || i FROM generate_series(0, \(count - 1)) i;
        INSERT INTO relay.contacts (subscription_id, channel, address)
        SELECT md5('s' || i)::uuid, 'email', 'p' || i || '@bench.example' FROM generate_series(0, \(count - 1)) i;
        ANALYZE relay.subscriptions;
        ANALYZE relay.contacts;
        """
    }

    /// `count` deliveries on `channel`, one per contact point, due now: each one the rules' usual
    /// message (normal urgency, so each takes a token of its recipient's budget).
    static func dueDeliveries(channel: ChannelKind, count: Int, inSeconds delay: Int = 0) -> String {
        let html = channel == .email ? "'\(Self.html)'" : "NULL"
        return """
            INSERT INTO relay.deliveries (event_id, subscription_id, channel, contact_id, flight_id, kind, topic,
                notification_id, replace_key, state, due_at, occurred_at, message)
            SELECT gen_random_uuid(), c.subscription_id, c.channel, c.id, 'BQ1234-bench-D', 'delay', 'time',
                'bench/' || c.id, 'BQ1234-bench-D_time', 'pending', now() + make_interval(secs => \(delay)), now(),
                jsonb_build_object('delivery_id', 'bench.' || c.id || '.' || c.channel, 'replace_key', 'BQ1234-bench-D_time',
                    'subject', 'BQ 1234, 24 Nov 2026: delay', 'text', '\(Self.text)', 'html', \(html),
                    'link', 'https://alerts.bench.example/manage/x', 'unsubscribe_url', 'https://alerts.bench.example/unsubscribe/x',
                    'urgency', 'normal', 'ttl', 21600, 'locale', 'en')
            FROM (SELECT id, subscription_id, channel FROM relay.contacts WHERE channel = '\(channel.rawValue)'
                  ORDER BY id LIMIT \(count)) c
            """
    }

    /// The same message for the raw client.
    static func message(index: Int) -> OutgoingMessage {
        OutgoingMessage(
            deliveryID: "raw.\(index)", replaceKey: "BQ1234-bench-D_time", subject: "BQ 1234, 24 Nov 2026: delay", text: text,
            html: html, link: "https://alerts.bench.example/manage/x", unsubscribeURL: "https://alerts.bench.example/unsubscribe/x")
    }
}

extension RelaySeed {
    /// Today in UTC, `yyyy-MM-dd` (PostgreSQL's `current_date` on this machine's UTC server).
    static var today: String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}
