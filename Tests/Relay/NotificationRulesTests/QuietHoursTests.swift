import FlightModel
import NotificationRules
import Testing

@Suite struct QuietHoursTests {
    let nightInZurich = QuietHours(from: "22:00", to: "07:00")

    @Test func aGateChangeWaitsUntilSevenLocalWhileACancellationGoesAtOnce() throws {
        var script = FlightScript()
        script.preferences = SubscriptionPreferences(timeZone: "Europe/Zurich", quietHours: nightInZurich)
        // 05:00Z is 06:00 in Zurich (UTC+1 in November): quiet until 07:00 local, 06:00Z.
        let gate = try #require(script.gate("A12", "B34", at: at("05:00")).notifications.first)
        #expect(gate.dueAt == at("06:00"))
        let late = try #require(script.delay(45, at: at("05:10")).notifications.first)
        #expect(late.dueAt == at("06:00"))
        let cancellation = try #require(
            script.apply(script.event(.cancellation, at: at("05:20"), current: ["status": "cancelled"])).notifications
                .first)
        #expect(cancellation.dueAt == at("05:20"))
    }

    @Test func outsideQuietHoursNothingMoves() throws {
        var script = FlightScript()
        script.preferences = SubscriptionPreferences(timeZone: "Europe/Zurich", quietHours: nightInZurich)
        let gate = try #require(script.gate("A12", "B34", at: at("06:10")).notifications.first)
        #expect(gate.dueAt == at("06:12"))
    }

    @Test func quietHoursWrapMidnightAndParse() throws {
        let quiet = try #require(nightInZurich)
        #expect(quiet.fromMinute == 22 * 60 && quiet.toMinute == 7 * 60)
        #expect(quiet.contains(minuteOfDay: 23 * 60))
        #expect(quiet.contains(minuteOfDay: 3 * 60))
        #expect(!quiet.contains(minuteOfDay: 7 * 60))
        #expect(!quiet.contains(minuteOfDay: 12 * 60))
        #expect(QuietHours(from: "24:00", to: "07:00") == nil)
        #expect(QuietHours(from: "7:00", to: "08:00") == nil)
        let day = try #require(QuietHours(from: "12:00", to: "14:00"))
        #expect(day.contains(minuteOfDay: 13 * 60))
        #expect(!day.contains(minuteOfDay: 23 * 60))
    }

    @Test func theReleaseIsTheNextLocalEndInUTC() throws {
        let quiet = try #require(nightInZurich)
        // 22:30Z = 23:30 Zurich: released at 07:00 Zurich the next day = 06:00Z.
        #expect(quiet.release(of: at("22:30"), zone: "Europe/Zurich") == Timestamp(iso8601: "2026-11-25T06:00:00Z"))
        #expect(quiet.release(of: at("12:00"), zone: "Europe/Zurich") == at("12:00"))
        // No zone: UTC.
        #expect(quiet.release(of: at("06:30"), zone: nil) == at("07:00"))
        #expect(quiet.release(of: at("06:30"), zone: "Not/AZone") == at("07:00"))
        // New York (UTC−5): 03:00Z is 22:00 local, released 07:00 local = 12:00Z.
        #expect(quiet.release(of: at("03:00"), zone: "America/New_York") == at("12:00"))
    }

    @Test func aDaylightSavingSwitchInsideTheQuietPeriodEndsItAtLocalTime() throws {
        // 29 March 2026, Zurich springs from 02:00 CET to 03:00 CEST.
        let quiet = try #require(QuietHours(from: "01:00", to: "04:00"))
        let release = quiet.release(of: Timestamp(iso8601: "2026-03-29T00:30:00Z")!, zone: "Europe/Zurich")
        #expect(release == Timestamp(iso8601: "2026-03-29T02:00:00Z"), "04:00 CEST")
    }
}
