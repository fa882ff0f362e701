import Channels
import Foundation
import Testing

@testable import SMTPChannel

/// The byte-level quoted-printable encoder and header checks against the character-level ones
/// they replaced (kept here as the reference), over random texts made of what makes them differ:
/// spaces and tabs at line ends, `=`, `=?`, every kind of line break, non-ASCII, controls and
/// lines longer than 76.
@Suite struct MIMEReferenceTests {
    static let alphabet: [String] = [
        "a", "Z", "0", " ", "\t", "=", "?", "=?", "\r", "\n", "\r\n", "ü", "–", "€", "\u{1}", "\u{7F}", "\u{85}", ".", "\u{301}",
    ]

    static func randomTexts(count: Int, maxLength: Int) -> [String] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            let length = Int.random(in: 0...maxLength, using: &generator)
            // Long runs of one letter too, so that soft breaks fall at every position.
            let run = String(repeating: "x", count: Int.random(in: 0...90, using: &generator))
            return run + (0..<length).map { _ in alphabet.randomElement(using: &generator)! }.joined()
        }
    }

    @Test func quotedPrintableMatchesTheReference() {
        for text in Self.randomTexts(count: 2_000, maxLength: 200) {
            #expect(MIMEEncoding.quotedPrintable(text) == Self.referenceQuotedPrintable(text), "\(text.debugDescription)")
        }
    }

    @Test func headerChecksMatchTheReference() {
        for text in Self.randomTexts(count: 2_000, maxLength: 60) + [String(repeating: "y", count: 901), "a " + String(repeating: "y", count: 900)] {
            #expect(MailHeaders.singleLine(text) == Self.referenceSingleLine(text), "\(text.debugDescription)")
            let line = MailHeaders.singleLine(text)
            #expect(MailHeaders.needsEncoding(line) == Self.referenceNeedsEncoding(line), "\(line.debugDescription)")
        }
    }

    /// The encoder before 2026-12-05: a token array per input byte.
    static func referenceQuotedPrintable(_ text: String) -> [UInt8] {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        for (number, line) in MIMEEncoding.lines(of: text).enumerated() {
            if number > 0 { output += [13, 10] }
            var width = 0
            for index in line.indices {
                let byte = line[index]
                let isLast = index == line.index(before: line.endIndex)
                let literal =
                    (33...126).contains(byte) && byte != UInt8(ascii: "=") || (byte == 32 || byte == 9) && !isLast
                let token: [UInt8] =
                    literal ? [byte] : [UInt8(ascii: "="), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 15)]]
                if width + token.count > (isLast ? 76 : 75) {
                    output += [UInt8(ascii: "="), 13, 10]
                    width = 0
                }
                output += token
                width += token.count
            }
        }
        return output
    }

    static func referenceSingleLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }

    static func referenceNeedsEncoding(_ text: String) -> Bool {
        text.utf8.contains { !(32...126).contains($0) } || text.contains("=?")
            || text.split(separator: " ").contains { $0.utf8.count > 900 }
    }
}
