import Channels
import Foundation
import Postgres

/// How many subscriptions the public page takes in an hour, per client address and per contact
/// point (e-mail address, phone number): past that, each would mean one more confirmation message.
public struct PublicSubscriptionLimits: Sendable {
    public var perClientPerHour: Int
    public var perContactPerHour: Int

    public init(perClientPerHour: Int = 20, perContactPerHour: Int = 3) {
        self.perClientPerHour = perClientPerHour
        self.perContactPerHour = perContactPerHour
    }
}

/// What storing a subscription from the public page did.
public enum PublicSubscriptionOutcome: Sendable, Equatable {
    /// Stored, unconfirmed, with its confirmation message queued as a delivery.
    case created
    /// Refused: this client made too many subscriptions in the last hour.
    case tooManyFromClient
    /// Refused: this contact point was given too often in the last hour (`channel`).
    case tooManyForContact(ChannelKind)
}

extension RelayStore {
    /// Stores a subscription made on the public page, unconfirmed, and in the same transaction
    /// the delivery of its confirmation message to `confirmTo` (one of its contacts): the
    /// dispatcher sends it like any other message, exactly once. Checks the rate limits first,
    /// under an advisory lock per contact point, so two requests at once cannot both pass.
    public func createPublic(
        _ subscription: NewSubscription, client: String, confirmation: OutgoingMessage, confirmTo: ChannelKind,
        limits: PublicSubscriptionLimits
    ) async throws -> PublicSubscriptionOutcome {
        try await run("cannot store subscription \(subscription.id)", transaction: true) { connection in
            for point in subscription.contacts where point.channel != .webpush {
                let address = StoredContact.columns(of: point).address
                _ = try connection.query(
                    "SELECT pg_advisory_xact_lock(hashtextextended($1, 14))", [.text("\(point.channel.rawValue):\(address)")])
                let given = try connection.query(
                    """
                    SELECT count(*) FROM relay.contacts c JOIN relay.subscriptions s ON s.id = c.subscription_id
                    WHERE c.channel = $1 AND c.address = $2 AND s.created_from IS NOT NULL
                      AND s.created_at > now() - interval '1 hour'
                    """,
                    [.text(point.channel.rawValue), .text(address)]
                ).rows.first?[0].flatMap { Int($0) } ?? 0
                if given >= limits.perContactPerHour { return .tooManyForContact(point.channel) }
            }
            let fromClient = try connection.query(
                "SELECT count(*) FROM relay.subscriptions WHERE created_from = $1 AND created_at > now() - interval '1 hour'",
                [.text(client)]
            ).rows.first?[0].flatMap { Int($0) } ?? 0
            if fromClient >= limits.perClientPerHour { return .tooManyFromClient }

            _ = try connection.query(
                """
                INSERT INTO relay.subscriptions (id, airline, number, flight_date, kinds, locale, time_zone,
                    quiet_from, quiet_to, state, created_from)
                VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8, $9, 'unconfirmed', $10)
                """,
                [
                    .text(subscription.id), .text(subscription.airline), .text(subscription.number),
                    .text(subscription.flightDate), PostgresArray.text(subscription.kinds), .text(subscription.locale),
                    .optional(subscription.timeZone), subscription.quietFrom.map { .int($0) } ?? .null,
                    subscription.quietTo.map { .int($0) } ?? .null, .text(client),
                ])
            var confirmContact: Int64?
            for point in subscription.contacts {
                let columns = StoredContact.columns(of: point)
                let id = try connection.query(
                    "INSERT INTO relay.contacts (subscription_id, channel, address, keys) VALUES ($1, $2, $3, $4::jsonb) RETURNING id",
                    [.text(subscription.id), .text(point.channel.rawValue), .text(columns.address), .text(columns.keys)]
                ).rows.first?[0].flatMap { Int64($0) }
                if point.channel == confirmTo { confirmContact = id }
            }
            guard let confirmContact else {
                throw PostgresError(code: .unexpectedResult, message: "no \(confirmTo.rawValue) contact to confirm through")
            }
            _ = try connection.query(
                """
                INSERT INTO relay.deliveries (event_id, subscription_id, channel, contact_id, flight_id, kind,
                    topic, replace_key, state, due_at, occurred_at, message, notification_id)
                VALUES ($1, $2, $3, $4, $5, 'confirmation', 'confirmation', $6, 'pending', now(), now(), $7::jsonb, $8)
                """,
                [
                    .text(UUID().uuidString.lowercased()), .text(subscription.id), .text(confirmTo.rawValue),
                    .int(confirmContact), .text("\(subscription.airline)\(subscription.number)-\(subscription.flightDate)"),
                    .text(confirmation.replaceKey), .text(confirmation.storedJSON), .text("confirm/\(subscription.id)"),
                ])
            return .created
        }
    }

    /// Adds a contact point to a subscription, or replaces the one it has on that channel (a
    /// browser that subscribed again), enabled. Returns false when the subscription has ended.
    public func setContact(_ point: ContactPoint, subscription id: String) async throws -> Bool {
        try await run("cannot add a \(point.channel.rawValue) contact to \(id)") { connection in
            let columns = StoredContact.columns(of: point)
            return try connection.query(
                """
                INSERT INTO relay.contacts (subscription_id, channel, address, keys)
                SELECT id, $2, $3, $4::jsonb FROM relay.subscriptions WHERE id = $1 AND state <> 'unsubscribed'
                ON CONFLICT (subscription_id, channel) DO UPDATE
                SET address = excluded.address, keys = excluded.keys, disabled_at = NULL, disabled_reason = NULL
                """,
                [.text(id), .text(point.channel.rawValue), .text(columns.address), .text(columns.keys)]
            ).affectedRows == 1
        }
    }
}
