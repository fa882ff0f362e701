import FlightEdgeTestSupport
import Foundation
import MQTT
import Postgres
import Testing

@Suite("Housekeeping, history and simulate")
struct HousekeepingAndToolsTests {
    @Test func aFlightThatEndedLongAgoIsClearedFromRetainedTopicsButKeepsItsHistory() async throws {
        try await withDaemon(start: false) { daemon in
            let watcher = try MQTTWatcher()
            try watcher.subscribe(daemon.topic("flights/#"))
            try daemon.start()
            try daemon.send(lines: [
                // Landed two days ago: long past retain_hours (12).
                #"{"airline":"LX","number":"8","date":"2020-01-01","direction":"arrival","scheduled":"2020-01-01T10:00:00Z","actual":"2020-01-01T10:05:00Z","status":"arrived"}"#,
                // Delayed far into the future: must stay, whatever its scheduled time.
                #"{"airline":"LX","number":"9","date":"2020-01-01","direction":"departure","scheduled":"2020-01-01T10:00:00Z","estimated":"2099-01-01T10:00:00Z"}"#,
            ])
            let ended = daemon.topic("flights/LX0008-20200101-A")
            try await watcher.wait(for: 20, "the ended flight cleared") { messages in
                messages.contains { $0.topic == ended && $0.payload.isEmpty }
            }
            #expect(!watcher.messages.contains { $0.topic == daemon.topic("flights/LX0009-20200101-D") && $0.payload.isEmpty })
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            #expect(try connection.query("SELECT count(*) FROM flightedge.flight_changes WHERE flight_id = 'LX0008-20200101-A'").rows == [["3"]])
            // A late update to the cleared flight continues its seq and puts it back.
            try daemon.send(lines: [#"{"airline":"LX","number":"8","date":"2020-01-01","direction":"arrival","belt":"4"}"#])
            try await watcher.wait(for: 10, "the flight back with seq 2") { messages in
                messages.contains { $0.topic == ended && $0.text.contains(#""seq":2"#) }
            }
            #expect(daemon.stop() == 0)
        }
    }

    @Test func aFlightNotRestoredAtStartStillContinuesItsSeq() async throws {
        try await withDaemon { daemon in
            try daemon.send(lines: [
                #"{"airline":"LX","number":"8","date":"2020-01-01","direction":"arrival","actual":"2020-01-01T10:05:00Z","status":"arrived"}"#
            ])
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("committed") {
                try connection.query("SELECT seq FROM flightedge.flights").rows == [["1"]]
            }
            #expect(daemon.stop() == 0)
            // Ended long ago: not loaded at start, looked up when it is updated again.
            try daemon.start()
            try daemon.send(lines: [#"{"airline":"LX","number":"8","date":"2020-01-01","direction":"arrival","belt":"4"}"#])
            try await eventually("seq continued") {
                try connection.query("SELECT seq FROM flightedge.flights").rows == [["2"]]
                    && connection.query("SELECT count(*) FROM flightedge.flight_changes WHERE seq = 2 AND field = 'belt'").rows == [["1"]]
            }
            #expect(daemon.stop() == 0)
        }
    }

    @Test func historyPrintsEveryChangeAsATableAndAsJSON() async throws {
        try await withDaemon { daemon in
            try daemon.send(lines: Array(PipelineEndToEndTests.script[0...3]))
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("committed") {
                try connection.query("SELECT max(seq) FROM flightedge.flight_changes").rows == [["4"]]
            }
            #expect(daemon.stop() == 0)
            let table = try CommandRun(["history", "LX1234-\(Fixture.compact)-D", "--config", daemon.configPath])
            #expect(table.status == 0, "\(table.errors)")
            #expect(table.output.contains("History of LX1234-\(Fixture.compact)-D (11 changes)"))
            #expect(table.output.contains("A12"))
            let json = try CommandRun(["history", "LX1234-\(Fixture.compact)-D", "--config", daemon.configPath, "--json"])
            let lines = json.output.split(separator: "\n")
            #expect(lines.count == 11)
            #expect(lines.contains { $0.contains(#""field":"gate","old_value":"A12","new_value":"B34""#) })
            let missing = try CommandRun(["history", "XX0001-20261124-D", "--config", daemon.configPath])
            #expect(missing.status == 1)
        }
    }

    @Test func simulateIsDeterministicForASeedAndRealistic() throws {
        let first = try CommandRun(["simulate", "--flights", "50", "--seed", "42", "--date", "2026-11-24"])
        let again = try CommandRun(["simulate", "--flights", "50", "--seed", "42", "--date", "2026-11-24"])
        let other = try CommandRun(["simulate", "--flights", "50", "--seed", "43", "--date", "2026-11-24"])
        #expect(first.status == 0)
        #expect(first.output == again.output)
        #expect(first.output != other.output)
        let lines = first.output.split(separator: "\n")
        #expect(lines.count > 50 * 8)
        for kind in [#""gate":"#, #""status":"boarding""#, #""status":"departed""#, #""status":"arrived""#, #""belt":"#] {
            #expect(lines.contains { $0.contains(kind) }, "no \(kind) in the simulated day")
        }
        #expect(try CommandRun(["simulate", "--flights", "0"]).status == 1)
    }
}
