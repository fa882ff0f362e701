/// A POSIX `TZ` rule such as `CET-1CEST,M3.5.0,M10.5.0/3`: what a TZif file's footer says about
/// every instant after its last transition (RFC 8536 §3.3, with its extensions: hours −167…167
/// in transition times, and DST all year written as `,0/0,J365/25`).
struct POSIXZoneRule: Equatable, Sendable {
    /// Standard time's offset east of UTC, seconds (the text writes it west: `CET-1` is +3600).
    let standardOffset: Int
    /// Daylight time: its offset and the two changes each year; nil where the zone has none.
    let daylight: Daylight?

    struct Daylight: Equatable, Sendable {
        let offset: Int
        /// Into daylight time, at `start.seconds` of local standard time that day.
        let start: Change
        /// Back to standard time, at `end.seconds` of local daylight time that day.
        let end: Change
    }

    /// A day of the year and the local time of day of a change.
    struct Change: Equatable, Sendable {
        enum Day: Equatable, Sendable {
            /// `Jn`: day 1–365, February 29 never counted.
            case julianSkippingLeapDay(Int)
            /// `n`: day 0–365, February 29 counted.
            case zeroBasedDayOfYear(Int)
            /// `Mm.w.d`: weekday `d` (0 Sunday) of week `w` (5 the last) of month `m`.
            case weekdayOfMonth(month: Int, week: Int, weekday: Int)
        }

        let day: Day
        /// Seconds after local midnight, −167 h…167 h; 2 h where the text gives none.
        let seconds: Int
    }

    /// The offset east of UTC at `seconds` since the epoch.
    func offset(atEpochSeconds seconds: Int64) -> Int {
        guard let daylight else { return standardOffset }
        let year = CivilDate.civil(daysSinceEpoch: Self.floorDiv(seconds + Int64(standardOffset), 86_400)).year
        let start = daylight.start.epochSeconds(year: year) - Int64(standardOffset)
        let end = daylight.end.epochSeconds(year: year) - Int64(daylight.offset)
        let inDaylight = start < end ? (seconds >= start && seconds < end) : (seconds < end || seconds >= start)
        return inDaylight ? daylight.offset : standardOffset
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
}

extension POSIXZoneRule.Change {
    /// The change in `year`, as seconds since the epoch of a clock at offset zero.
    func epochSeconds(year: Int) -> Int64 {
        let days: Int64
        switch day {
        case .julianSkippingLeapDay(let n):
            let leapShift = CivilDate.isLeap(year) && n >= 60 ? 1 : 0
            days = CivilDate.daysSinceEpoch(year: year, month: 1, day: 1) + Int64(n - 1 + leapShift)
        case .zeroBasedDayOfYear(let n):
            days = CivilDate.daysSinceEpoch(year: year, month: 1, day: 1) + Int64(n)
        case .weekdayOfMonth(let month, let week, let weekday):
            let first = CivilDate.daysSinceEpoch(year: year, month: month, day: 1)
            let firstWeekday = Int((first % 7 + 7 + 4) % 7)  // 1970-01-01 was a Thursday
            var day = 1 + (weekday - firstWeekday + 7) % 7 + (week - 1) * 7
            let length = CivilDate.daysIn(month: month, year: year)
            while day > length { day -= 7 }
            days = first + Int64(day - 1)
        }
        return days * 86_400 + Int64(seconds)
    }
}

extension POSIXZoneRule {
    /// Reads a rule; nil for text that is not one (the caller names the file it came from).
    init?(_ text: Substring) {
        var scanner = Scanner(bytes: Array(text.utf8))
        guard scanner.skipName(), let standardWest = scanner.time() else { return nil }
        standardOffset = -standardWest
        if scanner.atEnd {
            daylight = nil
            return
        }
        guard scanner.skipName() else { return nil }
        var daylightOffset = standardOffset + 3600
        if !scanner.atEnd, scanner.peek != UInt8(ascii: ",") {
            guard let west = scanner.time() else { return nil }
            daylightOffset = -west
        }
        let start: Change
        let end: Change
        if scanner.atEnd {
            // No rule given: POSIX leaves it to the implementation; tzcode uses the US rule.
            start = Change(day: .weekdayOfMonth(month: 3, week: 2, weekday: 0), seconds: 7200)
            end = Change(day: .weekdayOfMonth(month: 11, week: 1, weekday: 0), seconds: 7200)
        } else {
            guard scanner.take(","), let first = scanner.change(), scanner.take(","), let second = scanner.change(),
                scanner.atEnd
            else { return nil }
            start = first
            end = second
        }
        daylight = Daylight(offset: daylightOffset, start: start, end: end)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index == bytes.count }
        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard peek == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        /// `CET` (three or more letters) or `<+0330>` (quoted, any of `+-` digits and letters).
        mutating func skipName() -> Bool {
            if take("<") {
                let start = index
                while let byte = peek, byte != UInt8(ascii: ">") { index += 1 }
                guard index - start >= 3, take(">") else { return false }
                return true
            }
            let start = index
            while let byte = peek, (byte | 0x20) >= UInt8(ascii: "a"), (byte | 0x20) <= UInt8(ascii: "z") { index += 1 }
            return index - start >= 3
        }

        /// `[+-]hh[:mm[:ss]]` as seconds; hours up to 167.
        mutating func time() -> Int? {
            var sign = 1
            if take("-") { sign = -1 } else { _ = take("+") }
            guard let hours = number(maxDigits: 3), hours <= 167 else { return nil }
            var seconds = hours * 3600
            if take(":") {
                guard let minutes = number(maxDigits: 2), minutes < 60 else { return nil }
                seconds += minutes * 60
                if take(":") {
                    guard let secs = number(maxDigits: 2), secs < 60 else { return nil }
                    seconds += secs
                }
            }
            return sign * seconds
        }

        mutating func number(maxDigits: Int) -> Int? {
            var value = 0
            var digits = 0
            while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < maxDigits {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
            return digits > 0 ? value : nil
        }

        /// `Jn`, `n` or `Mm.w.d`, then an optional `/time`.
        mutating func change() -> Change? {
            let day: Change.Day
            if take("J") {
                guard let n = number(maxDigits: 3), (1...365).contains(n) else { return nil }
                day = .julianSkippingLeapDay(n)
            } else if take("M") {
                guard let month = number(maxDigits: 2), (1...12).contains(month), take("."),
                    let week = number(maxDigits: 1), (1...5).contains(week), take("."),
                    let weekday = number(maxDigits: 1), weekday <= 6
                else { return nil }
                day = .weekdayOfMonth(month: month, week: week, weekday: weekday)
            } else {
                guard let n = number(maxDigits: 3), n <= 365 else { return nil }
                day = .zeroBasedDayOfYear(n)
            }
            var seconds = 7200
            if take("/") {
                guard let time = time() else { return nil }
                seconds = time
            }
            return Change(day: day, seconds: seconds)
        }
    }
}
