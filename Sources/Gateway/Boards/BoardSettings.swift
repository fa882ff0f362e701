import FlightModel
import Foundation

/// What every board page of one gateway shares: the airport, its time zone, the languages.
public struct BoardSettings: Sendable {
    public var airport: String
    /// IANA name, for the page's clock (the browser converts with it).
    public var timeZoneName: String
    /// Alternated on the screen, the first one first; never empty.
    public var languages: [BoardLanguage]
    let context: PayloadContext

    /// - Parameter languages: empty means English alone.
    public init(airport: String, zone: ZoneRules, languages: [BoardLanguage]) {
        self.airport = airport
        self.timeZoneName = zone.identifier
        self.languages = languages.isEmpty ? [.en] : languages
        self.context = PayloadContext(airport: airport, zone: zone)
    }

    /// `HH:MM` in the airport's local time.
    public func localTime(_ time: Timestamp) -> String {
        let seconds = time.millisecondsSinceEpoch / 1000 + Int64(context.offsetSeconds(at: time))
        let minuteOfDay = ((seconds / 60) % 1440 + 1440) % 1440
        let hours = minuteOfDay / 60
        let minutes = minuteOfDay % 60
        return (hours < 10 ? "0" : "") + "\(hours):" + (minutes < 10 ? "0" : "") + "\(minutes)"
    }

    /// A text in every configured language, each in a span the page's script shows in turn.
    func words(_ text: BoardText) -> String {
        languages.map { language in
            "<span class=\"t\" lang=\"\(language.rawValue)\">\(HTMLText.escape(language.word(text)))</span>"
        }.joined()
    }
}
