import FlightEdgeTestSupport
import Foundation
import Testing

/// Issue 17, item 5: `simulate --now` (what scripts/run uses) opens the day 30 minutes before
/// the current time, with each flight dated by its own schedule.
@Suite struct SimulateNowTests {
    @Test func theDayOpensHalfAnHourBeforeNow() throws {
        let before = Date()
        let run = try CommandRun(["simulate", "--flights", "40", "--now"])
        #expect(run.status == 0, "\(run.errors)")
        let formatter = ISO8601DateFormatter()
        let scheduled = run.output.split(separator: "\n").compactMap { line -> Date? in
            guard let range = line.range(of: #""scheduled":""#) else { return nil }
            return formatter.date(from: String(line[range.upperBound...].prefix { $0 != "\"" }))
        }
        #expect(scheduled.count == 40)
        let first = try #require(scheduled.min())
        #expect(first >= before.addingTimeInterval(-31 * 60) && first <= before.addingTimeInterval(2 * 3600))
        #expect(scheduled.allSatisfy { $0 >= before.addingTimeInterval(-31 * 60) })
    }

    @Test func nowRefusesADateOrStartBeside() throws {
        let run = try CommandRun(["simulate", "--flights", "1", "--now", "--start", "06:00"])
        #expect(run.status == 1)
        #expect(run.errors.contains("--now starts the day from the current time: leave out --date and --start"), "\(run.errors)")
        #expect(run.output.isEmpty)
    }
}
