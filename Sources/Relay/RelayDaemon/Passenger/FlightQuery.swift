import Foundation

/// The passenger page's lookup (`/?flight=LX1234&date=2026-11-24`), checked: a flight number as
/// printed on a boarding pass (IATA `LX1234`, `U2 1474`, ICAO `SWR123`; case and spaces do not
/// matter) and the flight's date. A problem names the form field at fault.
struct FlightQuery: Sendable, Equatable {
    var airline: String
    var number: String
    var date: String

    /// The form field at fault and what was expected, in words for the page.
    struct Problem: Error, Sendable, Equatable {
        var field: String
        var message: String
    }

    init(flight: String, date: String) throws(Problem) {
        let compact = flight.uppercased().filter { !$0.isWhitespace }
        guard !compact.isEmpty else { throw Problem(field: "flight", message: "Enter your flight number, such as LX1234.") }
        guard compact.count <= 9, compact.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
            let (airline, number) = Self.split(compact)
        else {
            throw Problem(field: "flight", message: "A flight number is an airline code and a number, such as LX1234.")
        }
        self.airline = airline
        self.number = number
        let date = date.trimmingCharacters(in: .whitespaces)
        guard !date.isEmpty else { throw Problem(field: "date", message: "Enter the date of your flight.") }
        guard SubscriptionRequest.isDate(date) else {
            throw Problem(field: "date", message: "The date is the day of your flight as YYYY-MM-DD, such as 2026-11-24.")
        }
        self.date = date
    }

    /// `LX1234` → (LX, 1234); `U21474` → (U2, 1474); `SWR123` → (SWR, 123); a number may end in
    /// one letter (`LX1234A`).
    private static func split(_ text: String) -> (String, String)? {
        for length in [2, 3] where text.count > length {
            let airline = text.prefix(length)
            let number = text.dropFirst(length)
            let digits = number.last?.isLetter == true ? number.dropLast() : number
            guard (1...4).contains(digits.count), digits.allSatisfy(\.isNumber) else { continue }
            // Two characters: letters and digits, not two digits; three: ICAO, letters only.
            if length == 2, airline.allSatisfy(\.isNumber) { continue }
            if length == 3, !airline.allSatisfy(\.isLetter) { continue }
            return (String(airline), String(number))
        }
        return nil
    }

    /// The same flight with its number padded to four digits (`TP980` → `TP0980`), as some
    /// airports publish it; nil when the number has four digits already.
    var padded: FlightQuery? {
        let digits = number.prefix { $0.isNumber }
        guard digits.count < 4 else { return nil }
        var copy = self
        copy.number = String(repeating: "0", count: 4 - digits.count) + number
        return copy
    }

    /// The flight as people write it: `LX 1234`.
    var display: String { "\(airline) \(number)" }
    /// The page of this lookup.
    var path: String { "/?flight=\(airline)\(number)&date=\(date)" }
}
