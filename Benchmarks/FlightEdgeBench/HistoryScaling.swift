import FlightEdgeTestSupport
import Foundation
import Postgres

/// How the daemon's start and throughput hold up as `flight_changes` grows: the database is
/// filled with earlier days (flights that ended weeks ago, 20 history rows and 5 published
/// events each), then the daemon starts on it and takes the same simulated day over tcp-listen.
enum HistoryScaling {
    struct Result {
        var historyRows: Int
        /// From exec to `/healthz` 200 (database migrated, flights restored, broker connected).
        var readySeconds: Double
        var endToEnd: EndToEnd.Result
    }

    static func run(_ environment: BenchEnvironment, lines: [String], stateQoS: Int, historyRows: Int) throws -> Result {
        let url = try environment.freshDatabase("fe_bench_history")
        let daemon = try DaemonProcess.benchmark(environment, databaseURL: url, stateQoS: stateQoS, name: "history")
        try daemon.migrate()
        try fill(url, historyRows: historyRows)
        let ready = try daemon.start(waitingFor: .healthy)
        defer { daemon.stop() }
        return Result(historyRows: historyRows, readySeconds: ready, endToEnd: try EndToEnd.feed(daemon, lines: lines))
    }

    /// Earlier days, written by PostgreSQL itself (generate_series), then vacuumed and
    /// analysed as autovacuum would have done by then.
    private static func fill(_ url: String, historyRows: Int) throws {
        let connection = try PostgresConnection(conninfo: url, applicationName: "flightedge-bench")
        let flights = max(1, historyRows / 20)
        try connection.execute(
            """
            INSERT INTO flightedge.flights (flight_id, airline, number, suffix, flight_date, direction, state, provenance,
                                            seq, first_seen_at, updated_at, ends_at)
            SELECT 'HX' || i || '-2026100' || (i % 9 + 1) || '-D', 'HX', i::text, '', date '2026-10-01' + i % 9, 'D',
                   '{"schema":"flightedge.flight/1","gate":"A1","status":"departed"}', '{}', 20,
                   now() - interval '40 days', now() - interval '40 days', now() - interval '40 days'
              FROM generate_series(0, \(flights - 1)) AS i;
            INSERT INTO flightedge.flight_changes (flight_id, seq, field, old_value, new_value, feed, source_time, received_at)
            SELECT 'HX' || (i / 20) || '-2026100' || ((i / 20) % 9 + 1) || '-D', i % 20 + 1,
                   (ARRAY['gate','status','estimated','stand','belt'])[i % 5 + 1], '"A1"', '"A2"', 'aodb',
                   now() - interval '40 days', now() - interval '40 days'
              FROM generate_series(0, \(historyRows - 1)) AS i;
            INSERT INTO flightedge.outbox (event_id, flight_id, topic, payload, qos, retain, published_at, stream_seq)
            SELECT gen_random_uuid(), 'HX' || (i / 5) || '-2026100' || ((i / 5) % 9 + 1) || '-D',
                   'flightedge/BEN/events/gate-change', '{"schema":"flightedge.event/1"}', 1, false, now() - interval '40 days',
                   i + 1
              FROM generate_series(0, \(historyRows / 4 - 1)) AS i;
            -- The daemon numbers its events on from the last one given (docs/MQTT.md).
            UPDATE flightedge.event_stream SET last_seq = (SELECT COALESCE(max(stream_seq), 0) FROM flightedge.outbox);
            """)
        // As autovacuum leaves a table some time after a load, before the clock starts.
        try connection.execute("VACUUM ANALYZE")
    }
}
