import Channels
import FlightEdgeTestSupport
import Foundation
import Logging
import Postgres
import PostgresSupport
@testable import RelayDaemon
import RelayStore
import Testing

/// The dispatcher's group commits (`OutcomeBatcher`) against the test PostgreSQL: outcomes that
/// arrive together share transactions, each is recorded as it ended, a refused statement costs
/// the others of its batch nothing, an instance never records over another's lease, and the
/// passenger pages are told of outcomes after their commit, not inside it.
@Suite("Relay: outcomes in group commits")
struct OutcomeBatcherTests {
    @Test("forty outcomes arriving together are committed in a few transactions, each as it ended")
    func outcomesShareTransactions() async throws {
        try await Self.withClaimed(40) { store, admin, claimed, _ in
            let batcher = OutcomeBatcher(store: store, instance: "batcher-a", logger: Self.logger)
            let outcomes: [(ClaimedDelivery, DeliveryOutcome)] = claimed.enumerated().map { index, delivery in
                switch index {
                case 0: (delivery, .retry(afterSeconds: 30, error: "429 from the provider"))
                case 1: (delivery, .failed(error: "550 no such user", dead: false))
                case 2: (delivery, .failed(error: "tries ran out", dead: true))
                default: (delivery, .sent(providerID: "p-\(delivery.id)"))
                }
            }
            await withTaskGroup(of: Void.self) { group in
                for (delivery, outcome) in outcomes {
                    group.addTask { await batcher.record(delivery, outcome) }
                }
            }

            let rows = try Self.rows(admin)
            #expect(rows.count == 40)
            for (index, delivery) in claimed.enumerated() {
                let row = try #require(rows[delivery.id])
                switch index {
                case 0:
                    #expect(row.state == "pending" && row.lastError == "429 from the provider", "\(row)")
                    #expect(row.retryAfterSeconds >= 30, "retried no sooner than asked: \(row)")
                case 1: #expect(row.state == "failed" && row.lastError == "550 no such user", "\(row)")
                case 2: #expect(row.state == "dead" && row.lastError == "tries ran out", "\(row)")
                default: #expect(row.state == "sent" && row.providerID == "p-\(delivery.id)", "\(row)")
                }
                #expect(!row.leased, "the lease ends with the outcome: \(row)")
            }
            // The first outcome commits alone; the others queue behind it and go together.
            #expect(batcher.commits < 10, "\(batcher.commits) transactions for 40 outcomes")
        }
    }

    @Test("a refused outcome is recorded alone, the rest of its batch still goes; another instance's lease is left alone")
    func refusedOutcomeAndForeignLease() async throws {
        try await Self.withClaimed(12) { store, admin, claimed, _ in
            // The first delivery's lease ran out and another instance claimed it meanwhile.
            _ = try admin.query("UPDATE relay.deliveries SET leased_by = 'batcher-b' WHERE id = $1", [.int(claimed[0].id)])
            let batcher = OutcomeBatcher(store: store, instance: "batcher-a", logger: Self.logger)
            // An infinite backoff makes PostgreSQL refuse the statement ("interval out of range").
            let refused = claimed[1]
            await withTaskGroup(of: Void.self) { group in
                for delivery in claimed {
                    let outcome: DeliveryOutcome =
                        delivery.id == refused.id
                        ? .retry(afterSeconds: .infinity, error: "refused") : .sent(providerID: "p-\(delivery.id)")
                    group.addTask { await batcher.record(delivery, outcome) }
                }
            }

            let rows = try Self.rows(admin)
            let foreign = try #require(rows[claimed[0].id])
            #expect(foreign.state == "sending" && foreign.leasedBy == "batcher-b" && foreign.providerID == nil, "\(foreign)")
            let kept = try #require(rows[refused.id])
            #expect(kept.state == "sending" && kept.leasedBy == "batcher-a", "nothing recorded for it: \(kept)")
            for delivery in claimed.dropFirst(2) {
                let row = try #require(rows[delivery.id])
                #expect(row.state == "sent" && row.providerID == "p-\(delivery.id)", "\(row)")
            }
        }
    }
}

extension OutcomeBatcherTests {
    @Test("an outcome's commit notifies nobody (NOTIFY's commit lock made them take turns); the announcer tells the pages after it")
    func outcomesAnnouncedAfterTheirCommit() async throws {
        try await Self.withClaimed(8) { store, admin, claimed, url in
            let listener = try PostgresListener(conninfo: url, channels: [RelaySchema.passengerChannel])
            let id = "00000000-0000-0000-0000-00000000000b"

            let silent = OutcomeBatcher(store: store, instance: "batcher-a", logger: Self.logger)
            await silent.record(claimed[0], .sent(providerID: "p-0"))
            #expect(try Self.rows(admin)[claimed[0].id]?.state == "sent")
            #expect(try listener.wait(timeout: 0.5).isEmpty, "the trigger no longer notifies for an outcome")

            let announcer = OutcomeAnnouncer(store: store.sibling(role: "announce test"), pace: .milliseconds(5), logger: Self.logger)
            let batcher = OutcomeBatcher(store: store, instance: "batcher-a", announcer: announcer, logger: Self.logger)
            let announcing = Task { await announcer.run() }
            defer { announcing.cancel() }
            await withTaskGroup(of: Void.self) { group in
                for delivery in claimed.dropFirst() {
                    group.addTask { await batcher.record(delivery, .sent(providerID: "p-\(delivery.id)")) }
                }
            }
            // Polled without blocking: a blocking wait here holds one of the pool's threads, and
            // with the other held by a parallel test the announcer's task could not run at all.
            var payloads: [String] = []
            let deadline = Date().addingTimeInterval(10)
            while payloads.isEmpty, Date() < deadline {
                payloads += try listener.wait(timeout: 0).map(\.payload)
                if payloads.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
            }
            try await Task.sleep(for: .milliseconds(300))
            payloads += try listener.wait(timeout: 0).map(\.payload)
            #expect(payloads.first == "subscriptions \(id)", "\(payloads)")
            #expect(payloads.allSatisfy { $0 == "subscriptions \(id)" } && payloads.count < claimed.count - 1, "one per group: \(payloads)")

            // Every other change of state still notifies from the trigger, in its own commit.
            _ = try admin.query("UPDATE relay.deliveries SET state = 'delivered' WHERE id = $1", [.int(claimed[0].id)])
            #expect(try listener.wait(timeout: 5).map(\.payload) == ["subscription \(id)"])
        }
    }

    static let logger = Logger(label: "flightedge.test.outcomes")

    struct Row: CustomStringConvertible {
        var state: String
        var providerID: String?
        var lastError: String?
        var leased: Bool
        var leasedBy: String?
        /// From the delivery's creation to when it is due (at least the backoff, however slow the test ran).
        var retryAfterSeconds: Double
        var description: String {
            "\(state) provider=\(providerID ?? "-") error=\(lastError ?? "-") leased=\(leased) by=\(leasedBy ?? "-") due \(retryAfterSeconds) s after its creation"
        }
    }

    static func rows(_ admin: PostgresConnection) throws -> [Int64: Row] {
        var rows: [Int64: Row] = [:]
        for row in try admin.query(
            """
            SELECT id, state, provider_id, last_error, lease_until IS NOT NULL, leased_by,
                extract(epoch FROM due_at - created_at) FROM relay.deliveries
            """
        ).rows {
            guard let id = row[0].flatMap({ Int64($0) }) else { continue }
            rows[id] = Row(
                state: row[1] ?? "", providerID: row[2], lastError: row[3], leased: row[4] == "t", leasedBy: row[5],
                retryAfterSeconds: row[6].flatMap { Double($0) } ?? 0)
        }
        return rows
    }

    /// A fresh relay database with `count` e-mail deliveries of one subscription, claimed by
    /// instance `batcher-a` through the store, as the dispatcher claims them.
    static func withClaimed(
        _ count: Int, _ body: (RelayStore, PostgresConnection, [ClaimedDelivery], String) async throws -> Void
    ) async throws {
        try await MigratedRelayStore.with(role: "outcome test", logger: logger) { store, admin, url in
            try admin.execute(
                """
                INSERT INTO relay.subscriptions (id, airline, number, flight_date, kinds, state)
                VALUES ('00000000-0000-0000-0000-00000000000b', 'LX', '1234', current_date, ARRAY['delay'], 'active');
                INSERT INTO relay.contacts (subscription_id, channel, address)
                VALUES ('00000000-0000-0000-0000-00000000000b', 'email', 'outcomes@example.org');
                INSERT INTO relay.deliveries (event_id, subscription_id, channel, contact_id, flight_id, kind, topic,
                    notification_id, replace_key, state, due_at, occurred_at, message)
                SELECT gen_random_uuid(), c.subscription_id, 'email', c.id, 'LX1234', 'delay', 'time', 'n' || i, 'LX1234_time',
                    'pending', now(), now(),
                    jsonb_build_object('delivery_id', 'd' || i, 'replace_key', 'LX1234_time', 'subject', 'LX 1234: delay',
                        'text', 'Delayed by 45 min.', 'urgency', 'normal', 'ttl', 3600, 'locale', 'en')
                FROM relay.contacts c, generate_series(1, \(count)) i;
                """)
            let claimed = try await store.claimDue(limit: count, channel: .email, instance: "batcher-a", leaseSeconds: 60)
            try #require(claimed.count == count, "claimed \(claimed.count) of \(count)")
            try await body(store, admin, claimed.sorted { $0.id < $1.id }, url)
        }
    }
}
