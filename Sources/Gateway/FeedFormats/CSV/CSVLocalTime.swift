import FlightModel
import Foundation

/// Local wall-clock times of a FIDS export in the airport's zone, read with a small pattern
/// language (`yyyy MM dd HH mm ss`, anything else literal) and turned into UTC, DST-correct.
struct CSVLocalTime: Sendable {
    enum Token: Sendable, Hashable {
        case year, month, day, hour, minute, second
        case literal(Character)
    }

    let pattern: String
    let tokens: [Token]
    let zone: TimeZone

    /// Nil when the pattern has no hour and minute, or no date part (a clock time alone
    /// cannot be placed in a day), or holds a letter that is not a token.
    init?(pattern: String, zone: TimeZone) {
        var tokens: [Token] = []
        var rest = Substring(pattern)
        let names: [(String, Token)] = [("yyyy", .year), ("MM", .month), ("dd", .day), ("HH", .hour), ("mm", .minute), ("ss", .second)]
        outer: while let first = rest.first {
            for (name, token) in names where rest.hasPrefix(name) {
                tokens.append(token)
                rest = rest.dropFirst(name.count)
                continue outer
            }
            // A letter that is no token is a mistake (`hh`, `YYYY`), not a literal to match.
            guard !first.isLetter else { return nil }
            tokens.append(.literal(first))
            rest = rest.dropFirst()
        }
        guard tokens.contains(.hour), tokens.contains(.minute), tokens.contains(.year), tokens.contains(.month), tokens.contains(.day)
        else { return nil }
        self.pattern = pattern
        self.tokens = tokens
        self.zone = zone
    }

    /// The UTC instant of a local time written in the pattern; nil when it does not match.
    ///
    /// In the spring-forward gap (a time that does not exist) the offset before the change
    /// applies (01:30 on London's spring day is 01:30Z, i.e. 02:30 BST); in the fall-back overlap
    /// (a time that exists twice) the earlier instant is taken (summer time).
    func instant(_ text: Substring) -> Timestamp? {
        var fields = [Token: Int]()
        var index = text.startIndex
        for token in tokens {
            switch token {
            case .literal(let character):
                guard index < text.endIndex, text[index] == character else { return nil }
                index = text.index(after: index)
            default:
                let width = token == .year ? 4 : 2
                guard let end = text.index(index, offsetBy: width, limitedBy: text.endIndex) else { return nil }
                let digits = text[index..<end]
                guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits) else { return nil }
                fields[token] = value
                index = end
            }
        }
        guard index == text.endIndex, let year = fields[Token.year], let month = fields[Token.month],
            let day = fields[Token.day], let hour = fields[Token.hour], let minute = fields[Token.minute], hour < 24, minute < 60,
            (fields[Token.second] ?? 0) < 60, let date = FlightDate(year: year, month: month, day: day)
        else { return nil }
        let second: Int = fields[Token.second] ?? 0
        let secondsOfDay: Int = (hour * 60 + minute) * 60 + second
        // The wall time read as if it were UTC, in seconds; then find the UTC instant(s) whose
        // local time it is.
        let wall: Int64 = date.midnightUTC.millisecondsSinceEpoch / 1000 + Int64(secondsOfDay)
        let before: Int64 = offset(wall - 43_200)
        let after: Int64 = offset(wall + 43_200)
        var valid: [Int64] = []
        for candidate in [wall - before, wall - after] where candidate + offset(candidate) == wall {
            valid.append(candidate)
        }
        let utc: Int64 = valid.min() ?? (wall - before)
        return Timestamp(millisecondsSinceEpoch: utc * 1000)
    }

    /// The zone's offset from UTC, in seconds, at a UTC instant given in seconds.
    private func offset(_ utc: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utc))))
    }
}
