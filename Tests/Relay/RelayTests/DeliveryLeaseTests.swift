import Channels
import FlightEdgeTestSupport
import Foundation
import Logging
import Postgres
import PostgresSupport
import RelayStore
import Testing

/// Migration 8 (`RelaySchema.lease`): the claim's lease is a heap-only (HOT) update, because no
/// index of `deliveries` names `state` any more, and a database migrated from version 7 keeps its
/// deliveries claimable as they were.
@Suite("Relay: the lease is a heap-only update")
struct DeliveryLeaseTests {
    @Test("claiming deliveries inserted together and recording them sent writes no index entry: every lease and outcome is HOT")
    func leaseIsHeapOnly() async throws {
        try await Self.withContact(role: "lease test", logger: Self.logger) { store, admin in
            try admin.execute(Self.pending(40, state: "pending", due: "now()"))

            let claimed = try await store.claimDue(limit: 40, channel: .email, instance: "lease-a", leaseSeconds: 60)
            #expect(claimed.count == 40)
            // The outcome's versions fit beside the rows only once the lease's old versions are
            // pruned, which waits for every transaction that could still see them. In a parallel
            // test run other suites' backends (even ones still connecting) may hold them briefly.
            try await Self.waitUntilPrunable(since: "relay.deliveries", admin: admin)
            try await store.complete(claimed.map { ($0, .sent(providerID: "OK queued as \($0.id)")) }, instance: "lease-a")
            let queued = try admin.query("SELECT count(*) FROM relay.due_deliveries").rows.first?.first
            #expect(queued == "0", "sent deliveries leave the queue")
            // A backend reports its counters at the end of a transaction at most once a second,
            // else within 10 s of going idle: a statement after a second brings them sooner.
            try await Task.sleep(for: .milliseconds(1100))
            _ = try await store.nextDue(channels: [.email])
            var updates = (all: 0, hot: 0)
            let deadline = Date().addingTimeInterval(20)
            while updates.all < 80, Date() < deadline {
                let row = try admin.query(
                    "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relid = 'relay.deliveries'::regclass"
                ).rows.first
                updates = (Int(row?[0] ?? "") ?? 0, Int(row?[1] ?? "") ?? 0)
                if updates.all < 80 { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(updates.all == 80, "the claim and the outcome updated 40 rows each")
            // Before migration 8: 0 of 80 (the partial indexes named `state`); before migration
            // 11, 40 of 80 (the outcome took the row out of the due index, partial on `open`).
            #expect(updates.hot == 80, "\(updates.hot) of \(updates.all) leases and outcomes heap-only")
        }
    }

    @Test("migrating from version 7 keeps open deliveries claimable, the rest closed; no index names state")
    func migrationKeepsDeliveriesClaimable() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let admin = try PostgresConnection(conninfo: url)
            let before = try SchemaMigrator(connection: admin, catalog: RelaySchema.catalog).migrate(upTo: 7)
            #expect(before.version == 7)
            try admin.execute(Self.subscriptionAndContact)
            try admin.execute(Self.pending(3, state: "pending", due: "now() - interval '1 minute'"))
            try admin.execute(Self.pending(2, state: "pending", due: "now() + interval '1 hour'"))
            try admin.execute(Self.pending(2, state: "sending", due: "now() - interval '1 minute'", lease: "now() - interval '1 second'"))
            try admin.execute(Self.pending(2, state: "sending", due: "now() - interval '1 minute'", lease: "now() + interval '1 minute'"))
            for state in ["sent", "failed", "suppressed", "dead"] {
                try admin.execute(Self.pending(1, state: state, due: "now() - interval '1 minute'"))
            }

            let store = Self.store(url)
            let outcome = try await store.migrate()
            #expect(outcome.applied == [8, 9, 10, 11, 12] && outcome.version == 12, "\(outcome)")

            let open = try admin.query("SELECT state, open, count(*) FROM relay.deliveries GROUP BY 1, 2 ORDER BY 1, 2").rows
            #expect(
                open.map { "\($0[0] ?? "") \($0[1] ?? "") \($0[2] ?? "")" }
                    == ["dead f 1", "failed f 1", "pending t 5", "sending t 4", "sent f 1", "suppressed f 1"], "\(open)")
            let stateIndexes = try admin.query(
                """
                SELECT indexname FROM pg_indexes WHERE schemaname = 'relay' AND tablename = 'deliveries'
                  AND (indexdef LIKE '%state%' OR indexdef ~ '\\mopen\\M' OR indexdef LIKE '%due_at%')
                """
            ).rows
            #expect(stateIndexes.isEmpty, "an index names state, open or due_at, which forbids HOT leases and outcomes: \(stateIndexes)")
            // Migration 11: the open ones are queued, a sending one at its lease's end.
            let queued = try admin.query(
                """
                SELECT d.state, count(*), count(*) FILTER (WHERE q.due_at = CASE WHEN d.state = 'sending' THEN d.lease_until ELSE d.due_at END)
                FROM relay.due_deliveries q JOIN relay.deliveries d ON d.id = q.delivery_id GROUP BY 1 ORDER BY 1
                """
            ).rows
            #expect(queued.map { "\($0[0] ?? "") \($0[1] ?? "") \($0[2] ?? "")" } == ["pending 5 5", "sending 4 4"], "\(queued)")
            let options = try admin.query("SELECT reloptions::text FROM pg_class WHERE oid = 'relay.deliveries'::regclass").rows
            #expect(options.first?.first == "{fillfactor=50}", "\(options)")

            #expect(try await store.deliveryCounts().dueNow == 3, "the three due pending ones")
            // The three due pending ones and the two whose lease ran out; not the future ones,
            // not the live leases, not the ended ones.
            let claimed = try await store.claimDue(limit: 50, channel: .email, instance: "lease-b", leaseSeconds: 60)
            #expect(claimed.count == 5, "claimed \(claimed.count)")
            #expect(Set(claimed.map(\.attempts)) == [1, 2], "first attempts and the retaken leases")
            let next = try await store.nextDue(channels: [.email])
            #expect(next != nil, "the future pending ones and the live leases are still due later")
            let counts = try await store.deliveryCounts()
            #expect(counts.dueNow == 0, "no due pending delivery left after the claim: \(counts.dueNow)")
            // A claimed delivery leaves `open` through its outcome, as before.
            try await store.complete([(claimed[0], .sent(providerID: "p-0"))], instance: "lease-b")
            let closed = try admin.query("SELECT state, open FROM relay.deliveries WHERE id = $1", [.int(claimed[0].id)]).rows
            #expect(closed.first.map { "\($0[0] ?? "") \($0[1] ?? "")" } == "sent f")
        }
    }

    @Test("migrations 10 and 11: an e-mail outcome's provider id stays out of the index; Twilio's callback finds the SMS one through it")
    func providerIdsIndexedForSMSOnly() async throws {
        try await Self.withContact(role: "lease test", logger: Self.logger) { store, admin in
            try admin.execute(Self.pending(3, state: "pending", due: "now() - interval '1 minute'"))
            try admin.execute(
                """
                INSERT INTO relay.contacts (subscription_id, channel, address)
                VALUES ('00000000-0000-0000-0000-00000000000c', 'sms', '+41791234567');
                """)
            try admin.execute(
                Self.pending(1, state: "pending", due: "now() - interval '1 minute'").replacingOccurrences(of: "'email'", with: "'sms'")
                    + " WHERE c.channel = 'sms'")
            let email = try await store.claimDue(limit: 10, channel: .email, instance: "lease-a", leaseSeconds: 60)
            let sms = try await store.claimDue(limit: 10, channel: .sms, instance: "lease-a", leaseSeconds: 60)
            try #require(email.count == 3 && sms.count == 1, "\(email.count) e-mail, \(sms.count) SMS")
            try await store.complete(
                email.map { ($0, .sent(providerID: "OK queued as \($0.id)")) } + [(sms[0], .sent(providerID: "SM0123"))], instance: "lease-a")

            let indexes = try admin.query(
                "SELECT indexname FROM pg_indexes WHERE schemaname = 'relay' AND tablename = 'deliveries' AND indexdef LIKE '%provider_id%'"
            ).rows.compactMap { $0[0] }
            #expect(indexes == ["deliveries_sms_by_provider_id"], "\(indexes)")
            // The index holds what its predicate admits: one entry, the SMS.
            _ = try admin.query("SET enable_seqscan = off")
            let entries = try admin.query(
                "SELECT count(*) FROM relay.deliveries WHERE sms_provider_id IS NOT NULL").rows.first?.first
            #expect(entries == "1")
            let plan = try admin.query(
                "EXPLAIN UPDATE relay.deliveries SET state = 'delivered' WHERE sms_provider_id = 'SM0123' AND state = 'sent'"
            ).rows.compactMap { $0[0] }.joined(separator: "\n")
            #expect(plan.contains("deliveries_sms_by_provider_id"), "\(plan)")
            #expect(try await store.markDelivered(providerID: "SM0123", channel: .sms))
            #expect(try await !store.markDelivered(providerID: "OK queued as \(email[0].id)", channel: .sms), "not an SMS")
            let states = try admin.query("SELECT channel, state, count(*) FROM relay.deliveries GROUP BY 1, 2 ORDER BY 1, 2").rows
            #expect(states.map { "\($0[0] ?? "") \($0[1] ?? "") \($0[2] ?? "")" } == ["email sent 3", "sms delivered 1"], "\(states)")
        }
    }

    static let logger = Logger(label: "flightedge.test.lease")

    /// Waits (up to 10 s) until no other backend of this database, nor one still connecting,
    /// holds a snapshot older than the newest change to `table`: then its dead versions are
    /// prunable, as they are at once on a quiet server.
    static func waitUntilPrunable(since table: String, admin: PostgresConnection) async throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let holders = try admin.query(
                """
                SELECT count(*) FROM pg_stat_activity
                WHERE pid <> pg_backend_pid() AND (datid IS NULL OR datname = current_database())
                  AND backend_xmin IS NOT NULL
                  AND age(backend_xmin) >= (SELECT min(age(xmin)) FROM \(table))
                """
            ).rows.first?.first
            if holders == "0" { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func store(_ url: String) -> RelayStore {
        RelayStore(connector: DatabaseConnector(conninfo: url, password: nil, logger: logger), logger: logger, role: "lease test")
    }

    /// A migrated temporary database with ``subscriptionAndContact`` in it.
    static func withContact(
        role: String, logger: Logger, _ body: (RelayStore, PostgresConnection) async throws -> Void
    ) async throws {
        try await MigratedRelayStore.with(role: role, logger: logger) { store, admin, _ in
            try admin.execute(subscriptionAndContact)
            try await body(store, admin)
        }
    }

    static let subscriptionAndContact = """
        INSERT INTO relay.subscriptions (id, airline, number, flight_date, kinds, state)
        VALUES ('00000000-0000-0000-0000-00000000000c', 'LX', '1234', current_date, ARRAY['delay'], 'active');
        INSERT INTO relay.contacts (subscription_id, channel, address)
        VALUES ('00000000-0000-0000-0000-00000000000c', 'email', 'lease@example.org');
        """

    /// `count` e-mail deliveries in `state`, with a message of ~1.4 kB like the benchmark's (the
    /// size decides how many share a page, and so whether their leases fit beside them).
    static func pending(_ count: Int, state: String, due: String, lease: String = "NULL") -> String {
        """
        INSERT INTO relay.deliveries (event_id, subscription_id, channel, contact_id, flight_id, kind, topic,
            notification_id, replace_key, state, due_at, occurred_at, message, attempts, lease_until, leased_by)
        SELECT gen_random_uuid(), c.subscription_id, 'email', c.id, 'LX1234', 'delay', 'time', 'n' || i, 'LX1234_time',
            '\(state)', \(due), now(),
            jsonb_build_object('delivery_id', 'd' || i, 'replace_key', 'LX1234_time', 'subject', 'LX 1234: delay',
                'text', repeat('Delayed by 45 min. ', 70), 'urgency', 'normal', 'ttl', 3600, 'locale', 'en'),
            CASE WHEN '\(state)' = 'sending' THEN 1 ELSE 0 END, \(lease),
            CASE WHEN '\(state)' = 'sending' THEN 'lease-old' END
        FROM relay.contacts c, generate_series(1, \(count)) i
        """
    }
}
