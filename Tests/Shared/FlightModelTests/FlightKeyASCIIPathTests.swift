import AirportSimulator
import FlightModel
import Testing

/// The byte-level path of `FlightKey(airline:number:suffix:date:direction:)` must accept and
/// refuse exactly what the `Character`-level rules did, with the same key or the same message:
/// each case is checked against `reference`, a copy of those rules as they were before it.
@Suite struct FlightKeyASCIIPathTests {
    let date = FlightDate("2026-11-24")!

    /// What an identity gives: its key's parts, or the problem's message.
    enum Outcome: Equatable {
        case key(airline: String, number: String, suffix: String?, flightID: String)
        case problem(String)

        init(_ make: () throws(FlightKey.Problem) -> FlightKey) {
            do {
                let key = try make()
                self = .key(airline: key.airline, number: key.number, suffix: key.suffix, flightID: key.flightID)
            } catch {
                self = .problem(error.message)
            }
        }
    }

    /// The rules before the byte-level path (trimming by `Character`, `uppercased()`).
    func reference(_ airline: String, _ number: String, _ suffix: String?, _ date: FlightDate, _ direction: Direction)
        -> Outcome
    {
        func trimmed(_ text: some StringProtocol) -> Substring {
            var slice = Substring(text)
            while slice.first?.isWhitespace == true { slice = slice.dropFirst() }
            while slice.last?.isWhitespace == true { slice = slice.dropLast() }
            return slice
        }
        func isDigit(_ byte: UInt8) -> Bool { (48...57).contains(byte) }
        func isLetter(_ byte: UInt8) -> Bool { (65...90).contains(byte) || (97...122).contains(byte) }
        let code = String(trimmed(airline)).uppercased()
        let isIATA =
            code.utf8.count == 2 && code.utf8.allSatisfy { isDigit($0) || isLetter($0) }
            && code.utf8.contains(where: isLetter)
        guard isIATA || (code.utf8.count == 3 && code.utf8.allSatisfy(isLetter)) else {
            return .problem("airline \"\(airline.prefix(40))\" is not a 2-character IATA or 3-letter ICAO code")
        }
        let digits = trimmed(number)
        guard (1...4).contains(digits.utf8.count), digits.utf8.allSatisfy(isDigit) else {
            return .problem("flight number \"\(number.prefix(40))\" is not 1 to 4 digits")
        }
        var letter: String?
        if let suffix, !trimmed(suffix).isEmpty {
            letter = String(trimmed(suffix)).uppercased()
            guard letter!.utf8.count == 1, letter!.utf8.allSatisfy(isLetter) else {
                return .problem("suffix \"\(suffix.prefix(40))\" is not one letter")
            }
        }
        let padded = String(repeating: "0", count: 4 - digits.utf8.count) + digits
        return .key(
            airline: code, number: padded, suffix: letter,
            flightID: "\(code)\(padded)\(letter ?? "")-\(date.compact)-\(direction.letter)")
    }

    func expectSameAsReference(
        _ airline: String, _ number: String, _ suffix: String?, date: FlightDate? = nil,
        direction: Direction = .departure, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let date = date ?? self.date
        let expected = reference(airline, number, suffix, date, direction)
        let fromStrings = Outcome { () throws(FlightKey.Problem) in
            try FlightKey(airline: airline, number: number, suffix: suffix, date: date, direction: direction)
        }
        // Substrings take the generic initializer.
        let fromSubstrings = Outcome { () throws(FlightKey.Problem) in
            try FlightKey(airline: airline[...], number: number[...], suffix: suffix, date: date, direction: direction)
        }
        // The decoders' path from bytes in place: the same key, or nil for the strings' path to
        // decide; never nil for a valid identity in ASCII.
        let fromBytes = Array(airline.utf8).withUnsafeBufferPointer { airline in
            Array(number.utf8).withUnsafeBufferPointer { number in
                guard let suffix else {
                    return FlightKey(asciiAirline: airline, number: number, suffix: nil, date: date, direction: direction)
                }
                return Array(suffix.utf8).withUnsafeBufferPointer { suffix in
                    FlightKey(asciiAirline: airline, number: number, suffix: suffix, date: date, direction: direction)
                }
            }
        }
        if let fromBytes {
            #expect(Outcome { fromBytes } == expected, sourceLocation: sourceLocation)
            #expect(fromBytes.hashedID == HashedFlightID(fromBytes.flightID), sourceLocation: sourceLocation)
        } else if case .key = expected, (airline + number + (suffix ?? "")).utf8.allSatisfy({ $0 < 0x80 }),
            (0...9999).contains(date.year)
        {
            Issue.record("the byte path refused a valid ASCII identity", sourceLocation: sourceLocation)
        }
        #expect(fromStrings == expected, "\(airline.debugDescription) \(number.debugDescription) \(String(describing: suffix?.debugDescription))", sourceLocation: sourceLocation)
        #expect(fromSubstrings == expected, sourceLocation: sourceLocation)
    }

    /// Pieces of identities: ASCII letters, digits and spaces, and the non-ASCII text whose
    /// outcome only `Character` rules decide (Unicode spaces, a combining mark after a space,
    /// letters that upper-case into ASCII, full-width digits).
    static let pieces = [
        "L", "x", "z", "Q", "1", "0", "9", " ", "\t", "\n", "\r\n", "\r", "\u{0B}", "\u{0C}", "-", "\u{A0}", "\u{3000}",
        "\u{2009}", "\u{85}", "\u{301}", "ﬀ", "ı", "ſ", "ß", "é", "Ä", "１", "",
    ]

    @Test func everyShortAirlineGivesTheSameOutcome() {
        for a in Self.pieces {
            for b in Self.pieces {
                for c in ["", "L", "y", " ", "\u{A0}", "ﬀ", "2"] {
                    expectSameAsReference(a + b + c, "355", nil)
                }
            }
        }
    }

    @Test func everyShortNumberAndSuffixGivesTheSameOutcome() {
        for a in Self.pieces {
            for b in Self.pieces {
                expectSameAsReference("LX", a + b, nil)
                expectSameAsReference("LX", "12" + a + b, nil)
                expectSameAsReference("LX", a + "1234" + b, nil)
                expectSameAsReference("ezy", "1", a + b)
            }
        }
    }

    @Test func randomIdentitiesGiveTheSameOutcome() {
        var random = SeededGenerator(seed: 16)
        func text() -> String {
            (0..<Int.random(in: 0...6, using: &random)).map { _ in Self.pieces.randomElement(using: &random)! }.joined()
        }
        for _ in 0..<20_000 {
            expectSameAsReference(text(), text(), Bool.random(using: &random) ? nil : text())
        }
    }

    @Test func keysOfAnyDateAndDirectionAreTheSame() throws {
        for date in [
            FlightDate("1900-01-01")!, FlightDate("2999-12-31")!, FlightDate("2028-02-29")!,
            FlightDate(utcDateOf: Timestamp(millisecondsSinceEpoch: -70_000_000_000_000)),  // year -249
            FlightDate(utcDateOf: Timestamp(millisecondsSinceEpoch: 300_000_000_000_000)),  // year 11476
        ] {
            for direction in Direction.allCases {
                expectSameAsReference(" lx ", "7", "a", date: date, direction: direction)
            }
        }
    }

    @Test func asciiSpacesAndCaseAreNormalised() throws {
        let key = try FlightKey(airline: "\t\u{0B}ezy\r\n", number: "\u{0C}12 ", suffix: " b\n", date: date, direction: .arrival)
        #expect(key.flightID == "EZY0012B-20261124-A")
        #expect(key.airline == "EZY")
        #expect(key.number == "0012")
        #expect(key.suffix == "B")
        #expect(key == (try FlightKey(airline: "EZY", number: "0012", suffix: "B", date: date, direction: .arrival)))
    }

    @Test func unicodeSpacesAroundAnIdentityAreStillTrimmed() throws {
        let key = try FlightKey(airline: "\u{A0}LX\u{3000}", number: "\u{2009}1234", suffix: "\u{A0}", date: date, direction: .departure)
        #expect(key.flightID == "LX1234-20261124-D")
        #expect(key.suffix == nil)
    }

    @Test func partsEmptyAfterTrimmingAreNamedInTheProblem() {
        #expect(throws: FlightKey.Problem(message: "airline \" \t \" is not a 2-character IATA or 3-letter ICAO code")) {
            try FlightKey(airline: " \t ", number: "1", date: date, direction: .arrival)
        }
        #expect(throws: FlightKey.Problem(message: "flight number \"\r\n\" is not 1 to 4 digits")) {
            try FlightKey(airline: "LX", number: "\r\n", date: date, direction: .arrival)
        }
    }
}
