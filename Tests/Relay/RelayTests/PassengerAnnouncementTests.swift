import FlightEdgeTestSupport
import Foundation
import Logging
import Postgres
import PostgresSupport
import RelayStore
import Testing

/// What the passenger pages are told on `relay_passenger`: the payloads' forms read back, ids
/// packed into as few notifications as fit, and new deliveries announced once per statement.
@Suite("Relay: passenger change notifications")
struct PassengerAnnouncementTests {
    @Test("the three payload forms are read; anything else gives nothing")
    func payloadsRead() {
        #expect(PassengerChange.changes(payload: "flight LX1234-2026-12-05-D 17") == [.flight(id: "LX1234-2026-12-05-D", version: 17)])
        #expect(PassengerChange.changes(payload: "subscription a-1") == [.subscription(id: "a-1")])
        #expect(
            PassengerChange.changes(payload: "subscriptions a-1 b-2 c-3")
                == [.subscription(id: "a-1"), .subscription(id: "b-2"), .subscription(id: "c-3")])
        for unreadable in ["", " ", "flight x", "flight x y", "flight x 1 2", "subscription", "subscription a b", "gate a", "Subscriptions a"] {
            #expect(PassengerChange.changes(payload: unreadable).isEmpty, "\(unreadable)")
        }
        #expect(PassengerChange.changes(payload: "subscriptions").isEmpty)
    }

    @Test("ids are packed into payloads within PostgreSQL's 8,000 bytes, every id once and in order")
    func payloadsPacked() {
        let ids = (0..<450).map { _ in UUID().uuidString.lowercased() }
        let payloads = PassengerChange.payloads(subscriptions: ids)
        #expect(payloads.count == 3, "\(payloads.map(\.utf8.count))")
        #expect(payloads.allSatisfy { $0.utf8.count <= PassengerChange.payloadLimit })
        let read = payloads.flatMap { PassengerChange.changes(payload: $0) }
        #expect(read == ids.map { .subscription(id: $0) })
        #expect(PassengerChange.payloads(subscriptions: []).isEmpty)
    }

    @Test("one statement inserting 450 deliveries announces their subscriptions in three notifications; none for no rows")
    func newDeliveriesAnnouncedPerStatement() async throws {
        try await MigratedRelayStore.with(role: "announce test", logger: Logger(label: "flightedge.test.announce")) {
            _, admin, url in
            try admin.execute(
                """
                INSERT INTO relay.subscriptions (id, airline, number, flight_date, kinds, state)
                SELECT md5('announce' || i)::uuid, 'LX', '1234', current_date, ARRAY['delay'], 'active'
                FROM generate_series(1, 450) i;
                INSERT INTO relay.contacts (subscription_id, channel, address)
                SELECT id, 'email', id || '@example.org' FROM relay.subscriptions;
                """)
            let listener = try PostgresListener(conninfo: url, channels: [RelaySchema.passengerChannel])
            let insert = """
                INSERT INTO relay.deliveries (event_id, subscription_id, channel, contact_id, flight_id, kind, topic,
                    notification_id, replace_key, state, due_at, occurred_at, message)
                SELECT gen_random_uuid(), c.subscription_id, 'email', c.id, 'LX1234', 'delay', 'time', 'n1', 'LX1234_time',
                    'pending', now(), now(), '{}'::jsonb
                FROM relay.contacts c
                """
            _ = try admin.query(insert + " WHERE false")
            #expect(try listener.wait(timeout: 0.5).isEmpty, "no rows, no notification")

            _ = try admin.query(insert)
            var payloads: [String] = []
            let deadline = Date().addingTimeInterval(10)
            while payloads.count < 3, Date() < deadline {
                payloads += try listener.wait(timeout: 0.2).map(\.payload)
            }
            payloads += try listener.wait(timeout: 0.3).map(\.payload)
            #expect(payloads.count == 3, "\(payloads.map(\.utf8.count))")
            #expect(payloads.allSatisfy { $0.hasPrefix("subscriptions ") && $0.utf8.count <= 8_000 })
            let announced = payloads.flatMap { PassengerChange.changes(payload: $0) }.compactMap { change -> String? in
                if case .subscription(let id) = change { id } else { nil }
            }
            let expected = try admin.query("SELECT id FROM relay.subscriptions").rows.compactMap { $0[0] }
            #expect(announced.count == 450, "each subscription once")
            #expect(Set(announced) == Set(expected))
        }
    }
}
