import Channels
import Foundation

/// One notification as an Internet message (RFC 5322 + MIME), ready for SMTP's DATA: the headers a
/// mail program and a spam filter expect, a text part and, when there is HTML, an HTML part
/// beside it (multipart/alternative), both UTF-8 in quoted-printable. Pure: the same message,
/// addresses and date make the same bytes, so a retry carries the same `Message-ID`.
///
/// The text and HTML go out exactly as given (the HTML is the caller's, already escaped); only
/// line breaks become CRLF and the transfer encoding wraps long lines.
public struct MailMessage: Sendable {
    /// The whole message, headers and body, lines ending in CRLF, none longer than 998 characters.
    public let bytes: [UInt8]
    /// `<{deliveryID}@{from domain}>`.
    public let messageID: String

    /// Builds the message `message` from `from` to `to`, dated `date`. Throws `.final` when a value
    /// cannot be put in a header (an unsubscribe URL with spaces or longer than a line may be).
    public init(_ message: OutgoingMessage, from: MailAddress, to: MailAddress, date: Date) throws(ChannelFailure) {
        messageID = "<\(Self.idLeft(message.deliveryID))@\(from.domain)>"
        var headers = MailHeaders()
        try headers.add("From", address: from)
        try headers.add("To", address: to)
        try headers.addText("Subject", message.subject)
        try headers.add("Date", MailHeaders.date(date))
        try headers.add("Message-ID", messageID)
        try headers.add("MIME-Version", "1.0")
        if message.locale.utf8.allSatisfy({ MailAddress.isAtext($0) && $0 != UInt8(ascii: "'") }),
            !message.locale.isEmpty
        {
            try headers.add("Content-Language", message.locale)
        }
        try headers.add("Auto-Submitted", "auto-generated")
        if let url = message.unsubscribeURL {
            guard url.utf8.allSatisfy({ (33...126).contains($0) && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") })
            else {
                throw ChannelFailure(
                    .final,
                    "the unsubscribe URL is not a URL a header can carry (spaces, angle brackets or non-ASCII): \(url)")
            }
            try headers.add("List-Unsubscribe", "<\(url)>")
            try headers.add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
        }

        let textType = "text/plain; charset=utf-8"
        var body: [UInt8]
        if let html = message.html {
            let boundary = "=_FlightEdge_\(Self.fingerprint(message.deliveryID))"
            try headers.add("Content-Type", "multipart/alternative; boundary=\"\(boundary)\"")
            body = Array("This is a message in two forms, plain text and HTML.".utf8) + MIMEEncoding.crlf
            for (type, content) in [(textType, message.text), ("text/html; charset=utf-8", html)] {
                body += Array("\r\n--\(boundary)\r\n".utf8)
                body += Self.part(type: type, content: content)
            }
            body += Array("\r\n--\(boundary)--\r\n".utf8)
        } else {
            try headers.add("Content-Type", textType)
            try headers.add("Content-Transfer-Encoding", "quoted-printable")
            body = MIMEEncoding.quotedPrintable(message.text) + MIMEEncoding.crlf
        }
        bytes = headers.bytes + MIMEEncoding.crlf + body
    }

    /// A body part: its own headers, a blank line, the content in quoted-printable (no final CRLF:
    /// the one before the next boundary belongs to the boundary).
    private static func part(type: String, content: String) -> [UInt8] {
        Array("Content-Type: \(type)\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".utf8)
            + MIMEEncoding.quotedPrintable(content)
    }

    /// The delivery id as the left of a `Message-ID` (RFC 5322 `dot-atom-text`): each byte outside
    /// `atext` (and each stray dot) becomes `=XX`, so different ids stay different and the same id
    /// always gives the same result.
    static func idLeft(_ deliveryID: String) -> String {
        let bytes = Array(deliveryID.utf8)
        var output = ""
        for (index, byte) in bytes.enumerated() {
            let strayDot =
                byte == UInt8(ascii: ".") && (index == 0 || index == bytes.count - 1 || bytes[index - 1] == byte)
            if (MailAddress.isAtext(byte) && byte != UInt8(ascii: "=") || byte == UInt8(ascii: ".")) && !strayDot {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                output += "=" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return output.isEmpty ? "empty" : output
    }

    /// A short stable hex digest (FNV-1a, 64 bits) for the MIME boundary: only its stability matters.
    static func fingerprint(_ text: String) -> String {
        let hash = text.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16).leftPadded(to: 16)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
