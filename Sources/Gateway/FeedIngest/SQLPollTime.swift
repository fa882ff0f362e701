import Foundation

/// The timestamps of a `sql-poll` feed's rows made explicit for the csv decoder, purely.
///
/// Drivers print a `timestamp` column as local wall time (`2026-12-05 07:10:00`) and a
/// `timestamp with time zone` column with its offset (`2026-12-05 07:10:00+01`, `…Z`), both
/// possibly with fractional seconds. The csv decoder reads one pattern (`time_format`) in one
/// zone (`timezone`, default the airport's). So a value with an offset is converted to that
/// zone's wall time, and every timestamp is rewritten in the pattern (fractions dropped): a
/// `timestamptz` column and a local `timestamp` column of the same view both decode right.
/// Anything that is not shaped like a timestamp is left as it is (the decoder then names it).
struct SQLPollTime: Sendable {
    /// The csv decoder's `time_format`.
    let pattern: String
    let zone: TimeZone

    /// The wall time of `text` in ``zone`` written in ``pattern``; nil when `text` is not an
    /// SQL or ISO 8601 timestamp.
    func rewrite(_ text: String) -> String? {
        guard let parsed = Self.parse(Array(text.utf8)) else { return nil }
        var wall = parsed.wallSeconds
        if let offset = parsed.offsetSeconds {
            let instant = wall - offset
            wall = instant + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant))))
        }
        return format(wall)
    }

    /// Writes a wall time (seconds since 1970-01-01 00:00 of the same clock) in ``pattern``.
    func format(_ wall: Int64) -> String {
        let days = Int64((Double(wall) / 86_400).rounded(.down))
        let secondsOfDay = Int(wall - days * 86_400)
        let (year, month, day) = Self.civil(days: days)
        var out = ""
        var rest = Substring(pattern)
        let tokens: [(String, Int, Int)] = [
            ("yyyy", year, 4), ("MM", month, 2), ("dd", day, 2), ("HH", secondsOfDay / 3600, 2),
            ("mm", secondsOfDay / 60 % 60, 2), ("ss", secondsOfDay % 60, 2),
        ]
        outer: while let first = rest.first {
            for (name, value, width) in tokens where rest.hasPrefix(name) {
                let digits = String(value)
                out += String(repeating: "0", count: max(0, width - digits.count)) + digits
                rest = rest.dropFirst(name.count)
                continue outer
            }
            out.append(first)
            rest = rest.dropFirst()
        }
        return out
    }

    /// `yyyy-MM-dd[ T]HH:mm[:ss[.f…]][Z|±hh[[:]mm]]`, spaces around the zone allowed.
    static func parse(_ bytes: [UInt8]) -> (wallSeconds: Int64, offsetSeconds: Int64?)? {
        var index = 0
        func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<(index + width)] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += width
            return value
        }
        func skip(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), skip(UInt8(ascii: "-")), let month = number(2), skip(UInt8(ascii: "-")),
            let day = number(2), skip(UInt8(ascii: " ")) || skip(UInt8(ascii: "T")), let hour = number(2),
            skip(UInt8(ascii: ":")), let minute = number(2), (1...12).contains(month), (1...31).contains(day), hour < 24,
            minute < 60
        else { return nil }
        var second = 0
        if skip(UInt8(ascii: ":")) {
            guard let value = number(2), value < 61 else { return nil }
            second = min(value, 59)
            if skip(UInt8(ascii: ".")) || skip(UInt8(ascii: ",")) {
                while index < bytes.count, bytes[index] >= 0x30 && bytes[index] <= 0x39 { index += 1 }
            }
        }
        while skip(UInt8(ascii: " ")) {}
        var offset: Int64?
        if skip(UInt8(ascii: "Z")) {
            offset = 0
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign: Int64 = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let hours = number(2), hours <= 18 else { return nil }
            var minutes = 0
            if skip(UInt8(ascii: ":")) {
                guard let value = number(2) else { return nil }
                minutes = value
            } else if let value = number(2) {
                minutes = value
            }
            offset = sign * Int64(hours * 3600 + minutes * 60)
        }
        while skip(UInt8(ascii: " ")) {}
        guard index == bytes.count else { return nil }
        let wall = days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return (wall, offset)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = Int64((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1)
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count since 1970-01-01 (civil_from_days).
    static func civil(days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * shifted + 2) / 5 + 1)
        let month = Int(shifted < 10 ? shifted + 3 : shifted - 9)
        return (Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0), month, day)
    }
}
