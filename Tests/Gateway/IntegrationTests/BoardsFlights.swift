import Foundation

/// Feed lines (jsonl) for the board tests: flights of today, their times near now, so that
/// every board shows them.
struct BoardsFlights {
    let date: String
    private let now: Date

    init(now: Date = Date()) {
        self.now = now
        date = Self.format(now, "yyyy-MM-dd")
    }

    /// `now` plus `minutes`, whole minutes, UTC.
    func time(_ minutes: Int) -> String {
        let rounded = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 60).rounded(.down) * 60)
        return Self.format(rounded.addingTimeInterval(Double(minutes) * 60), "yyyy-MM-dd'T'HH:mm:ss'Z'")
    }

    /// A departure's line; `fields` are extra JSON members, written as they are.
    func departure(_ airline: String, _ number: String, to destination: String, at minutes: Int, _ fields: String = "")
        -> String
    {
        line(airline, number, "departure", "\"origin\":\"ZRH\",\"destination\":\"\(destination)\"", minutes, fields)
    }

    func arrival(_ airline: String, _ number: String, from origin: String, at minutes: Int, _ fields: String = "") -> String {
        line(airline, number, "arrival", "\"origin\":\"\(origin)\",\"destination\":\"ZRH\"", minutes, fields)
    }

    /// `LX1234-20261205-D`
    func flightID(_ airline: String, _ number: String, _ direction: String = "D") -> String {
        "\(airline)\(String(repeating: "0", count: max(0, 4 - number.count)))\(number)-\(date.replacingOccurrences(of: "-", with: ""))-\(direction)"
    }

    private func line(_ airline: String, _ number: String, _ direction: String, _ places: String, _ minutes: Int, _ fields: String)
        -> String
    {
        let extra = fields.isEmpty ? "" : ",\(fields)"
        return "{\"airline\":\"\(airline)\",\"number\":\"\(number)\",\"date\":\"\(date)\",\"direction\":\"\(direction)\","
            + "\(places),\"scheduled\":\"\(time(minutes))\",\"source_time\":\"\(Self.format(Date(), "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"))\"\(extra)}"
    }

    private static func format(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }
}
