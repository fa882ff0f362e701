extension RelaySchema {
    /// Migration 2 (issue #13): each airport's event stream as the relay saw it, for gaps, replay
    /// requests and `GET /v1/airports`. Written by the intake in the transaction that records the
    /// event (`airport_streams` row locked last, so intakes never wait for each other in a circle).
    static let airports = """
        CREATE TABLE relay.airport_streams (
            airport             text COLLATE "C" PRIMARY KEY,
            -- Events recorded (first time seen), with or without a stream_seq.
            events              bigint NOT NULL DEFAULT 0,
            -- Events whose stream_seq was at or below highest_seen and in no gap (a re-created
            -- gateway database starts again at 1): recorded, not tracked.
            stale               bigint NOT NULL DEFAULT 0,
            highest_seen        bigint NOT NULL DEFAULT 0,
            highest_contiguous  bigint NOT NULL DEFAULT 0,
            -- Replay requests sent to the airport.
            replays             bigint NOT NULL DEFAULT 0,
            first_event_at      timestamptz NOT NULL DEFAULT now(),
            last_event_at       timestamptz NOT NULL DEFAULT now()
        );

        -- Open holes from_seq..to_seq (inclusive) of an airport's stream_seq.
        CREATE TABLE relay.stream_gaps (
            airport          text COLLATE "C" NOT NULL REFERENCES relay.airport_streams (airport) ON DELETE CASCADE,
            from_seq         bigint NOT NULL,
            to_seq           bigint NOT NULL CHECK (to_seq >= from_seq),
            opened_at        timestamptz NOT NULL,
            -- When it opened or an event last filled part of it: a replay under way moves it on.
            progress_at      timestamptz NOT NULL,
            -- Replay requests sent for it, and when the last one went.
            requests         integer NOT NULL DEFAULT 0,
            last_request_at  timestamptz,
            PRIMARY KEY (airport, from_seq)
        );
        CREATE INDEX stream_gaps_by_progress ON relay.stream_gaps (progress_at);
        """
}
