/// A flight's operational date (DESIGN.md §2): AIDX `OriginDate`, else the scheduled
/// departure date at the origin. It never changes, even when the flight slips past midnight.
public struct FlightDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Parses `yyyy-MM-dd`; nil for anything else or an impossible date.
    public init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 10, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = Int(utf8[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public init?(year: Int, month: Int, day: Int) {
        guard (1900...2999).contains(year), (1...12).contains(month), day >= 1,
            day <= CivilDate.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The UTC date of an instant.
    public init(utcDateOf timestamp: Timestamp) {
        let days = timestamp.millisecondsSinceEpoch >= 0
            ? timestamp.millisecondsSinceEpoch / 86_400_000 : (timestamp.millisecondsSinceEpoch - 86_399_999) / 86_400_000
        let (year, month, day) = CivilDate.civil(daysSinceEpoch: days)
        self.year = year
        self.month = month
        self.day = day
    }

    /// `yyyy-MM-dd`
    public var description: String {
        "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))"
    }

    /// `yyyyMMdd`, as in the flight id.
    public var compact: String { "\(Self.pad(year, 4))\(Self.pad(month, 2))\(Self.pad(day, 2))" }

    /// Midnight UTC of this date.
    public var midnightUTC: Timestamp {
        Timestamp(millisecondsSinceEpoch: CivilDate.daysSinceEpoch(year: year, month: month, day: day) * 86_400_000)
    }

    public static func < (lhs: FlightDate, rhs: FlightDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
