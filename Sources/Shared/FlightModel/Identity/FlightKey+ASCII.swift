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
        guard (0...9999).contains(date.year) else { return nil }
        let code = Self.asciiTrimmed(airline.utf8[...])
        let digits = Self.asciiTrimmed(number.utf8[...])
        var letter = suffix.map { Self.asciiTrimmed($0.utf8[...]) }
        if letter?.isEmpty == true { letter = nil }
        guard Self.isASCIIAirline(code), (1...4).contains(digits.count), digits.allSatisfy(Self.isASCIIDigit),
            letter.map({ $0.count == 1 && Self.isASCIILetter($0.first!) }) ?? true
        else { return nil }

        // `{airline}{number}{suffix}-{yyyymmdd}-{A|D}`: at most 3 + 4 + 1 + 1 + 8 + 1 + 1 bytes.
        var id = ASCIIBuffer()
        for byte in code { id.append(Self.asciiUppercased(byte)) }
        let airlineEnd = id.count
        for _ in digits.count..<4 { id.append(UInt8(ascii: "0")) }
        for byte in digits { id.append(byte) }
        let numberEnd = id.count
        if let letter { id.append(Self.asciiUppercased(letter.first!)) }
        let suffixEnd = id.count
        id.append(UInt8(ascii: "-"))
        id.appendDigits(date.year, count: 4)
        id.appendDigits(date.month, count: 2)
        id.appendDigits(date.day, count: 2)
        id.append(UInt8(ascii: "-"))
        id.append(direction == .arrival ? UInt8(ascii: "A") : UInt8(ascii: "D"))
        self.init(
            airline: id.string(0..<airlineEnd), number: id.string(airlineEnd..<numberEnd),
            suffix: letter == nil ? nil : id.string(numberEnd..<suffixEnd), date: date, direction: direction,
            flightID: id.string(0..<id.count))
    }

    /// `bytes` without ASCII white space (0x09–0x0D, 0x20) at either end.
    private static func asciiTrimmed(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
        var bytes = bytes
        while let first = bytes.first, isASCIISpace(first) { bytes.removeFirst() }
        while let last = bytes.last, isASCIISpace(last) { bytes.removeLast() }
        return bytes
    }

    /// 2 ASCII letters or digits with at least one letter (IATA), or 3 ASCII letters (ICAO).
    private static func isASCIIAirline(_ code: Substring.UTF8View) -> Bool {
        switch code.count {
        case 2: code.allSatisfy { isASCIILetter($0) || isASCIIDigit($0) } && code.contains(where: isASCIILetter)
        case 3: code.allSatisfy(isASCIILetter)
        default: false
        }
    }

    private static func isASCIISpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
    private static func isASCIIDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }
    private static func asciiUppercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) ? byte - 0x20 : byte
    }
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
