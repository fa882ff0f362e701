import Foundation

/// One reply of an SMTP server (RFC 5321 §4.2): a three-digit code and one or more lines of text.
struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    /// `250`, `354`, `451`, `550`, …
    var code: Int
    /// The text of each line, without the code and its separator.
    var lines: [String]

    /// The lines joined by spaces (`OK queued as 17`).
    var text: String { lines.joined(separator: " ").trimmingCharacters(in: .whitespaces) }
    /// The RFC 3463 enhanced status code at the start of the text (`5.1.1`), when the server gave one.
    var enhancedCode: String? {
        guard let first = lines.first?.split(separator: " ", maxSplits: 1).first else { return nil }
        let parts = first.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }),
            parts[0] == String(code / 100)
        else { return nil }
        return String(first)
    }

    /// 2xx: done.
    var isCompletion: Bool { (200..<300).contains(code) }
    /// 3xx: go on (354 after DATA, 334 during AUTH).
    var isIntermediate: Bool { (300..<400).contains(code) }
    /// 4xx: try again later.
    var isTransient: Bool { (400..<500).contains(code) }
    /// 5xx: refused for good.
    var isPermanent: Bool { (500..<600).contains(code) }

    var description: String { "\(code) \(text)" }
}

/// Why the server's bytes are not SMTP replies.
struct SMTPProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Turns reply lines into replies: `250-first`, `250-second`, `250 last` is one reply. Pure, fed a
/// line at a time (without its CRLF) by the I/O; RFC 5321 §4.2.1.
struct SMTPReplyParser {
    private var code: Int?
    private var lines: [String] = []
    /// More lines than any real server sends in one reply (an EHLO has a dozen).
    static let maximumLines = 256

    /// Adds a line; returns the reply it completes, or nil while the reply goes on.
    mutating func add(line: some Collection<UInt8>) throws(SMTPProtocolError) -> SMTPReply? {
        let bytes = Array(line)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ (48...57).contains($0) }),
            (2...5).contains(bytes[0] - 48)
        else {
            throw SMTPProtocolError(
                message: "the server sent a line that is not an SMTP reply: \(Self.printable(bytes))")
        }
        let lineCode = Int(bytes[0] - 48) * 100 + Int(bytes[1] - 48) * 10 + Int(bytes[2] - 48)
        let separator = bytes.count > 3 ? bytes[3] : 32
        guard separator == 32 || separator == UInt8(ascii: "-") else {
            throw SMTPProtocolError(
                message: "the server sent a line that is not an SMTP reply: \(Self.printable(bytes))")
        }
        if let code, code != lineCode {
            throw SMTPProtocolError(
                message: "the server changed the reply code within one reply (\(code), then \(lineCode))")
        }
        code = lineCode
        lines.append(String(decoding: bytes.dropFirst(4), as: UTF8.self))
        if separator == UInt8(ascii: "-") {
            guard lines.count < Self.maximumLines else {
                throw SMTPProtocolError(message: "the server sent a reply of more than \(Self.maximumLines) lines")
            }
            return nil
        }
        defer {
            self.code = nil
            lines = []
        }
        return SMTPReply(code: lineCode, lines: lines)
    }

    /// The line as an operator can read it in a message: ASCII, at most 200 characters.
    static func printable(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix(200).map { (32...126).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }
}

/// What the server said it can do in its EHLO reply (RFC 5321 §4.1.1.1): one keyword and its
/// parameters per line after the first.
struct SMTPExtensions: Sendable, Hashable {
    private var keywords: [String: [String]] = [:]

    /// No extensions (a HELO session).
    init() {}

    init(ehlo reply: SMTPReply) {
        for line in reply.lines.dropFirst() {
            let words = line.split(separator: " ").map { String($0) }
            guard let keyword = words.first?.uppercased() else { continue }
            keywords[keyword, default: []] += words.dropFirst().map { $0.uppercased() }
        }
    }

    func has(_ keyword: String) -> Bool { keywords[keyword] != nil }
    /// The SASL mechanisms after `AUTH` (`PLAIN`, `LOGIN`, …), upper-cased.
    var authMechanisms: Set<String> { Set(keywords["AUTH"] ?? []) }
}
