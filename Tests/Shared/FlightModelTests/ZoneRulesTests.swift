@testable import FlightModel
import Foundation
import Testing

/// Time zones read from the tz database: offsets, the footer rule, bad files and names.
@Suite struct ZoneRulesTests {
    /// Zones with 30- and 45-minute offsets, southern summers, negative DST (Dublin), DST ended
    /// (São Paulo, Tehran) and none at all.
    static let zones = [
        "Europe/Zurich", "Europe/London", "Europe/Dublin", "America/New_York", "America/St_Johns",
        "America/Sao_Paulo", "Australia/Sydney", "Australia/Lord_Howe", "Pacific/Chatham", "Pacific/Auckland",
        "Asia/Kolkata", "Asia/Tehran", "Asia/Tokyo", "Africa/Johannesburg", "UTC",
    ]
    static let withoutDaylightSince1980: Set = ["Asia/Kolkata", "Asia/Tokyo", "Africa/Johannesburg", "UTC"]

    /// Every change Foundation (ICU) knows from 1980 to 2100, at the second before, the second
    /// of, and halfway to the next: the table and, past 2037, the footer rule.
    @Test(arguments: zones) func agreesWithFoundationAtEveryChangeFrom1980To2100(name: String) throws {
        let rules = try #require(ZoneRules.named(name))
        #expect(rules.origin == .zoneinfo(path: "/usr/share/zoneinfo/\(name)"))
        let zone = try #require(TimeZone(identifier: name))
        let end = Date(timeIntervalSince1970: 4_102_444_800)  // 2100-01-01
        var instant = Date(timeIntervalSince1970: 315_532_800)  // 1980-01-01
        var changes = 0
        var mismatches: [String] = []
        while instant < end {
            let next = zone.nextDaylightSavingTimeTransition(after: instant) ?? end
            for probe in [instant, next.addingTimeInterval(-1), instant.addingTimeInterval(next.timeIntervalSince(instant) / 2)] {
                let seconds = Int64(probe.timeIntervalSince1970.rounded(.down))
                let expected = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))
                let got = rules.offsetSeconds(atEpochSeconds: seconds)
                if got != expected { mismatches.append("\(name) at \(seconds): \(got) ≠ \(expected)") }
            }
            instant = next
            changes += 1
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        // Zones with DST in the period change twice a year (São Paulo and Tehran until 2019 and 2022).
        #expect(Self.withoutDaylightSince1980.contains(name) || changes > 30)
    }

    @Test func footerRulesChangeAtTheirInstants() throws {
        // Expected instants from Python's zoneinfo over Debian's tzdata, 2090.
        let cases: [(String, Int64, Int)] = [
            ("CET-1CEST,M3.5.0,M10.5.0/3", 3_794_173_199, 3600), ("CET-1CEST,M3.5.0,M10.5.0/3", 3_794_173_200, 7200),
            ("CET-1CEST,M3.5.0,M10.5.0/3", 3_812_921_999, 7200), ("CET-1CEST,M3.5.0,M10.5.0/3", 3_812_922_000, 3600),
            ("AEST-10AEDT,M10.1.0,M4.1.0/3", 3_794_745_599, 39600), ("AEST-10AEDT,M10.1.0,M4.1.0/3", 3_794_745_600, 36000),
            ("AEST-10AEDT,M10.1.0,M4.1.0/3", 3_810_470_399, 36000), ("AEST-10AEDT,M10.1.0,M4.1.0/3", 3_810_470_400, 39600),
            ("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 3_794_173_199, -7200), ("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 3_794_173_200, -3600),
            ("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 3_812_921_999, -3600), ("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 3_812_922_000, -7200),
            ("<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45", 3_809_858_399, 45900),
            ("<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45", 3_809_858_400, 49500),
            ("<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45", 3_794_738_399, 49500),
            ("<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45", 3_794_738_400, 45900),
            ("<-03>3", 3_794_173_200, -10800),
            // DST all year (RFC 8536 §3.3.1): never standard time.
            ("EST5EDT,0/0,J365/25", 3_794_173_200, -14400), ("EST5EDT,0/0,J365/25", 3_786_000_000, -14400),
        ]
        for (text, seconds, offset) in cases {
            let rule = try #require(POSIXZoneRule(Substring(text)), "\(text)")
            #expect(rule.offset(atEpochSeconds: seconds) == offset, "\(text) at \(seconds)")
        }
    }

    @Test func footerRuleDaysFollowTheirNotation() throws {
        // J60 is March 1 in every year; 59 (zero-based) is February 29 in a leap year.
        let julian = POSIXZoneRule.Change(day: .julianSkippingLeapDay(60), seconds: 0)
        let zeroBased = POSIXZoneRule.Change(day: .zeroBasedDayOfYear(59), seconds: 0)
        #expect(julian.epochSeconds(year: 2028) == 1_835_481_600)  // 2028-03-01
        #expect(zeroBased.epochSeconds(year: 2028) == 1_835_395_200)  // 2028-02-29
        #expect(zeroBased.epochSeconds(year: 2027) == 1_803_859_200)  // 2027-03-01
        // The fifth Sunday is the last one even in a month with four.
        let lastSunday = POSIXZoneRule.Change(day: .weekdayOfMonth(month: 2, week: 5, weekday: 0), seconds: 3600)
        #expect(lastSunday.epochSeconds(year: 2026) == 1_771_722_000)  // 2026-02-22 01:00
    }

    @Test(arguments: ["", "CET", "CE-1", "CET-1CEST,M13.5.0,M10.5.0", "CET-1CEST,M3.5.0", "CET-1CEST,J0,J365",
        "CET-168", "<+01-1", "CET-1CEST,M3.5.0,M10.5.0/3x"])
    func malformedFooterRulesAreRefused(text: String) {
        #expect(POSIXZoneRule(Substring(text)) == nil)
    }

    @Test func malformedFilesNameWhatIsWrong() throws {
        let good = try #require(FileManager.default.contents(atPath: "/usr/share/zoneinfo/Europe/Zurich")).map { $0 }
        #expect(throws: TZifDecoder.DecodeError(description: "not a TZif file (no \"TZif\" header at byte 0)")) {
            try TZifDecoder.decode(Array("Europe/Zurich\n".utf8))
        }
        #expect(throws: TZifDecoder.DecodeError(description: "TZif file ends inside its version 1 data (200 bytes)")) {
            try TZifDecoder.decode(Array(good.prefix(200)))
        }
        var badFooter = good
        badFooter.removeLast(2)
        #expect(throws: TZifDecoder.DecodeError(description: "TZif footer is not a line after the data")) {
            try TZifDecoder.decode(badFooter)
        }
        var badType = good
        badType[4] = UInt8(ascii: "x")
        #expect(throws: TZifDecoder.DecodeError(description: "TZif version byte 120 is not 0 or a digit")) {
            try TZifDecoder.decode(badType)
        }
        let table = try TZifDecoder.decode(good)
        #expect(table.rule == POSIXZoneRule(Substring("CET-1CEST,M3.5.0,M10.5.0/3")))
        #expect(table.transitions.count == table.offsets.count && table.transitions.count > 100)
    }

    @Test func aDatabaseWithoutTheZoneOrWithABrokenFileLeavesItToFoundation() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zoneinfo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("Europe"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("not a zone".utf8).write(to: directory.appendingPathComponent("Europe/Zurich"))

        for name in ["Europe/Zurich", "America/New_York"] {
            let rules = try #require(ZoneRules.named(name, directory: directory.path))
            #expect(rules.origin == .foundation)
            // 2026-07-01 and 2026-01-01.
            let summer = rules.offsetSeconds(atEpochSeconds: 1_782_864_000)
            let winter = rules.offsetSeconds(atEpochSeconds: 1_767_225_600)
            #expect((summer, winter) == (name == "Europe/Zurich" ? (7200, 3600) : (-14400, -18000)))
        }
        #expect(ZoneRules.named("Mars/Olympus_Mons", directory: directory.path) == nil)
    }

    @Test(arguments: ["../../etc/passwd", "/etc/localtime", "Europe/../Europe/Zurich", "Europe//Zurich", "Europe/Zurich ", ""])
    func namesOutsideTheDatabaseAreNotFilesInIt(name: String) {
        #expect(!ZoneRules.isDatabaseName(name))
        #expect(ZoneRules.named(name)?.origin != .zoneinfo(path: "/usr/share/zoneinfo/\(name)"))
    }

    @Test func instantsBeforeTheEpochAndBeforeTheFirstChangeUseTheFirstType() throws {
        let zurich = try #require(ZoneRules.named("Europe/Zurich"))
        // Local mean time of Zurich before 1853 (+0:34:08), and 1969-12-31T23:59:59.5Z rounds down.
        #expect(zurich.offsetSeconds(atEpochSeconds: -4_000_000_000) == 2048)
        #expect(zurich.offsetSeconds(at: Timestamp(millisecondsSinceEpoch: -500)) == 3600)
        #expect(ZoneRules.utc.offsetSeconds(at: Timestamp(millisecondsSinceEpoch: 1_782_864_000_000)) == 0)
    }

    @Test func utcIsBuiltInAndSaysSo() {
        #expect(ZoneRules.utc.origin == .builtIn)
        #expect(ZoneRules.utc.identifier == "UTC")
    }
}
