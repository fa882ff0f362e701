/// A UTC instant with millisecond precision: source times, receipt times, block times.
///
/// Parsing and formatting are hand-written: this sits on the hot path of every update.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    /// Parses ISO 8601 date-times: `2026-11-24T06:30:00Z`, with 0–9 fractional digits
    /// (truncated to milliseconds), with `±hh:mm` or `±hhmm` offsets, or without a zone (taken
    /// as UTC). Returns nil for anything else, including impossible dates such as 2026-02-30.
    public init?(iso8601 text: some StringProtocol) {
        var utf8 = Array(text.utf8)
        guard utf8.count >= 16, utf8.count <= 40 else { return nil }
        if utf8[10] == UInt8(ascii: " ") || utf8[10] == UInt8(ascii: "t") { utf8[10] = UInt8(ascii: "T") }
        guard let parsed = utf8.withUnsafeBufferPointer({ Timestamp.parse($0) }) else { return nil }
        self = parsed
    }

    private static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= b.count else { return nil }
            var value = 0
            for index in start..<(start + count) {
                let digit = Int(b[index]) - 48
                guard digit >= 0 && digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = digits(0, 4), b[4] == UInt8(ascii: "-"), let month = digits(5, 2), b[7] == UInt8(ascii: "-"),
            let day = digits(8, 2), b[10] == UInt8(ascii: "T"), let hour = digits(11, 2), b[13] == UInt8(ascii: ":"),
            let minute = digits(14, 2)
        else { return nil }
        var index = 16
        var second = 0
        if index < b.count, b[index] == UInt8(ascii: ":") {
            guard let parsed = digits(17, 2) else { return nil }
            second = parsed
            index = 19
        }
        var milliseconds = 0
        if index < b.count, b[index] == UInt8(ascii: ".") || b[index] == UInt8(ascii: ",") {
            index += 1
            var count = 0
            while index < b.count, b[index] >= 48, b[index] <= 57 {
                if count < 3 { milliseconds = milliseconds * 10 + Int(b[index]) - 48 }
                count += 1
                index += 1
            }
            guard (1...9).contains(count) else { return nil }
            if count < 3 { for _ in count..<3 { milliseconds *= 10 } }
        }
        var offsetSeconds = 0
        if index < b.count {
            switch b[index] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                index += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = b[index] == UInt8(ascii: "-") ? -1 : 1
                guard let offsetHours = digits(index + 1, 2) else { return nil }
                var next = index + 3
                if next < b.count, b[next] == UInt8(ascii: ":") { next += 1 }
                guard let offsetMinutes = digits(next, 2), offsetHours <= 18, offsetMinutes <= 59 else { return nil }
                offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
                index = next + 2
            default:
                return nil
            }
        }
        guard index == b.count else { return nil }
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year), hour <= 23,
            minute <= 59, second <= 60
        else { return nil }
        let days = CivilDate.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offsetSeconds)
        return Timestamp(millisecondsSinceEpoch: seconds * 1000 + Int64(milliseconds))
    }

    /// `2026-11-24T06:30:00Z`, with `.mmm` only when the milliseconds are not zero.
    public var iso8601: String { iso8601(offsetSeconds: 0) }

    /// Local time with its offset, `2026-11-24T07:30:00+01:00` (`Z` for a zero offset).
    public func iso8601(offsetSeconds: Int) -> String {
        let local = millisecondsSinceEpoch + Int64(offsetSeconds) * 1000
        let milliseconds = Int(((local % 1000) + 1000) % 1000)
        let seconds = (local - Int64(milliseconds)) / 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = CivilDate.civil(daysSinceEpoch: days)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(29)
        func append(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(48 + (rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        append(year, 4)
        bytes.append(UInt8(ascii: "-"))
        append(month, 2)
        bytes.append(UInt8(ascii: "-"))
        append(day, 2)
        bytes.append(UInt8(ascii: "T"))
        append(secondOfDay / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        append(secondOfDay / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        append(secondOfDay % 60, 2)
        if milliseconds != 0 {
            bytes.append(UInt8(ascii: "."))
            append(milliseconds, 3)
        }
        if offsetSeconds == 0 {
            bytes.append(UInt8(ascii: "Z"))
        } else {
            bytes.append(offsetSeconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            let absolute = abs(offsetSeconds)
            append(absolute / 3600, 2)
            bytes.append(UInt8(ascii: ":"))
            append(absolute / 60 % 60, 2)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The UTC calendar date, `yyyy-MM-dd`.
    public var dateString: String { String(iso8601.prefix(10)) }

    public var description: String { iso8601 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// Whole minutes from `other` to `self`, rounded towards zero.
    public func minutes(since other: Timestamp) -> Int {
        Int((millisecondsSinceEpoch - other.millisecondsSinceEpoch) / 60_000)
    }

    /// The current wall-clock time.
    public static var now: Timestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Timestamp(millisecondsSinceEpoch: Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000)
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's algorithms).
enum CivilDate {
    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(daysSinceEpoch days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }
}
