import Postgres
import Testing

@testable import HistoryStore

/// The SQL of a batch's commit, checked without a server: which statements a batch makes, the
/// parameters they carry, COPY's text, and how outbox ids are matched back.
@Suite struct CommitStatementsTests {
    static func flight(_ id: String, seq: Int64 = 1) -> CommitBatch.FlightRow {
        CommitBatch.FlightRow(
            flightID: id, airline: "LX", number: "1234", suffix: nil, date: "2026-11-24", direction: "D",
            stateJSON: Array(#"{"gate":"A1"}"#.utf8), provenanceJSON: Array("{}".utf8), seq: seq,
            firstSeenAt: 1_795_500_000_000, updatedAt: 1_795_500_060_000, endsAt: nil)
    }

    static func change(_ id: String, field: String, old: String?, new: String?, to batch: inout CommitBatch) {
        batch.appendChange(
            flightID: id, seq: 2, field: field, oldJSON: old, newJSON: new, feed: "aodb", sourceTime: nil,
            receivedAt: 1_795_500_060_000)
    }

    static func sql(_ statements: [(sql: String, parameters: [PostgresValue])]) -> [String] {
        statements.map { $0.sql.split(separator: " ").prefix(3).joined(separator: " ") }
    }

    @Test func anEmptyBatchIsOneEmptyTransaction() {
        let statements = CommitStatements.statements(for: CommitBatch())
        #expect(statements.map(\.sql) == ["BEGIN", "COMMIT"])
    }

    @Test func eachKindOfRowHasItsStatementInTableOrder() {
        var batch = CommitBatch()
        batch.flights = [Self.flight("LX1234-20261124-D")]
        batch.outbox = [CommitBatch.OutboxRow(eventID: nil, flightID: "LX1234-20261124-D", topic: "t", payload: [])]
        batch.rejected = [CommitBatch.RejectedRow(feed: "aodb", position: "f@0", receivedAt: "x", error: "bad", raw: [0, 1])]
        batch.checkpoints = [CommitBatch.CheckpointRow(feed: "aodb"), CommitBatch.CheckpointRow(feed: "fids")]
        Self.change("LX1234-20261124-D", field: "gate", old: nil, new: #""A1""#, to: &batch)
        let statements = CommitStatements.statements(for: batch)
        #expect(
            Self.sql(statements) == [
                "BEGIN", "INSERT INTO flightedge.flights", "WITH input AS",
                "INSERT INTO flightedge.rejected_frames", "INSERT INTO flightedge.feed_checkpoints",
                "INSERT INTO flightedge.feed_checkpoints", "INSERT INTO flightedge.flight_changes", "COMMIT",
            ])
        // Every parameter placeholder of each statement has its value.
        for statement in statements {
            let highest = (1...20).last { statement.sql.contains("$\($0)") } ?? 0
            #expect(statement.parameters.count == highest, "\(statement.sql.prefix(40))")
        }
    }

    @Test func copiedHistoryLeavesTheTransactionOpenForCOPY() {
        var batch = CommitBatch()
        batch.flights = [Self.flight("LX1234-20261124-D")]
        Self.change("LX1234-20261124-D", field: "gate", old: nil, new: #""A1""#, to: &batch)
        let statements = CommitStatements.statements(for: batch, history: .copied)
        #expect(Self.sql(statements) == ["BEGIN", "INSERT INTO flightedge.flights"])
    }

    @Test func flightsGoAsOneArrayPerColumn() throws {
        var batch = CommitBatch()
        batch.flights = [Self.flight("LX1234-20261124-D", seq: 7), Self.flight("LX1235-20261124-D", seq: 9)]
        let upsert = CommitStatements.statements(for: batch)[1]
        #expect(upsert.parameters.count == 12)
        let ids = try #require(PostgresBinaryArrayTests.read(upsert.parameters[0]), "arrays go in binary")
        #expect(ids.type == 25 && ids.elements == [Array("LX1234-20261124-D".utf8), Array("LX1235-20261124-D".utf8)])
        let seqs = try #require(PostgresBinaryArrayTests.read(upsert.parameters[8]))
        #expect(seqs.type == 20 && seqs.elements == [[0, 0, 0, 0, 0, 0, 0, 7], [0, 0, 0, 0, 0, 0, 0, 9]])
        let states = try #require(PostgresBinaryArrayTests.read(upsert.parameters[6]))
        #expect(states.type == 3802 && states.elements.first == [1] + Array(#"{"gate":"A1"}"#.utf8))
        let ends = try #require(PostgresBinaryArrayTests.read(upsert.parameters[11]))
        #expect(ends.type == 1184 && ends.hasNulls && ends.elements == [nil, nil])
        // An older seq never overwrites a newer one.
        #expect(upsert.sql.contains("WHERE flights.seq < EXCLUDED.seq"))
    }

    @Test func checkpointsKeepTheirRecentFilesAsJSON() {
        var batch = CommitBatch()
        batch.checkpoints = [
            CommitBatch.CheckpointRow(feed: "fids", fileName: "a.xml", offset: 42, recentFiles: [#"we"ird".xml"#, "b.xml"])
        ]
        let checkpoint = CommitStatements.statements(for: batch)[1]
        #expect(checkpoint.parameters[0] == .text("fids"))
        #expect(checkpoint.parameters[1] == .text("a.xml"))
        #expect(checkpoint.parameters[2] == .null)
        #expect(checkpoint.parameters[3] == .text("42"))
        #expect(checkpoint.parameters[5] == .text(#"["we\"ird\".xml","b.xml"]"#))
    }

    @Test func copyDataIsBinaryWithNullsMarked() {
        let json = #""tab\there""#  // JSON with an escape of its own: it goes as it is
        var batch = CommitBatch()
        Self.change("LX1234-20261124-D", field: "remark", old: nil, new: json, to: &batch)
        let data = CommitStatements.copyData(batch)
        let signature: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
        func text(_ string: String) -> [UInt8] { [0, 0, 0, UInt8(string.utf8.count)] + Array(string.utf8) }
        var row: [UInt8] = [0, 8]  // eight fields
        row += text("LX1234-20261124-D") + [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 2] + text("remark")
        row += [0xFF, 0xFF, 0xFF, 0xFF]  // old_value NULL
        row += [0, 0, 0, 12, 1] + Array(json.utf8)  // jsonb: 11 bytes after its version byte
        row += text("aodb") + [0xFF, 0xFF, 0xFF, 0xFF]
        // 2026-11-24T06:01:00Z in µs since 2000-01-01: (1,795,500,060,000 − 946,684,800,000) × 1,000.
        let microseconds = (Int64(1_795_500_060_000) - 946_684_800_000) * 1000
        row += [0, 0, 0, 8] + withUnsafeBytes(of: microseconds.bigEndian) { Array($0) }
        #expect(data == signature + row + [0xFF, 0xFF])
    }

    @Test func outboxRowsComeBackByEventIDAndInOrderForTheRestWithTheirStreamSeq() {
        var batch = CommitBatch()
        let first = "6F9619FF-8B86-D011-B42D-00C04FC964FF"
        let second = "7F9619FF-8B86-D011-B42D-00C04FC964FF"
        batch.outbox = [
            CommitBatch.OutboxRow(eventID: first, flightID: nil, topic: "a", payload: []),
            CommitBatch.OutboxRow(eventID: nil, flightID: nil, topic: "status", payload: []),
            CommitBatch.OutboxRow(eventID: second, flightID: nil, topic: "b", payload: []),
        ]
        // PostgreSQL returns uuids in lower case; the second event was in the outbox already
        // (skipped before numbering: no row comes back for it).
        let rows = CommitStatements.committedOutbox(
            batch: batch, returned: [["11", first.lowercased(), "41"], ["12", nil, "42"]])
        #expect(rows == [CommittedOutboxRow(outboxID: 11, streamSeq: 41), CommittedOutboxRow(outboxID: 12, streamSeq: 42), nil])
    }

    /// Rows matched walking both lists in order are the rows matched by id, whichever events
    /// were skipped; rows in another order fall back to the lookup and still find their events.
    @Test func outboxRowsMatchedInOrderAreThoseMatchedByIDAndAnyOrderStillMatches() {
        var batch = CommitBatch()
        let ids = (0..<8).map { "\($0)f9619ff-8b86-d011-b42d-00c04fc964ff" }
        batch.outbox = ids.map { CommitBatch.OutboxRow(eventID: $0, flightID: nil, topic: "t", payload: []) }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let kept = ids.indices.filter { _ in Bool.random(using: &random) }
            var returned = kept.map { [String(100 + $0), ids[$0], String(40 + $0)] as [String?] }
            let expected = ids.indices.map { index in
                kept.contains(index) ? CommittedOutboxRow(outboxID: Int64(100 + index), streamSeq: Int64(40 + index)) : nil
            }
            #expect(CommitStatements.committedOutbox(batch: batch, returned: returned) == expected)
            #expect(CommitStatements.committedOutboxByEventID(batch: batch, returned: returned) == expected)
            returned.shuffle(using: &random)
            #expect(CommitStatements.committedOutbox(batch: batch, returned: returned) == expected)
        }
    }

    @Test func theOutboxInsertNumbersInBatchOrderFromTheCounterAndSkipsKnownEventsBeforeNumbering() throws {
        var batch = CommitBatch()
        let payload = Array(#"{"schema":"flightedge.event/1","flight_id":"LX1-20261124-D","seq":3,"kind":"x"}"#.utf8)
        batch.outbox = [
            CommitBatch.OutboxRow(eventID: "6f9619ff-8b86-d011-b42d-00c04fc964ff", flightID: "LX1-20261124-D", topic: "t", payload: payload),
            CommitBatch.OutboxRow(eventID: nil, flightID: nil, topic: "t", payload: Array("{}".utf8)),
        ]
        let insert = CommitStatements.statements(for: batch)[1]
        #expect(insert.sql.contains("row_number() OVER (ORDER BY ordinal)"))
        #expect(insert.sql.contains("NOT EXISTS (SELECT 1 FROM flightedge.outbox o WHERE o.event_id = input.event_id)"))
        #expect(insert.sql.contains("flightedge.event_stream"))
        #expect(!insert.sql.contains("ON CONFLICT (event_id)"), "a conflict skipped after numbering would leave a hole")
        #expect(insert.sql.contains("RETURNING id, event_id, stream_seq"))
        // The payload goes in two parts, split after `seq`; one without the place goes whole.
        let heads = try #require(PostgresBinaryArrayTests.read(insert.parameters[3]), "arrays go in binary")
        let tails = try #require(PostgresBinaryArrayTests.read(insert.parameters[4]))
        #expect(
            heads.elements.map { String(decoding: $0 ?? [], as: UTF8.self) }
                == [#"{"schema":"flightedge.event/1","flight_id":"LX1-20261124-D","seq":3,"#, "{}"])
        #expect(tails.elements.map { String(decoding: $0 ?? [], as: UTF8.self) } == [#""kind":"x"}"#, ""])
    }
}

@Suite struct StoreErrorTests {
    @Test func aConnectionProblemIsUnreachableAndAnythingElseAQueryFailure() {
        let lost = StoreError.wrapping(
            PostgresError(code: .connectionLost, message: "server closed the connection"), while: "cannot read")
        #expect(lost.code == .unreachable)
        #expect(lost.description == "cannot read: connection lost: server closed the connection")
        let refused = StoreError.wrapping(
            PostgresError(code: .queryFailed, message: "permission denied for schema flightedge", sqlState: "42501"),
            while: "cannot read the history of LX1234-20261124-D")
        #expect(refused.code == .queryFailed)
        #expect(refused.sqlState == "42501")
        #expect(
            refused.description
                == "cannot read the history of LX1234-20261124-D: query failed: permission denied for schema flightedge (SQLSTATE 42501)")
    }
}
