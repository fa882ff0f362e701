import FlightModel

/// A Type B movement message taken apart (docs/DESIGN.md §9): envelope, identifier, flight line,
/// elements up to `SI`. Pure text work; what it means is ``MVTDecoder``'s business.
struct TypeBMessage {
    /// `MVT`, `MVA` or `DIV`.
    var kind: String
    /// The originator line's `DDHHMM`, when there is an envelope.
    var envelopeTime: Substring?
    var airline: Substring
    var number: Substring
    var suffix: Substring?
    var day: Int
    var registration: Substring?
    var station: Substring?
    /// Elements in order, each with its line number (for errors).
    var elements: [(token: Substring, line: Int)] = []

    static let movementKinds: Set<Substring> = ["MVT", "MVA", "DIV"]

    /// Reads the message; every problem is a ``DecodeError`` naming its line.
    init(_ bytes: [UInt8]) throws(DecodeError) {
        guard bytes.count <= 65_536 else { throw DecodeError("message of \(bytes.count) bytes exceeds 65,536") }
        guard let text = String(validating: bytes.map { $0 < 0x04 ? 0x0A : $0 }, as: UTF8.self) else {
            throw DecodeError("not UTF-8 text")
        }
        var lines: [(text: Substring, number: Int)] = []
        // CR LF is one Character in Swift: split on it, LF and CR alike.
        let rawLines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for (index, raw) in rawLines.enumerated() {
            let line = raw.trimmingCharacters(in: [" ", "\r", "\t"])
            if !line.isEmpty { lines.append((line, index + 1)) }
        }
        // The heading: priority and addresses, then the originator line `.XXXXXXX DDHHMM`.
        var index = 0
        var envelopeTime: Substring?
        while index < lines.count {
            let line = lines[index].text
            if line.hasPrefix(".") {
                let parts = line.split(separator: " ")
                if parts.count >= 2 {
                    let stamp = parts[1].split(separator: "/").first ?? parts[1]
                    if stamp.count == 6, stamp.allSatisfy({ $0.isASCII && $0.isNumber }) { envelopeTime = stamp }
                }
                index += 1
                continue
            }
            let word = line.split(separator: " ").first ?? ""
            if Self.movementKinds.contains(word) || word == "COR" || word == "PDM" { break }
            if Self.isAddressLine(line) {
                index += 1
                continue
            }
            break
        }
        guard index < lines.count else { throw DecodeError("no message identifier (MVT, MVA or DIV)") }
        var kind: Substring?
        while index < lines.count, kind == nil {
            let words = lines[index].text.split(separator: " ")
            for word in words {
                // COR (correction) and PDM (possible duplicate) change nothing: the engine keeps
                // the later source time and ignores what it already has.
                if word == "COR" || word == "PDM" { continue }
                if Self.movementKinds.contains(word) {
                    kind = word
                } else {
                    throw DecodeError("not a movement message: \(word.prefix(10))", at: "line \(lines[index].number)")
                }
            }
            index += 1
        }
        guard let kind else { throw DecodeError("no message identifier (MVT, MVA or DIV)") }
        guard index < lines.count else { throw DecodeError("no flight line after \(kind)") }

        // The flight line: `LX1234/24.HBJHA.ZRH`; DIV may add elements after a space.
        let flightLine = lines[index]
        let flightWords = flightLine.text.split(separator: " ")
        let flight = try Self.flight(flightWords[0], line: flightLine.number)
        self.kind = String(kind)
        self.envelopeTime = envelopeTime
        (airline, number, suffix, day, registration, station) = flight
        for word in flightWords.dropFirst() where word != "/" { elements.append((word, flightLine.number)) }
        index += 1

        // Elements up to SI: everything after SI is free text, even when it looks like one.
        lines: while index < lines.count {
            let line = lines[index]
            for word in line.text.split(separator: " ") where word != "/" {
                if word == "SI" || word.hasPrefix("SI/") { break lines }
                elements.append((word, line.number))
            }
            index += 1
        }
    }

    /// `LX1234/24.HBJHA.ZRH`, `LX1234A/24`, `EZY12/05.GEZAA.LGW`.
    private static func flight(_ word: Substring, line: Int) throws(DecodeError) -> (Substring, Substring, Substring?, Int, Substring?, Substring?) {
        let problem = DecodeError("\"\(word.prefix(30))\" is not a flight line like LX1234/24.HBJHA.ZRH", at: "line \(line)")
        let halves = word.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count == 2 else { throw problem }
        let designator = halves[0]
        let characters = Array(designator)
        guard characters.count >= 3 else { throw problem }
        // IATA codes may hold a digit (U2); ICAO codes are three letters: the third character says which.
        let airlineLength = characters[2].isLetter ? 3 : 2
        let airline = designator.prefix(airlineLength)
        var rest = designator.dropFirst(airlineLength)
        var suffix: Substring?
        if let last = rest.last, last.isLetter {
            suffix = rest.suffix(1)
            rest = rest.dropLast()
        }
        guard (1...4).contains(rest.count), rest.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw problem }
        let parts = halves[1].split(separator: ".", omittingEmptySubsequences: false)
        guard let dayText = parts.first, dayText.count == 2, let day = Int(dayText), (1...31).contains(day) else { throw problem }
        let registration = parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil
        let station = parts.count > 2 && parts[2].count == 3 ? parts[2] : nil
        return (airline, rest, suffix, day, registration, station)
    }

    /// `QD HKGTSXH`, `HKGKKCX ZRHKLLX`: a priority code or 7-character addresses.
    private static func isAddressLine(_ line: Substring) -> Bool {
        line.split(separator: " ").allSatisfy { word in
            (word.count == 7 || word.count == 2) && word.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) }
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: Set<Character>) -> Substring {
        var result = self
        while let first = result.first, set.contains(first) { result = result.dropFirst() }
        while let last = result.last, set.contains(last) { result = result.dropLast() }
        return result
    }
}
