extension RelaySchema {
    /// The `NOTIFY` channel of the passenger pages: `flight {flight_id} {version}` when a
    /// flight's state changed, `subscription {id}` when one of its deliveries was added or
    /// changed state. Every instance listens, so a page open on one instance follows what
    /// another instance recorded.
    public static let passengerChannel = "relay_passenger"

    /// Migration 3 (issue #14): what the passenger page shows and how it stays live.
    ///
    /// * `flights`: each flight's current state, folded from its events' `current` members by a
    ///   trigger on `events` (one more statement per event recorded, inside the intake's
    ///   transaction; a redelivered event inserts nothing and so changes nothing). An older event
    ///   (lower `seq`) arriving late only fills fields the newer state does not have.
    /// * `NOTIFY relay_passenger` from that trigger and from one on `deliveries`: sent at commit.
    /// * `subscriptions.created_from`: the client address of a subscription made on the public
    ///   page, for its rate limit (the e-mail address is the other key, through `contacts`).
    static let passenger = """
        CREATE TABLE relay.flights (
            flight_id    text COLLATE "C" PRIMARY KEY,
            airport      text COLLATE "C" NOT NULL,
            airline      text COLLATE "C" NOT NULL,
            number       text COLLATE "C" NOT NULL,
            -- As in the event (YYYY-MM-DD): compared as text, never cast, so no event fails here.
            flight_date  text COLLATE "C" NOT NULL,
            direction    text NOT NULL,
            seq          integer NOT NULL,
            -- One more with each event folded in: the passenger page's SSE event id.
            version      bigint NOT NULL DEFAULT 1,
            -- The event's `flight` member (origin, destination, scheduled, scheduled_local).
            flight       jsonb NOT NULL,
            -- The fields of `current` folded together (a null clears a field), and delay_minutes.
            state        jsonb NOT NULL,
            updated_at   timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX flights_by_number ON relay.flights (airline, number, flight_date);

        CREATE FUNCTION relay.track_flight() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            facts   jsonb := coalesce(NEW.payload->'flight', '{}');
            changed jsonb := CASE WHEN jsonb_typeof(NEW.payload->'current') = 'object'
                                  THEN NEW.payload->'current' ELSE '{}' END;
            version bigint;
        BEGIN
            IF NEW.payload ? 'delay_minutes' THEN
                changed := changed || jsonb_build_object('delay_minutes', NEW.payload->'delay_minutes');
            END IF;
            INSERT INTO relay.flights AS f (flight_id, airport, airline, number, flight_date, direction, seq, flight, state)
            VALUES (NEW.flight_id, NEW.airport, coalesce(facts->>'airline', ''), coalesce(facts->>'number', ''),
                    coalesce(facts->>'date', ''), coalesce(facts->>'direction', ''), NEW.seq, facts,
                    jsonb_strip_nulls(changed))
            ON CONFLICT (flight_id) DO UPDATE SET
                seq = greatest(f.seq, excluded.seq),
                flight = CASE WHEN excluded.seq >= f.seq THEN f.flight || excluded.flight ELSE excluded.flight || f.flight END,
                state = CASE WHEN excluded.seq >= f.seq THEN jsonb_strip_nulls(f.state || changed)
                             ELSE jsonb_strip_nulls(changed) || f.state END,
                version = f.version + 1,
                updated_at = now()
            RETURNING f.version INTO version;
            PERFORM pg_notify('relay_passenger', 'flight ' || NEW.flight_id || ' ' || version);
            RETURN NULL;
        END $$;
        CREATE TRIGGER events_track_flight AFTER INSERT ON relay.events
            FOR EACH ROW EXECUTE FUNCTION relay.track_flight();

        CREATE FUNCTION relay.announce_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- Several rows of one subscription in one transaction: PostgreSQL sends it once.
            PERFORM pg_notify('relay_passenger', 'subscription ' || NEW.subscription_id);
            RETURN NULL;
        END $$;
        CREATE TRIGGER deliveries_announce_new AFTER INSERT ON relay.deliveries
            FOR EACH ROW EXECUTE FUNCTION relay.announce_delivery();
        -- Not the claim (pending → sending): only what a passenger sees change.
        CREATE TRIGGER deliveries_announce_state AFTER UPDATE OF state ON relay.deliveries
            FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state AND NEW.state <> 'sending')
            EXECUTE FUNCTION relay.announce_delivery();

        ALTER TABLE relay.subscriptions ADD COLUMN created_from text;
        CREATE INDEX subscriptions_public_by_client ON relay.subscriptions (created_from, created_at)
            WHERE created_from IS NOT NULL;
        CREATE INDEX contacts_by_address ON relay.contacts (channel, address);
        """
}
