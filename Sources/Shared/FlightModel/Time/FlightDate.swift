import JSON

/// A flight's operational date (DESIGN.md §2): AIDX `OriginDate`, else the scheduled
/// departure date at the origin. It never changes, even when the flight slips past midnight.
public struct FlightDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// 1900–2999 when parsed; any year from ``init(utcDateOf:)``.
    public let year: Int
    /// 1–12.
    public let month: Int
    /// 1–31, valid for the month (29 February only in leap years).
    public let day: Int

    /// Parses `yyyy-MM-dd`; nil for anything else or an impossible date.
    public init?(_ text: some StringProtocol) {
        self.init(dashed: text.utf8)
    }

    /// The generic initializer for a `String`, as the decoders have it: called from another
    /// module, the generic one runs unspecialized.
    public init?(_ text: String) {
        // The bytes in place where the string has them contiguous (native and small strings).
        guard let parsed = text.utf8.withContiguousStorageIfAvailable({ FlightDate(dashed: $0) }) else {
            self.init(dashed: text.utf8)
            return
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// Parses `yyyy-MM-dd` from UTF-8 bytes (a decoder's text in place), as ``init(_:)-(String)``.
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        self.init(dashed: bytes)
    }

    private init?(dashed bytes: some Sequence<UInt8>) {
        var utf8 = bytes.makeIterator()
        guard let year = Self.number(&utf8, digits: 4), utf8.next() == UInt8(ascii: "-"),
            let month = Self.number(&utf8, digits: 2), utf8.next() == UInt8(ascii: "-"),
            let day = Self.number(&utf8, digits: 2), utf8.next() == nil
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Parses the compact `yyyyMMdd` of a flight id; nil for anything else or an impossible date.
    public init?(compact text: some StringProtocol) {
        var utf8 = text.utf8.makeIterator()
        guard let year = Self.number(&utf8, digits: 4), let month = Self.number(&utf8, digits: 2),
            let day = Self.number(&utf8, digits: 2), utf8.next() == nil
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// A calendar date in years 1900–2999; nil for an impossible one (2026-02-30).
    public init?(year: Int, month: Int, day: Int) {
        guard (1900...2999).contains(year), (1...12).contains(month), day >= 1,
            day <= CivilDate.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The UTC date of an instant (any year, unlike the failable initializers).
    public init(utcDateOf timestamp: Timestamp) {
        let days = Timestamp.floorDivide(timestamp.millisecondsSinceEpoch, by: 86_400_000).quotient
        (year, month, day) = CivilDate.civil(daysSinceEpoch: days)
    }

    /// `yyyy-MM-dd`
    public var description: String {
        // Written into the string's own storage: the interpolation cost ~1,000 instructions,
        // and every flight row and payload writes its date.
        guard Self.hasFourDigitYear(year) else { return "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))" }
        return String(unsafeUninitializedCapacity: 10) { writeDashed(to: $0) }
    }

    /// Writes `yyyy-MM-dd` at the start of `buffer` (at least 10 bytes) and returns 10; for a
    /// year outside 0–9999, which ``description`` writes with more or fewer digits, it writes
    /// that text instead (at most `buffer.count` bytes of it).
    public func writeDashed(to buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard Self.hasFourDigitYear(year), buffer.count >= 10, let out = buffer.baseAddress else {
            var written = 0
            for byte in description.utf8 where written < buffer.count {
                buffer[written] = byte
                written += 1
            }
            return written
        }
        Self.putDigits(year, count: 4, at: out)
        out[4] = UInt8(ascii: "-")
        Self.putDigits(month, count: 2, at: out + 5)
        out[7] = UInt8(ascii: "-")
        Self.putDigits(day, count: 2, at: out + 8)
        return 10
    }

    private static func hasFourDigitYear(_ year: Int) -> Bool { (0...9999).contains(year) }

    /// `value` (0 ..< 10^count) as `count` decimal digits, zero-padded.
    private static func putDigits(_ value: Int, count: Int, at out: UnsafeMutablePointer<UInt8>) {
        var rest = value
        for index in stride(from: count - 1, through: 0, by: -1) {
            out[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        }
    }

    /// `yyyyMMdd`, as in the flight id.
    public var compact: String { "\(Self.pad(year, 4))\(Self.pad(month, 2))\(Self.pad(day, 2))" }

    /// Midnight UTC at the start of this date.
    public var midnightUTC: Timestamp {
        Timestamp(millisecondsSinceEpoch: CivilDate.daysSinceEpoch(year: year, month: month, day: day) * 86_400_000)
    }

    public static func < (lhs: FlightDate, rhs: FlightDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    private static func number(_ bytes: inout some IteratorProtocol<UInt8>, digits: Int) -> Int? {
        var value = 0
        for _ in 0..<digits {
            guard let byte = bytes.next(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.utf8.count >= width ? text : String(repeating: "0", count: width - text.utf8.count) + text
    }
}

extension JSONWriter {
    /// `"name":"yyyy-MM-dd"`, the date written straight into the JSON (``FlightDate/description``).
    public mutating func member(_ name: StaticString, _ date: FlightDate) {
        memberName(name)
        unescapedString(capacity: 16) { date.writeDashed(to: $0) }
    }
}
