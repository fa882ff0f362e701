public import Foundation

/// A UTC instant with millisecond precision: source times, receipt times, block times.
///
/// Parsing and formatting (``init(iso8601:)``, ``iso8601``) are hand-written in
/// `Timestamp+ISO8601.swift`: they sit on the hot path of every update.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z; negative before it.
    public var millisecondsSinceEpoch: Int64

    /// The instant `millisecondsSinceEpoch` after the Unix epoch.
    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    /// The instant of a Foundation `Date`, truncated to the millisecond (towards the past).
    public init(_ date: Date) {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        self.millisecondsSinceEpoch = Int64(exactly: milliseconds) ?? (milliseconds < 0 ? .min : .max)
    }

    /// The same instant as a Foundation `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(millisecondsSinceEpoch) / 1000) }

    /// This instant moved by `minutes` (negative: earlier); saturates instead of overflowing.
    public func adding(minutes: Int) -> Timestamp { adding(Int64(clamping: minutes), unit: 60_000) }

    /// This instant moved by `seconds` (negative: earlier); saturates instead of overflowing.
    public func adding(seconds: Int) -> Timestamp { adding(Int64(clamping: seconds), unit: 1000) }

    private func adding(_ count: Int64, unit: Int64) -> Timestamp {
        let (delta, productOverflow) = count.multipliedReportingOverflow(by: unit)
        let (sum, sumOverflow) = millisecondsSinceEpoch.addingReportingOverflow(delta)
        if productOverflow || sumOverflow { return Timestamp(millisecondsSinceEpoch: count < 0 ? .min : .max) }
        return Timestamp(millisecondsSinceEpoch: sum)
    }

    /// Whole minutes from `other` to `self`, rounded towards zero (negative when `self` is earlier).
    public func minutes(since other: Timestamp) -> Int {
        let (difference, overflow) = millisecondsSinceEpoch.subtractingReportingOverflow(other.millisecondsSinceEpoch)
        if overflow { return millisecondsSinceEpoch < other.millisecondsSinceEpoch ? Int.min : Int.max }
        return Int(difference / 60_000)
    }

    /// The UTC calendar date of this instant.
    public var utcDate: FlightDate { FlightDate(utcDateOf: self) }

    /// The UTC calendar date, `yyyy-MM-dd`.
    public var dateString: String { utcDate.description }

    /// ``iso8601``.
    public var description: String { iso8601 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }
}
