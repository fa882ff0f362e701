import Channels
import Postgres

/// One FlightEdge event as the intake records it (`relay.events`).
public struct EventRecord: Sendable {
    public var eventID: String
    public var airport: String
    public var flightID: String
    public var kind: String
    /// The flight's change sequence number (orders events of one flight).
    public var seq: Int
    /// The airport's event sequence (RELAY.md `stream_seq`), when the gateway sends one.
    public var streamSeq: Int64?
    /// ISO 8601, as the event says.
    public var occurredAt: String
    public var airline: String
    public var number: String
    /// `YYYY-MM-DD`: the flight's date as in its `flight_id`.
    public var flightDate: String
    /// The event's JSON, kept as received.
    public var payload: String

    public init(
        eventID: String, airport: String, flightID: String, kind: String, seq: Int, streamSeq: Int64?,
        occurredAt: String, airline: String, number: String, flightDate: String, payload: String
    ) {
        self.eventID = eventID
        self.airport = airport
        self.flightID = flightID
        self.kind = kind
        self.seq = seq
        self.streamSeq = streamSeq
        self.occurredAt = occurredAt
        self.airline = airline
        self.number = number
        self.flightDate = flightDate
        self.payload = payload
    }
}

/// An active subscription to the event's flight, as the rules see it.
public struct SubscriptionMatch: Sendable {
    public var id: String
    public var kinds: [String]
    public var locale: String
    public var timeZone: String?
    /// Quiet hours as minutes of the day in `timeZone`, when set.
    public var quietFrom: Int?
    public var quietTo: Int?
    /// Its enabled contact points.
    public var contacts: [StoredContact]
    /// What the passenger was told of this flight so far (the rules' JSON), nil before the first event.
    public var view: String?
}

/// What the rules decided for one subscription.
public struct SubscriptionPlan: Sendable {
    /// The passenger's view after the event (stored as is).
    public var view: String
    /// The rules' notifications (by id) that are superseded or no longer apply: their deliveries
    /// that are still pending become `suppressed` before the new ones are added.
    public var withdrawn: [String]
    public var deliveries: [PlannedDelivery]

    public init(view: String, withdrawn: [String] = [], deliveries: [PlannedDelivery] = []) {
        self.view = view
        self.withdrawn = withdrawn
        self.deliveries = deliveries
    }
}

/// One delivery to create: a message to one contact point, due at a time.
public struct PlannedDelivery: Sendable {
    public var contact: StoredContact
    /// The rules' notification it carries (`{event_id}/{topic}`): a later plan withdraws it by this.
    public var notificationID: String
    /// The rules' topic (gate, time, status…).
    public var topic: String
    /// The event kind the message reports (a digest or "back on time" may differ from the event's).
    public var kind: String
    /// When it may leave, in seconds since 1970 (hold-down, quiet hours).
    public var dueAt: Double
    public var message: OutgoingMessage
    /// The rules' notification as JSON: what a digest is rendered from if the rate limit holds it.
    public var notification: String?

    public init(
        contact: StoredContact, notificationID: String, topic: String, kind: String, dueAt: Double, message: OutgoingMessage,
        notification: String? = nil
    ) {
        self.contact = contact
        self.notificationID = notificationID
        self.topic = topic
        self.kind = kind
        self.dueAt = dueAt
        self.message = message
        self.notification = notification
    }
}

/// What recording an event did.
public enum IntakeOutcome: Sendable, Equatable {
    /// The event was recorded before (a redelivery): nothing done.
    case duplicate
    /// Recorded, with this many deliveries created; the earliest is due at `earliestDue`.
    case recorded(deliveries: Int, earliestDue: Double?)
}

extension RelayStore {
    /// Records an event and, in the same transaction, what the rules plan for every active
    /// subscription to its flight: the passenger views, the superseded deliveries and the new ones.
    /// A redelivered event (same `event_id`) changes nothing. Concurrent intakes of events for
    /// the same subscriptions serialise on the subscription rows, so the views stay consistent
    /// across relay instances.
    public func record(
        _ event: EventRecord, plan: @Sendable (SubscriptionMatch) throws -> SubscriptionPlan
    ) async throws -> IntakeOutcome {
        try await run("cannot record event \(event.eventID)", transaction: true) { connection in
            let inserted = try connection.query(
                """
                INSERT INTO relay.events (event_id, airport, flight_id, kind, seq, stream_seq, occurred_at, payload)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (event_id) DO NOTHING RETURNING 1
                """,
                [
                    .text(event.eventID), .text(event.airport), .text(event.flightID), .text(event.kind), .int(event.seq),
                    event.streamSeq.map { .int($0) } ?? .null, .text(event.occurredAt), .text(event.payload),
                ])
            guard inserted.affectedRows == 1 else {
                try Self.trackStream(airport: event.airport, streamSeq: event.streamSeq, recorded: false, on: connection)
                return .duplicate
            }

            let matches = try Self.matches(for: event, on: connection)
            var statements: [(sql: String, parameters: [PostgresValue])] = []
            var deliveries: [(subscription: String, delivery: PlannedDelivery)] = []
            for match in matches {
                let plan = try plan(match)
                statements.append(
                    (
                        """
                        INSERT INTO relay.passenger_views (subscription_id, flight_id, view) VALUES ($1, $2, $3::jsonb)
                        ON CONFLICT (subscription_id, flight_id) DO UPDATE SET view = excluded.view, updated_at = now()
                        """,
                        [.text(match.id), .text(event.flightID), .text(plan.view)]
                    ))
                if !plan.withdrawn.isEmpty {
                    statements.append(
                        (
                            """
                            UPDATE relay.deliveries SET state = 'suppressed', last_error = 'withdrawn by event ' || $3
                            WHERE subscription_id = $1 AND notification_id = ANY($2::text[]) AND open AND state = 'pending'
                            """,
                            [.text(match.id), PostgresArray.text(plan.withdrawn), .text(event.eventID)]
                        ))
                }
                deliveries += plan.deliveries.map { (match.id, $0) }
            }
            // Every subscription's new deliveries in one statement, after the withdrawals: the
            // triggers on new rows (the passenger pages' announcement, the due queue) run once
            // per event, not once per delivery.
            if !deliveries.isEmpty { statements.append(Self.insertStatement(deliveries, of: event)) }
            if !statements.isEmpty { try connection.pipeline(statements) }
            try Self.trackStream(airport: event.airport, streamSeq: event.streamSeq, on: connection)
            return .recorded(deliveries: deliveries.count, earliestDue: deliveries.map(\.delivery.dueAt).min())
        }
    }

    /// One `INSERT` of the event's planned deliveries (`unnest` of one array per column); a
    /// delivery recorded before (same event, subscription and channel) is left as it is.
    static func insertStatement(
        _ deliveries: [(subscription: String, delivery: PlannedDelivery)], of event: EventRecord
    ) -> (sql: String, parameters: [PostgresValue]) {
        (
            """
            INSERT INTO relay.deliveries (event_id, subscription_id, channel, contact_id, flight_id, kind,
                topic, replace_key, state, due_at, occurred_at, message, notification_id, notification)
            SELECT $1::uuid, v.subscription_id::uuid, v.channel, v.contact_id, $2::text, v.kind, v.topic, v.replace_key,
                'pending', to_timestamp(v.due), $3::timestamptz, v.message::jsonb, v.notification_id, v.notification::jsonb
            FROM unnest($4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::float8[],
                        $11::text[], $12::text[], $13::text[])
                AS v (subscription_id, channel, contact_id, kind, topic, replace_key, due, message, notification_id, notification)
            ON CONFLICT (event_id, subscription_id, channel) DO NOTHING
            """,
            [
                .text(event.eventID), .text(event.flightID), .text(event.occurredAt),
                PostgresArray.text(deliveries.map(\.subscription)),
                PostgresArray.text(deliveries.map(\.delivery.contact.point.channel.rawValue)),
                PostgresArray.integers(deliveries.map(\.delivery.contact.id)),
                PostgresArray.text(deliveries.map(\.delivery.kind)),
                PostgresArray.text(deliveries.map(\.delivery.topic)),
                PostgresArray.text(deliveries.map(\.delivery.message.replaceKey)),
                PostgresArray.text(deliveries.map { String($0.delivery.dueAt) }),
                PostgresArray.text(deliveries.map(\.delivery.message.storedJSON)),
                PostgresArray.text(deliveries.map(\.delivery.notificationID)),
                PostgresArray.text(deliveries.map(\.delivery.notification)),
            ]
        )
    }

    /// The active subscriptions to the event's flight with their contacts and views, locked for
    /// this transaction.
    static func matches(for event: EventRecord, on connection: PostgresConnection) throws -> [SubscriptionMatch] {
        let rows = try connection.query(
            """
            SELECT s.id, array_to_string(s.kinds, ','), s.locale, s.time_zone, s.quiet_from, s.quiet_to, v.view::text
            FROM relay.subscriptions s
            LEFT JOIN relay.passenger_views v ON v.subscription_id = s.id AND v.flight_id = $4
            WHERE s.airline = $1 AND s.number = $2 AND s.flight_date = $3 AND s.state = 'active'
            ORDER BY s.id
            FOR UPDATE OF s
            """,
            [.text(event.airline), .text(event.number), .text(event.flightDate), .text(event.flightID)]
        ).rows
        guard !rows.isEmpty else { return [] }
        var matches = rows.compactMap { row -> SubscriptionMatch? in
            guard let id = row[0] else { return nil }
            return SubscriptionMatch(
                id: id, kinds: (row[1] ?? "").split(separator: ",").map(String.init), locale: row[2] ?? "en",
                timeZone: row[3], quietFrom: row[4].flatMap { Int($0) }, quietTo: row[5].flatMap { Int($0) },
                contacts: [], view: row[6])
        }
        let contacts = try connection.query(
            """
            SELECT subscription_id, id, channel, address, keys::text FROM relay.contacts
            WHERE subscription_id = ANY($1::uuid[]) AND disabled_at IS NULL ORDER BY id
            """,
            [PostgresArray.text(matches.map(\.id))]
        ).rows
        var bySubscription: [String: [StoredContact]] = [:]
        for row in contacts {
            guard let subscription = row[0], let id = row[1].flatMap({ Int64($0) }),
                let point = StoredContact.point(channel: row[2] ?? "", address: row[3] ?? "", keys: row[4] ?? "{}")
            else { continue }
            bySubscription[subscription, default: []].append(StoredContact(id: id, point: point))
        }
        for index in matches.indices { matches[index].contacts = bySubscription[matches[index].id] ?? [] }
        return matches
    }

    /// Keeps an event the relay could not read, with the reason (never dropped silently).
    public func reject(payload: [UInt8], origin: String, reason: String) async throws {
        try await run("cannot keep a rejected event") { connection in
            _ = try connection.query(
                "INSERT INTO relay.rejected_events (origin, reason, payload) VALUES ($1, $2, $3)",
                [.text(origin), .text(reason), .bytes(payload)])
        }
    }
}
