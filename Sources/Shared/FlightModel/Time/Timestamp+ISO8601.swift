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
        let offset = max(-86_340, min(86_340, offsetSeconds)) / 60 * 60
        var (local, overflow) = millisecondsSinceEpoch.addingReportingOverflow(Int64(offset) * 1000)
        if overflow { local = offset < 0 ? .min : .max }
        let (seconds, millisecond) = Self.floorDivide(local, by: 1000)
        let (days, secondOfDay) = Self.floorDivide(seconds, by: 86_400)
        let (year, month, day) = CivilDate.civil(daysSinceEpoch: days)
        let yearText = (0...9999).contains(year) ? nil : Self.expandedYear(year)
        let capacity = 25 + (yearText?.utf8.count ?? 4)
        return String(unsafeUninitializedCapacity: capacity) { buffer in
            var count = 0
            func put(_ byte: UInt8) {
                buffer[count] = byte
                count += 1
            }
            func put(_ value: Int, digits: Int) {
                var divisor = 1
                for _ in 1..<digits { divisor *= 10 }
                while divisor > 0 {
                    put(UInt8(truncatingIfNeeded: 48 + value / divisor % 10))
                    divisor /= 10
                }
            }
            if let yearText {
                for byte in yearText.utf8 { put(byte) }
            } else {
                put(year, digits: 4)
            }
            put(UInt8(ascii: "-"))
            put(month, digits: 2)
            put(UInt8(ascii: "-"))
            put(day, digits: 2)
            put(UInt8(ascii: "T"))
            put(Int(secondOfDay / 3600), digits: 2)
            put(UInt8(ascii: ":"))
            put(Int(secondOfDay / 60 % 60), digits: 2)
            put(UInt8(ascii: ":"))
            put(Int(secondOfDay % 60), digits: 2)
            if millisecond != 0 {
                put(UInt8(ascii: "."))
                put(Int(millisecond), digits: 3)
            }
            if offset == 0 {
                put(UInt8(ascii: "Z"))
            } else {
                put(offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
                put(abs(offset) / 3600, digits: 2)
                put(UInt8(ascii: ":"))
                put(abs(offset) / 60 % 60, digits: 2)
            }
            return count
        }
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
