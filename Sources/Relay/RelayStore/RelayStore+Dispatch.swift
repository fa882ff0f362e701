import Channels
import Postgres

/// A delivery one relay instance claimed: its lease says no other instance sends it until the
/// lease runs out (the instance died) or the instance records how the attempt ended.
public struct ClaimedDelivery: Sendable {
    public var id: Int64
    public var eventID: String
    public var subscriptionID: String
    public var contact: StoredContact
    public var kind: String
    /// Attempts so far, this one included.
    public var attempts: Int
    public var message: OutgoingMessage
    /// When the event happened, in seconds since 1970 (for the latency figures).
    public var occurredAt: Double
    /// Set once a claim took the delivery over from a lease that ran out while `sending` (its
    /// instance died, or stalled, with the attempt's outcome unrecorded): when that lease began,
    /// in seconds since 1970 (`lost_since`, migration 12). The provider may hold a copy made since.
    public var lostSince: Double?
}

/// How one attempt of a claimed delivery ended, as the dispatcher records it.
public enum DeliveryOutcome: Sendable {
    /// The provider accepted it.
    case sent(providerID: String?)
    /// Try again, not before `afterSeconds` from now.
    case retry(afterSeconds: Double, error: String)
    /// No further attempt: the message was refused (`failed`) or the tries ran out (`dead`).
    case failed(error: String, dead: Bool)
    /// The contact point is gone for good: disable it, end this delivery and its other pending ones.
    case contactGone(error: String)
}

extension RelayStore {
    /// Claims up to `limit` due deliveries of `channel` for `instance`, under a lease of
    /// `leaseSeconds`: pending ones, and ones whose lease ran out (their instance died mid-send).
    /// `FOR UPDATE SKIP LOCKED` lets several instances claim side by side without waiting on
    /// each other and without ever claiming the same row.
    ///
    /// The claim walks `due_deliveries` (migration 11) in the order of its time, which for a
    /// sending delivery is its lease's end: live leases are not even visited. The conditions
    /// on `d` stay: a row locked after another instance's lease committed is checked again on
    /// its new version (PostgreSQL re-evaluates them), and that check is what keeps it out.
    public func claimDue(
        limit: Int, channel: ChannelKind, instance: String, leaseSeconds: Int
    ) async throws -> [ClaimedDelivery] {
        guard limit > 0 else { return [] }
        return try await run("cannot claim due deliveries") { connection in
            let rows = try connection.query(
                """
                WITH due AS (
                    SELECT d.id \(Self.dueRows)
                ), queued AS (
                    UPDATE relay.due_deliveries q SET due_at = now() + make_interval(secs => $4)
                    FROM due WHERE q.delivery_id = due.id
                )
                UPDATE relay.deliveries d
                SET state = 'sending', attempts = d.attempts + 1, leased_by = $3,
                    lease_until = now() + make_interval(secs => $4), lost_since = \(Self.lostSince("$4"))
                FROM due, relay.contacts c
                WHERE d.id = due.id AND c.id = d.contact_id
                RETURNING \(Self.claimedColumns)
                """,
                [.int(limit), .text(channel.rawValue), .text(instance), .int(leaseSeconds)],
                prepared: true
            ).rows
            return Self.claimed(rows)
        }
    }

    /// The due rows a claim locks, from `FROM` on: up to `$1` of channel `$2`, in the queue's
    /// order, their contact point enabled; `q` the queue row, `d` the delivery.
    static let dueRows = """
        FROM relay.due_deliveries q
        JOIN relay.deliveries d ON d.id = q.delivery_id
        JOIN relay.contacts c ON c.id = d.contact_id AND c.disabled_at IS NULL
        WHERE q.channel = $2 AND q.due_at <= now()
          AND d.open AND (d.state = 'pending' OR d.lease_until < now())
        ORDER BY q.due_at
        LIMIT $1
        FOR UPDATE OF d SKIP LOCKED
        """

    /// What a claim returns of each delivery (`d`) and its contact (`c`), in ``claimed(_:)``'s order.
    static let claimedColumns = """
        d.id, d.event_id, d.subscription_id, d.kind, d.attempts, d.message::text,
            extract(epoch FROM d.occurred_at), c.id, c.channel, c.address, c.keys::text, extract(epoch FROM d.lost_since)
        """

    /// A claim's new `lost_since`: kept once set; else, taking over a lease that ran out while
    /// `sending`, when that lease began (its end less the lease's length, `leaseSeconds`: the
    /// instances share `[dispatch] lease_seconds`). In `SET`, `d` is the row before the claim.
    static func lostSince(_ leaseSeconds: String) -> String {
        "CASE WHEN d.state = 'sending' THEN coalesce(d.lost_since, d.lease_until - make_interval(secs => \(leaseSeconds))) ELSE d.lost_since END"
    }

    /// The statement that leases the deliveries `ids` (locked by the caller's transaction) to
    /// `instance`, to send in a pipeline; its rows read with ``claimed(_:)``. Their queue rows
    /// move to the lease's end, when another instance may take them over.
    static func leaseStatement(
        _ ids: [Int64], instance: String, leaseSeconds: Int
    ) -> (sql: String, parameters: [PostgresValue]) {
        (
            """
            WITH queued AS (
                UPDATE relay.due_deliveries SET due_at = now() + make_interval(secs => $3)
                WHERE delivery_id = ANY($1::bigint[])
            )
            UPDATE relay.deliveries d
            SET state = 'sending', attempts = d.attempts + 1, leased_by = $2,
                lease_until = now() + make_interval(secs => $3), lost_since = \(lostSince("$3"))
            FROM relay.contacts c
            WHERE d.id = ANY($1::bigint[]) AND c.id = d.contact_id
            RETURNING \(claimedColumns)
            """,
            [PostgresArray.text(ids.map(String.init)), .text(instance), .int(leaseSeconds)]
        )
    }

    static func claimed(_ rows: [[String?]]) -> [ClaimedDelivery] {
        rows.compactMap { row -> ClaimedDelivery? in
            guard let id = row[0].flatMap({ Int64($0) }), let eventID = row[1], let subscriptionID = row[2],
                let kind = row[3], let attempts = row[4].flatMap({ Int($0) }),
                let message = row[5].flatMap(OutgoingMessage.init(storedJSON:)),
                let contactID = row[7].flatMap({ Int64($0) }),
                let point = StoredContact.point(channel: row[8] ?? "", address: row[9] ?? "", keys: row[10] ?? "{}")
            else { return nil }
            return ClaimedDelivery(
                id: id, eventID: eventID, subscriptionID: subscriptionID, contact: StoredContact(id: contactID, point: point),
                kind: kind, attempts: attempts, message: message, occurredAt: row[6].flatMap { Double($0) } ?? 0,
                lostSince: row[11].flatMap { Double($0) })
        }
    }

    /// Records how attempts ended, in one transaction. Only rows this instance still holds are
    /// changed: a row whose lease ran out and that another instance claimed is left to it.
    ///
    /// One set-based statement per kind of outcome (`UPDATE … FROM unnest(…)`), all in one
    /// pipeline: a group commit of 64 outcomes is one parse, one plan and one round trip, not 64.
    public func complete(_ outcomes: [(delivery: ClaimedDelivery, outcome: DeliveryOutcome)], instance: String) async throws {
        guard !outcomes.isEmpty else { return }
        let batch = Self.completionStatements(outcomes, instance: instance)
        try await run("cannot record delivery outcomes") { connection in _ = try connection.pipeline(batch, prepared: true) }
    }

    /// ``complete(_:instance:)``'s transaction, from `BEGIN` to `COMMIT`.
    static func completionStatements(
        _ outcomes: [(delivery: ClaimedDelivery, outcome: DeliveryOutcome)], instance: String
    ) -> [(sql: String, parameters: [PostgresValue])] {
        var sent: [(id: Int64, providerID: String?)] = []
        var retries: [(id: Int64, after: Double, error: String)] = []
        var ended: [(id: Int64, state: String, error: String)] = []
        var gone: [(id: Int64, contact: Int64, error: String)] = []
        for (delivery, outcome) in outcomes {
            switch outcome {
            case .sent(let providerID): sent.append((delivery.id, providerID))
            case .retry(let after, let error): retries.append((delivery.id, after, error))
            case .failed(let error, let dead): ended.append((delivery.id, dead ? "dead" : "failed", error))
            case .contactGone(let error):
                ended.append((delivery.id, "failed", error))
                gone.append((delivery.id, delivery.contact.id, error))
            }
        }
        let mine = "d.id = v.id AND d.state = 'sending' AND d.leased_by = $1"
        var statements: [(sql: String, parameters: [PostgresValue])] = [("BEGIN", [])]
        if !sent.isEmpty {
            // Leaves the queue here, not through the row trigger (which skips sending → sent):
            // one statement for the batch instead of a trigger call per row.
            statements.append(
                (
                    """
                    WITH sent AS (
                        UPDATE relay.deliveries d SET state = 'sent', sent_at = now(), provider_id = v.provider_id,
                            lease_until = NULL, last_error = NULL
                        FROM unnest($2::bigint[], $3::text[]) AS v (id, provider_id) WHERE \(mine)
                        RETURNING d.id
                    )
                    DELETE FROM relay.due_deliveries q USING sent WHERE q.delivery_id = sent.id
                    """,
                    [.text(instance), PostgresArray.integers(sent.map(\.id)), PostgresArray.text(sent.map(\.providerID))]
                ))
        }
        if !retries.isEmpty {
            statements.append(
                (
                    """
                    UPDATE relay.deliveries d SET state = 'pending', due_at = now() + make_interval(secs => v.after),
                        lease_until = NULL, last_error = v.error
                    FROM unnest($2::bigint[], $3::float8[], $4::text[]) AS v (id, after, error) WHERE \(mine)
                    """,
                    [
                        .text(instance), PostgresArray.integers(retries.map(\.id)), PostgresArray.text(retries.map { String($0.after) }),
                        PostgresArray.text(retries.map(\.error)),
                    ]
                ))
        }
        if !ended.isEmpty {
            statements.append(
                (
                    """
                    UPDATE relay.deliveries d SET state = v.state, lease_until = NULL, last_error = v.error
                    FROM unnest($2::bigint[], $3::text[], $4::text[]) AS v (id, state, error) WHERE \(mine)
                    """,
                    [
                        .text(instance), PostgresArray.integers(ended.map(\.id)), PostgresArray.text(ended.map(\.state)),
                        PostgresArray.text(ended.map(\.error)),
                    ]
                ))
        }
        // A contact point gone for good: disabled, and its other pending deliveries suppressed.
        for (_, contact, error) in gone {
            statements.append(
                (
                    "UPDATE relay.contacts SET disabled_at = now(), disabled_reason = $2 WHERE id = $1 AND disabled_at IS NULL",
                    [.int(contact), .text(error)]
                ))
            statements.append(
                (
                    "UPDATE relay.deliveries SET state = 'suppressed', last_error = 'contact disabled: ' || $2 WHERE contact_id = $1 AND state = 'pending'",
                    [.int(contact), .text(error)]
                ))
        }
        statements.append(("COMMIT", []))
        return statements
    }

    /// Tells the passenger pages of every instance that deliveries of these subscriptions changed
    /// state (`NOTIFY relay_passenger`, `subscriptions {id} {id} …`, as the trigger on new
    /// deliveries does): the dispatcher's outcomes, after their commit. As few notifications as
    /// the ids fit in (``PassengerChange/payloads(subscriptions:)``): every instance's listener
    /// reads every one.
    ///
    /// A transaction of its own, committed without waiting for the WAL flush: `NOTIFY` holds a
    /// database-wide lock from its commit until the commit returns, so here it is held for
    /// microseconds, not through a flush, and no outcome commit waits for it. Nothing durable is
    /// written: if PostgreSQL crashes, the listeners reconnect and read everything again.
    public func announceDeliveries(of subscriptions: [String]) async throws {
        let payloads = PassengerChange.payloads(subscriptions: subscriptions)
        guard !payloads.isEmpty else { return }
        try await run("cannot announce delivery changes") { connection in
            _ = try connection.pipeline([
                ("BEGIN", []),
                ("SET LOCAL synchronous_commit = off", []),
                (
                    "SELECT count(pg_notify($1, p)) FROM unnest($2::text[]) AS p",
                    [.text(RelaySchema.passengerChannel), PostgresArray.text(payloads)]
                ),
                ("COMMIT", []),
            ], prepared: true)
        }
    }

    /// Seconds since 1970 when the next pending delivery falls due (nil: none pending).
    public func nextDue(channels: [ChannelKind]) async throws -> Double? {
        try await run("cannot read the next due delivery") { connection in
            try connection.query(
                """
                SELECT extract(epoch FROM min(q.due_at))
                FROM relay.due_deliveries q JOIN relay.deliveries d ON d.id = q.delivery_id
                WHERE q.channel = ANY($1::text[]) AND d.open
                """,
                [PostgresArray.text(channels.map(\.rawValue))]
            ).rows.first?.first.flatMap { $0 }.flatMap { Double($0) }
        }
    }

    /// A provider's report that a message reached the handset (Twilio's status callback).
    /// Returns false when no sent delivery has that provider id. Provider ids are indexed for
    /// SMS only (`sms_provider_id`, migration 11): another channel here reads the whole table.
    public func markDelivered(providerID: String, channel: ChannelKind) async throws -> Bool {
        try await run("cannot mark delivery \(providerID) delivered") { connection in
            let (sql, parameters): (String, [PostgresValue]) =
                channel == .sms
                ? ("UPDATE relay.deliveries SET state = 'delivered' WHERE sms_provider_id = $1 AND state = 'sent'", [.text(providerID)])
                : (
                    "UPDATE relay.deliveries SET state = 'delivered' WHERE provider_id = $1 AND channel = $2 AND state = 'sent'",
                    [.text(providerID), .text(channel.rawValue)]
                )
            return try connection.query(sql, parameters).affectedRows > 0
        }
    }
}

extension RelayStore {
    /// Deliveries by channel and state, and how many pending ones are due now (for `/metrics`).
    public func deliveryCounts() async throws -> (byState: [(channel: String, state: String, count: Int)], dueNow: Int) {
        try await run("cannot count deliveries") { connection in
            let rows = try connection.query("SELECT channel, state, count(*) FROM relay.deliveries GROUP BY 1, 2 ORDER BY 1, 2").rows
            let due = try connection.query(
                """
                SELECT count(*) FROM relay.due_deliveries q JOIN relay.deliveries d ON d.id = q.delivery_id
                WHERE q.due_at <= now() AND d.state = 'pending'
                """
            ).rows.first?.first.flatMap { $0 }.flatMap { Int($0) } ?? 0
            return (rows.map { ($0[0] ?? "", $0[1] ?? "", $0[2].flatMap { Int($0) } ?? 0) }, due)
        }
    }
}
