public import FlightModel
import Foundation

/// A daily period in the subscriber's time zone when non-urgent notifications wait, e.g.
/// 22:00–07:00 (it may wrap midnight). `from == to` is an empty period.
public struct QuietHours: Sendable, Hashable {
    /// Start, minutes after local midnight (0–1439), inclusive.
    public var fromMinute: Int
    /// End, minutes after local midnight (0–1439), exclusive.
    public var toMinute: Int

    /// Quiet hours between two minutes of the day; nil when either is outside 0–1439.
    public init?(fromMinute: Int, toMinute: Int) {
        guard (0..<1440).contains(fromMinute), (0..<1440).contains(toMinute) else { return nil }
        self.fromMinute = fromMinute
        self.toMinute = toMinute
    }

    /// Quiet hours from `HH:mm` texts (`"22:00"`, `"07:00"`), as the API takes them; nil when
    /// either is no time of day.
    public init?(from: String, to: String) {
        guard let start = Self.minuteOfDay(from), let end = Self.minuteOfDay(to) else { return nil }
        self.init(fromMinute: start, toMinute: end)
    }

    /// `HH:mm` → minutes after midnight; nil for anything else.
    public static func minuteOfDay(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]),
            let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        return hour * 60 + minute
    }

    /// True when local `minute` of the day lies inside the period.
    public func contains(minuteOfDay minute: Int) -> Bool {
        if fromMinute == toMinute { return false }
        if fromMinute < toMinute { return minute >= fromMinute && minute < toMinute }
        return minute >= fromMinute || minute < toMinute
    }

    /// When a notification due at `instant` may go: `instant` itself outside the period, else the
    /// period's end (the next local `to` time, in UTC). `zone` nil or unknown means UTC.
    public func release(of instant: Timestamp, zone: String?) -> Timestamp {
        let timeZone = zone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(secondsFromGMT: 0)!
        let offset = timeZone.secondsFromGMT(for: instant.date)
        let localMilliseconds = instant.millisecondsSinceEpoch + Int64(offset) * 1000
        let millisecondOfDay = ((localMilliseconds % 86_400_000) + 86_400_000) % 86_400_000
        let minute = Int(millisecondOfDay / 60_000)
        guard contains(minuteOfDay: minute) else { return instant }
        // Local midnight of this day, plus the end minute, on the right day.
        let startOfLocalDay = localMilliseconds - millisecondOfDay
        let endDay = toMinute > minute ? startOfLocalDay : startOfLocalDay + 86_400_000
        var end = Timestamp(millisecondsSinceEpoch: endDay + Int64(toMinute) * 60_000 - Int64(offset) * 1000)
        // A daylight-saving switch inside the quiet period moves the end's offset.
        let endOffset = timeZone.secondsFromGMT(for: end.date)
        if endOffset != offset { end = end.adding(seconds: offset - endOffset) }
        return max(end, instant)
    }
}
