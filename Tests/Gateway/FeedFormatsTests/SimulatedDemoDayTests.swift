import AirportSimulator
import Foundation
import Testing

/// Issue 17, item 5: the demo sent 93 % of the day in its first second, then trickled. A day that
/// opens a little before the start (`simulate --now`) sends only the state so far at once, then
/// a steady flow, with flights departing within minutes; each flight keeps its own date.
@Suite struct SimulatedDemoDayTests {
    /// 2026-12-04 19:30 UTC: the day opens at 19:00, so it runs past midnight.
    static let start: Int64 = 1_796_412_600
    static let day = AirportDay(airport: "ZRH", flights: 600, seed: 7, firstSchedule: start - 30 * 60)
    static let messages = day.messages()

    /// The string value of `key` in a message's JSON line (the simulator writes no spaces).
    static func value(_ key: String, in message: AirportDay.Message) -> String? {
        guard let range = message.json.range(of: "\"\(key)\":\"") else { return nil }
        return String(message.json[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test func onlyTheStateSoFarComesAtOnceThenAFlowFromTheFirstMinute() {
        let atOnce = Self.messages.filter { $0.time <= Self.start }.count
        #expect(atOnce * 100 / Self.messages.count < 20, "\(atOnce) of \(Self.messages.count) before the start")
        // Every one of the first 30 simulated minutes has messages of its own.
        for minute in 0..<30 {
            let from = Self.start + Int64(minute) * 60
            #expect(Self.messages.contains { $0.time > from && $0.time <= from + 60 }, "minute \(minute) is silent")
        }
    }

    @Test func flightsDepartWithinMinutesOfTheStart() throws {
        let departed = Self.messages.first { $0.time > Self.start && Self.value("status", in: $0) == "departed" }
        let first = try #require(departed)
        #expect(first.time - Self.start < 15 * 60)
    }

    @Test func flightsAfterMidnightCarryTheirOwnDate() throws {
        var dates: [String: Set<String>] = [:]
        for message in Self.messages {
            guard let scheduled = Self.value("scheduled", in: message), let date = Self.value("date", in: message)
            else { continue }
            dates[date, default: []].insert(String(scheduled.prefix(10)))
        }
        #expect(dates.keys.sorted() == ["2026-12-04", "2026-12-05"])
        for (date, scheduledOn) in dates { #expect(scheduledOn == [date]) }
    }

    @Test func aMidnightDayIsTheSameDayAsBefore() {
        let midnight = AirportDay(airport: "ZRH", flights: 50, seed: 3, dayStart: 1_796_428_800)
        #expect(midnight.firstSchedule == 1_796_428_800 + 5 * 3600)
        #expect(midnight.messages().allSatisfy { $0.json.contains(#""date":"2026-12-05""#) })
    }
}
