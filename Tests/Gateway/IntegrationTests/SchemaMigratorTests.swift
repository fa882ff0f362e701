import FlightEdgeTestSupport
import HistoryStore
import Postgres
import PostgresSupport
import Testing

@Suite("Schema migrations against a real PostgreSQL")
struct SchemaMigratorTests {
    private static let designTables = [
        "event_stream", "feed_checkpoints", "flight_changes", "flights", "outbox", "rejected_frames", "schema_migrations",
    ]

    private func tables(_ connection: PostgresConnection) throws -> [String] {
        try connection.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'flightedge' ORDER BY 1"
        ).rows.compactMap { $0.first ?? nil }
    }

    @Test func freshDatabaseGetsEveryDesignTableAndIndexes() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            let outcome = try SchemaMigrator(connection: connection).migrate()
            #expect(outcome.applied == [1, 2, 3, 4])
            #expect(outcome.version == SchemaMigrator.latestVersion)
            #expect(try tables(connection) == Self.designTables)
            let indexes = try connection.query(
                "SELECT indexname FROM pg_indexes WHERE schemaname = 'flightedge' ORDER BY 1"
            ).rows.compactMap { $0.first ?? nil }
            #expect(indexes.contains("flight_changes_pkey"))  // history by flight: (flight_id, seq, field)
            #expect(indexes.contains("outbox_unpublished"))
        }
    }

    @Test func runningTwiceIsClean() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            _ = try SchemaMigrator(connection: connection).migrate()
            let second = try SchemaMigrator(connection: connection).migrate()
            #expect(second.applied.isEmpty)
            #expect(second.version == SchemaMigrator.latestVersion)
            #expect(try connection.query("SELECT count(*) FROM flightedge.schema_migrations").rows == [["4"]])
        }
    }

    /// Version 2 on a database that already has flights: provenance kept as the same JSON
    /// text, keys compared bytewise, state changes heap-only.
    @Test func version2UpgradesAVersion1DatabaseKeepingItsFlights() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            #expect(try SchemaMigrator(connection: connection).migrate(upTo: 1).applied == [1])
            try connection.execute(
                """
                INSERT INTO flightedge.flights (flight_id, airline, number, suffix, flight_date, direction, state, provenance,
                                                seq, first_seen_at, updated_at, ends_at)
                VALUES ('LX8-20261124-D', 'LX', '8', '', '2026-11-24', 'D', '{"gate":"A1"}',
                        '{"gate":{"f":"aodb","p":0,"t":1}}', 3, now(), now(), now())
                """)
            #expect(try SchemaMigrator(connection: connection).migrate().applied == [2, 3, 4])
            let row = try connection.query(
                "SELECT provenance, pg_typeof(provenance)::text, seq FROM flightedge.flights").rows
            #expect(row == [[#"{"gate": {"f": "aodb", "p": 0, "t": 1}}"#, "text", "3"]])
            let collations = try connection.query(
                """
                SELECT table_name || '.' || column_name, collation_name FROM information_schema.columns
                 WHERE table_schema = 'flightedge' AND column_name IN ('flight_id', 'field')
                   AND table_name IN ('flights', 'flight_changes') ORDER BY 1
                """).rows
            #expect(collations == [["flight_changes.field", "C"], ["flight_changes.flight_id", "C"], ["flights.flight_id", "C"]])
            #expect(try connection.query("SELECT reloptions::text FROM pg_class WHERE oid = 'flightedge.flights'::regclass").rows
                == [["{fillfactor=50}"]])
            #expect(try connection.query("SELECT count(*) FROM pg_indexes WHERE indexname = 'flights_by_end'").rows == [["0"]])
        }
    }

    @Test func concurrentMigratorsApplyEachMigrationOnce() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let outcomes = try await withThrowingTaskGroup(of: SchemaMigrator.Outcome.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        let connection = try PostgresConnection(conninfo: url)
                        return try SchemaMigrator(connection: connection).migrate()
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.count == 6)
            #expect(outcomes.filter { !$0.applied.isEmpty }.count == 1)
            #expect(outcomes.allSatisfy { $0.version == SchemaMigrator.latestVersion })
            let connection = try PostgresConnection(conninfo: url)
            #expect(try tables(connection) == Self.designTables)
        }
    }

    @Test func refusesADatabaseNewerThanItself() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            _ = try SchemaMigrator(connection: connection).migrate()
            try connection.query(
                "INSERT INTO flightedge.schema_migrations (version, name) VALUES ($1, 'from the future')",
                [.int(SchemaMigrator.latestVersion + 1)])
            let error = try #require(throws: MigrationError.self) {
                try SchemaMigrator(connection: connection).migrate()
            }
            #expect(error.message.contains("newer than this flightedge"))
            #expect(error.message.contains("version \(SchemaMigrator.latestVersion + 1)"))
        }
    }

    @Test func theDaemonsRoleNeedsNoSuperuser() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            #expect(try connection.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").rows == [["f"]])
            _ = try SchemaMigrator(connection: connection).migrate()
            #expect(try connection.query("SELECT count(*) FROM flightedge.flights").rows == [["0"]])
        }
    }
}
