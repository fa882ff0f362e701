import PostgresSupport

/// The relay's schema `relay` (RELAY.md; docs/RELAY-STORE.md draws it), built by versioned
/// migrations compiled into the binary. Never edit a released migration: add one.
///
/// The tables, in the order an event flows through them:
/// * `events`: every FlightEdge event the relay took, by `event_id`: a redelivered one is dropped here.
/// * `subscriptions` and `contacts`: who asked for which flight, and where to reach them.
/// * `passenger_views`: per subscription and flight, what the passenger was last told and what is
///   held (the rules' state, as NotificationRules' JSON).
/// * `deliveries`: one row per (event, subscription, channel): the unit that is sent exactly once,
///   claimed by one relay instance at a time under a lease.
/// * `due_deliveries`: the open deliveries (pending or sending) by channel and the time to look
///   at each next: what the dispatcher claims from.
/// * `api_keys`: airline apps' and websites' keys, stored as SHA-256 hashes only.
public enum RelaySchema {
    /// The migrations, under their own advisory lock key ("FERelay!").
    public static let catalog = MigrationCatalog(
        schema: "relay", lockKey: 0x4645_5265_6C61_7921, program: "flightedge-relay",
        migrations: [
            MigrationCatalog.Migration(version: 1, name: "initial relay schema", sql: initial),
            MigrationCatalog.Migration(version: 2, name: "airport streams and gaps", sql: airports),
            MigrationCatalog.Migration(version: 3, name: "passenger page: flights, change notifications", sql: passenger),
            MigrationCatalog.Migration(version: 4, name: "recipient budgets and digests", sql: budget),
            MigrationCatalog.Migration(version: 6, name: "airport gateway and bridge state", sql: airportLinks),
            MigrationCatalog.Migration(version: 7, name: "due index per channel, outcomes announced after their commit", sql: dispatch),
            MigrationCatalog.Migration(version: 8, name: "the lease a heap-only update: indexes on open, not state", sql: lease),
            MigrationCatalog.Migration(version: 9, name: "new deliveries announced once per statement", sql: announce),
            MigrationCatalog.Migration(version: 10, name: "provider ids indexed for SMS only", sql: providerIndex),
            MigrationCatalog.Migration(version: 11, name: "a queue of due deliveries: the outcome a heap-only update", sql: dueQueue),
            MigrationCatalog.Migration(version: 12, name: "lost attempts remembered for a lookup at the provider", sql: lostAttempts),
        ])

    static let initial = """
        -- Secrets every instance shares (the key that signs passengers' links), made by the first.
        CREATE TABLE relay.secrets (
            name   text PRIMARY KEY,
            value  bytea NOT NULL
        );

        CREATE TABLE relay.api_keys (
            id          bigserial PRIMARY KEY,
            name        text NOT NULL,
            key_hash    bytea NOT NULL UNIQUE,
            created_at  timestamptz NOT NULL DEFAULT now(),
            revoked_at  timestamptz
        );

        CREATE TABLE relay.subscriptions (
            id           uuid PRIMARY KEY,
            airline      text COLLATE "C" NOT NULL,
            number       text COLLATE "C" NOT NULL,
            flight_date  date NOT NULL,
            kinds        text[] NOT NULL,
            locale       text NOT NULL DEFAULT 'en',
            time_zone    text,
            quiet_from   smallint CHECK (quiet_from BETWEEN 0 AND 1439),
            quiet_to     smallint CHECK (quiet_to BETWEEN 0 AND 1439),
            state        text NOT NULL CHECK (state IN ('unconfirmed', 'active', 'unsubscribed')),
            created_by   bigint REFERENCES relay.api_keys (id),
            created_at   timestamptz NOT NULL DEFAULT now(),
            confirmed_at timestamptz,
            ended_at     timestamptz
        );
        CREATE INDEX subscriptions_by_flight ON relay.subscriptions (airline, number, flight_date)
            WHERE state = 'active';

        CREATE TABLE relay.contacts (
            id               bigserial PRIMARY KEY,
            subscription_id  uuid NOT NULL REFERENCES relay.subscriptions (id) ON DELETE CASCADE,
            channel          text NOT NULL CHECK (channel IN ('email', 'sms', 'fcm', 'webpush')),
            address          text NOT NULL,
            -- Web Push keys (p256dh, auth); empty for the other channels.
            keys             jsonb NOT NULL DEFAULT '{}',
            disabled_at      timestamptz,
            disabled_reason  text,
            UNIQUE (subscription_id, channel)
        );

        CREATE TABLE relay.events (
            event_id     uuid PRIMARY KEY,
            airport      text COLLATE "C" NOT NULL,
            flight_id    text COLLATE "C" NOT NULL,
            kind         text NOT NULL,
            seq          integer NOT NULL,
            stream_seq   bigint,
            occurred_at  timestamptz NOT NULL,
            received_at  timestamptz NOT NULL DEFAULT now(),
            payload      jsonb NOT NULL
        );
        CREATE INDEX events_by_flight ON relay.events (flight_id, seq);

        -- Events the relay could not read: kept with the reason, never dropped silently.
        CREATE TABLE relay.rejected_events (
            id           bigserial PRIMARY KEY,
            received_at  timestamptz NOT NULL DEFAULT now(),
            origin       text NOT NULL,
            reason       text NOT NULL,
            payload      bytea NOT NULL
        );

        CREATE TABLE relay.passenger_views (
            subscription_id  uuid NOT NULL REFERENCES relay.subscriptions (id) ON DELETE CASCADE,
            flight_id        text COLLATE "C" NOT NULL,
            view             jsonb NOT NULL,
            updated_at       timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (subscription_id, flight_id)
        );

        CREATE TABLE relay.deliveries (
            id               bigserial PRIMARY KEY,
            event_id         uuid NOT NULL,
            subscription_id  uuid NOT NULL REFERENCES relay.subscriptions (id) ON DELETE CASCADE,
            channel          text NOT NULL,
            contact_id       bigint NOT NULL REFERENCES relay.contacts (id) ON DELETE CASCADE,
            flight_id        text COLLATE "C" NOT NULL,
            kind             text NOT NULL,
            topic            text NOT NULL,
            -- The rules' notification this delivery carries: a later plan withdraws it by this id.
            notification_id  text NOT NULL,
            replace_key      text NOT NULL,
            state            text NOT NULL CHECK (state IN
                                 ('pending', 'sending', 'sent', 'delivered', 'failed', 'suppressed', 'dead')),
            due_at           timestamptz NOT NULL,
            occurred_at      timestamptz NOT NULL,
            attempts         integer NOT NULL DEFAULT 0,
            lease_until      timestamptz,
            leased_by        text,
            provider_id      text,
            last_error       text,
            message          jsonb NOT NULL,
            created_at       timestamptz NOT NULL DEFAULT now(),
            sent_at          timestamptz,
            UNIQUE (event_id, subscription_id, channel)
        );
        -- What the dispatcher claims: due rows only, in due order.
        CREATE INDEX deliveries_due ON relay.deliveries (due_at) WHERE state IN ('pending', 'sending');
        CREATE INDEX deliveries_by_subscription ON relay.deliveries (subscription_id, created_at);
        CREATE INDEX deliveries_pending_by_notification ON relay.deliveries (subscription_id, notification_id)
            WHERE state = 'pending';
        CREATE INDEX deliveries_by_provider_id ON relay.deliveries (provider_id) WHERE provider_id IS NOT NULL;
        """
}
