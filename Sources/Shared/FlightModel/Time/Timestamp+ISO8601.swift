import JSON

extension Timestamp {
    /// Parses an ISO 8601 / RFC 3339 date-time. Accepted:
    ///
    /// - `yyyy-MM-ddTHH:mm`, optionally `:ss`, optionally a fraction of 1–9 digits after the
    ///   seconds (`.` or `,`; truncated to milliseconds);
    /// - then `Z`, an offset `±hh:mm`, `±hhmm` or `±hh` (at most 18 hours), or nothing (UTC);
    /// - `t` or a space instead of `T`, `z` instead of `Z`; a leap second `:60` reads as `:59.999`.
    ///
    /// Returns nil for anything else, including impossible dates (2026-02-30, month 13, hour 24).
    /// Never traps, whatever the input.
    public init?(iso8601 text: some StringProtocol) {
        let utf8 = text.utf8
        guard utf8.count >= Self.shortestISO8601, utf8.count <= Self.longestISO8601 else { return nil }
        let parsed: Timestamp?
        if let result = utf8.withContiguousStorageIfAvailable({ Self.parseISO8601($0) }) {
            parsed = result
        } else {
            parsed = Array(utf8).withUnsafeBufferPointer { Self.parseISO8601($0) }
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// ``init(iso8601:)`` over UTF-8 bytes, for decoders that have not made a `String`.
    public init?(iso8601Bytes bytes: some Collection<UInt8>) {
        guard bytes.count >= Self.shortestISO8601, bytes.count <= Self.longestISO8601 else { return nil }
        let parsed: Timestamp?
        if let result = bytes.withContiguousStorageIfAvailable({ Self.parseISO8601($0) }) {
            parsed = result
        } else {
            parsed = Array(bytes).withUnsafeBufferPointer { Self.parseISO8601($0) }
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// `yyyy-MM-ddTHH:mm`
    private static let shortestISO8601 = 16
    /// `yyyy-MM-ddTHH:mm:ss.fffffffff+hh:mm`
    private static let longestISO8601 = 35

    private static func parseISO8601(_ b: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        let n = b.count
        guard n >= shortestISO8601 else { return nil }
        /// Two decimal digits at `i`, or nil.
        func twoDigits(_ i: Int) -> Int? {
            guard i >= 0, i + 1 < n else { return nil }
            let high = Int(b[i]) &- 48
            let low = Int(b[i + 1]) &- 48
            guard (0...9).contains(high), (0...9).contains(low) else { return nil }
            return high * 10 + low
        }
        let separator = b[10]
        guard let century = twoDigits(0), let yearOfCentury = twoDigits(2), b[4] == UInt8(ascii: "-"),
            let month = twoDigits(5), b[7] == UInt8(ascii: "-"), let day = twoDigits(8),
            separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " "),
            let hour = twoDigits(11), b[13] == UInt8(ascii: ":"), let minute = twoDigits(14)
        else { return nil }

        var index = 16
        var second = 0
        var millisecond = 0
        if index < n, b[index] == UInt8(ascii: ":") {
            guard let parsed = twoDigits(index + 1) else { return nil }
            second = parsed
            index += 3
            if index < n, b[index] == UInt8(ascii: ".") || b[index] == UInt8(ascii: ",") {
                index += 1
                let start = index
                while index < n, b[index] >= UInt8(ascii: "0"), b[index] <= UInt8(ascii: "9") {
                    if index - start < 3 { millisecond = millisecond * 10 + Int(b[index] - UInt8(ascii: "0")) }
                    index += 1
                }
                let fractionDigits = index - start
                guard (1...9).contains(fractionDigits) else { return nil }
                var scale = fractionDigits
                while scale < 3 {
                    millisecond *= 10
                    scale += 1
                }
            }
        }

        var offsetSeconds = 0
        if index < n {
            switch b[index] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                index += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = b[index] == UInt8(ascii: "-") ? -1 : 1
                guard let offsetHours = twoDigits(index + 1) else { return nil }
                index += 3
                var offsetMinutes = 0
                if index < n {
                    let colon = b[index] == UInt8(ascii: ":") ? 1 : 0
                    guard let parsed = twoDigits(index + colon) else { return nil }
                    offsetMinutes = parsed
                    index += colon + 2
                }
                guard offsetHours <= 18, offsetMinutes <= 59 else { return nil }
                offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
            default:
                return nil
            }
        }
        guard index == n else { return nil }

        let year = century * 100 + yearOfCentury
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year), hour <= 23,
            minute <= 59, second <= 60
        else { return nil }
        if second == 60 {
            second = 59
            millisecond = 999
        }
        let days = CivilDate.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        return Timestamp(millisecondsSinceEpoch: seconds * 1000 + Int64(millisecond))
    }

    /// `2026-11-24T06:30:00Z`; `2026-11-24T06:30:00.125Z` when the milliseconds are not zero.
    public var iso8601: String { iso8601(offsetSeconds: 0) }

    /// The local time at a UTC offset, with that offset: `2026-11-24T07:30:00+01:00` for 3600
    /// (`Z` for 0). The caller finds the offset, e.g. with Foundation's
    /// `TimeZone.secondsFromGMT(for:)`. The offset is taken in whole minutes, at most ±23:59.
    public func iso8601(offsetSeconds: Int) -> String {
        String(unsafeUninitializedCapacity: Self.longestFormatted) { writeISO8601(offsetSeconds: offsetSeconds, to: $0) }
    }

    /// At most what ``writeISO8601(offsetSeconds:to:)`` writes: a year of up to nine digits and
    /// its sign, milliseconds and an offset take 35 bytes.
    public static let longestFormatted = 40

    /// Writes ``iso8601(offsetSeconds:)``'s text as ASCII into `buffer` (at least
    /// ``longestFormatted`` bytes) and returns its length: no `String` on the way into a payload.
    public func writeISO8601(offsetSeconds: Int, to buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        precondition(buffer.count >= Self.longestFormatted)
        let out = buffer.baseAddress!
        let offset = max(-86_340, min(86_340, offsetSeconds)) / 60 * 60
        var (local, overflow) = millisecondsSinceEpoch.addingReportingOverflow(Int64(offset) * 1000)
        if overflow { local = offset < 0 ? .min : .max }
        let (seconds, millisecond) = Self.floorDivide(local, by: 1000)
        let (days, secondOfDay) = Self.floorDivide(seconds, by: 86_400)
        let (year, month, day) = CivilDate.civil(daysSinceEpoch: days)
        var count = 0
        if (0...9999).contains(year) {
            Self.putTwoDigits(year / 100, at: out)
            Self.putTwoDigits(year % 100, at: out + 2)
            count = 4
        } else {
            for byte in Self.expandedYear(year).utf8 {
                out[count] = byte
                count += 1
            }
        }
        let clock = Int(secondOfDay)
        out[count] = UInt8(ascii: "-")
        Self.putTwoDigits(month, at: out + count + 1)
        out[count + 3] = UInt8(ascii: "-")
        Self.putTwoDigits(day, at: out + count + 4)
        out[count + 6] = UInt8(ascii: "T")
        Self.putTwoDigits(clock / 3600, at: out + count + 7)
        out[count + 9] = UInt8(ascii: ":")
        Self.putTwoDigits(clock / 60 % 60, at: out + count + 10)
        out[count + 12] = UInt8(ascii: ":")
        Self.putTwoDigits(clock % 60, at: out + count + 13)
        count += 15
        if millisecond != 0 {
            let milliseconds = Int(millisecond)
            out[count] = UInt8(ascii: ".")
            out[count + 1] = UInt8(truncatingIfNeeded: milliseconds / 100) &+ UInt8(ascii: "0")
            Self.putTwoDigits(milliseconds % 100, at: out + count + 2)
            count += 4
        }
        if offset == 0 {
            out[count] = UInt8(ascii: "Z")
            return count + 1
        }
        out[count] = offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
        Self.putTwoDigits(abs(offset) / 3600, at: out + count + 1)
        out[count + 3] = UInt8(ascii: ":")
        Self.putTwoDigits(abs(offset) / 60 % 60, at: out + count + 4)
        return count + 6
    }

    /// `value` (0–99) as two ASCII digits.
    @inline(__always)
    private static func putTwoDigits(_ value: Int, at out: UnsafeMutablePointer<UInt8>) {
        out[0] = UInt8(truncatingIfNeeded: value / 10) &+ UInt8(ascii: "0")
        out[1] = UInt8(truncatingIfNeeded: value % 10) &+ UInt8(ascii: "0")
    }

    /// ISO 8601 expanded year for instants outside years 0000–9999: `+12345`, `-0044`.
    private static func expandedYear(_ year: Int) -> String {
        let digits = String(year.magnitude)
        return (year < 0 ? "-" : "+") + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Quotient rounded towards negative infinity, and the non-negative remainder.
    static func floorDivide(_ value: Int64, by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }
}

extension JSONWriter {
    /// `time` as an ISO 8601 string value (``Timestamp/iso8601(offsetSeconds:)``), formatted
    /// straight into the JSON without a `String` or an escaping pass.
    public mutating func time(_ time: Timestamp, offsetSeconds: Int = 0) {
        unescapedString(capacity: Timestamp.longestFormatted) { time.writeISO8601(offsetSeconds: offsetSeconds, to: $0) }
    }

    /// `"key":"2026-11-24T06:30:00Z"`, or with the offset given.
    public mutating func field(_ name: String, _ time: Timestamp, offsetSeconds: Int = 0) {
        key(name)
        self.time(time, offsetSeconds: offsetSeconds)
    }

    /// `"name":"2026-11-24T06:30:00Z"`, or with the offset given (``JSONWriter/memberName(_:)``).
    public mutating func member(_ name: StaticString, _ time: Timestamp, offsetSeconds: Int = 0) {
        memberName(name)
        self.time(time, offsetSeconds: offsetSeconds)
    }
}
