extension RelaySchema {
    /// Migration 11: the outcome is a heap-only (HOT) update too: what is due lives in a queue
    /// of its own (docs/PERFORMANCE.md, issue #12, sixth round).
    ///
    /// After migration 8 the lease was heap-only, but the outcome was not: a delivery leaving
    /// `open` leaves the due index (partial on `open`), so PostgreSQL wrote a whole new row
    /// version elsewhere and an entry in every index, the largest statement of a delivery. Now:
    /// * `due_deliveries` holds one small row per open delivery: its channel and when the
    ///   dispatcher should look at it next (a pending one's due time, a sending one's lease end),
    ///   indexed by channel and that time. The claim walks it, joined to `deliveries`.
    /// * No index of `deliveries` names `open`, `state`, `due_at` or `provider_id`, so the lease,
    ///   the outcome, a retry and a hold are all heap-only updates. The withdrawal and
    ///   unsubscribe statements find a subscription's rows through `deliveries_by_subscription`.
    /// * Twilio's status callback finds its SMS through `sms_provider_id`, a stored column that
    ///   is the provider id for SMS and NULL otherwise: an e-mail's or a push's provider id
    ///   changes no indexed column.
    ///
    /// Who keeps the queue: a statement trigger queues every open delivery inserted (intake,
    /// digests, confirmations, SQL by hand); a row trigger follows every other change of state or
    /// due time. The two hot statements keep it themselves, with no trigger call per row: the
    /// lease moves its rows' time to the lease's end, and the outcome `sent` (from `sending`,
    /// which only the dispatcher writes) deletes its rows.
    static let dueQueue = """
        CREATE TABLE relay.due_deliveries (
            delivery_id  bigint PRIMARY KEY REFERENCES relay.deliveries (id) ON DELETE CASCADE,
            channel      text NOT NULL,
            -- When to look at it next: a pending delivery's due time, a sending one's lease end.
            due_at       timestamptz NOT NULL
        );
        CREATE INDEX due_deliveries_by_channel ON relay.due_deliveries (channel, due_at);

        -- A queued delivery's time (inlined by the planner: a plain SQL expression).
        CREATE FUNCTION relay.queue_time(state text, due_at timestamptz, lease_until timestamptz)
            RETURNS timestamptz LANGUAGE sql IMMUTABLE
            AS $$ SELECT CASE WHEN state = 'sending' THEN coalesce(lease_until, due_at) ELSE due_at END $$;

        INSERT INTO relay.due_deliveries (delivery_id, channel, due_at)
        SELECT id, channel, relay.queue_time(state, due_at, lease_until) FROM relay.deliveries WHERE open;

        CREATE FUNCTION relay.queue_new_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO relay.due_deliveries (delivery_id, channel, due_at)
            SELECT id, channel, relay.queue_time(state, due_at, lease_until) FROM added WHERE open;
            RETURN NULL;
        END $$;
        CREATE TRIGGER deliveries_queue_new AFTER INSERT ON relay.deliveries
            REFERENCING NEW TABLE AS added
            FOR EACH STATEMENT EXECUTE FUNCTION relay.queue_new_deliveries();

        CREATE FUNCTION relay.requeue_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.open THEN
                INSERT INTO relay.due_deliveries (delivery_id, channel, due_at)
                VALUES (NEW.id, NEW.channel, relay.queue_time(NEW.state, NEW.due_at, NEW.lease_until))
                ON CONFLICT (delivery_id) DO UPDATE SET due_at = excluded.due_at;
            ELSE
                DELETE FROM relay.due_deliveries WHERE delivery_id = NEW.id;
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER deliveries_requeue AFTER UPDATE OF state, due_at ON relay.deliveries
            FOR EACH ROW WHEN (
                (OLD.open <> NEW.open AND NOT (OLD.state = 'sending' AND NEW.state = 'sent'))
                OR (NEW.open AND (OLD.due_at IS DISTINCT FROM NEW.due_at OR (OLD.state = 'sending' AND NEW.state = 'pending'))))
            EXECUTE FUNCTION relay.requeue_delivery();

        ALTER TABLE relay.deliveries
            ADD COLUMN sms_provider_id text GENERATED ALWAYS AS (CASE WHEN channel = 'sms' THEN provider_id END) STORED;
        DROP INDEX relay.deliveries_sms_by_provider_id;
        CREATE INDEX deliveries_sms_by_provider_id ON relay.deliveries (sms_provider_id) WHERE sms_provider_id IS NOT NULL;
        DROP INDEX relay.deliveries_open_by_channel;
        DROP INDEX relay.deliveries_open_by_notification;
        """
}
