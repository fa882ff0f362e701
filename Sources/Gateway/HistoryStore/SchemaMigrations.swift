import PostgresSupport

/// The versioned SQL that builds DESIGN.md §6, in order. Compiled into the binary so that an
/// installed `/usr/bin/flightedge` needs no resource files. Never edit a released migration:
/// add a new one.
enum SchemaMigrations {
    typealias Migration = MigrationCatalog.Migration

    /// The gateway's schema `flightedge`, under its own advisory lock key ("FlightEd").
    static let catalog = MigrationCatalog(schema: "flightedge", lockKey: 0x466C_6967_6874_4564, program: "flightedge", migrations: all)

    static let all: [Migration] = [
        Migration(version: 1, name: "initial schema", sql: initialSchema),
        Migration(version: 2, name: "cheaper batch writes", sql: cheaperBatchWrites),
        Migration(version: 3, name: "per-airport event stream", sql: eventStream),
        Migration(version: 4, name: "retention indexes", sql: retentionIndexes),
    ]

    /// `stream_seq` (docs/MQTT.md): each event's number in the airport's stream, 1, 2, 3, …
    /// without holes, so that a consumer can see a missing event and ask for it again
    /// (`cmd/replay`). Not a SEQUENCE, which leaves holes when a transaction rolls back: the
    /// last number given is one row, updated in each commit's transaction (the daemon is the
    /// database's only writer). Events already in the outbox are numbered in outbox order, and
    /// their payloads get the member right after `seq`, as new ones do (a replay of an event
    /// published before the upgrade therefore carries one member more than its first
    /// publication).
    private static let eventStream = """
        CREATE TABLE flightedge.event_stream (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            last_seq  bigint NOT NULL CHECK (last_seq >= 0)
        );
        COMMENT ON TABLE flightedge.event_stream IS
            'one row: the last stream_seq given to an event; updated in the transaction that writes the outbox rows';
        ALTER TABLE flightedge.outbox ADD COLUMN stream_seq bigint;
        UPDATE flightedge.outbox AS o
           SET stream_seq = numbered.n,
               payload = regexp_replace(o.payload, '("flight_id":"[^"\\\\]*","seq":[0-9]+,)', '\\1"stream_seq":' || numbered.n || ',')
          FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM flightedge.outbox) AS numbered
         WHERE o.id = numbered.id;
        INSERT INTO flightedge.event_stream (last_seq) SELECT COALESCE(max(stream_seq), 0) FROM flightedge.outbox;
        ALTER TABLE flightedge.outbox ALTER COLUMN stream_seq SET NOT NULL;
        CREATE UNIQUE INDEX outbox_stream_seq ON flightedge.outbox (stream_seq);
        COMMENT ON COLUMN flightedge.outbox.stream_seq IS
            'the event''s number in the airport''s stream: 1, 2, 3, … in commit order, without holes; also in the payload';
        """


    /// Measured under a resynchronisation burst (docs/PERFORMANCE.md): most of a commit was
    /// PostgreSQL parsing each flight's provenance as JSON and updating every index of
    /// `flights` on each state change.
    /// * `provenance` is the daemon's own bookkeeping, read back only at start: kept as text,
    ///   it is stored without being parsed.
    /// * Keys compare bytewise (`COLLATE "C"`), not by the database's locale rules.
    /// * `flights` pages keep room for the next version of a row and no index covers a column
    ///   that changes (`ends_at` was indexed for a start-up query that scans a table of one row
    ///   per flight anyway), so a state change is a heap-only update.
    private static let cheaperBatchWrites = """
        ALTER TABLE flightedge.flights ALTER COLUMN provenance TYPE text USING provenance::text;
        ALTER TABLE flightedge.flights ALTER COLUMN flight_id TYPE text COLLATE "C";
        ALTER TABLE flightedge.flight_changes
            ALTER COLUMN flight_id TYPE text COLLATE "C",
            ALTER COLUMN field TYPE text COLLATE "C";
        DROP INDEX flightedge.flights_by_end;
        ALTER TABLE flightedge.flights SET (fillfactor = 50);
        COMMENT ON COLUMN flightedge.flights.provenance IS
            'per field: the feed, precedence and source time that set it (JSON text, the daemon''s own bookkeeping)';
        """

    private static let initialSchema = """
        CREATE TABLE flightedge.flights (
            flight_id     text PRIMARY KEY,
            airline       text NOT NULL,
            number        text NOT NULL,
            suffix        text,
            flight_date   date NOT NULL,
            direction     char(1) NOT NULL CHECK (direction IN ('A', 'D')),
            state         jsonb NOT NULL,
            provenance    jsonb NOT NULL DEFAULT '{}',
            seq           bigint NOT NULL,
            first_seen_at timestamptz NOT NULL,
            updated_at    timestamptz NOT NULL,
            ends_at       timestamptz
        );
        COMMENT ON COLUMN flightedge.flights.provenance IS
            'per field: source time, feed and precedence of the value in state (restores the merge rules after a restart)';
        COMMENT ON COLUMN flightedge.flights.ends_at IS
            'when the flight ended or is expected to end (actual, else estimated block time); never the scheduled time alone';
        CREATE INDEX flights_by_date ON flightedge.flights (flight_date);
        CREATE INDEX flights_by_end ON flightedge.flights (ends_at);

        CREATE TABLE flightedge.flight_changes (
            flight_id   text NOT NULL,
            seq         bigint NOT NULL,
            field       text NOT NULL,
            old_value   jsonb,
            new_value   jsonb,
            feed        text NOT NULL,
            source_time timestamptz,
            received_at timestamptz NOT NULL,
            PRIMARY KEY (flight_id, seq, field)
        );
        COMMENT ON TABLE flightedge.flight_changes IS
            'append-only history: one row per changed field per update; the key makes a change recorded twice impossible';

        CREATE TABLE flightedge.outbox (
            id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            event_id     uuid,
            flight_id    text,
            topic        text NOT NULL,
            payload      text NOT NULL,
            retain       boolean NOT NULL DEFAULT false,
            qos          smallint NOT NULL DEFAULT 1,
            created_at   timestamptz NOT NULL DEFAULT now(),
            published_at timestamptz
        );
        CREATE UNIQUE INDEX outbox_event_id ON flightedge.outbox (event_id) WHERE event_id IS NOT NULL;
        CREATE INDEX outbox_unpublished ON flightedge.outbox (id) WHERE published_at IS NULL;

        CREATE TABLE flightedge.feed_checkpoints (
            feed       text PRIMARY KEY,
            file_name  text,
            file_inode bigint,
            "offset"   bigint NOT NULL DEFAULT 0,
            sequence   bigint,
            recent_files jsonb NOT NULL DEFAULT '[]',
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        COMMENT ON COLUMN flightedge.feed_checkpoints.recent_files IS
            'spool-dir: the files the last batch finished, so a restart between commit and move does not read them again';

        CREATE TABLE flightedge.rejected_frames (
            id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            feed        text NOT NULL,
            position    text NOT NULL,
            received_at timestamptz NOT NULL,
            error       text NOT NULL,
            raw         bytea NOT NULL
        );
        CREATE INDEX rejected_frames_by_feed ON flightedge.rejected_frames (feed, received_at);
        """
}
