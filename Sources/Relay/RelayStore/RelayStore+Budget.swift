import Channels
import Postgres

/// How the dispatcher applies the per-recipient rate limit while it claims (the store keeps the
/// state, the caller owns the rules and the texts): both closures run inside the claim's
/// transaction, with the recipient's budget row locked.
public struct RecipientLimit: Sendable {
    /// A due delivery of one contact point, as the limit sees it.
    public struct Candidate: Sendable {
        public var id: Int64
        public var urgent: Bool
        public var held: Bool
        public var firstAttempt: Bool
    }

    /// What the limit decided for one candidate.
    public enum Verdict: Sendable, Equatable {
        case send
        /// Stays pending, due again at this time (seconds since 1970).
        case hold(until: Double)
        case digest
    }

    /// One held notification going into a digest.
    public struct DigestItem: Sendable {
        /// The rules' notification, as JSON (`deliveries.notification`).
        public var notification: String
        public var flightID: String
    }

    /// What the digest is rendered for: the subscription's language and zone, and its items.
    public struct DigestRequest: Sendable {
        public var subscriptionID: String
        public var channel: ChannelKind
        public var locale: String
        public var timeZone: String?
        /// Stable for this digest: its `Message-ID` and push id.
        public var deliveryID: String
        public var items: [DigestItem]
    }

    /// `(stored budget JSON or nil for a new recipient, candidates in due order, now in seconds)`
    /// → the budget to store and a verdict per candidate id.
    public var decide: @Sendable (String?, [Candidate], Double) -> (budget: String, verdicts: [Int64: Verdict])
    /// Renders a digest; nil when its items cannot be read (they are then sent one by one).
    public var renderDigest: @Sendable (DigestRequest) -> OutgoingMessage?

    public init(
        decide: @escaping @Sendable (String?, [Candidate], Double) -> (budget: String, verdicts: [Int64: Verdict]),
        renderDigest: @escaping @Sendable (DigestRequest) -> OutgoingMessage?
    ) {
        self.decide = decide
        self.renderDigest = renderDigest
    }
}

extension RelayStore {
    /// Like ``claimDue(limit:channel:instance:leaseSeconds:)``, with each recipient's rate limit
    /// applied in the same transaction: deliveries the limit holds stay `pending` (due when the
    /// next token is), deliveries it folds become `digested` and one new digest delivery, claimed
    /// here, carries them. Two instances claiming one recipient's deliveries serialise on its
    /// budget row (locked in contact order, so they never deadlock).
    public func claimDue(
        limit: Int, channel: ChannelKind, instance: String, leaseSeconds: Int, recipientLimit: RecipientLimit
    ) async throws -> [ClaimedDelivery] {
        guard limit > 0 else { return [] }
        // One transaction in three round trips: BEGIN goes with the first query, COMMIT with the
        // last statements (each round trip holds the claimed rows' locks a little longer).
        return try await run("cannot claim due deliveries") { connection in
            do {
                return try Self.claimDue(
                    limit: limit, channel: channel, instance: instance, leaseSeconds: leaseSeconds,
                    recipientLimit: recipientLimit, on: connection)
            } catch {
                connection.rollbackOpenTransaction()
                throw error
            }
        }
    }

    private static func claimDue(
        limit: Int, channel: ChannelKind, instance: String, leaseSeconds: Int, recipientLimit: RecipientLimit,
        on connection: PostgresConnection
    ) throws -> [ClaimedDelivery] {
        let due = try connection.pipeline([
            ("BEGIN", []),
            (
                """
                SELECT d.id, d.contact_id, d.attempts,
                    d.held_at IS NOT NULL,
                    -- A confirmation carries its link: it never waits for a token or joins a digest.
                    d.kind = 'confirmation'
                        OR coalesce((d.notification->>'urgent')::boolean, d.message->>'urgency' = 'high'),
                    extract(epoch FROM now()), extract(epoch FROM q.due_at)
                \(Self.dueRows)
                """,
                [.int(limit), .text(channel.rawValue)]
            ),
        ], prepared: true)[1].rows
        guard let now = due.first?[5].flatMap({ Double($0) }) else {
            try connection.execute("COMMIT")
            return []
        }
        // In due order, then id (the index gives due order only: sorting the query by id too
        // would sort every due row before the LIMIT, 250 ms with 100,000 due).
        let ordered = due.sorted {
            (Double($0[6] ?? "") ?? 0, Int64($0[0] ?? "") ?? 0) < (Double($1[6] ?? "") ?? 0, Int64($1[0] ?? "") ?? 0)
        }
        var byContact: [Int64: [RecipientLimit.Candidate]] = [:]
        for row in ordered {
            guard let id = row[0].flatMap({ Int64($0) }), let contact = row[1].flatMap({ Int64($0) }) else { continue }
            byContact[contact, default: []].append(
                RecipientLimit.Candidate(
                    id: id, urgent: row[4] == "t", held: row[3] == "t", firstAttempt: row[2].flatMap { Int($0) } == 0))
        }
        let limited = byContact.filter { $0.value.contains { $0.firstAttempt } }.keys.sorted()
        let budgets = try Self.lockBudgets(of: limited, on: connection)

        var send: [Int64] = []
        var digests: [[Int64]] = []
        var budgetUpdates: [(contact: Int64, budget: String)] = []
        var holds: [(id: Int64, until: Double)] = []
        for (contact, candidates) in byContact.sorted(by: { $0.key < $1.key }) {
            guard limited.contains(contact) else {
                send += candidates.map(\.id)
                continue
            }
            let (budget, verdicts) = recipientLimit.decide(budgets[contact], candidates, now)
            budgetUpdates.append((contact, budget))
            var digest: [Int64] = []
            for candidate in candidates {
                switch verdicts[candidate.id] ?? .send {
                case .send: send.append(candidate.id)
                case .digest: digest.append(candidate.id)
                case .hold(let until): holds.append((candidate.id, until))
                }
            }
            if !digest.isEmpty { digests.append(digest) }
        }
        // One round trip for what was decided: the budgets, the held ones, and (without a
        // digest to fold first) the lease of what goes.
        var statements: [(sql: String, parameters: [PostgresValue])] = []
        if !budgetUpdates.isEmpty {
            statements.append(
                (
                    """
                    INSERT INTO relay.recipient_budgets AS b (contact_id, budget)
                    SELECT v.contact_id, v.budget::jsonb FROM unnest($1::bigint[], $2::text[]) AS v (contact_id, budget)
                    ORDER BY v.contact_id
                    ON CONFLICT (contact_id) DO UPDATE SET budget = excluded.budget, updated_at = now()
                    """,
                    [PostgresArray.integers(budgetUpdates.map(\.contact)), PostgresArray.text(budgetUpdates.map(\.budget))]
                ))
        }
        if !holds.isEmpty {
            statements.append(
                (
                    """
                    UPDATE relay.deliveries d SET due_at = to_timestamp(v.until), held_at = coalesce(d.held_at, now())
                    FROM unnest($1::bigint[], $2::float8[]) AS v (id, until) WHERE d.id = v.id
                    """,
                    [PostgresArray.text(holds.map { String($0.id) }), PostgresArray.text(holds.map { String($0.until) })]
                ))
        }
        if digests.isEmpty {
            guard !send.isEmpty else {
                try connection.pipeline(statements + [("COMMIT", [])], prepared: true)
                return []
            }
            statements += [Self.leaseStatement(send, instance: instance, leaseSeconds: leaseSeconds), ("COMMIT", [])]
            let results = try connection.pipeline(statements, prepared: true)
            return Self.claimed(results[results.count - 2].rows)
        }
        if !statements.isEmpty { try connection.pipeline(statements) }
        for items in digests {
            if let digestID = try Self.fold(items, render: recipientLimit.renderDigest, on: connection) {
                send.append(digestID)
            } else {
                send += items
            }
        }
        let results = try connection.pipeline(
            [Self.leaseStatement(send, instance: instance, leaseSeconds: leaseSeconds), ("COMMIT", [])], prepared: true)
        return Self.claimed(results[0].rows)
    }

    /// The budgets of `contacts` (none stored: a new recipient, whose row the claim inserts with
    /// its first decision, in the same statement that updates the others), in one round trip.
    /// Two instances deciding for the same recipient serialise on a transaction-level advisory
    /// lock per contact, taken in one global order (so they never deadlock, whichever rows each
    /// has to insert); the row lock alone could not give that order, nor lock a row not there yet.
    static func lockBudgets(of contacts: [Int64], on connection: PostgresConnection) throws -> [Int64: String] {
        guard !contacts.isEmpty else { return [:] }
        let ids = PostgresArray.integers(contacts)
        let results = try connection.pipeline([
            (
                """
                SELECT count(pg_advisory_xact_lock(k)) FROM (
                    SELECT DISTINCT hashtextextended('relay.recipient_budgets:' || c, 0) AS k
                    FROM unnest($1::bigint[]) AS c ORDER BY k) AS keys
                """,
                [ids]
            ),
            ("SELECT contact_id, budget::text FROM relay.recipient_budgets WHERE contact_id = ANY($1::bigint[])", [ids]),
        ], prepared: true)
        var budgets: [Int64: String] = [:]
        for row in results.last?.rows ?? [] {
            if let id = row[0].flatMap({ Int64($0) }), let json = row[1], json != "null" { budgets[id] = json }
        }
        return budgets
    }
}

extension RelayStore {
    /// Folds the held deliveries `items` (one contact point's) into a new digest delivery: its
    /// message rendered now and stored (a retry sends the same bytes), the items `digested` and
    /// pointing at it. Returns the digest's id, or nil when an item carries no notification to
    /// render (written before migration 4): the caller then sends them one by one.
    static func fold(
        _ items: [Int64], render: @Sendable (RecipientLimit.DigestRequest) -> OutgoingMessage?, on connection: PostgresConnection
    ) throws -> Int64? {
        let ids = PostgresArray.text(items.map(String.init))
        let rows = try connection.query(
            """
            SELECT d.notification::text, d.flight_id, d.subscription_id, d.channel, d.contact_id, s.locale, s.time_zone
            FROM relay.deliveries d JOIN relay.subscriptions s ON s.id = d.subscription_id
            WHERE d.id = ANY($1::bigint[]) ORDER BY d.due_at, d.id
            """,
            [ids]
        ).rows
        guard let first = rows.first, let subscription = first[2], let channel = first[3].flatMap(ChannelKind.init(rawValue:)),
            let contact = first[4].flatMap({ Int64($0) })
        else { return nil }
        var digestItems: [RecipientLimit.DigestItem] = []
        for row in rows {
            guard let notification = row[0], let flightID = row[1] else { return nil }
            digestItems.append(RecipientLimit.DigestItem(notification: notification, flightID: flightID))
        }
        let deliveryID = "digest.\(items.min() ?? 0).\(channel.rawValue)"
        guard
            let message = render(
                RecipientLimit.DigestRequest(
                    subscriptionID: subscription, channel: channel, locale: first[5] ?? "en", timeZone: first[6],
                    deliveryID: deliveryID, items: digestItems))
        else { return nil }
        let inserted = try connection.query(
            """
            INSERT INTO relay.deliveries (event_id, subscription_id, channel, contact_id, flight_id, kind, topic,
                notification_id, replace_key, state, due_at, occurred_at, message)
            SELECT gen_random_uuid(), $1::uuid, $2, $3, $4, 'digest', 'digest', $5, $6, 'pending', now(),
                min(occurred_at), $7::jsonb
            FROM relay.deliveries WHERE id = ANY($8::bigint[])
            RETURNING id
            """,
            [
                .text(subscription), .text(channel.rawValue), .int(contact), .text(digestItems[0].flightID), .text(deliveryID),
                .text(message.replaceKey), .text(message.storedJSON), ids,
            ]
        ).rows
        guard let digestID = inserted.first?[0].flatMap({ Int64($0) }) else { return nil }
        _ = try connection.query(
            "UPDATE relay.deliveries SET state = 'digested', digest_id = $1 WHERE id = ANY($2::bigint[])", [.int(digestID), ids])
        return digestID
    }
}
