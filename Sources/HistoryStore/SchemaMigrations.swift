/// The versioned SQL that builds DESIGN.md §6, in order. Compiled into the binary so that an
/// installed `/usr/bin/flightedge` needs no resource files. Never edit a released migration:
/// add a new one.
enum SchemaMigrations {
    struct Migration: Sendable {
        let version: Int
        let name: String
        let sql: String
    }

    static let all: [Migration] = [
        Migration(version: 1, name: "initial schema", sql: initialSchema)
    ]

    static var latestVersion: Int { all.last?.version ?? 0 }

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
