import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

/// Statements run `prepared: true` are parsed once per connection and kept by the server
/// (`pg_prepared_statements` shows each, with how often it ran); a statement that never reached
/// the server is not taken for prepared; one the server dropped or cannot reuse is prepared again.
@Suite("libpq wrapper: prepared statements against a real PostgreSQL")
struct PostgresPreparedStatementTests {
    /// This connection's prepared statements that name `marker`, with their plan counts.
    static func prepared(_ connection: PostgresConnection, marker: String) throws -> [(statement: String, runs: Int)] {
        try connection.query(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements WHERE statement LIKE '%' || $1 || '%' ORDER BY name",
            [.text(marker)]
        ).rows.map { ($0[0] ?? "", Int($0[1] ?? "") ?? -1) }
    }

    @Test func aPreparedQueryIsParsedOnceAndGivesTheSameRows() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            try connection.execute("CREATE TABLE gates (gate text PRIMARY KEY, terminal int NOT NULL)")
            try connection.query("INSERT INTO gates SELECT 'A' || i, i % 3 FROM generate_series(1, 30) AS i")
            let sql = "SELECT gate FROM gates WHERE terminal = $1 ORDER BY gate /* marker-one */"
            for terminal in 0..<3 {
                for _ in 0..<4 {
                    let plain = try connection.query(sql, [.int(terminal)]).rows
                    let prepared = try connection.query(sql, [.int(terminal)], prepared: true).rows
                    #expect(prepared == plain)
                    #expect(prepared.count == 10)
                }
            }
            let statements = try Self.prepared(connection, marker: "marker-one")
            #expect(statements.count == 1)
            #expect(statements.first?.runs == 12)
        }
    }

    @Test func aPipelinePreparesInItsRoundTripAndReusesAfterwards() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            try connection.execute("CREATE TABLE stands (stand text PRIMARY KEY, state text NOT NULL)")
            let statements: (String) -> [(sql: String, parameters: [PostgresValue])] = { stand in
                [
                    ("BEGIN", []),
                    ("INSERT INTO stands VALUES ($1, 'free') /* marker-two */", [.text(stand)]),
                    ("UPDATE stands SET state = $2 WHERE stand = $1 RETURNING stand, state /* marker-two */", [.text(stand), .text("taken")]),
                    ("COMMIT", []),
                ]
            }
            for index in 0..<5 {
                let results = try connection.pipeline(statements("S\(index)"), prepared: true)
                // One result per statement: the prepares' own results are not among them.
                #expect(results.count == 4)
                #expect(results[2].rows == [["S\(index)", "taken"]])
            }
            let kept = try Self.prepared(connection, marker: "marker-two")
            #expect(kept.map(\.runs) == [5, 5])
            #expect(try connection.query("SELECT count(*) FROM stands WHERE state = 'taken'").rows == [["5"]])
        }
    }

    @Test func aStatementSkippedByAFailureBeforeItIsNotTakenForPrepared() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            try connection.execute("CREATE TABLE belts (belt int PRIMARY KEY)")
            try connection.query("INSERT INTO belts VALUES (1)")
            let select = ("SELECT count(*) FROM belts WHERE belt >= $1 /* marker-three */", [PostgresValue.int(0)])
            // The duplicate fails first: the server skips the rest, the select's prepare included.
            let error = try #require(throws: PostgresError.self) {
                try connection.pipeline(
                    [("BEGIN", []), ("INSERT INTO belts VALUES ($1)", [.int(1)]), select, ("COMMIT", [])], prepared: true)
            }
            #expect(error.sqlState == "23505")
            #expect(try Self.prepared(connection, marker: "marker-three").isEmpty)
            // Asked again, it is prepared then, and runs.
            let results = try connection.pipeline([("BEGIN", []), select, ("COMMIT", [])], prepared: true)
            #expect(results[1].rows == [["1"]])
            #expect(try Self.prepared(connection, marker: "marker-three").map(\.runs) == [1])
        }
    }

    @Test func aStatementTheServerDroppedIsPreparedAgainAfterOneFailure() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            let sql = "SELECT $1::int + 1 /* marker-four */"
            #expect(try connection.query(sql, [.int(1)], prepared: true).rows == [["2"]])
            try connection.execute("DEALLOCATE ALL")
            let gone = try #require(throws: PostgresError.self) { try connection.query(sql, [.int(1)], prepared: true) }
            #expect(gone.sqlState == "26000")
            #expect(try connection.query(sql, [.int(2)], prepared: true).rows == [["3"]])
            #expect(try Self.prepared(connection, marker: "marker-four").count == 1)
        }
    }

    @Test func aTableChangedUnderAPreparedStatementCostsOneFailureThenWorks() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            try connection.execute("CREATE TABLE remarks (id int PRIMARY KEY, text text)")
            try connection.query("INSERT INTO remarks VALUES (1, 'go to gate')")
            let sql = "SELECT * FROM remarks WHERE id = $1 /* marker-five */"
            #expect(try connection.query(sql, [.int(1)], prepared: true).rows == [["1", "go to gate"]])
            try connection.execute("ALTER TABLE remarks ADD COLUMN lang text NOT NULL DEFAULT 'en'")
            let changed = try #require(throws: PostgresError.self) { try connection.query(sql, [.int(1)], prepared: true) }
            #expect(changed.sqlState == "0A000")
            #expect(try connection.query(sql, [.int(1)], prepared: true).rows == [["1", "go to gate", "en"]])
        }
    }

    @Test func beyondTheLimitStatementsRunUnnamed() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            let extra = 5
            for index in 0..<(PostgresConnection.preparedLimit + extra) {
                let rows = try connection.query("SELECT $1::int * \(index) /* marker-six */", [.int(2)], prepared: true).rows
                #expect(rows == [["\(2 * index)"]])
            }
            #expect(try Self.prepared(connection, marker: "marker-six").count == PostgresConnection.preparedLimit)
        }
    }
}
