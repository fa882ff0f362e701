import FlightEdgeTestSupport
import FlightModel
import Foundation
import JSON
import MQTT
import Postgres
import Testing

/// A scripted airport sequence through a real daemon, PostgreSQL and mosquitto.
@Suite("Feeds to PostgreSQL history and MQTT events, end to end")
struct PipelineEndToEndTests {
    /// LX1234 departs: scheduled, gate assigned, delayed past the threshold, gate change,
    /// boarding, departed. BA117A arrives cancelled.
    static let script = [
        #"{"airline":"LX","number":"1234","date":"\#(Fixture.day)","direction":"departure","origin":"ZRH","destination":"LHR","scheduled":"\#(Fixture.day)T06:30:00Z","terminal":"1","status":"scheduled","source_time":"\#(Fixture.day)T04:00:00Z"}"#,
        #"{"airline":"LX","number":"1234","date":"\#(Fixture.day)","direction":"departure","gate":"A12","estimated":"\#(Fixture.day)T06:35:00Z","source_time":"\#(Fixture.day)T05:00:00Z"}"#,
        #"{"airline":"LX","number":"1234","date":"\#(Fixture.day)","direction":"departure","estimated":"\#(Fixture.day)T06:55:00Z","status":"delayed","source_time":"\#(Fixture.day)T05:30:00Z"}"#,
        #"{"airline":"LX","number":"1234","date":"\#(Fixture.day)","direction":"departure","gate":"B34","remark":"Gate change","source_time":"\#(Fixture.day)T05:40:00Z"}"#,
        #"{"airline":"LX","number":"1234","date":"\#(Fixture.day)","direction":"departure","status":"boarding","source_time":"\#(Fixture.day)T06:25:00Z"}"#,
        #"{"airline":"LX","number":"1234","date":"\#(Fixture.day)","direction":"departure","status":"departed","actual":"\#(Fixture.day)T06:58:00Z","remark":null,"source_time":"\#(Fixture.day)T06:58:00Z"}"#,
        #"{"airline":"BA","number":"117","suffix":"A","date":"\#(Fixture.day)","direction":"arrival","origin":"LHR","scheduled":"\#(Fixture.day)T09:10:00Z","status":"cancelled","source_time":"\#(Fixture.day)T05:00:00Z"}"#,
    ]

    static let expectedEvents: [(flight: String, seq: Int64, kind: String)] = [
        ("LX1234-\(Fixture.compact)-D", 2, "gate-change"),
        ("LX1234-\(Fixture.compact)-D", 3, "delay"),
        ("LX1234-\(Fixture.compact)-D", 4, "gate-change"),
        ("LX1234-\(Fixture.compact)-D", 5, "boarding"),
        ("LX1234-\(Fixture.compact)-D", 6, "departure"),
        ("BA0117A-\(Fixture.compact)-A", 1, "cancellation"),
    ]

    private func changes(_ connection: PostgresConnection) throws -> [[String?]] {
        try connection.query(
            "SELECT flight_id, seq, field, new_value::text FROM flightedge.flight_changes ORDER BY flight_id, seq, field"
        ).rows
    }

    private func events(_ watcher: MQTTWatcher, _ daemon: DaemonProcess) -> [MQTTMessage] {
        watcher.messages.filter { $0.topic.hasPrefix(daemon.topic("events/")) }
    }

    @Test func aScriptedSequenceOverTCPGivesExactHistoryEventsAndRetainedState() async throws {
        try await withDaemon(start: false) { daemon in
            let watcher = try MQTTWatcher()
            try watcher.subscribe(daemon.topic("#"))
            try daemon.start()
            try daemon.send(lines: Self.script)

            let received = try await watcher.wait(for: 20, "six events") { _ in events(watcher, daemon).count >= 6 }
            _ = received
            let eventMessages = events(watcher, daemon)
            #expect(eventMessages.count == 6)
            var seen: [(String, Int64, String)] = []
            for message in eventMessages {
                #expect(SchemaValidator.violations(named: "event", message.payload).isEmpty, "\(message.text)")
                guard case .object(let object) = try JSONParser.parse(message.payload) else { continue }
                let flight = object["flight_id"]?.stringValue ?? ""
                let seq = object["seq"]?.integerValue ?? 0
                let kind = object["kind"]?.stringValue ?? ""
                seen.append((flight, seq, kind))
                #expect(message.topic == daemon.topic("events/\(kind)"))
                #expect(!message.retain)
                #expect(message.qos == 1)
                // The id is the name-based UUID of (flight, seq, kind), also as a v5 user property.
                let eventKind = try #require(EventKind(rawValue: kind))
                let expectedID = EventID.make(airport: daemon.airport, flightID: flight, seq: seq, kind: eventKind)
                #expect(object["event_id"]?.stringValue == expectedID)
                #expect(message.userProperties.contains { $0.name == "event_id" && $0.value == expectedID })
                #expect(message.contentType == "application/json")
            }
            let expected = Self.expectedEvents.map { ($0.flight, $0.seq, $0.kind) }
            #expect(seen.sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }.map { "\($0.0)/\($0.1)/\($0.2)" }
                == expected.sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }.map { "\($0.0)/\($0.1)/\($0.2)" })
            // The gate change carries both gates.
            let gateChange = try #require(eventMessages.first { $0.text.contains(#""seq":4"#) && $0.text.contains("gate-change") })
            #expect(gateChange.text.contains(#""previous":{"gate":"A12"}"#))
            #expect(gateChange.text.contains(#""current":{"gate":"B34"}"#))
            #expect(gateChange.text.contains(#""scheduled_local":"\#(Fixture.zurich("06:30"))""#))

            // Exactly the expected history rows.
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            let rows = try changes(connection)
            let lx = rows.filter { $0[0] == "LX1234-\(Fixture.compact)-D" }.map { "\($0[1]!) \($0[2]!)=\($0[3] ?? "null")" }
            #expect(lx == [
                #"1 destination="LHR""#, #"1 origin="ZRH""#, #"1 scheduled="\#(Fixture.day)T06:30:00Z""#, #"1 status="scheduled""#,
                #"1 terminal="1""#,
                #"2 estimated="\#(Fixture.day)T06:35:00Z""#, #"2 gate="A12""#,
                #"3 estimated="\#(Fixture.day)T06:55:00Z""#, #"3 status="delayed""#,
                #"4 gate="B34""#, #"4 remark="Gate change""#,
                #"5 status="boarding""#,
                #"6 actual="\#(Fixture.day)T06:58:00Z""#, "6 remark=null", #"6 status="departed""#,
            ])
            #expect(rows.filter { $0[0] == "BA0117A-\(Fixture.compact)-A" }.map { $0[2] ?? "" } == ["origin", "scheduled", "status"])

            // Every outbox row published (PUBACKed), and the retained state is the latest.
            try await eventually("outbox published") {
                try connection.query("SELECT count(*), count(published_at) FROM flightedge.outbox").rows == [["6", "6"]]
            }
            let board = try MQTTWatcher()
            try board.subscribe(daemon.topic("flights/#"))
            let retained = try await board.wait(for: 10, "retained flights") { $0.count >= 2 }
            let lxState = try #require(retained.first { $0.topic == daemon.topic("flights/LX1234-\(Fixture.compact)-D") })
            #expect(lxState.retain)
            #expect(SchemaValidator.violations(named: "flight", lxState.payload).isEmpty, "\(lxState.text)")
            guard case .object(let state) = try JSONParser.parse(lxState.payload) else { return }
            #expect(state["seq"]?.integerValue == 6)
            #expect(state["gate"]?.stringValue == "B34")
            #expect(state["status"]?.stringValue == "departed")
            #expect(state["remark"] == nil)
            #expect(state["delay_minutes"]?.integerValue == 25)
            #expect(daemon.stop() == 0)
        }
    }

    @Test func restartingAndResendingTheSameUpdatesAddsNoRowsAndNoEvents() async throws {
        try await withDaemon { daemon in
            try daemon.send(lines: Self.script)
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("all committed") {
                try connection.query("SELECT count(*) FROM flightedge.outbox WHERE published_at IS NOT NULL").rows == [["6"]]
            }
            let before = try changes(connection)
            #expect(daemon.stop() == 0)

            let watcher = try MQTTWatcher()
            try watcher.subscribe(daemon.topic("events/#"))
            try daemon.start()
            try daemon.send(lines: Self.script)
            try await Task.sleep(for: .seconds(2))
            #expect(try changes(connection) == before)
            #expect(try connection.query("SELECT count(*) FROM flightedge.outbox").rows == [["6"]])
            #expect(watcher.messages.isEmpty)
            // The state after the restart continues the seq.
            #expect(try connection.query("SELECT seq FROM flightedge.flights WHERE flight_id = 'LX1234-\(Fixture.compact)-D'").rows == [["6"]])
            #expect(daemon.stop() == 0)
        }
    }

    @Test func spoolFilesAreReadOnceInNameOrderAndMovedAfterCommit() async throws {
        try await withDaemon { daemon in
            // Written as .tmp (ignored), then renamed: only complete files are read.
            let first = daemon.spool.appendingPathComponent("001.jsonl")
            let second = daemon.spool.appendingPathComponent("002.jsonl")
            try (Self.script[0...2].joined(separator: "\n") + "\n").write(to: second.appendingPathExtension("tmp"), atomically: false, encoding: .utf8)
            try "not json at all\n".write(to: daemon.spool.appendingPathComponent("000-bad.jsonl"), atomically: true, encoding: .utf8)
            try (Self.script[6] + "\n").write(to: first, atomically: true, encoding: .utf8)
            try await Task.sleep(for: .seconds(1))
            #expect(FileManager.default.fileExists(atPath: second.path + ".tmp"))
            try FileManager.default.moveItem(at: second.appendingPathExtension("tmp"), to: second)

            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("both files committed and moved") {
                FileManager.default.fileExists(atPath: daemon.spool.appendingPathComponent("done/002.jsonl").path)
                    && FileManager.default.fileExists(atPath: daemon.spool.appendingPathComponent("done/001.jsonl").path)
            }
            #expect(FileManager.default.fileExists(atPath: daemon.spool.appendingPathComponent("rejected/000-bad.jsonl").path))
            #expect(!FileManager.default.fileExists(atPath: first.path))
            #expect(try connection.query("SELECT count(DISTINCT flight_id) FROM flightedge.flight_changes").rows == [["2"]])
            let rejected = try connection.query("SELECT feed, position, error, raw FROM flightedge.rejected_frames").rows
            #expect(rejected.count == 1)
            #expect(rejected.first?[0] == "drop")
            #expect(rejected.first?[1] == "000-bad.jsonl@0")
            #expect(rejected.first?[2]?.contains("byte 0") == true)
            #expect(rejected.first?[3].flatMap { $0 }.flatMap(PostgresResult.decodeBytea) == Array("not json at all".utf8))
            let checkpoint = try connection.query("SELECT file_name FROM flightedge.feed_checkpoints WHERE feed = 'drop'").rows
            #expect(checkpoint == [["002.jsonl"]])
            #expect(daemon.stop() == 0)
        }
    }

    /// A frame that passes every check of ours and that PostgreSQL still refuses (here a CHECK
    /// constraint an operator added): the batch it is in is rolled back and committed again
    /// frame by frame, so that frame alone lands in `rejected_frames` with PostgreSQL's reason.
    /// 600 frames sent at once form batches big enough for the history rows to go by COPY.
    @Test func aFramePostgreSQLRefusesIsRejectedAndTheRestOfItsBatchCommitted() async throws {
        try await withDaemon { daemon in
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try connection.execute(
                #"ALTER TABLE flightedge.flight_changes ADD CONSTRAINT no_gate_z99 CHECK (new_value IS DISTINCT FROM '"Z99"'::jsonb)"#)
            let lines = (0..<600).map { index in
                let gate = index == 300 ? "Z99" : "A\(index % 90 + 1)"
                return #"{"airline":"LX","number":"\#(1000 + index)","date":"\#(Fixture.day)","direction":"departure","#
                    + #""destination":"LHR","scheduled":"\#(Fixture.day)T10:00:00Z","terminal":"1","gate":"\#(gate)"}"#
            }
            try daemon.send(lines: lines)
            try await eventually("599 flights committed and one frame rejected") {
                try connection.query("SELECT count(*) FROM flightedge.flights").rows == [["599"]]
                    && connection.query("SELECT count(*) FROM flightedge.rejected_frames").rows == [["1"]]
            }
            let rejected = try connection.query("SELECT error, raw FROM flightedge.rejected_frames").rows
            #expect(rejected.first?[0]?.hasPrefix("refused by PostgreSQL:") == true, "\(rejected)")
            #expect(rejected.first?[0]?.contains("no_gate_z99") == true, "\(rejected)")
            #expect(rejected.first?[1].flatMap { $0 }.flatMap(PostgresResult.decodeBytea) == Array(lines[300].utf8))
            #expect(try connection.query("SELECT count(*) FROM flightedge.flight_changes WHERE field = 'gate'").rows == [["599"]])
            #expect(try connection.query("SELECT count(*) FROM flightedge.flights WHERE flight_id LIKE 'LX1300-%'").rows == [["0"]])
            #expect(daemon.stop() == 0)
        }
    }

    @Test func badFramesAreRejectedWithAReasonAndTheGoodOnesApplied() async throws {
        try await withDaemon { daemon in
            try daemon.send(lines: [
                #"{"airline":"LX","number":"1234","date":"\#(Fixture.day)","direction":"departure","gate":"A1"}"#,
                #"{"airline":"LX","number":"12345","date":"\#(Fixture.day)","direction":"departure"}"#,
                #"{"airline":"LX","number":"1234","date":"2026-02-30","direction":"departure"}"#,
                #"{"airline":"LX","number":"1234","date":"\#(Fixture.day)","direction":"departure","estimated":"soon"}"#,
                #"{"airline":"LX","number":"1234","date":"\#(Fixture.day)","direction":"departure","gat":"A2"}"#,
                "[1,2,3]",
                #"{"airline":"LX","number":"1234","date":"\#(Fixture.day)","direction":"departure","gate":"A3"}"#,
            ])
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("five rejections and two gates") {
                try connection.query("SELECT count(*) FROM flightedge.rejected_frames").rows == [["5"]]
                    && connection.query("SELECT count(*) FROM flightedge.flight_changes WHERE field = 'gate'").rows == [["2"]]
            }
            let reasons = try connection.query("SELECT error FROM flightedge.rejected_frames ORDER BY id").rows.map { $0[0] ?? "" }
            #expect(reasons == [
                #"flight number "12345" is not 1 to 4 digits"#,
                #"date: "2026-02-30" is not a date yyyy-MM-dd"#,
                #"estimated: "soon" is not an ISO 8601 time"#,
                "gat: unknown member (see DESIGN.md §3 for the fields)",
                "expected a JSON object, found an array",
            ])
            #expect(daemon.stop() == 0)
        }
    }
}

/// Polls `condition` until it holds, failing after `seconds`.
func eventually(_ what: String, within seconds: Double = 20, _ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if (try? condition()) == true { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    Issue.record("timed out waiting for: \(what)")
    throw TimedOut()
}

/// The day the scripted flights fly: tomorrow (UTC), so whenever the tests run, none of them
/// has ended long enough ago for housekeeping to clear it from the retained topics.
enum Fixture {
    private static let tomorrow = Date().addingTimeInterval(86_400)

    /// `yyyy-MM-dd`
    static let day: String = format(tomorrow, "yyyy-MM-dd", zone: .gmt)
    /// `yyyyMMdd`, as in flight ids.
    static let compact: String = day.replacingOccurrences(of: "-", with: "")

    /// `HH:mm` UTC on the fixture day, as Zurich local time with its offset (`…T07:30:00+01:00`).
    static func zurich(_ utc: String) -> String {
        let parser = DateFormatter()
        parser.locale = Locale(identifier: "en_US_POSIX")
        parser.timeZone = .gmt
        parser.dateFormat = "yyyy-MM-dd HH:mm"
        guard let instant = parser.date(from: "\(day) \(utc)") else { return "?" }
        return format(instant, "yyyy-MM-dd'T'HH:mm:ssxxx", zone: TimeZone(identifier: "Europe/Zurich") ?? .gmt)
    }

    private static func format(_ date: Date, _ pattern: String, zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }
}
