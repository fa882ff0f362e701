import FlightEdgeTestSupport
import Foundation
import ODBC
import Postgres
import Testing

/// The ODBC wrapper against the test PostgreSQL through unixODBC and psqlODBC.
@Suite struct ODBCConnectionTests {
    @Test func preparedQueryBindsTheCursorAndReadsNullsAndLongValues() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let postgres = try PostgresConnection(conninfo: url)
            try postgres.execute(
                """
                CREATE TABLE departures (flight text, gate text, remark text, changed_at timestamptz NOT NULL);
                INSERT INTO departures VALUES
                  ('LX1234', 'A12', NULL, '2026-12-05 06:00:00+00'),
                  ('BA0117', NULL, repeat('x', 10000), '2026-12-05 07:00:00+00'),
                  ('QR005', 'E4', 'boarding', '2026-12-05 08:00:00+00');
                SET TIME ZONE 'UTC';
                """)
            let connection = try ODBCConnection(
                connectionString: try ODBCTestSource.connectionString(database: ODBCTestSource.databaseName(of: url)))
            let statement = try connection.prepare(
                "SELECT flight, gate, remark, changed_at FROM departures WHERE changed_at > ? ORDER BY changed_at")
            #expect(statement.parameterCount == 1)
            let result = try statement.execute(["2026-12-05 06:30:00+00"])
            #expect(result.columns == ["flight", "gate", "remark", "changed_at"])
            #expect(result.rows.count == 2)
            #expect(result.rows[0][0] == "BA0117")
            #expect(result.rows[0][1] == nil)
            #expect(result.rows[0][2]?.count == 10000)
            #expect(result.rows[1][1] == "E4")
            // The same statement runs again with another value.
            let all = try statement.execute(["1970-01-01 00:00:00+00"])
            #expect(all.rows.map { $0[0] } == ["LX1234", "BA0117", "QR005"])
            let limited = try statement.execute(["1970-01-01 00:00:00+00"], maxRows: 1)
            #expect(limited.rows.count == 1)
            connection.close()
        }
    }

    /// psqlODBC prints a `timestamptz` without its offset, in the session's zone: the zone a
    /// sql-poll feed's dsn sets with ConnSettings (DESIGN.md, Pull transports), or `::text`.
    @Test func timestampWithTimeZoneIsPrintedInTheSessionsZoneOrWithItsOffsetAsText() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let postgres = try PostgresConnection(conninfo: url)
            try postgres.execute("CREATE TABLE t (at timestamptz); INSERT INTO t VALUES ('2026-12-05 06:00:00+00')")
            let base = try ODBCTestSource.connectionString(database: ODBCTestSource.databaseName(of: url))
            let tokyo = try ODBCConnection(connectionString: base + ";ConnSettings={SET TIME ZONE 'Asia/Tokyo'}")
            let inTokyo = try tokyo.prepare("SELECT at, at::text FROM t WHERE at > ?").execute(["2026-01-01 00:00:00+00"])
            #expect(inTokyo.rows == [["2026-12-05 15:00:00", "2026-12-05 15:00:00+09"]])
        }
    }

    @Test func refusedStatementNamesTheDatabasesReasonAndSQLState() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try ODBCConnection(
                connectionString: try ODBCTestSource.connectionString(database: ODBCTestSource.databaseName(of: url)))
            do throws(ODBCError) {
                let statement = try connection.prepare("SELECT * FROM no_such_view WHERE changed_at > ?")
                _ = try statement.execute(["x"])
                Issue.record("a query of a missing view ran")
            } catch {
                #expect(error.code == .statementFailed)
                #expect(error.sqlState == "42P01")
                #expect(error.description.contains("no_such_view"))
            }
        }
    }

    @Test func unreachableServerIsAConnectionProblemWithoutThePassword() throws {
        let port = try Loopback.freePort()
        do throws(ODBCError) {
            _ = try ODBCConnection(
                connectionString: "Driver={\(ODBCTestSource.driver)};Server=127.0.0.1;Port=\(port);Database=x;UID=flightedge",
                password: "s3cret;}", loginTimeout: .seconds(2))
            Issue.record("connected to a closed port")
        } catch {
            #expect(error.isConnectionProblem)
            #expect(!error.description.contains("s3cret"))
        }
    }

    @Test func unknownDriverIsNamed() throws {
        do throws(ODBCError) {
            _ = try ODBCConnection(connectionString: "Driver={No Such Driver};Server=127.0.0.1")
            Issue.record("connected through a driver that does not exist")
        } catch {
            #expect(error.code == .driverNotFound)
        }
    }
}
