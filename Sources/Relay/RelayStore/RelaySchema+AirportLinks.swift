extension RelaySchema {
    /// Migration 6 (issue #13, item 5): what the centre hears of each airport besides its events.
    /// The gateway's retained `status` (`online`/`offline`; its last will says offline) and the
    /// bridge's notification (`flightedge/{IATA}/bridge/central`, `1`/`0`; the bridge's last will
    /// on the cluster says 0), each with when it last changed, and when anything was last heard.
    static let airportLinks = """
        ALTER TABLE relay.airport_streams
            ADD COLUMN gateway_state     text CHECK (gateway_state IN ('online', 'offline')),
            ADD COLUMN gateway_state_at  timestamptz,
            ADD COLUMN bridge_state      text CHECK (bridge_state IN ('connected', 'disconnected')),
            ADD COLUMN bridge_state_at   timestamptz,
            -- The last event or status from the airport: a quiet night with the gateway online is
            -- not silence.
            ADD COLUMN last_heard_at     timestamptz;
        UPDATE relay.airport_streams SET last_heard_at = last_event_at;
        ALTER TABLE relay.airport_streams ALTER COLUMN last_heard_at SET DEFAULT now();
        ALTER TABLE relay.airport_streams ALTER COLUMN last_heard_at SET NOT NULL;
        """
}
