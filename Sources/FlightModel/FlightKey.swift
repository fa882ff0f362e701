/// Arrival or departure, as seen from this airport.
public enum Direction: String, Sendable, Hashable, CaseIterable {
    case arrival
    case departure

    /// `A` or `D`, as in the flight id.
    public var letter: String { self == .arrival ? "A" : "D" }
}

/// Which flight an update is about (DESIGN.md §2): the operating carrier's code and number,
/// the operational date and the direction at this airport.
public struct FlightKey: Hashable, Sendable, CustomStringConvertible {
    /// IATA (2 characters) when the feed has it, else ICAO (3).
    public let airline: String
    /// Zero-padded to four digits: `JQ 355` → `0355`.
    public let number: String
    /// Operational suffix, one letter.
    public let suffix: String?
    public let date: FlightDate
    public let direction: Direction
    /// `{airline}{number}{suffix}-{yyyymmdd}-{A|D}`, e.g. `LX1234-20261124-D`.
    public let flightID: String

    /// Why an identity is not usable.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Validates and normalises an identity: airline 2–3 letters or digits (upper-cased),
    /// number 1–4 digits (zero-padded), suffix one letter.
    public init(airline: String, number: String, suffix: String? = nil, date: FlightDate, direction: Direction) throws(Problem) {
        let airlineCode = airline.trimmingSpaces().uppercased()
        guard (2...3).contains(airlineCode.count), airlineCode.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw Problem(message: "airline \"\(airline)\" is not a 2-letter IATA or 3-letter ICAO code")
        }
        let digits = number.trimmingSpaces()
        guard (1...4).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw Problem(message: "flight number \"\(number)\" is not 1 to 4 digits")
        }
        var normalizedSuffix: String?
        if let suffix, !suffix.trimmingSpaces().isEmpty {
            let letter = suffix.trimmingSpaces().uppercased()
            guard letter.count == 1, letter.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                throw Problem(message: "suffix \"\(suffix)\" is not one letter")
            }
            normalizedSuffix = letter
        }
        self.airline = airlineCode
        self.number = String(repeating: "0", count: 4 - digits.count) + digits
        self.suffix = normalizedSuffix
        self.date = date
        self.direction = direction
        self.flightID = "\(airlineCode)\(self.number)\(normalizedSuffix ?? "")-\(date.compact)-\(direction.letter)"
    }

    /// Parses a flight id back into its parts.
    public init?(flightID: String) {
        let parts = flightID.split(separator: "-")
        guard parts.count == 3, parts[1].count == 8, parts[2].count == 1,
            let date = FlightDate("\(parts[1].prefix(4))-\(parts[1].dropFirst(4).prefix(2))-\(parts[1].suffix(2))")
        else { return nil }
        let direction: Direction
        switch parts[2] {
        case "A": direction = .arrival
        case "D": direction = .departure
        default: return nil
        }
        var designator = Substring(parts[0])
        var suffix: String?
        if let last = designator.last, last.isLetter, designator.count >= 7 || designator.dropLast().last?.isNumber == true {
            // A trailing letter after the four digits is the suffix.
            if designator.dropLast().suffix(4).allSatisfy(\.isNumber) {
                suffix = String(last)
                designator = designator.dropLast()
            }
        }
        guard designator.count >= 6 else { return nil }
        let number = designator.suffix(4)
        let airline = designator.dropLast(4)
        guard let key = try? FlightKey(airline: String(airline), number: String(number), suffix: suffix, date: date, direction: direction),
            key.flightID == flightID
        else { return nil }
        self = key
    }

    public var description: String { flightID }

    public static func == (lhs: FlightKey, rhs: FlightKey) -> Bool { lhs.flightID == rhs.flightID }
    public func hash(into hasher: inout Hasher) { hasher.combine(flightID) }
}

extension String {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        while slice.last?.isWhitespace == true { slice.removeLast() }
        return String(slice)
    }
}
