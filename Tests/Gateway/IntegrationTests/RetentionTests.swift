import FlightEdgeTestSupport
import Foundation
import HistoryStore
import Logging
import Postgres
import PostgresSupport
import Testing

/// `[housekeeping]` retention of `flight_changes` and `rejected_frames`, against the real test
/// PostgreSQL: old rows go in batches, recent ones stay, 0 (or no setting) keeps forever, and
/// `/metrics` shows what went and how big the tables are.
@Suite("Retention: old history and rejected frames deleted in batches")
struct RetentionTests {
    /// `count` changes received `daysAgo` days ago, one per flight.
    static func addChanges(_ connection: PostgresConnection, count: Int, daysAgo: Int, prefix: String) throws {
        try connection.execute(
            """
            INSERT INTO flightedge.flight_changes (flight_id, seq, field, new_value, feed, received_at)
            SELECT '\(prefix)' || n || '-20261101-D', 1, 'gate', '"A1"', 'aodb', now() - interval '\(daysAgo) days'
              FROM generate_series(1, \(count)) AS n
            """)
    }

    static func addRejectedFrames(_ connection: PostgresConnection, count: Int, daysAgo: Int) throws {
        try connection.execute(
            """
            INSERT INTO flightedge.rejected_frames (feed, position, received_at, error, raw)
            SELECT 'aodb', 'line ' || n, now() - interval '\(daysAgo) days', 'not JSON', '\\x00'::bytea
              FROM generate_series(1, \(count)) AS n
            """)
    }

    static func count(_ connection: PostgresConnection, _ table: String) throws -> Int64 {
        try StreamSeqTests.scalar(connection, "SELECT count(*) FROM flightedge.\(table)")
    }

    @Test func oldRowsGoInChunksAndRecentOnesStay() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let writer = HistoryWriter(
                connector: DatabaseConnector(conninfo: url, password: nil, logger: Logger(label: "test")),
                logger: Logger(label: "test"))
            _ = try await writer.start()
            let connection = try PostgresConnection(conninfo: url)
            try Self.addChanges(connection, count: 25, daysAgo: 31, prefix: "OLD")
            try Self.addChanges(connection, count: 5, daysAgo: 29, prefix: "NEW")
            try Self.addRejectedFrames(connection, count: 3, daysAgo: 31)

            // 25 old rows in chunks of 10: 10, 10, 5, on the retention's own connection.
            let store = RetentionStore(
                connector: DatabaseConnector(conninfo: url, password: nil, logger: Logger(label: "test")), logger: Logger(label: "test"))
            let first = try await store.deleteExpiredRows(of: .flightChanges, olderThanSeconds: 30 * 86_400, chunk: 10)
            #expect(first.rows == 25)
            #expect(try connection.query("SELECT DISTINCT left(flight_id, 3) FROM flightedge.flight_changes").rows == [["NEW"]])
            #expect(try Self.count(connection, "flight_changes") == 5)
            #expect(try Self.count(connection, "rejected_frames") == 3, "only the table asked for")
            #expect(try await store.deleteExpiredRows(of: .flightChanges, olderThanSeconds: 30 * 86_400).rows == 0)
            #expect(try await store.deleteExpiredRows(of: .rejectedFrames, olderThanSeconds: 30 * 86_400, chunk: 2).rows == 3)
            // A later round starts at the earlier cutoff: rows before it are taken as gone.
            try Self.addChanges(connection, count: 4, daysAgo: 40, prefix: "LATE")
            #expect(
                try await store.deleteExpiredRows(of: .flightChanges, olderThanSeconds: 30 * 86_400, notBefore: first.cutoff).rows == 0)
            #expect(try await store.deleteExpiredRows(of: .flightChanges, olderThanSeconds: 30 * 86_400).rows == 4)

            // A DELETE that waits (here on rows another transaction holds; on a year of history, a
            // long scan) does not hold up the writer: its connection is the retention's own.
            try Self.addChanges(connection, count: 3, daysAgo: 31, prefix: "HELD")
            let holder = try PostgresConnection(conninfo: url)
            try holder.execute("BEGIN")
            _ = try holder.query("SELECT 1 FROM flightedge.flight_changes WHERE flight_id LIKE 'HELD%' FOR UPDATE")
            let deleting = Task { try await store.deleteExpiredRows(of: .flightChanges, olderThanSeconds: 30 * 86_400).rows }
            try await Task.sleep(for: .milliseconds(300))
            let wrote = Task {
                try await writer.markPublished([Int64.max])
                return ContinuousClock.now
            }
            try await Task.sleep(for: .seconds(2))
            let released = ContinuousClock.now
            try holder.execute("COMMIT")
            #expect(try await wrote.value < released, "the writer waited for the retention's DELETE")
            #expect(try await deleting.value == 3)

            let sizes = try await store.tableSizes()
            #expect(Set(sizes.keys) == ["flight_changes", "flights", "outbox", "rejected_frames"])
            #expect(sizes["flight_changes", default: 0] > 0)
            // Migration 4: the deletions find rows by received_at through an index.
            #expect(
                try connection.query(
                    """
                    SELECT indexname FROM pg_indexes WHERE schemaname = 'flightedge'
                       AND indexname IN ('flight_changes_by_received', 'rejected_frames_by_received') ORDER BY 1
                    """
                ).rows == [["flight_changes_by_received"], ["rejected_frames_by_received"]])
        }
    }

    /// No `[housekeeping]` table: the history stays forever, rejected frames 30 days.
    @Test func withoutSettingsTheHistoryStaysAndRejectedFramesGoAfterThirtyDays() async throws {
        try await withRetentionDaemon(housekeeping: "") { daemon, connection in
            try await eventually("the first retention round", within: 45) {
                try daemon.metric(#"flightedge_table_bytes{table="flight_changes"}"#) ?? 0 > 0
            }
            #expect(try Self.count(connection, "flight_changes") == 12_003)
            #expect(try Self.count(connection, "rejected_frames") == 1)
            #expect(try daemon.metric(#"flightedge_retention_deleted_rows_total{table="flight_changes"}"#) == 0)
            #expect(try daemon.metric(#"flightedge_retention_deleted_rows_total{table="rejected_frames"}"#) == 2)
            #expect(try daemon.metric(#"flightedge_retention_seconds{table="flight_changes"}"#) == 0)
            #expect(try daemon.metric(#"flightedge_retention_seconds{table="rejected_frames"}"#) == 30 * 86_400)
            for table in ["flights", "outbox", "rejected_frames"] {
                #expect(try daemon.metric(#"flightedge_table_bytes{table="\#(table)"}"#) ?? 0 > 0, "\(table)")
            }
        }
    }

    /// `history_retention_days = 30`: 12,000 old changes go (more than two chunks), the three
    /// recent ones stay; `rejected_frames_retention_days = 0` keeps every frame.
    @Test func aHistoryRetentionDeletesOldChangesInBatchesAndZeroKeepsFrames() async throws {
        let housekeeping = "[housekeeping]\nhistory_retention_days = 30\nrejected_frames_retention_days = 0\n"
        try await withRetentionDaemon(housekeeping: housekeeping) { daemon, connection in
            try await eventually("12,000 old changes deleted and counted", within: 45) {
                try daemon.metric(#"flightedge_retention_deleted_rows_total{table="flight_changes"}"#) == 12_000
            }
            #expect(try connection.query("SELECT DISTINCT left(flight_id, 3) FROM flightedge.flight_changes").rows == [["NEW"]])
            #expect(try Self.count(connection, "rejected_frames") == 3)
            #expect(try daemon.metric(#"flightedge_retention_deleted_rows_total{table="rejected_frames"}"#) == 0)
            try await eventually("sizes read on the round") {
                try daemon.metric(#"flightedge_table_bytes{table="outbox"}"#) ?? 0 > 0
            }
        }
    }

    /// A daemon whose database already holds 12,000 changes of 40 days ago, 3 of yesterday,
    /// 2 rejected frames of 40 days ago and 1 of yesterday (the schema migrated first, so
    /// that the rows are there before the daemon's first round, 5 s after its start).
    func withRetentionDaemon(
        housekeeping: String, _ body: (DaemonProcess, PostgresConnection) async throws -> Void
    ) async throws {
        try await withDaemon(extraFeeds: housekeeping, start: false) { daemon in
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            _ = try SchemaMigrator(connection: connection).migrate()
            try Self.addChanges(connection, count: 12_000, daysAgo: 40, prefix: "OLD")
            try Self.addChanges(connection, count: 3, daysAgo: 1, prefix: "NEW")
            try Self.addRejectedFrames(connection, count: 2, daysAgo: 40)
            try Self.addRejectedFrames(connection, count: 1, daysAgo: 1)
            _ = try daemon.start()
            try await body(daemon, connection)
            #expect(daemon.stop() == 0)
        }
    }
}
