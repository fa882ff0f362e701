import Channels
import FlightEdgeTestSupport
import Foundation
import Logging
import Postgres
import PostgresSupport
import RelayStore
import Testing

/// Migration 11 (`RelaySchema.dueQueue`): `due_deliveries` holds every open delivery, at the
/// time the dispatcher should look at it next, whichever statement changed it.
@Suite("Relay: the queue of due deliveries follows every change")
struct DueQueueTests {
    @Test("the lease, each outcome, a hold, a withdrawal and a deletion move or remove the delivery's queue row")
    func queueFollowsEveryChange() async throws {
        try await DeliveryLeaseTests.withContact(role: "queue test", logger: Self.logger) { store, admin in
            try admin.execute(DeliveryLeaseTests.pending(8, state: "pending", due: "now() - interval '1 minute'"))
            #expect(try Self.queue(admin).count == 8, "inserted open deliveries are queued")

            let claimed = try await store.claimDue(limit: 6, channel: .email, instance: "queue-a", leaseSeconds: 60)
            try #require(claimed.count == 6)
            let leased = try Self.queue(admin)
            for delivery in claimed {
                #expect(leased[delivery.id]?.atLeaseEnd == true, "a leased delivery waits in the queue until its lease ends")
            }
            // Claimed again at once: only the two not leased.
            let others = try await store.claimDue(limit: 10, channel: .email, instance: "queue-b", leaseSeconds: 60)
            #expect(Set(others.map(\.id)).isDisjoint(with: claimed.map(\.id)) && others.count == 2, "\(others.map(\.id))")

            try await store.complete(
                [
                    (claimed[0], .sent(providerID: "OK 0")),
                    (claimed[1], .retry(afterSeconds: 30, error: "451 try later")),
                    (claimed[2], .failed(error: "550 no such user", dead: false)),
                    (claimed[3], .failed(error: "tries ran out", dead: true)),
                ], instance: "queue-a")
            var queue = try Self.queue(admin)
            #expect(queue[claimed[0].id] == nil, "sent: out of the queue")
            #expect(queue[claimed[1].id]?.atDueTime == true, "retry: back in the queue at its new due time")
            #expect(queue[claimed[1].id]?.state == "pending")
            #expect(queue[claimed[2].id] == nil && queue[claimed[3].id] == nil, "failed and dead: out of the queue")
            #expect(queue[claimed[4].id]?.atLeaseEnd == true, "an outcome not recorded leaves its lease in place")

            // A hold moves the due time; a withdrawal and a deletion end it.
            _ = try admin.query("UPDATE relay.deliveries SET due_at = now() + interval '2 hours', held_at = now() WHERE id = $1", [.int(others[0].id)])
            try admin.execute("UPDATE relay.deliveries SET state = 'pending', leased_by = NULL WHERE id = \(others[0].id)")
            _ = try admin.query(
                "UPDATE relay.deliveries SET state = 'suppressed', last_error = 'withdrawn' WHERE id = $1", [.int(others[1].id)])
            _ = try admin.query("DELETE FROM relay.deliveries WHERE id = $1", [.int(claimed[5].id)])
            queue = try Self.queue(admin)
            #expect(queue[others[0].id]?.atDueTime == true && queue[others[0].id]?.state == "pending", "held: due later")
            #expect(queue[others[1].id] == nil, "withdrawn: out of the queue")
            #expect(queue[claimed[5].id] == nil, "deleted: out of the queue")
            let states = try admin.query("SELECT count(*) FROM relay.deliveries d WHERE d.open").rows.first?.first
            #expect(states.flatMap { $0 }.flatMap { Int($0) } == queue.count, "exactly the open deliveries are queued")
        }
    }

    @Test("a lease that ran out is taken over through the queue, with the attempt counted")
    func expiredLeaseIsTakenOver() async throws {
        try await DeliveryLeaseTests.withContact(role: "queue test", logger: Self.logger) { store, admin in
            try admin.execute(DeliveryLeaseTests.pending(3, state: "pending", due: "now() - interval '1 minute'"))
            let first = try await store.claimDue(limit: 3, channel: .email, instance: "queue-a", leaseSeconds: 0)
            try #require(first.count == 3)
            try await Task.sleep(for: .milliseconds(20))
            let next = try #require(try await store.nextDue(channels: [.email]))
            #expect(next <= Date().timeIntervalSince1970, "the leases' ends are due")
            let second = try await store.claimDue(limit: 3, channel: .email, instance: "queue-b", leaseSeconds: 60)
            #expect(Set(second.map(\.id)) == Set(first.map(\.id)) && second.allSatisfy { $0.attempts == 2 }, "\(second.map(\.attempts))")
            // The first instance's late outcome is not recorded: the delivery is the second's now.
            try await store.complete(first.map { ($0, .sent(providerID: "late")) }, instance: "queue-a")
            #expect(try Self.queue(admin).count == 3, "still queued, at the second lease's end")
            try await store.complete(second.map { ($0, .sent(providerID: "ok")) }, instance: "queue-b")
            #expect(try Self.queue(admin).isEmpty)
        }
    }

    static let logger = Logger(label: "flightedge.test.queue")

    struct Queued {
        var state: String
        var atDueTime: Bool
        var atLeaseEnd: Bool
    }

    /// The queue, by delivery id, with how its time relates to the delivery's.
    static func queue(_ admin: PostgresConnection) throws -> [Int64: Queued] {
        var queue: [Int64: Queued] = [:]
        for row in try admin.query(
            """
            SELECT q.delivery_id, d.state, q.due_at = d.due_at, q.due_at = d.lease_until
            FROM relay.due_deliveries q JOIN relay.deliveries d ON d.id = q.delivery_id
            """
        ).rows {
            guard let id = row[0].flatMap({ Int64($0) }) else { continue }
            queue[id] = Queued(state: row[1] ?? "", atDueTime: row[2] == "t", atLeaseEnd: row[3] == "t")
        }
        return queue
    }
}

/// The intake inserts an event's deliveries for all its subscriptions in one statement, so the
/// triggers on new rows (the due queue, the passenger pages' announcement) run once per event.
@Suite("Relay: an event's deliveries are inserted together")
struct IntakeInsertTests {
    @Test("three subscriptions with two contact points each: six deliveries queued, one announcement, none twice on redelivery")
    func oneStatementPerEvent() async throws {
        try await MigratedRelayStore.with(role: "intake test", logger: DueQueueTests.logger) { store, admin, url in
            try admin.execute(
                """
                INSERT INTO relay.subscriptions (id, airline, number, flight_date, kinds, state)
                SELECT ('00000000-0000-0000-0000-00000000000' || i)::uuid, 'LX', '1234', current_date, ARRAY['delay'], 'active'
                FROM generate_series(1, 3) i;
                INSERT INTO relay.contacts (subscription_id, channel, address)
                SELECT id, ch, CASE ch WHEN 'email' THEN 'p' || right(id::text, 1) || '@example.org' ELSE 'token-' || right(id::text, 1) END
                FROM relay.subscriptions, unnest(ARRAY['email', 'fcm']) ch;
                """)
            let date = try #require(try admin.query("SELECT current_date::text").rows.first?.first.flatMap { $0 })
            let event = EventRecord(
                eventID: UUID().uuidString.lowercased(), airport: "ZRH", flightID: "LX1234-\(date)-D", kind: "delay", seq: 1,
                streamSeq: nil, occurredAt: "2026-12-06T00:00:00Z", airline: "LX", number: "1234", flightDate: date, payload: "{}")
            let listener = try PostgresListener(conninfo: url, channels: [RelaySchema.passengerChannel])
            let due = Date().timeIntervalSince1970 + 60
            let plan: @Sendable (SubscriptionMatch) throws -> SubscriptionPlan = { match in
                SubscriptionPlan(
                    view: "{}",
                    deliveries: match.contacts.map { contact in
                        PlannedDelivery(
                            contact: contact, notificationID: "\(event.eventID)/time", topic: "time", kind: "delay", dueAt: due,
                            message: OutgoingMessage(
                                deliveryID: "\(event.eventID).\(contact.id)", replaceKey: "LX1234_time", subject: "LX 1234: delay",
                                text: "Delayed.\nBy 45 min: «now 10:25»."),
                            notification: contact.point.channel == .email ? #"{"urgent":false}"# : nil)
                    })
            }
            let outcome = try await store.record(event, plan: plan)
            #expect(outcome == .recorded(deliveries: 6, earliestDue: due))

            let rows = try admin.query(
                """
                SELECT d.channel, count(*), count(q.delivery_id), count(*) FILTER (WHERE abs(extract(epoch FROM d.due_at) - $1) < 0.001),
                    count(d.notification), min(d.message->>'text')
                FROM relay.deliveries d LEFT JOIN relay.due_deliveries q ON q.delivery_id = d.id GROUP BY 1 ORDER BY 1
                """, [.text(String(due))]
            ).rows.map { $0.map { $0 ?? "" }.joined(separator: " ") }
            #expect(
                rows == ["email 3 3 3 3 Delayed.\nBy 45 min: «now 10:25».", "fcm 3 3 3 0 Delayed.\nBy 45 min: «now 10:25»."], "\(rows)")
            var payloads: [String] = []
            let deadline = Date().addingTimeInterval(10)
            while payloads.isEmpty, Date() < deadline { payloads += try listener.wait(timeout: 0.2).map(\.payload) }
            payloads += try listener.wait(timeout: 0.5).map(\.payload)
            // Besides the flight's own change (`flight {id} {version}`, from the event).
            let deliveries = payloads.filter { $0.hasPrefix("subscriptions ") }
            #expect(deliveries.count == 1, "one announcement for the statement: \(payloads)")
            #expect(deliveries.first?.split(separator: " ").count == 4, "'subscriptions' and the three ids: \(payloads)")

            #expect(try await store.record(event, plan: plan) == .duplicate, "a redelivered event adds nothing")
            #expect(try admin.query("SELECT count(*) FROM relay.due_deliveries").rows.first?.first == "6")
        }
    }
}
