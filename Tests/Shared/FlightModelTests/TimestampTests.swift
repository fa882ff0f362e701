import FlightModel
import Foundation
import Testing
import Timing

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2026-11-24T06:30:00Z", "2026-11-24T06:30:00Z"),
        ("2026-11-24T06:30Z", "2026-11-24T06:30:00Z"),
        ("2026-11-24T06:30:00", "2026-11-24T06:30:00Z"),
        ("2026-11-24T06:30", "2026-11-24T06:30:00Z"),
        ("2026-11-24t06:30:00z", "2026-11-24T06:30:00Z"),
        ("2026-11-24 06:30:00Z", "2026-11-24T06:30:00Z"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
        ("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"),
    ])
    func parsesDateTimesWithAndWithoutSecondsAndZone(input: String, expected: String) {
        #expect(Timestamp(iso8601: input)?.iso8601 == expected)
    }

    @Test(arguments: [
        ("2026-11-24T06:30:00Z", "2026-11-24T06:30:00Z"),
        ("2026-11-24T06:30:00.5Z", "2026-11-24T06:30:00.500Z"),
        ("2026-11-24T06:30:00.12Z", "2026-11-24T06:30:00.120Z"),
        ("2026-11-24T06:30:00.123Z", "2026-11-24T06:30:00.123Z"),
        ("2026-11-24T06:30:00.1239Z", "2026-11-24T06:30:00.123Z"),
        ("2026-11-24T06:30:00.999999Z", "2026-11-24T06:30:00.999Z"),
        ("2026-11-24T06:30:00.123456789Z", "2026-11-24T06:30:00.123Z"),
        ("2026-11-24T06:30:00,25Z", "2026-11-24T06:30:00.250Z"),
        ("2026-11-24T06:30:00.000Z", "2026-11-24T06:30:00Z"),
    ])
    func truncatesOneToNineFractionalDigitsToMilliseconds(input: String, expected: String) {
        #expect(Timestamp(iso8601: input)?.iso8601 == expected)
    }

    @Test(arguments: [
        ("2026-11-24T07:30:00+01:00", "2026-11-24T06:30:00Z"),
        ("2026-11-24T07:30:00+0100", "2026-11-24T06:30:00Z"),
        ("2026-11-24T07:30:00+01", "2026-11-24T06:30:00Z"),
        ("2026-11-24T01:00:00-05:30", "2026-11-24T06:30:00Z"),
        ("2026-11-24T01:00:00-0530", "2026-11-24T06:30:00Z"),
        ("2026-11-24T06:30:00+00:00", "2026-11-24T06:30:00Z"),
        ("2026-11-24T06:30:00-00:00", "2026-11-24T06:30:00Z"),
        ("2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00Z"),
        ("2026-01-01T00:15:00.250+01:00", "2025-12-31T23:15:00.250Z"),
        ("2026-11-24T20:30+14:00", "2026-11-24T06:30:00Z"),
    ])
    func appliesOffsetsWithOrWithoutColon(input: String, expected: String) {
        #expect(Timestamp(iso8601: input)?.iso8601 == expected)
    }

    @Test func knowsLeapYears() {
        #expect(Timestamp(iso8601: "2024-02-29T00:00:00Z")?.iso8601 == "2024-02-29T00:00:00Z")
        #expect(Timestamp(iso8601: "2000-02-29T12:00:00Z") != nil)  // divisible by 400
        #expect(Timestamp(iso8601: "2100-02-29T12:00:00Z") == nil)  // divisible by 100 only
        #expect(Timestamp(iso8601: "2026-02-29T00:00:00Z") == nil)
    }

    @Test func readsALeapSecondAsTheLastMillisecondOfTheMinute() {
        #expect(Timestamp(iso8601: "2016-12-31T23:59:60Z")?.iso8601 == "2016-12-31T23:59:59.999Z")
    }

    @Test(arguments: [
        "2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
        "2026-11-00T00:00:00Z", "2026-11-24T24:00:00Z", "2026-11-24T06:60:00Z", "2026-11-24T06:30:61Z",
    ])
    func refusesImpossibleDatesAndTimes(input: String) {
        #expect(Timestamp(iso8601: input) == nil)
    }

    @Test(arguments: [
        "", "2026-11-24", "2026-11-24T", "2026-11-24T06", "2026-11-24T6:30:00Z", "2026-11-24T06:30:0Z",
        "2026-11-24T06:30:00.Z", "2026-11-24T06:30:00.1234567890Z", "2026-11-24T06:30.5Z", "2026-11-24T06:30:00ZZ",
        "2026-11-24T06:30:00+25:00", "2026-11-24T06:30:00+01:60", "2026-11-24T06:30:00+1", "2026-11-24T06:30:00+01:",
        "2026-11-24T06:30:00+01:0", "2026-11-24T06:30:00 Z", "2026-11-24X06:30:00Z", "2026/11/24T06:30:00Z",
        "+2026-11-24T06:30:00Z", "-026-11-24T06:30:00Z", "２０２６-11-24T06:30:00Z", "2026-11-24T06:30:00Z\u{0}",
        "not a time at all", String(repeating: "9", count: 10_000),
        "2026-11-24T06:30:00." + String(repeating: "1", count: 40),
    ])
    func refusesMalformedText(input: String) {
        #expect(Timestamp(iso8601: input) == nil)
    }

    @Test func randomTextNeverTraps() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789-:TZtz+., \u{0}é")
        let template = Array("2026-11-24T06:30:00.123+01:00")
        for round in 0..<20_000 {
            var characters: [Character]
            if round % 2 == 0 {
                characters = (0..<Int.random(in: 0..<40, using: &generator)).map { _ in
                    alphabet.randomElement(using: &generator)!
                }
            } else {
                // Near misses: a valid time with a few characters replaced.
                characters = template
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    characters[Int.random(in: 0..<characters.count, using: &generator)] = alphabet.randomElement(
                        using: &generator)!
                }
            }
            let text = String(characters)
            if let parsed = Timestamp(iso8601: text) {
                // Whatever it accepts, it formats, and the format reads back the same.
                #expect(Timestamp(iso8601: parsed.iso8601) == parsed)
            }
        }
    }

    @Test func parsesSubstringsAndBytesAlike() {
        let line = "source_time=2026-11-24T06:30:00Z;"
        let slice = line.dropFirst(12).dropLast()
        #expect(Timestamp(iso8601: slice)?.iso8601 == "2026-11-24T06:30:00Z")
        #expect(Timestamp(iso8601Bytes: Array("2026-11-24T06:30:00Z".utf8)) == Timestamp(iso8601: slice))
        #expect(
            Timestamp(iso8601Bytes: Array("2026-11-24T06:30:00".utf8).dropLast(3))?.iso8601 == "2026-11-24T06:30:00Z")
        #expect(Timestamp(iso8601Bytes: Array("2026-11-24T06:30:00".utf8).dropLast(5)) == nil)
    }

    @Test func formatsLocalTimeWithItsOffset() {
        let time = Timestamp(iso8601: "2026-11-24T06:30:00Z")!
        #expect(time.iso8601(offsetSeconds: 3600) == "2026-11-24T07:30:00+01:00")
        #expect(time.iso8601(offsetSeconds: 0) == "2026-11-24T06:30:00Z")
        #expect(time.iso8601(offsetSeconds: -5 * 3600 - 1800) == "2026-11-24T01:00:00-05:30")
        #expect(time.iso8601(offsetSeconds: -7 * 3600) == "2026-11-23T23:30:00-07:00")
        #expect(
            Timestamp(iso8601: "2026-11-24T06:30:00.042Z")!.iso8601(offsetSeconds: 19_800)
                == "2026-11-24T12:00:00.042+05:30")
    }

    @Test func localTimeReadsBackAsTheSameInstant() {
        let time = Timestamp(iso8601: "2026-03-29T00:59:59.5Z")!
        for offset in stride(from: -12 * 3600, through: 14 * 3600, by: 900) {
            #expect(Timestamp(iso8601: time.iso8601(offsetSeconds: offset)) == time)
        }
    }

    @Test func formatsTheUTCDate() {
        #expect(Timestamp(iso8601: "2026-11-24T23:59:59.999Z")!.dateString == "2026-11-24")
        #expect(Timestamp(iso8601: "2026-11-24T23:30:00-01:00")!.dateString == "2026-11-25")
        #expect(Timestamp(millisecondsSinceEpoch: -1).dateString == "1969-12-31")
    }

    @Test func formatsInstantsFarFromTodayWithoutTrapping() {
        #expect(Timestamp(millisecondsSinceEpoch: -1).iso8601 == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp(millisecondsSinceEpoch: 253_402_300_800_000).iso8601 == "+10000-01-01T00:00:00Z")
        #expect(Timestamp(millisecondsSinceEpoch: -62_198_755_200_000).iso8601 == "-0001-01-01T00:00:00Z")
        for extreme in [Int64.min, Int64.min + 1, Int64.max, Int64.max - 1] {
            let time = Timestamp(millisecondsSinceEpoch: extreme)
            #expect(!time.iso8601.isEmpty)
            #expect(!time.iso8601(offsetSeconds: 14 * 3600).isEmpty)
            #expect(!time.iso8601(offsetSeconds: -12 * 3600).isEmpty)
            #expect(!time.iso8601(offsetSeconds: Int.max).isEmpty)
            _ = time.dateString
        }
    }

    @Test func ordersByInstantNotByText() {
        let utc = Timestamp(iso8601: "2026-11-24T06:30:00Z")!
        let zurich = Timestamp(iso8601: "2026-11-24T07:29:00+01:00")!
        #expect(zurich < utc)
        #expect(Timestamp(iso8601: "2026-11-24T07:30:00+01:00") == utc)
    }

    @Test func countsWholeMinutesTowardsZero() {
        let scheduled = Timestamp(iso8601: "2026-11-24T06:30:00Z")!
        #expect(Timestamp(iso8601: "2026-11-24T06:55:59Z")!.minutes(since: scheduled) == 25)
        #expect(Timestamp(iso8601: "2026-11-24T06:20:30Z")!.minutes(since: scheduled) == -9)
        #expect(scheduled.adding(minutes: 90).iso8601 == "2026-11-24T08:00:00Z")
        #expect(scheduled.adding(seconds: -30).iso8601 == "2026-11-24T06:29:30Z")
        #expect(Timestamp(millisecondsSinceEpoch: .max).adding(minutes: 1).millisecondsSinceEpoch == .max)
        #expect(
            Timestamp(millisecondsSinceEpoch: .min).minutes(since: Timestamp(millisecondsSinceEpoch: .max)) == Int.min)
    }

    @Test func convertsToAndFromFoundationDates() {
        let date = Date(timeIntervalSince1970: 1_795_501_800.25)
        let time = Timestamp(date)
        #expect(time.iso8601 == "2026-11-24T06:30:00.250Z")
        #expect(time.date == date)
        #expect(Timestamp(Date(timeIntervalSince1970: -0.0005)).millisecondsSinceEpoch == -1)
        #expect(abs(Timestamp.now.millisecondsSinceEpoch - Timestamp(Date()).millisecondsSinceEpoch) < 5_000)
    }
}
