import FlightModel

/// Type B messages give only a day of the month (`/24`, `241200`) or a clock time (`1612`):
/// these rules turn them into instants, anchored on the envelope time or the receipt time.
enum TypeBDates {
    /// The date with day-of-month `day` nearest before `reference` (or at most one day after it:
    /// a message may name tomorrow's flight). A day larger than the reference allows is last
    /// month's, across year ends (received 2026-01-01, `/31` → 2025-12-31).
    static func date(day: Int, near reference: Timestamp) -> FlightDate? {
        guard (1...31).contains(day) else { return nil }
        let anchor = reference.utcDate
        // Next month (tomorrow may be the 1st), this month, then back: the latest such date
        // not more than a day after the reference.
        for offset in [1, 0, -1, -2, -3] {
            var month = anchor.month + offset
            var year = anchor.year
            if month > 12 {
                month -= 12
                year += 1
            } else if month < 1 {
                month += 12
                year -= 1
            }
            if let candidate = FlightDate(year: year, month: month, day: day),
                candidate.midnightUTC.millisecondsSinceEpoch <= reference.millisecondsSinceEpoch + 86_400_000
            {
                return candidate
            }
        }
        return nil
    }

    /// `ddhhmm` → the instant, the day resolved as in ``date(day:near:)``.
    static func dayTime(_ text: Substring, near reference: Timestamp) -> Timestamp? {
        guard text.count == 6, let day = Int(text.prefix(2)), let clock = minutes(text.suffix(4)),
            let date = date(day: day, near: reference)
        else { return nil }
        return date.midnightUTC.adding(minutes: clock)
    }

    /// `hhmm` → the instant at that clock time nearest to `reference` (within ±12 h): an
    /// off-block at 0010 after a flight dated the day before is just after midnight.
    static func clockTime(_ text: Substring, near reference: Timestamp) -> Timestamp? {
        guard let clock = minutes(text) else { return nil }
        let midnight = reference.utcDate.midnightUTC
        let candidates = [-1, 0, 1].map { midnight.adding(minutes: $0 * 1440 + clock) }
        return candidates.min {
            abs($0.millisecondsSinceEpoch - reference.millisecondsSinceEpoch)
                < abs($1.millisecondsSinceEpoch - reference.millisecondsSinceEpoch)
        }
    }

    /// `time` moved forward by whole days until it is not before `floor` (less an hour of
    /// tolerance): an estimated arrival of a long flight, or an on-block after midnight, comes
    /// after the time it follows in the same message.
    static func notBefore(_ time: Timestamp, _ floor: Timestamp?) -> Timestamp {
        guard let floor else { return time }
        var result = time
        while result.millisecondsSinceEpoch < floor.millisecondsSinceEpoch - 3_600_000 { result = result.adding(minutes: 1440) }
        return result
    }

    /// `hhmm` or `ddhhmm`.
    static func time(_ text: Substring, near reference: Timestamp) -> Timestamp? {
        switch text.count {
        case 4: clockTime(text, near: reference)
        case 6: dayTime(text, near: reference)
        default: nil
        }
    }

    /// Minutes after midnight of `hhmm`; nil unless 4 digits forming a valid time.
    static func minutes(_ text: Substring) -> Int? {
        guard text.count == 4, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text) else { return nil }
        let hours = value / 100
        let minutes = value % 100
        guard hours < 24, minutes < 60 else { return nil }
        return hours * 60 + minutes
    }
}
