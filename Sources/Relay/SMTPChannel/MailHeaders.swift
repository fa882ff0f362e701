import Channels
import Foundation

/// The header section of a message (RFC 5322), written field by field: values that are not plain
/// ASCII become RFC 2047 encoded-words, long values are folded at whitespace, and nothing a caller
/// passes can start a field of its own (CR and LF never reach the output unfolded).
struct MailHeaders {
    private(set) var bytes: [UInt8] = []

    /// Where lines are folded when they can be (RFC 5322 §2.1.1 "SHOULD"); 998 is the hard limit.
    static let preferredLineLength = 78
    static let maximumLineLength = 998

    /// A field whose value is already valid header text (an address, an id, a MIME type): one
    /// line, folded at its spaces when long. Throws when a part without spaces cannot fit in 998.
    mutating func add(_ name: String, _ value: String) throws(ChannelFailure) {
        try add(name, words: value.split(separator: " ").map(String.init))
    }

    /// A field with free text (a subject): control characters become spaces (a header is one
    /// line), and text that is not printable ASCII, or holds `=?`, goes as encoded-words.
    mutating func addText(_ name: String, _ text: String) throws(ChannelFailure) {
        let line = Self.singleLine(text)
        guard Self.needsEncoding(line) else {
            try add(name, words: line.split(separator: " ", omittingEmptySubsequences: false).map(String.init))
            return
        }
        try add(name, words: MIMEEncoding.encodedWords(line))
    }

    /// An address field: the display name as an atom sequence, a quoted string or encoded-words.
    mutating func add(_ name: String, address: MailAddress) throws(ChannelFailure) {
        guard let display = address.displayName.map(Self.singleLine), !display.isEmpty else {
            try add(name, address.address)
            return
        }
        var words: [String]
        if Self.needsEncoding(display) {
            words = MIMEEncoding.encodedWords(display)
        } else if display.utf8.allSatisfy({ MailAddress.isAtext($0) || $0 == 32 }) {
            words = display.split(separator: " ").map(String.init)
        } else {
            let escaped = display.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                of: "\"", with: "\\\"")
            words = ["\"\(escaped)\""]
        }
        words.append("<\(address.address)>")
        try add(name, words: words)
    }

    /// Writes `name: word word …`, starting a continuation line (CRLF SP) where the next word would
    /// pass 78 characters.
    private mutating func add(_ name: String, words: [String]) throws(ChannelFailure) {
        var line = Array("\(name):".utf8)
        for word in words {
            let candidate = Array(word.utf8)
            if line.count + 1 + candidate.count > Self.preferredLineLength, line.count > name.utf8.count + 1,
                !candidate.isEmpty
            {
                bytes += line + MIMEEncoding.crlf
                line = []
            }
            line += [32] + candidate
            guard line.count <= Self.maximumLineLength else {
                throw ChannelFailure(
                    .final, "the e-mail's \(name) header holds a part longer than \(Self.maximumLineLength) characters")
            }
        }
        bytes += line + MIMEEncoding.crlf
    }

    /// `text` on one line: every control character (CR, LF, tab, …) becomes a space.
    static func singleLine(_ text: String) -> String {
        String(
            String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }

    /// Whether `text` needs encoded-words: anything outside printable ASCII, an `=?` a decoder
    /// would take for one, or a word too long to fold.
    static func needsEncoding(_ text: String) -> Bool {
        text.utf8.contains { !(32...126).contains($0) } || text.contains("=?")
            || text.split(separator: " ").contains { $0.utf8.count > 900 }
    }

    /// RFC 5322 §3.3 date-time in UTC: `Sat, 05 Dec 2026 00:29:14 +0000`.
    static func date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int?) -> String {
            let value = value ?? 0
            return value < 10 ? "0\(value)" : "\(value)"
        }
        let weekday = weekdays[(parts.weekday ?? 1) - 1]
        let day = "\(weekday), \(two(parts.day)) \(months[(parts.month ?? 1) - 1]) \(parts.year ?? 1970)"
        return "\(day) \(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }
}
