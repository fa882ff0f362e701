extension FlightKey {
    /// The key of a valid identity written in ASCII, built from its UTF-8 bytes; nil for anything
    /// else, which the general initializer then decides.
    ///
    /// It accepts exactly what the general path accepts on ASCII text, and gives the same key:
    /// on ASCII, `Character.isWhitespace` is true for the bytes 0x09–0x0D and 0x20 (a CR LF pair
    /// is one `Character`, white space as well) and `uppercased()` maps a–z alone. It returns nil
    /// for a non-ASCII byte outside the spaces it trims: Unicode spaces (U+00A0), combining marks
    /// and case mappings (`ﬀ` → `FF`) are the general path's, as are all errors and years
    /// outside 0–9999 (`FlightDate.compact` writes those with more or fewer digits).
    init?(asciiAirline airline: String, number: String, suffix: String?, date: FlightDate, direction: Direction) {
        guard let code = ASCIIPart(airline), let digits = ASCIIPart(number) else { return nil }
        self.init(code: code, digits: digits, letter: suffix.map(ASCIIPart.init), date: date, direction: direction)
    }

    /// The key of a valid identity whose parts are ASCII text given as UTF-8 bytes (a decoder's
    /// text in place, no `String` made for each part); nil for anything else, which the
    /// throwing initializer then decides and words, from the parts as strings.
    public init?(
        asciiAirline airline: UnsafeBufferPointer<UInt8>, number: UnsafeBufferPointer<UInt8>,
        suffix: UnsafeBufferPointer<UInt8>?, date: FlightDate, direction: Direction
    ) {
        guard let code = ASCIIPart(airline), let digits = ASCIIPart(number) else { return nil }
        self.init(code: code, digits: digits, letter: suffix.map(ASCIIPart.init), date: date, direction: direction)
    }

    /// `letter`: nil without a suffix, `.some(nil)` for one of more than 4 bytes.
    private init?(code: ASCIIPart, digits: ASCIIPart, letter: ASCIIPart??, date: FlightDate, direction: Direction) {
        guard (0...9999).contains(date.year) else { return nil }
        var letter = letter
        if letter??.count == 0 { letter = nil }
        guard Self.isASCIIAirline(code), (1...4).contains(digits.count), digits.allSatisfy(Self.isASCIIDigit),
            letter.map({ $0?.count == 1 && Self.isASCIILetter($0![0]) }) ?? true
        else { return nil }

        // `{airline}{number}{suffix}-{yyyymmdd}-{A|D}`: at most 3 + 4 + 1 + 1 + 8 + 1 + 1 bytes.
        var id = ASCIIBuffer()
        for index in 0..<code.count { id.append(Self.asciiUppercased(code[index])) }
        let airlineEnd = id.count
        for _ in digits.count..<4 { id.append(UInt8(ascii: "0")) }
        for index in 0..<digits.count { id.append(digits[index]) }
        let numberEnd = id.count
        var normalizedSuffix: String?
        if let letter = letter??[0] {
            let upper = Self.asciiUppercased(letter)
            id.append(upper)
            normalizedSuffix = Self.letters[Int(upper - UInt8(ascii: "A"))]
        }
        id.append(UInt8(ascii: "-"))
        id.appendDigits(date.year, count: 4)
        id.appendDigits(date.month, count: 2)
        id.appendDigits(date.day, count: 2)
        id.append(UInt8(ascii: "-"))
        id.append(direction == .arrival ? UInt8(ascii: "A") : UInt8(ascii: "D"))
        self.init(
            airline: id.string(0..<airlineEnd), number: id.string(airlineEnd..<numberEnd), suffix: normalizedSuffix,
            date: date, direction: direction, flightID: id.string(0..<id.count))
    }

    /// The suffixes, made once.
    private static let letters = (UInt8(ascii: "A")...UInt8(ascii: "Z")).map { String(UnicodeScalar($0)) }

    /// 2 ASCII letters or digits with at least one letter (IATA), or 3 ASCII letters (ICAO).
    private static func isASCIIAirline(_ code: ASCIIPart) -> Bool {
        switch code.count {
        case 2: code.allSatisfy { isASCIILetter($0) || isASCIIDigit($0) } && !code.allSatisfy(isASCIIDigit)
        case 3: code.allSatisfy(isASCIILetter)
        default: false
        }
    }

    private static func isASCIIDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }
    private static func asciiUppercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) ? byte - 0x20 : byte
    }
}

/// A part of an identity without the ASCII white space (0x09–0x0D, 0x20) around it, when that
/// leaves at most 4 bytes (more is never valid), read from the string's bytes in place.
private struct ASCIIPart {
    private var storage: UInt32 = 0
    private(set) var count = 0

    /// Nil when more than 4 bytes are left, or the string's bytes are not contiguous.
    init?(_ text: String) {
        guard let part = text.utf8.withContiguousStorageIfAvailable(ASCIIPart.init) ?? nil else { return nil }
        self = part
    }

    /// Nil when more than 4 bytes are left.
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        var start = 0
        var end = bytes.count
        while start < end, Self.isSpace(bytes[start]) { start += 1 }
        while end > start, Self.isSpace(bytes[end - 1]) { end -= 1 }
        guard end - start <= 4 else { return nil }
        for index in start..<end { storage |= UInt32(bytes[index]) << (8 * count); count += 1 }
    }

    /// The byte at `index`, 0 ..< ``count``.
    subscript(index: Int) -> UInt8 { UInt8(truncatingIfNeeded: storage >> (8 * index)) }

    func allSatisfy(_ predicate: (UInt8) -> Bool) -> Bool {
        for index in 0..<count where !predicate(self[index]) { return false }
        return true
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
}

/// The bytes of one flight id, on the stack: 19 at most, ASCII only.
private struct ASCIIBuffer {
    private var bytes: (UInt64, UInt64, UInt64) = (0, 0, 0)
    private(set) var count = 0

    mutating func append(_ byte: UInt8) {
        precondition(count < 24, "a flight id is at most 19 bytes")
        withUnsafeMutableBytes(of: &bytes) { $0[count] = byte }
        count += 1
    }

    /// `value` in `count` decimal digits, zero-padded; `value` is 0 ..< 10^count.
    mutating func appendDigits(_ value: Int, count digits: Int) {
        var divisor = 1
        for _ in 1..<digits { divisor *= 10 }
        while divisor > 0 {
            append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    func string(_ range: Range<Int>) -> String {
        withUnsafeBytes(of: bytes) { String(decoding: UnsafeRawBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }
}
