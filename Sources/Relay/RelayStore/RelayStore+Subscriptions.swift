import Channels
import Postgres

/// A subscription as the API creates it (validated before it gets here).
public struct NewSubscription: Sendable {
    public var id: String
    public var airline: String
    public var number: String
    public var flightDate: String
    public var kinds: [String]
    public var locale: String
    public var timeZone: String?
    public var quietFrom: Int?
    public var quietTo: Int?
    /// Active at once (made with an API key) or waiting for its owner's confirmation (public page).
    public var active: Bool
    public var createdBy: Int64?
    public var contacts: [ContactPoint]

    public init(
        id: String, airline: String, number: String, flightDate: String, kinds: [String], locale: String,
        timeZone: String?, quietFrom: Int?, quietTo: Int?, active: Bool, createdBy: Int64?, contacts: [ContactPoint]
    ) {
        self.id = id
        self.airline = airline
        self.number = number
        self.flightDate = flightDate
        self.kinds = kinds
        self.locale = locale
        self.timeZone = timeZone
        self.quietFrom = quietFrom
        self.quietTo = quietTo
        self.active = active
        self.createdBy = createdBy
        self.contacts = contacts
    }
}

/// A stored subscription with its contacts, as the API and the personal page show it.
public struct SubscriptionRecord: Sendable {
    public var id: String
    public var airline: String
    public var number: String
    public var flightDate: String
    public var kinds: [String]
    public var locale: String
    public var timeZone: String?
    public var quietFrom: Int?
    public var quietTo: Int?
    /// `unconfirmed`, `active` or `unsubscribed`.
    public var state: String
    public var createdBy: Int64?
    public var contacts: [(contact: StoredContact, disabledReason: String?)]
}

/// One delivery as the API and the personal page list it.
public struct DeliveryRecord: Sendable {
    public var eventID: String
    public var kind: String
    public var channel: String
    public var state: String
    public var attempts: Int
    public var subject: String
    /// ISO 8601 UTC, or nil when not sent yet.
    public var sentAt: String?
    public var dueAt: String
    public var createdAt: String
    public var lastError: String?
    public var providerID: String?
}

extension RelayStore {
    /// Stores a subscription and its contacts in one transaction.
    public func create(_ subscription: NewSubscription) async throws {
        var statements: [(sql: String, parameters: [PostgresValue])] = [
            ("BEGIN", []),
            (
                """
                INSERT INTO relay.subscriptions (id, airline, number, flight_date, kinds, locale, time_zone,
                    quiet_from, quiet_to, state, created_by, confirmed_at)
                VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8, $9, $10, $11, CASE WHEN $10 = 'active' THEN now() END)
                """,
                [
                    .text(subscription.id), .text(subscription.airline), .text(subscription.number),
                    .text(subscription.flightDate), PostgresArray.text(subscription.kinds), .text(subscription.locale),
                    .optional(subscription.timeZone), subscription.quietFrom.map { .int($0) } ?? .null,
                    subscription.quietTo.map { .int($0) } ?? .null, .text(subscription.active ? "active" : "unconfirmed"),
                    subscription.createdBy.map { .int($0) } ?? .null,
                ]
            ),
        ]
        for point in subscription.contacts {
            let columns = StoredContact.columns(of: point)
            statements.append(
                (
                    "INSERT INTO relay.contacts (subscription_id, channel, address, keys) VALUES ($1, $2, $3, $4::jsonb)",
                    [.text(subscription.id), .text(point.channel.rawValue), .text(columns.address), .text(columns.keys)]
                ))
        }
        statements.append(("COMMIT", []))
        let batch = statements
        try await run("cannot store subscription \(subscription.id)") { connection in _ = try connection.pipeline(batch) }
    }

    /// The subscription with that id, nil when there is none.
    public func subscription(id: String) async throws -> SubscriptionRecord? {
        try await run("cannot read subscription \(id)") { connection in
            guard
                let row = try connection.query(
                    """
                    SELECT id, airline, number, flight_date::text, array_to_string(kinds, ','), locale, time_zone,
                        quiet_from, quiet_to, state, created_by
                    FROM relay.subscriptions WHERE id = $1
                    """,
                    [.text(id)]
                ).rows.first, let id = row[0]
            else { return nil }
            let contacts = try connection.query(
                "SELECT id, channel, address, keys::text, disabled_reason FROM relay.contacts WHERE subscription_id = $1 ORDER BY id",
                [.text(id)]
            ).rows.compactMap { row -> (contact: StoredContact, disabledReason: String?)? in
                guard let contactID = row[0].flatMap({ Int64($0) }),
                    let point = StoredContact.point(channel: row[1] ?? "", address: row[2] ?? "", keys: row[3] ?? "{}")
                else { return nil }
                return (StoredContact(id: contactID, point: point), row[4])
            }
            return SubscriptionRecord(
                id: id, airline: row[1] ?? "", number: row[2] ?? "", flightDate: row[3] ?? "",
                kinds: (row[4] ?? "").split(separator: ",").map(String.init), locale: row[5] ?? "en", timeZone: row[6],
                quietFrom: row[7].flatMap { Int($0) }, quietTo: row[8].flatMap { Int($0) }, state: row[9] ?? "",
                createdBy: row[10].flatMap { Int64($0) }, contacts: contacts)
        }
    }

    /// Activates a subscription made on the public page. Returns false when it is not waiting
    /// for confirmation (unknown, active already, or ended).
    public func confirm(subscription id: String) async throws -> Bool {
        try await run("cannot confirm subscription \(id)") { connection in
            try connection.query(
                "UPDATE relay.subscriptions SET state = 'active', confirmed_at = now() WHERE id = $1 AND state = 'unconfirmed'",
                [.text(id)]
            ).affectedRows == 1
        }
    }

    /// Ends a subscription: nothing more is planned for it and its pending deliveries are
    /// suppressed; what was sent stays listed. Returns false when it did not exist or had ended.
    public func end(subscription id: String) async throws -> Bool {
        try await run("cannot end subscription \(id)", transaction: true) { connection in
            let ended = try connection.query(
                "UPDATE relay.subscriptions SET state = 'unsubscribed', ended_at = now() WHERE id = $1 AND state <> 'unsubscribed'",
                [.text(id)]
            ).affectedRows == 1
            if ended {
                _ = try connection.query(
                    "UPDATE relay.deliveries SET state = 'suppressed', last_error = 'unsubscribed' WHERE subscription_id = $1 AND open AND state = 'pending'",
                    [.text(id)])
            }
            return ended
        }
    }

    /// The subscription's deliveries, newest first.
    public func deliveries(subscription id: String, limit: Int = 500) async throws -> [DeliveryRecord] {
        try await run("cannot list deliveries of \(id)") { connection in
            try connection.query(
                """
                SELECT event_id, kind, channel, state, attempts, message->>'subject',
                    to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                    to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                    to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), last_error, provider_id
                FROM relay.deliveries WHERE subscription_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2
                """,
                [.text(id), .int(limit)]
            ).rows.map { row in
                DeliveryRecord(
                    eventID: row[0] ?? "", kind: row[1] ?? "", channel: row[2] ?? "", state: row[3] ?? "",
                    attempts: row[4].flatMap { Int($0) } ?? 0, subject: row[5] ?? "", sentAt: row[6], dueAt: row[7] ?? "",
                    createdAt: row[8] ?? "", lastError: row[9], providerID: row[10])
            }
        }
    }

    /// Stores an API key's hash under a name; returns its id.
    public func addAPIKey(name: String, hash: [UInt8]) async throws -> Int64 {
        try await run("cannot store API key \(name)") { connection in
            let row = try connection.query(
                "INSERT INTO relay.api_keys (name, key_hash) VALUES ($1, $2) RETURNING id", [.text(name), .bytes(hash)]
            ).rows.first
            guard let id = row?[0].flatMap({ Int64($0) }) else {
                throw PostgresError(code: .unexpectedResult, message: "INSERT … RETURNING id gave no id")
            }
            return id
        }
    }

    /// The id of the unrevoked key with that hash, nil when there is none.
    public func apiKeyID(hash: [UInt8]) async throws -> Int64? {
        try await run("cannot check an API key") { connection in
            try connection.query(
                "SELECT id FROM relay.api_keys WHERE key_hash = $1 AND revoked_at IS NULL", [.bytes(hash)]
            ).rows.first?.first.flatMap { $0 }.flatMap { Int64($0) }
        }
    }

    /// The named shared secret, made from `candidate` by the first instance that asks.
    public func sharedSecret(name: String, candidate: [UInt8]) async throws -> [UInt8] {
        try await run("cannot read the shared secret \(name)") { connection in
            _ = try connection.query(
                "INSERT INTO relay.secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                [.text(name), .bytes(candidate)])
            guard let text = try connection.query("SELECT value FROM relay.secrets WHERE name = $1", [.text(name)]).rows.first?[0],
                let value = PostgresResult.decodeBytea(text)
            else {
                throw PostgresError(code: .unexpectedResult, message: "secret \(name) unreadable")
            }
            return value
        }
    }
}
