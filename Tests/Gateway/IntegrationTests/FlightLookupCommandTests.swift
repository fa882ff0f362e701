import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

/// `flightedge history` by flight number, and `flightedge flights`: what a person types, in any
/// case, finds the flight; the board reads in the airport's local time.
@Suite("Finding flights at the command line")
struct FlightLookupCommandTests {
    @Test func historyAndFlightsFindFlightsByWhatAPersonTypes() async throws {
        try await withDaemon { daemon in
            try daemon.send(lines: PipelineEndToEndTests.script)
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("committed") {
                try connection.query("SELECT count(*) FROM flightedge.flights").rows == [["2"]]
                    && connection.query("SELECT state->>'status' FROM flightedge.flights WHERE number = '1234'").rows == [["departed"]]
            }
            // The same flight number on another day: a number alone then matches two flights.
            let otherDay = PipelineEndToEndTests.script[0].replacingOccurrences(of: Fixture.day, with: "2026-01-15")
            try daemon.send(lines: [otherDay])
            try await eventually("the other day committed") {
                try connection.query("SELECT count(*) FROM flightedge.flights").rows == [["3"]]
            }
            #expect(daemon.stop() == 0)
            let id = "LX1234-\(Fixture.compact)-D"
            let config = ["--config", daemon.configPath]

            let byNumber = try CommandRun(["history", "lx1234"] + config)
            #expect(byNumber.status == 0, "\(byNumber.errors)")
            #expect(byNumber.output.contains("2 flights LX1234 (airport local time, Europe/Zurich); give the date or the id"), "\(byNumber.output)")
            #expect(byNumber.output.contains(id) && byNumber.output.contains("LX1234-20260115-D"))
            #expect(!byNumber.output.contains("History of"))
            let byNumberAndDate = try CommandRun(["history", "LX1234", Fixture.day] + config)
            #expect(byNumberAndDate.output.contains("History of \(id)"), "\(byNumberAndDate.errors)")
            let lowerCaseID = try CommandRun(["history", id.lowercased()] + config)
            #expect(lowerCaseID.status == 0, "\(lowerCaseID.errors)")
            #expect(lowerCaseID.output.contains("History of \(id)"))

            let withoutLeadingZero = try CommandRun(["history", "ba117a"] + config)
            #expect(withoutLeadingZero.output.contains("History of BA0117A-\(Fixture.compact)-A"), "\(withoutLeadingZero.errors)")

            let unknown = try CommandRun(["history", "KL9322"] + config)
            #expect(unknown.status == 1)
            #expect(unknown.errors.contains("no flight KL9322 in the database"), "\(unknown.errors)")
            #expect(unknown.errors.contains("flightedge flights"), "a hint at what to try")
            let noSuchDay = try CommandRun(["history", "LX1234", "2001-01-01"] + config)
            #expect(noSuchDay.status == 1)
            #expect(noSuchDay.errors.contains("no flight LX1234 on 2001-01-01"))

            let board = try CommandRun(["flights", "--date", Fixture.day] + config)
            #expect(board.status == 0, "\(board.errors)")
            #expect(board.output.contains("Flights of \(daemon.airport) on \(Fixture.day): 2 (airport local time, Europe/Zurich)"))
            let localDeparture = String(Fixture.zurich("06:30").dropFirst(11).prefix(5))
            let row = board.output.split(separator: "\n").first { $0.contains(id) }.map(String.init) ?? ""
            #expect(row.hasPrefix(localDeparture), "scheduled in local time: \(row)")
            #expect(row.contains("LX1234") && row.contains("to LHR") && row.contains("B34") && row.contains("departed"), "\(row)")
            #expect(board.output.contains("BA0117A-\(Fixture.compact)-A"))

            let atGate = try CommandRun(["flights", "--date", Fixture.day, "--gate", "b34"] + config)
            #expect(atGate.output.contains(id) && !atGate.output.contains("BA0117A"), "\(atGate.output)")
            let cancelled = try CommandRun(["flights", "--date", Fixture.day, "--status", "Cancelled"] + config)
            #expect(cancelled.output.contains("BA0117A") && !cancelled.output.contains(id), "\(cancelled.output)")
            let none = try CommandRun(["flights", "--date", "2001-01-01"] + config)
            #expect(none.status == 1)
            #expect(none.errors.contains("no flights for \(daemon.airport) on 2001-01-01"))
            let badDate = try CommandRun(["flights", "--date", "tomorrow"] + config)
            #expect(badDate.status == 1)
            #expect(badDate.errors.contains("--date must be yyyy-MM-dd"))
        }
    }
}
