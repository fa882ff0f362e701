import FlightEdgeTestSupport
import FlightModel
import HistoryStore
import Logging
import Postgres
import PostgresSupport
import Testing

/// A batch committed twice, as when the connection drops after `COMMIT` and the writer sends the
/// batch again: nothing is written twice, and an event the broker never acknowledged is handed
/// back for publishing under its existing id, while a published one is not.
@Suite("History writer: a batch committed again")
struct HistoryWriterReplayTests {
    private static func batch(_ events: [String]) -> CommitBatch {
        var batch = CommitBatch()
        for (index, eventID) in events.enumerated() {
            batch.appendChange(
                flightID: "LX\(index)-20261124-D", seq: 1, field: "gate", oldJSON: nil, newJSON: #""A1""#, feed: "aodb",
                sourceTime: nil, receivedAt: 1_795_514_400_000)
            batch.outbox.append(CommitBatch.OutboxRow(
                eventID: eventID, flightID: "LX\(index)-20261124-D", topic: "flightedge/ZRH/events/gate-change",
                payload: Array(#"{"event":"gate-change"}"#.utf8)))
        }
        return batch
    }

    @Test func anUnpublishedEventOfARepeatedBatchIsHandedBackAndAPublishedOneIsNot() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let writer = HistoryWriter(
                connector: DatabaseConnector(conninfo: url, password: nil, logger: Logger(label: "test")), logger: Logger(label: "test"))
            _ = try await writer.start()
            let events = [
                EventID.make(airport: "ZRH", flightID: "LX0-20261124-D", seq: 1, kind: .gateChange),
                EventID.make(airport: "ZRH", flightID: "LX1-20261124-D", seq: 1, kind: .gateChange),
            ]
            let first = try await writer.commit(Self.batch(events))
            #expect(first.outboxIDs.allSatisfy { $0 != nil })
            let published = try #require(first.outboxIDs[0])
            try await writer.markPublished([published])

            let again = try await writer.commit(Self.batch(events))
            #expect(again.outboxIDs == [nil, first.outboxIDs[1]], "the unpublished event keeps its id; the published one is done")
            let connection = try PostgresConnection(conninfo: url)
            #expect(try connection.query("SELECT count(*) FROM flightedge.outbox").rows == [["2"]])
            #expect(try connection.query("SELECT count(*) FROM flightedge.flight_changes").rows == [["2"]])
        }
    }

    /// A migration that changes a column the commit returns, run beside a running writer: the
    /// writer's prepared statement cannot serve it any more (SQLSTATE 0A000). The batch is
    /// prepared again and committed whole, not refused (which would split it frame by frame).
    @Test func aTableChangedUnderThePreparedCommitCostsNoBatch() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let writer = HistoryWriter(
                connector: DatabaseConnector(conninfo: url, password: nil, logger: Logger(label: "test")), logger: Logger(label: "test"))
            _ = try await writer.start()
            let first = try await writer.commit(
                Self.batch([EventID.make(airport: "ZRH", flightID: "LX0-20261124-D", seq: 1, kind: .gateChange)]))
            #expect(first.outboxIDs.count == 1)
            let connection = try PostgresConnection(conninfo: url)
            try connection.execute("ALTER TABLE flightedge.outbox ALTER COLUMN stream_seq TYPE numeric")

            var second = Self.batch([EventID.make(airport: "ZRH", flightID: "LX0-20261124-D", seq: 2, kind: .gateChange)])
            second.changes[0].seq = 2
            let result = try await writer.commit(second)
            #expect(result.outboxIDs.count == 1 && result.outboxIDs[0] != nil)
            #expect(try connection.query("SELECT count(*), max(stream_seq)::text FROM flightedge.outbox").rows == [["2", "2"]])
            #expect(try connection.query("SELECT count(*) FROM flightedge.flight_changes").rows == [["2"]])
        }
    }
}
