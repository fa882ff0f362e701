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
        try add(name, words: Array(value.utf8).split(separator: 32))
    }

    /// A field with free text (a subject): control characters become spaces (a header is one
    /// line), and text that is not printable ASCII, or holds `=?`, goes as encoded-words.
    mutating func addText(_ name: String, _ text: String) throws(ChannelFailure) {
        let line = Self.singleLine(text)
        guard Self.needsEncoding(line) else {
            try add(name, words: Array(line.utf8).split(separator: 32, omittingEmptySubsequences: false))
            return
        }
        try add(name, words: MIMEEncoding.encodedWords(line).map { Array($0.utf8)[...] })
    }

    /// An address field: the display name as an atom sequence, a quoted string or encoded-words.
    mutating func add(_ name: String, address: MailAddress) throws(ChannelFailure) {
        guard let display = address.displayName.map(Self.singleLine), !display.isEmpty else {
            try add(name, address.address)
            return
        }
        var words: [ArraySlice<UInt8>]
        if Self.needsEncoding(display) {
            words = MIMEEncoding.encodedWords(display).map { Array($0.utf8)[...] }
        } else if display.utf8.allSatisfy({ MailAddress.isAtext($0) || $0 == 32 }) {
            words = Array(display.utf8).split(separator: 32)
        } else {
            let escaped = display.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                of: "\"", with: "\\\"")
            words = [Array("\"\(escaped)\"".utf8)[...]]
        }
        words.append(Array("<\(address.address)>".utf8)[...])
        try add(name, words: words)
    }

    /// Writes `name: word word …`, starting a continuation line (CRLF SP) where the next word would
    /// pass 78 characters.
    private mutating func add(_ name: String, words: [ArraySlice<UInt8>]) throws(ChannelFailure) {
        var line = Array("\(name):".utf8)
        line.reserveCapacity(Self.preferredLineLength + 2)
        for word in words {
            if line.count + 1 + word.count > Self.preferredLineLength, line.count > name.utf8.count + 1, !word.isEmpty {
                bytes += line
                bytes += MIMEEncoding.crlf
                line.removeAll(keepingCapacity: true)
            }
            line.append(32)
            line += word
            guard line.count <= Self.maximumLineLength else {
                throw ChannelFailure(
                    .final, "the e-mail's \(name) header holds a part longer than \(Self.maximumLineLength) characters")
            }
        }
        bytes += line
        bytes += MIMEEncoding.crlf
    }

    /// `text` on one line: every control character (CR, LF, tab, …) becomes a space.
    static func singleLine(_ text: String) -> String {
        // Plain ASCII (the usual subject and display name) without a control character: as it is.
        if text.utf8.allSatisfy({ (32...126).contains($0) }) { return text }
        return String(
            String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }

    /// Whether `text` needs encoded-words: anything outside printable ASCII, an `=?` a decoder
    /// would take for one, or a word too long to fold. Over bytes: `String.split` and
    /// `contains(_:)` on `Character`s were a third of building an e-mail.
    static func needsEncoding(_ text: String) -> Bool {
        var previous: UInt8 = 0
        var word = 0
        for byte in text.utf8 {
            if !(32...126).contains(byte) { return true }
            if previous == UInt8(ascii: "="), byte == UInt8(ascii: "?") { return true }
            word = byte == 32 ? 0 : word + 1
            if word > 900 { return true }
            previous = byte
        }
        return false
    }

    /// Made once: a calendar and its time zone per message were a tenth of building an e-mail.
    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// RFC 5322 §3.3 date-time in UTC: `Sat, 05 Dec 2026 00:29:14 +0000`.
    static func date(_ date: Date) -> String {
        let parts = utc.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
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
