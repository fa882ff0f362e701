import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

/// `transport = "sql-poll"` against a view in the test PostgreSQL, read through unixODBC and
/// psqlODBC by the real daemon (issue 19): rows inserted and updated while it polls are each
/// committed once, times are explicit, and a restart resumes from the committed cursor.
@Suite("sql-poll against a database view through ODBC")
struct SQLPollFeedTests {
    /// Departures as an AODB keeps them: `sched` a local time (the airport's, Europe/Zurich),
    /// `etd` a `timestamptz` the view gives as text with its offset.
    static let schema = """
        CREATE SCHEMA aodb;
        CREATE TABLE aodb.departures (
            flight text PRIMARY KEY, sched timestamp NOT NULL, etd timestamptz, gate text, remark text,
            changed_at timestamptz NOT NULL);
        CREATE VIEW aodb.fids_departures AS
            SELECT flight, sched, etd::text AS etd, gate, remark, changed_at FROM aodb.departures;
        """

    static func feed(database: String) throws -> String {
        """

        [[feeds]]
        name = "aodb-view"
        format = "sql"
        transport = "sql-poll"
        dsn = "\(try ODBCTestSource.connectionString(database: database));ConnSettings={SET TIME ZONE 'UTC'}"
        query = "SELECT * FROM aodb.fids_departures WHERE changed_at > ? ORDER BY changed_at"
        cursor_column = "changed_at"
        interval = "200ms"

        [feeds.options]
        direction = "departure"
        time_format = "yyyy-MM-dd HH:mm:ss"
        columns = { flight = "flight", scheduled = "sched", estimated = "etd", gate = "gate", remark = "remark" }
        """
    }

    /// `(airline number, field, new value)` of every recorded change, in order.
    static func history(_ connection: PostgresConnection) throws -> [[String?]] {
        try connection.query(
            """
            SELECT f.airline || f.number, c.field, c.new_value::text FROM flightedge.flight_changes c
            JOIN flightedge.flights f USING (flight_id) ORDER BY f.airline, f.number, c.seq, c.field
            """
        ).rows
    }

    /// Points the (not yet started) daemon's sql-poll feed at the daemon's own database and
    /// creates the AODB view there (schema aodb); the connection to fill it.
    static func readOwnDatabase(_ daemon: DaemonProcess) throws -> PostgresConnection {
        var config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        config = config.replacingOccurrences(
            of: "Database=\(ODBCTestSource.databaseName(of: try TestServices.adminURL))",
            with: "Database=\(ODBCTestSource.databaseName(of: daemon.databaseURL))")
        try config.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let aodb = try PostgresConnection(conninfo: daemon.databaseURL)
        try aodb.execute(schema)
        return aodb
    }

    static func state(_ connection: PostgresConnection, _ flight: String, _ field: String) throws -> String? {
        try connection.query(
            "SELECT state->>$2 FROM flightedge.flights WHERE airline || number = $1", [.text(flight), .text(field)]
        ).rows.first?[0] ?? nil
    }

    @Test func rowsChangedWhileItPollsAreCommittedOnceAndARestartResumesFromTheCursor() async throws {
        let day = Fixture.day
        try await withDaemon(
            extraFeeds: try Self.feed(database: ODBCTestSource.databaseName(of: TestServices.adminURL)), start: false
        ) { daemon in
            let aodb = try Self.readOwnDatabase(daemon)
            // Two rows share one cursor value: a group is read (and resumed) whole.
            try aodb.execute(
                """
                INSERT INTO aodb.departures VALUES
                  ('LX1234', '\(day) 07:00:00', '\(day) 06:10:00+00', 'A12', NULL, '\(day) 01:00:00+00'),
                  ('BA0117', '\(day) 08:30:00', NULL, NULL, 'check-in 2', '\(day) 01:00:00+00'),
                  ('QR0005', '\(day) 09:15:00', NULL, 'E4', NULL, '\(day) 01:00:01+00')
                """)
            try daemon.start()
            let db = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("the three rows committed", within: 30) {
                try db.query("SELECT count(*) FROM flightedge.flights").rows == [["3"]]
            }
            // Local 07:00 in Zurich (winter, +01) is 06:00Z; the offset of etd is kept.
            #expect(try Self.state(db, "LX1234", "scheduled") == "\(day)T06:00:00Z")
            #expect(try Self.state(db, "LX1234", "estimated") == "\(day)T06:10:00Z")
            #expect(try Self.state(db, "LX1234", "gate") == "A12")
            // NULL is absent: no gate for BA0117, no remark for LX1234.
            #expect(try Self.state(db, "BA0117", "gate") == nil)
            #expect(try Self.state(db, "LX1234", "remark") == nil)
            #expect(try Self.state(db, "BA0117", "remark") == "check-in 2")

            // While it polls: one row updated, one inserted.
            try aodb.execute("UPDATE aodb.departures SET gate = 'A14', changed_at = '\(day) 02:00:00+00' WHERE flight = 'LX1234'")
            try aodb.execute("INSERT INTO aodb.departures VALUES ('EK0088', '\(day) 10:00:00', NULL, 'B7', NULL, '\(day) 02:00:01+00')")
            try await eventually("the update and the insert committed", within: 30) {
                try Self.state(db, "LX1234", "gate") == "A14" && Self.state(db, "EK0088", "gate") == "B7"
            }
            // Several polls with nothing new since: each row version was read exactly once.
            try await Task.sleep(for: .seconds(1))
            #expect(try daemon.metric(#"flightedge_feed_frames_total{feed="aodb-view"}"#) == 5)
            #expect(try daemon.metric(#"flightedge_feed_polls_total{feed="aodb-view"}"#) ?? 0 >= 4)
            let gates = try db.query(
                "SELECT new_value::text FROM flightedge.flight_changes c JOIN flightedge.flights f USING (flight_id) WHERE f.number = '1234' AND field = 'gate' ORDER BY c.seq"
            ).rows
            #expect(gates == [[#""A12""#], [#""A14""#]])
            let cursor = try db.query("SELECT file_name FROM flightedge.feed_checkpoints WHERE feed = 'aodb-view'").rows
            // As the driver prints it in the session's zone (the dsn's ConnSettings: UTC).
            #expect(cursor == [["\(day) 02:00:01"]])
            let before = try Self.history(db)

            // Stopped: a change it has not seen. Restarted: that one row, nothing read again.
            #expect(daemon.stop() == 0)
            try aodb.execute("UPDATE aodb.departures SET remark = 'delayed', changed_at = '\(day) 03:00:00+00' WHERE flight = 'QR0005'")
            try daemon.start()
            try await eventually("the change made while stopped committed", within: 30) {
                try Self.state(db, "QR0005", "remark") == "delayed"
            }
            try await Task.sleep(for: .seconds(1))
            #expect(try daemon.metric(#"flightedge_feed_frames_total{feed="aodb-view"}"#) == 1)
            let after = try Self.history(db)
            #expect(Array(after.filter { $0[0] != "QR0005" }) == before.filter { $0[0] != "QR0005" })
            #expect(after.count == before.count + 1)

            // kill -9 right after a burst of changes: after the restart each is committed, once.
            for index in 0..<50 {
                try aodb.execute(
                    "UPDATE aodb.departures SET gate = 'C\(index)', changed_at = '\(day) 04:00:00+00'::timestamptz + interval '\(index) seconds' WHERE flight = 'EK0088'")
            }
            try await Task.sleep(for: .milliseconds(150))
            daemon.crash()
            try daemon.start()
            try await eventually("the last change after the crash", within: 30) { try Self.state(db, "EK0088", "gate") == "C49" }
            let ekGates = try db.query(
                "SELECT new_value::text FROM flightedge.flight_changes c JOIN flightedge.flights f USING (flight_id) WHERE f.number = '0088' AND field = 'gate'"
            ).rows.compactMap { $0[0] }
            // Polls see whichever versions exist at the time; none is recorded twice, the last is there.
            #expect(Set(ekGates).count == ekGates.count)
            #expect(ekGates.contains(#""C49""#))
            #expect(daemon.stop() == 0)
            print(
                "sql-poll: 5 row versions read once each, \(before.count) changes; restart read 1 row; "
                    + "kill -9 after 50 updates: \(ekGates.count) gate changes of EK0088 recorded, none twice")
        }
    }

    /// Issue 19's leftover: `poll-once` bound `cursor_start` whatever the feed had committed.
    /// It now binds the committed cursor (read, never written) and says which one it bound.
    @Test func pollOnceBindsTheCommittedCursorAndLeavesItWhereItWas() async throws {
        let day = Fixture.day
        try await withDaemon(
            extraFeeds: try Self.feed(database: ODBCTestSource.databaseName(of: TestServices.adminURL)), start: false
        ) { daemon in
            let aodb = try Self.readOwnDatabase(daemon)
            try aodb.execute(
                """
                INSERT INTO aodb.departures VALUES
                  ('LX1234', '\(day) 07:00:00', NULL, 'A12', NULL, '\(day) 01:00:00+00'),
                  ('QR0005', '\(day) 09:15:00', NULL, 'E4', NULL, '\(day) 01:00:01+00')
                """)
            let pollOnce = ["poll-once", "--config", daemon.configPath, "--feed", "aodb-view"]

            let fresh = try CommandRun(pollOnce)
            #expect(fresh.status == 0, "\(fresh.errors)")
            #expect(fresh.errors.contains("2 row(s) after changed_at 1970-01-01 00:00:00, bound from cursor_start ("), "\(fresh.errors)")
            #expect(fresh.output.split(separator: "\n").count == 2, "\(fresh.output)")

            try daemon.start()
            let db = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("the two rows committed", within: 30) {
                try db.query("SELECT count(*) FROM flightedge.flights").rows == [["2"]]
            }
            #expect(daemon.stop() == 0)
            let checkpoint = "SELECT file_name, \"offset\", updated_at::text FROM flightedge.feed_checkpoints WHERE feed = 'aodb-view'"
            let committed = try db.query(checkpoint).rows
            #expect(committed.first?[0] == "\(day) 01:00:01")

            let caughtUp = try CommandRun(pollOnce)
            #expect(caughtUp.status == 0, "\(caughtUp.errors)")
            #expect(
                caughtUp.errors.contains("0 row(s) after changed_at \(day) 01:00:01, bound from the committed cursor (feed_checkpoints)"),
                "\(caughtUp.errors)")
            #expect(caughtUp.output.isEmpty, "\(caughtUp.output)")

            try aodb.execute("INSERT INTO aodb.departures VALUES ('EK0088', '\(day) 10:00:00', NULL, 'B7', NULL, '\(day) 02:00:00+00')")
            let oneNew = try CommandRun(pollOnce)
            #expect(oneNew.errors.contains("1 row(s) after changed_at \(day) 01:00:01, bound from the committed cursor"), "\(oneNew.errors)")
            #expect(oneNew.output.contains("EK"), "\(oneNew.output)")
            #expect(try db.query(checkpoint).rows == committed, "poll-once moved the cursor")
        }
    }

    /// A stop while a slow query runs: the feed does not wait for the query (it used to, up to
    /// the feed's `timeout`, 30 s by default), so the daemon stops within a few seconds.
    @Test func aStopDoesNotWaitForASlowQuery() async throws {
        let slow = try Self.feed(database: ODBCTestSource.databaseName(of: TestServices.adminURL)).replacingOccurrences(
            of: "SELECT * FROM aodb.fids_departures WHERE",
            with: "SELECT d.* FROM aodb.fids_departures d, pg_sleep(20) WHERE")
        try await withDaemon(extraFeeds: slow, start: false) { daemon in
            let aodb = try Self.readOwnDatabase(daemon)
            try daemon.start()
            try await eventually("the slow query runs", within: 30) {
                try aodb.query("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(20)%' AND state = 'active' AND pid <> pg_backend_pid()")
                    .rows == [["1"]]
            }
            let clock = ContinuousClock()
            var status: Int32? = -1
            let elapsed = clock.measure { status = daemon.stop() }
            #expect(status == 0)
            #expect(elapsed < .seconds(8), "the stop waited \(elapsed) for the query")
        }
    }
}
