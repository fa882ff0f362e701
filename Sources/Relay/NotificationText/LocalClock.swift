import FlightModel
import Foundation

/// Times and dates as the subscriber reads them: in their time zone, in their language's form.
struct LocalClock {
    let zone: TimeZone
    let language: Language
    /// True when no zone was given: times say `UTC`.
    let isUTC: Bool

    /// The clock of an IANA zone (`Europe/Zurich`); nil or unknown: UTC.
    init(zone identifier: String?, language: Language) {
        let zone = identifier.flatMap(TimeZone.init(identifier:))
        self.zone = zone ?? TimeZone(secondsFromGMT: 0)!
        self.isUTC = zone == nil
        self.language = language
    }

    /// `07:45` (`06:45 UTC` without a zone).
    func time(_ instant: Timestamp) -> String {
        let local = instant.millisecondsSinceEpoch / 1000 + Int64(zone.secondsFromGMT(for: instant.date))
        let minuteOfDay = ((local % 86_400) + 86_400) % 86_400 / 60
        let text = "\(Self.twoDigits(Int(minuteOfDay / 60))):\(Self.twoDigits(Int(minuteOfDay % 60)))"
        return isUTC ? "\(text) UTC" : text
    }

    /// A flight date `yyyy-MM-dd` as the language writes it: `24 Nov 2026`, `24.11.2026`.
    func date(_ text: String) -> String {
        guard let date = FlightDate(text) else { return text }
        switch language {
        case .en: return "\(date.day) \(Self.englishMonths[date.month - 1]) \(date.year)"
        case .de: return "\(Self.twoDigits(date.day)).\(Self.twoDigits(date.month)).\(date.year)"
        }
    }

    private static let englishMonths = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
