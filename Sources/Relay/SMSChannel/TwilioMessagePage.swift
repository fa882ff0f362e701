import Foundation

/// One page of Twilio's Messages list (`GET …/Messages.json?To=…&From=…&PageSize=…`): the
/// messages newest first, and the path of the next (older) page.
struct TwilioMessagePage: Equatable {
    struct Message: Equatable {
        var sid: String
        var body: String
        /// `date_created`, in seconds since 1970.
        var created: Double
    }

    var messages: [Message]
    /// `next_page_uri`: a path on the API's host, nil on the last page.
    var nextPageURI: String?

    /// Reads a page; nil when `body` is no JSON object with a `messages` array. A message
    /// without a sid or a readable `date_created` is left out (it cannot be told apart).
    init?(json body: [UInt8]) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
            let list = object["messages"] as? [[String: Any]]
        else { return nil }
        messages = list.compactMap { entry in
            guard let sid = entry["sid"] as? String, let created = (entry["date_created"] as? String).flatMap(Self.date)
            else { return nil }
            return Message(sid: sid, body: entry["body"] as? String ?? "", created: created)
        }
        nextPageURI = (object["next_page_uri"] as? String).flatMap { $0.isEmpty ? nil : $0 }
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Twilio's dates, RFC 2822: `Sat, 06 Dec 2026 07:01:02 +0000`; nil for anything else.
    static func date(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])),
            let year = Int(parts[3]), parts[5].count == 5, let offset = Int(parts[5].dropFirst()),
            parts[5].first == "+" || parts[5].first == "-"
        else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (1...31).contains(day), (0...23).contains(clock[0]), (0...59).contains(clock[1]),
            (0...60).contains(clock[2])
        else { return nil }
        let offsetSeconds = (offset / 100 * 3600 + offset % 100 * 60) * (parts[5].first == "-" ? -1 : 1)
        let days = daysFromCivil(year: year, month: month + 1, day: day)
        return Double(days * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2] - offsetSeconds)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
