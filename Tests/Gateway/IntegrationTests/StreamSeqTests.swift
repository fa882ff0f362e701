import FlightEdgeTestSupport
import Foundation
import HistoryStore
import JSON
import Logging
import MQTT
import Postgres
import PostgresSupport
import Testing

/// `stream_seq`: the airport's events numbered 1, 2, 3, … without holes, through batches,
/// restarts and a `kill -9`, and an upgraded database's events numbered in outbox order.
@Suite("Event stream: stream_seq without holes")
struct StreamSeqTests {
    /// One gate change of each of `flights` flights, round `round`: one event per line (the
    /// first round assigns the gate, which is an event too).
    static func gateChanges(round: Int, flights: Range<Int>) -> [String] {
        flights.map { flight in
            let time = String(format: "%02d:%02d:%02d", 1 + round / 3600, round / 60 % 60, round % 60)
            return #"{"airline":"LX","number":"\#(1000 + flight)","date":"\#(Fixture.day)","direction":"departure","scheduled":"\#(Fixture.day)T20:00:00Z","gate":"G\#(round)","source_time":"\#(Fixture.day)T\#(time)Z"}"#
        }
    }

    /// `stream_seq` of each event payload among `messages`.
    static func streamSeqs(_ messages: [MQTTMessage]) -> [Int64] {
        messages.compactMap { message in
            guard case .object(let object)? = try? JSONParser.parse(message.payload) else { return nil }
            return object["stream_seq"]?.integerValue
        }
    }

    static func scalar(_ connection: PostgresConnection, _ sql: String) throws -> Int64 {
        Int64(try connection.query(sql).rows.first?.first.flatMap { $0 } ?? "") ?? -1
    }

    @Test func streamSeqStartsAtOneAndGrowsByOneAcrossBatchesRestartsAndAKill() async throws {
        try await withDaemon(start: false) { daemon in
            let watcher = try MQTTWatcher()
            try watcher.subscribe(daemon.topic("events/#"))
            let events = { watcher.messages.filter { $0.topic.hasPrefix(daemon.topic("events/")) } }
            try daemon.start()
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            func allPublished(_ count: Int64) async throws {
                try await eventually("\(count) events committed and published", within: 60) {
                    try Self.scalar(connection, "SELECT count(*) FROM flightedge.outbox WHERE published_at IS NOT NULL") == count
                }
            }

            // Batches of several sizes, one after the other.
            var round = 0
            for flights in [1..<2, 0..<40, 0..<200] {
                round += 1
                try daemon.send(lines: Self.gateChanges(round: round, flights: flights))
                try await Task.sleep(for: .milliseconds(300))
            }
            try await allPublished(241)
            let first = Self.streamSeqs(events())
            #expect(first.sorted() == Array(1...241), "the first event of a new database is 1, then no hole")
            #expect(first == first.sorted(), "published in stream_seq order")

            // A clean restart continues the numbers.
            #expect(daemon.stop() == 0)
            try daemon.start()
            round += 1
            try daemon.send(lines: Self.gateChanges(round: round, flights: 0..<100))
            try await allPublished(341)

            // kill -9 in the middle of a stream: whatever was committed keeps its number, the
            // rest never got one, and the next start continues without a hole.
            for _ in 0..<5 {
                round += 1
                try daemon.send(lines: Self.gateChanges(round: round, flights: 0..<400))
            }
            try await Task.sleep(for: .milliseconds(150))
            daemon.crash()
            try daemon.start()
            round += 1
            try daemon.send(lines: Self.gateChanges(round: round, flights: 0..<50))
            let last = try Self.scalar(connection, "SELECT last_seq FROM flightedge.event_stream")
            try await eventually("every event committed before and after the kill published", within: 60) {
                let unpublished = try Self.scalar(connection, "SELECT count(*) FROM flightedge.outbox WHERE published_at IS NULL")
                let assigned = try Self.scalar(connection, "SELECT last_seq FROM flightedge.event_stream")
                return unpublished == 0 && assigned >= last + 50
            }
            let total = try Self.scalar(connection, "SELECT last_seq FROM flightedge.event_stream")
            #expect(total > 391, "events from before and after the kill")
            #expect(try Self.scalar(connection, "SELECT count(*) FROM flightedge.outbox") == total)
            #expect(try Self.scalar(connection, "SELECT count(DISTINCT stream_seq) FROM flightedge.outbox") == total)
            #expect(try Self.scalar(connection, "SELECT min(stream_seq) FROM flightedge.outbox") == 1)
            #expect(try Self.scalar(connection, "SELECT max(stream_seq) FROM flightedge.outbox") == total)
            // Numbers follow the outbox order.
            #expect(
                try connection.query(
                    """
                    SELECT count(*) FROM (SELECT stream_seq, lag(stream_seq) OVER (ORDER BY id) AS before
                                            FROM flightedge.outbox) AS pairs
                     WHERE stream_seq <> before + 1
                    """
                ).rows == [["0"]])
            // What the broker carried: every number from 1 to the last, each payload with the
            // number its outbox row has (duplicates after the kill are allowed, holes are not).
            try await watcher.wait(for: 30, "every stream_seq published") { _ in
                Set(Self.streamSeqs(events())).count == Int(total)
            }
            #expect(Set(Self.streamSeqs(events())) == Set(1...total))
            let stored = try connection.query("SELECT stream_seq, payload FROM flightedge.outbox").rows
            let payloadBySeq = Dictionary(
                stored.compactMap { row in row[0].flatMap { Int64($0) }.map { ($0, Array((row[1] ?? "").utf8)) } },
                uniquingKeysWith: { first, _ in first })
            for message in events() {
                guard let seq = Self.streamSeqs([message]).first else { continue }
                #expect(message.payload == payloadBySeq[seq], "stream_seq \(seq): the published bytes are the outbox's")
            }
            #expect(daemon.stop() == 0)
        }
    }

    /// Migration 3 on a database whose outbox already has events: they are numbered in outbox
    /// order, the member goes into their payloads after `seq`, and the next commit continues.
    @Test func migration3NumbersAnExistingOutboxInIdOrderAndTheNextCommitContinues() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let connection = try PostgresConnection(conninfo: url)
            #expect(try SchemaMigrator(connection: connection).migrate(upTo: 2).applied == [1, 2])
            for index in 1...5 {
                let published = index <= 3 ? "now()" : "NULL"
                try connection.execute(
                    """
                    INSERT INTO flightedge.outbox (event_id, flight_id, topic, payload, published_at)
                    VALUES (gen_random_uuid(), 'LX\(index)-20261124-D', 'flightedge/ZRH/events/gate-change',
                            '{"schema":"flightedge.event/1","event_id":"e\(index)","kind":"gate-change","airport":"ZRH","flight_id":"LX\(index)-20261124-D","seq":\(10 + index),"occurred_at":"x","previous":{},"current":{"gate":"A\(index)"}}',
                            \(published))
                    """)
            }
            // A row deleted before the upgrade leaves a gap in ids, not in the numbers.
            try connection.execute("DELETE FROM flightedge.outbox WHERE flight_id = 'LX2-20261124-D'")
            #expect(try SchemaMigrator(connection: connection).migrate().applied == [3, 4])

            let rows = try connection.query("SELECT stream_seq, flight_id, payload FROM flightedge.outbox ORDER BY id").rows
            #expect(rows.map { $0[0] } == ["1", "2", "3", "4"])
            #expect(rows.map { $0[1] } == ["LX1-20261124-D", "LX3-20261124-D", "LX4-20261124-D", "LX5-20261124-D"])
            #expect(
                rows[1][2]
                    == #"{"schema":"flightedge.event/1","event_id":"e3","kind":"gate-change","airport":"ZRH","flight_id":"LX3-20261124-D","seq":13,"stream_seq":2,"occurred_at":"x","previous":{},"current":{"gate":"A3"}}"#)
            #expect(try connection.query("SELECT last_seq FROM flightedge.event_stream").rows == [["4"]])

            // The writer continues at 5, and the payload it hands back is the stored one.
            let writer = HistoryWriter(
                connector: DatabaseConnector(conninfo: url, password: nil, logger: Logger(label: "test")),
                logger: Logger(label: "test"))
            _ = try await writer.start()
            let rendered = Array(
                #"{"schema":"flightedge.event/1","event_id":"e6","kind":"delay","airport":"ZRH","flight_id":"LX6-20261124-D","seq":1,"occurred_at":"x"}"#
                    .utf8)
            var batch = CommitBatch()
            batch.outbox = [
                CommitBatch.OutboxRow(
                    eventID: "6f9619ff-8b86-d011-b42d-00c04fc964ff", flightID: "LX6-20261124-D",
                    topic: "flightedge/ZRH/events/delay", payload: rendered)
            ]
            let result = try await writer.commit(batch)
            #expect(result.outbox.first??.streamSeq == 5)
            let stored = try connection.query("SELECT payload FROM flightedge.outbox WHERE stream_seq = 5").rows
            #expect(stored.first?.first == String(decoding: result.payload(at: 0, rendered: rendered), as: UTF8.self))
            #expect(stored.first?.first??.contains(#""seq":1,"stream_seq":5,"occurred_at""#) == true)
        }
    }

    /// The same batch committed again (its answer lost with the connection): no number is used
    /// up, and the event keeps the number and the bytes it was stored with.
    @Test func aBatchCommittedAgainUsesUpNoNumber() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let writer = HistoryWriter(
                connector: DatabaseConnector(conninfo: url, password: nil, logger: Logger(label: "test")),
                logger: Logger(label: "test"))
            _ = try await writer.start()
            func batch(_ ids: [String]) -> CommitBatch {
                var batch = CommitBatch()
                batch.outbox = ids.enumerated().map { index, id in
                    CommitBatch.OutboxRow(
                        eventID: id, flightID: "LX\(index)-20261124-D", topic: "flightedge/ZRH/events/gate-change",
                        payload: Array(#"{"flight_id":"LX\#(index)-20261124-D","seq":1,"kind":"gate-change"}"#.utf8))
                }
                return batch
            }
            let a = "00000000-0000-5000-8000-00000000000a"
            let b = "00000000-0000-5000-8000-00000000000b"
            let c = "00000000-0000-5000-8000-00000000000c"
            let first = try await writer.commit(batch([a, b]))
            #expect(first.outbox.map { $0?.streamSeq } == [1, 2])
            let again = try await writer.commit(batch([a, b, c]))
            #expect(again.outbox.map { $0?.streamSeq } == [1, 2, 3])
            #expect(again.storedPayloads.keys.sorted() == [0, 1])
            let connection = try PostgresConnection(conninfo: url)
            #expect(try connection.query("SELECT last_seq FROM flightedge.event_stream").rows == [["3"]])
            #expect(try connection.query("SELECT stream_seq FROM flightedge.outbox ORDER BY id").rows == [["1"], ["2"], ["3"]])
        }
    }
}
