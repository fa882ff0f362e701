import FlightEdgeTestSupport
import FlightModel
import Foundation
import Postgres
import Testing

@Suite("libpq wrapper against a real PostgreSQL")
struct PostgresConnectionTests {
    @Test func connectsAsTheUnprivilegedRole() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            let result = try connection.query("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
            #expect(result.rows == [["flightedge", "f"]])
            #expect(connection.serverVersion >= 150000)
        }
    }

    @Test func awkwardTextRoundTripsThroughParameters() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            let awkward = [
                "O'Hare \"quoted\" \\ backslash; DROP TABLE x; --",
                "Zürich – Genève ✈︎ 東京 🛫",
                "tab\tnew\nline",
                "",
            ]
            for text in awkward {
                let result = try connection.query("SELECT $1::text, length($1::text)", [.text(text)])
                #expect(result.rows.first?.first == text)
                #expect(result.rows.first?.last == String(text.unicodeScalars.count))
            }
            let null = try connection.query("SELECT $1::text IS NULL", [.null])
            #expect(null.rows == [["t"]])
        }
    }

    @Test func binaryBytesRoundTripThroughBytea() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            let bytes: [UInt8] = [0x00, 0x01, 0xFF, 0xFE, 0x02, 0x27, 0x5C, 0x00, 0xC3, 0x28]
            try connection.execute("CREATE TABLE blobs (raw bytea NOT NULL)")
            try connection.query("INSERT INTO blobs (raw) VALUES ($1)", [.bytes(bytes)])
            let result = try connection.query("SELECT raw, length(raw) FROM blobs")
            #expect(result.rows.first?.last == String(bytes.count))
            let decoded = try #require(result.rows.first?.first.flatMap { $0 }.flatMap(PostgresResult.decodeBytea))
            #expect(decoded == bytes)
        }
    }

    /// Binary parameters go as their arrays' own storage: each must reach the server as itself,
    /// between text and NULL parameters, and an empty one as empty, not NULL.
    @Test func binaryParametersAmongTextAndNullKeepTheirOwnBytes() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            let first: [UInt8] = [0x00, 0x01, 0xFF]
            let second = [UInt8](repeating: 0xAB, count: 70_000)
            let result = try connection.query(
                "SELECT length($1::bytea), $2::text, $3::bytea IS NULL, length($3::bytea), $4::text IS NULL, length($5::bytea), md5($5::bytea)",
                [.bytes(first), .text("between"), .bytes([]), .null, .bytes(second)])
            let expected = try connection.query("SELECT md5(decode(repeat('ab', 70000), 'hex'))")
            #expect(result.rows.first == ["3", "between", "f", "0", "t", "70000", expected.rows.first?.first ?? nil])
        }
    }

    @Test func serverErrorsCarryMessageAndSQLState() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            try connection.execute("CREATE TABLE gates (gate text PRIMARY KEY)")
            try connection.query("INSERT INTO gates VALUES ($1)", ["A12"])
            let error = try #require(throws: PostgresError.self) {
                try connection.query("INSERT INTO gates VALUES ($1)", ["A12"])
            }
            #expect(error.code == .queryFailed)
            #expect(error.sqlState == "23505")
            #expect(error.message.contains("duplicate key"))
            #expect(!error.isConnectionProblem)
            // The connection stays usable after a failed statement.
            #expect(try connection.query("SELECT count(*) FROM gates").rows == [["1"]])
        }
    }

    @Test func refusedConnectionIsATypedErrorWithLibpqMessage() throws {
        let error = try #require(throws: PostgresError.self) {
            try PostgresConnection(conninfo: "postgresql://flightedge@127.0.0.1:1/none")
        }
        #expect(error.code == .connectionFailed)
        #expect(error.isConnectionProblem)
        #expect(error.message.contains("127.0.0.1"))
    }

    @Test func passwordNeverAppearsInTheErrorDescription() throws {
        let error = try #require(throws: PostgresError.self) {
            try PostgresConnection(conninfo: "postgresql://flightedge:s3cret-pw@127.0.0.1:1/none", password: "other-s3cret")
        }
        #expect(!error.description.contains("s3cret"))
    }

    /// The server drops the connection while a COPY streams (an administrator's
    /// `pg_terminate_backend`, a restart): the error must be a connection problem, so the
    /// history writer waits and retries the batch instead of splitting it as refused data,
    /// and nothing of the COPY is kept.
    @Test func aCopyCutOffByTheServerIsAConnectionProblem() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            try connection.execute("CREATE TABLE copied (n bigint, value text)")
            let backend = try connection.query("SELECT pg_backend_pid()").rows.first?[0] ?? nil
            var copy = PostgresCopyBinary()
            for index in 0..<2_000_000 {
                copy.beginRow(fields: 2)
                copy.append(Int64(index))
                copy.append("a row long enough to keep the server busy for a while")
            }
            let adminURL = try TestServices.adminURL
            let terminator = Thread {
                Thread.sleep(forTimeInterval: 0.05)
                let admin = try? PostgresConnection(conninfo: adminURL)
                _ = try? admin?.query("SELECT pg_terminate_backend(\(backend ?? "0"))")
            }
            terminator.start()
            do {
                let copied = try connection.copyIn("COPY copied FROM STDIN (FORMAT binary)", data: copy.finish())
                Issue.record("the COPY of \(copied) rows finished before the server dropped the connection")
            } catch let error as PostgresError {
                #expect(error.isConnectionProblem, "\(error)")
                #expect(!connection.isConnected)
            }
            let fresh = try PostgresConnection(conninfo: url)
            #expect(try fresh.query("SELECT count(*) FROM copied").rows == [["0"]])
        }
    }

    @Test func awkwardTextRoundTripsThroughBinaryCopy() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            try connection.execute("CREATE TABLE copied (n bigint, value text, doc jsonb, at timestamptz)")
            let awkward: [String?] = [
                "O'Hare \"quoted\" \\ backslash; \\N is not NULL",
                "Zürich – Genève ✈︎ 東京 🛫",
                "tab\tnew\nline\rreturn",
                "",
                nil,
            ]
            var copy = PostgresCopyBinary()
            for (index, value) in awkward.enumerated() {
                copy.beginRow(fields: 4)
                copy.append(Int64(index - 2))
                copy.append(value)
                // JSON as the history rows carry it, with escapes of its own (backslashes).
                copy.append(jsonb: value.map { FieldValue.text($0).json })
                copy.append(millisecondsSinceEpoch: value == nil ? nil : 946_684_800_000 + Int64(index) * 1_001 - 2_000)
            }
            #expect(try connection.copyIn("COPY copied FROM STDIN (FORMAT binary)", data: copy.finish()) == awkward.count)
            let rows = try connection.query(
                "SELECT n, value, doc #>> '{}', (extract(epoch FROM at) * 1000)::bigint FROM copied ORDER BY n").rows
            #expect(rows.map { $0[0] } == ["-2", "-1", "0", "1", "2"])
            #expect(rows.map { $0[1] } == awkward)
            #expect(rows.map { $0[2] } == awkward, "the JSON's escapes arrive as they were")
            #expect(rows.map { $0[3] } == ["946684798000", "946684799001", "946684800002", "946684801003", nil])
        }
    }

    @Test func copyAndPipelineWriteManyRowsInOneRoundTrip() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            try connection.execute("CREATE TABLE changes (flight_id text, seq bigint, value text)")
            var data = ""
            for seq in 1...500 { data += "LX1234-20261124-D\t\(seq)\tgate A\(seq)\n" }
            data += "LX1234-20261124-D\t501\t\\N\n"
            let copied = try connection.copyIn("COPY changes FROM STDIN", data: Array(data.utf8))
            #expect(copied == 501)
            #expect(try connection.query("SELECT count(*), count(value) FROM changes").rows == [["501", "500"]])

            let results = try connection.pipeline([
                ("BEGIN", []),
                ("INSERT INTO changes VALUES ($1, $2, $3)", ["BA0117-20261123-A", 1, "belt 7"]),
                ("INSERT INTO changes SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])",
                 ["{JQ0355-20261124-D,JQ0355-20261124-D}", "{1,2}", "{\"gate 19A\",NULL}"]),
                ("COMMIT", []),
            ])
            #expect(results.count == 4)
            #expect(results[2].affectedRows == 2)
            #expect(try connection.query("SELECT count(*) FROM changes").rows == [["504"]])
        }
    }

    @Test func pipelineFailureRollsBackAndReportsTheFirstError() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            try connection.execute("CREATE TABLE gates (gate text PRIMARY KEY)")
            let error = try #require(throws: PostgresError.self) {
                try connection.pipeline([
                    ("BEGIN", []),
                    ("INSERT INTO gates VALUES ($1)", ["A1"]),
                    ("INSERT INTO gates VALUES ($1)", ["A1"]),
                    ("COMMIT", []),
                ])
            }
            #expect(error.sqlState == "23505")
            // The pipeline is over and the transaction was not committed.
            #expect(try connection.query("SELECT count(*) FROM gates").rows == [["0"]])
        }
    }
}
