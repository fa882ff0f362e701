/// Which flight an update is about (DESIGN.md §2): the operating carrier's code and number,
/// the operational date and the direction at this airport. Codeshare numbers are attributes
/// of the operating flight, never keys.
///
/// Two keys are equal when their ``flightID``s are; the id is built once, by the initializer.
public struct FlightKey: Hashable, Sendable, CustomStringConvertible {
    /// IATA code (2 characters) when the feed has it, else ICAO (3); upper case.
    public let airline: String
    /// Exactly four digits, zero-padded: `JQ 355` → `0355`.
    public let number: String
    /// The operational suffix, one upper-case letter, or nil.
    public let suffix: String?
    /// The operational date; never changes for a flight.
    public let date: FlightDate
    /// Arrival or departure at this airport.
    public let direction: Direction
    /// `{airline}{number}{suffix}-{yyyymmdd}-{A|D}`, e.g. `LX1234-20261124-D`, `BA0117A-20261123-A`.
    public var flightID: String { hashedID.text }
    /// ``flightID`` with its hash, for the tables that look flights up by id.
    public let hashedID: HashedFlightID

    /// Why an identity is not usable, in words for a rejected-frame reason.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong, naming the offending text.
        public var message: String
        /// ``message``.
        public var description: String { message }

        /// A problem described by `message`.
        public init(message: String) {
            self.message = message
        }
    }

    /// Validates and normalises an identity. Surrounding spaces are ignored.
    ///
    /// - `airline`: an IATA code (2 ASCII letters or digits, at least one a letter: `LX`, `U2`) or
    ///   an ICAO code (3 ASCII letters: `EZY`), upper-cased (`lx` → `LX`). ICAO codes have no
    ///   digits, which keeps flight ids unambiguous (`LX12345` cannot be `LX1` + `2345`).
    /// - `number`: 1–4 ASCII digits, zero-padded to four (`355` → `0355`); more digits are refused.
    /// - `suffix`: nil, empty, or one ASCII letter, upper-cased.
    /// - Throws: ``Problem`` naming the part that is wrong.
    public init(
        airline: some StringProtocol, number: some StringProtocol, suffix: String? = nil, date: FlightDate,
        direction: Direction
    ) throws(Problem) {
        try self.init(
            airline: String(airline), number: String(number), suffix: suffix, date: date, direction: direction)
    }

    /// The generic initializer for `String`s, as the decoders have them: called from another module,
    /// the generic one runs unspecialized. A valid all-ASCII identity (nearly every update) takes
    /// the byte-level path of `FlightKey+ASCII.swift`; anything else the general path below, which
    /// decides Unicode spaces and case mapping and words the ``Problem``.
    public init(airline: String, number: String, suffix: String? = nil, date: FlightDate, direction: Direction)
        throws(Problem)
    {
        if let key = FlightKey(
            asciiAirline: airline, number: number, suffix: suffix, date: date, direction: direction)
        {
            self = key
            return
        }
        let airlineCode = String(airline.trimmingSpaces()).uppercased()
        let isIATA =
            airlineCode.utf8.count == 2 && airlineCode.utf8.allSatisfy(Self.isAlphanumeric)
            && airlineCode.utf8.contains(where: Self.isLetter)
        let isICAO = airlineCode.utf8.count == 3 && airlineCode.utf8.allSatisfy(Self.isLetter)
        guard isIATA || isICAO else {
            throw Problem(message: "airline \"\(airline.prefix(40))\" is not a 2-character IATA or 3-letter ICAO code")
        }
        let digits = number.trimmingSpaces()
        guard (1...4).contains(digits.utf8.count), digits.utf8.allSatisfy(Self.isDigit) else {
            throw Problem(message: "flight number \"\(number.prefix(40))\" is not 1 to 4 digits")
        }
        var normalizedSuffix: String?
        if let suffix, !suffix.trimmingSpaces().isEmpty {
            let letter = String(suffix.trimmingSpaces()).uppercased()
            guard letter.utf8.count == 1, letter.utf8.allSatisfy(Self.isLetter) else {
                throw Problem(message: "suffix \"\(suffix.prefix(40))\" is not one letter")
            }
            normalizedSuffix = letter
        }
        self.init(
            normalized: airlineCode, number: String(repeating: "0", count: 4 - digits.utf8.count) + digits,
            suffix: normalizedSuffix, date: date, direction: direction)
    }

    /// The same as the throwing initializer, nil instead of a ``Problem``.
    public init?(
        validating airline: some StringProtocol, number: some StringProtocol, suffix: String? = nil, date: FlightDate,
        direction: Direction
    ) {
        guard
            let key = try? FlightKey(airline: airline, number: number, suffix: suffix, date: date, direction: direction)
        else { return nil }
        self = key
    }

    /// Parses a flight id (exactly as ``flightID`` writes it) back into its parts; nil for
    /// anything else, including lower case and unpadded numbers.
    public init?(flightID: some StringProtocol) {
        let parts = Substring(flightID).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let date = FlightDate(compact: parts[1]), let direction = Direction(letter: parts[2])
        else {
            return nil
        }
        var designator = parts[0]
        var suffix: String?
        if let last = designator.utf8.last, Self.isLetter(last) {
            suffix = String(designator.suffix(1))
            designator = designator.dropLast()
        }
        guard designator.utf8.count >= 6 else { return nil }
        guard
            let key = FlightKey(
                validating: designator.dropLast(4), number: designator.suffix(4), suffix: suffix, date: date,
                direction: direction),
            key.flightID == flightID
        else { return nil }
        self = key
    }

    private init(normalized airline: String, number: String, suffix: String?, date: FlightDate, direction: Direction) {
        self.init(
            airline: airline, number: number, suffix: suffix, date: date, direction: direction,
            flightID: "\(airline)\(number)\(suffix ?? "")-\(date.compact)-\(direction.letter)")
    }

    /// A key of normalized parts and the flight id they make.
    init(airline: String, number: String, suffix: String?, date: FlightDate, direction: Direction, flightID: String) {
        self.airline = airline
        self.number = number
        self.suffix = suffix
        self.date = date
        self.direction = direction
        self.hashedID = HashedFlightID(flightID)
    }

    /// ``flightID``.
    public var description: String { flightID }

    public static func == (lhs: FlightKey, rhs: FlightKey) -> Bool { lhs.hashedID == rhs.hashedID }
    public func hash(into hasher: inout Hasher) { hasher.combine(hashedID) }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
    }
    private static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }
}

extension StringProtocol {
    /// The text without leading and trailing white space.
    func trimmingSpaces() -> SubSequence {
        var slice = self[...]
        while slice.first?.isWhitespace == true { slice = slice.dropFirst() }
        while slice.last?.isWhitespace == true { slice = slice.dropLast() }
        return slice
    }
}
