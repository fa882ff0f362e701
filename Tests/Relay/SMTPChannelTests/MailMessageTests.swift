import Channels
import Foundation
import Testing

@testable import SMTPChannel

@Suite struct MailMessageTests {
    let from = try! MailAddress(parsing: "FlightEdge <alerts@example.org>")
    let to = try! MailAddress("ana@example.org")
    let date = Date(timeIntervalSince1970: 1_795_998_554)  // Mon, 30 Nov 2026 00:29:14 UTC

    func message(
        subject: String = "Gate change LX1234", text: String = "Your gate is now B34.\n",
        html: String? = "<p>Gate B34</p>",
        unsubscribe: String? = "https://relay.example.org/u/abc?sig=xyz", id: String = "d-42"
    ) -> OutgoingMessage {
        OutgoingMessage(
            deliveryID: id, replaceKey: "LX1234/gate", subject: subject, text: text, html: html,
            unsubscribeURL: unsubscribe, locale: "de")
    }

    func build(_ message: OutgoingMessage) throws -> (headers: [String], body: String, all: String) {
        let mail = try MailMessage(message, from: from, to: to, date: date)
        let text = String(decoding: mail.bytes, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        // Unfold: a line starting with a space continues the field before.
        let headers = parts[0].replacingOccurrences(of: "\r\n ", with: " ").components(separatedBy: "\r\n")
        return (headers, parts.dropFirst().joined(separator: "\r\n\r\n"), text)
    }

    @Test func carriesTheHeadersMailProgramsAndFiltersExpect() throws {
        let (headers, _, _) = try build(message())
        #expect(headers.contains("From: FlightEdge <alerts@example.org>"))
        #expect(headers.contains("To: ana@example.org"))
        #expect(headers.contains("Subject: Gate change LX1234"))
        #expect(headers.contains("Date: Mon, 30 Nov 2026 00:29:14 +0000"))
        #expect(headers.contains("Message-ID: <d-42@example.org>"))
        #expect(headers.contains("MIME-Version: 1.0"))
        #expect(headers.contains("Content-Language: de"))
        #expect(headers.contains("Auto-Submitted: auto-generated"))
        #expect(headers.contains("List-Unsubscribe: <https://relay.example.org/u/abc?sig=xyz>"))
        #expect(headers.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))
        #expect(headers.contains { $0.hasPrefix("Content-Type: multipart/alternative; boundary=\"=_FlightEdge_") })
    }

    @Test func theSameDeliveryMakesTheSameMessageID() throws {
        let first = try MailMessage(message(), from: from, to: to, date: date)
        let retry = try MailMessage(message(), from: from, to: to, date: date.addingTimeInterval(600))
        let other = try MailMessage(message(id: "d-43"), from: from, to: to, date: date)
        #expect(first.messageID == retry.messageID)
        #expect(first.messageID != other.messageID)
    }

    @Test func deliveryIDsOutsideAtextAreEscapedStably() {
        #expect(MailMessage.idLeft("a b<c>@d") == "a=20b=3Cc=3E=40d")
        #expect(MailMessage.idLeft(".x..y.") == "=2Ex.=2Ey=2E")
        #expect(MailMessage.idLeft("123e4567-e89b-12d3") == "123e4567-e89b-12d3")
    }

    @Test func withoutUnsubscribeURLNoListHeaders() throws {
        let (headers, _, _) = try build(message(unsubscribe: nil))
        #expect(!headers.contains { $0.hasPrefix("List-Unsubscribe") })
    }

    @Test func anUnsubscribeURLWithSpacesIsRefused() {
        #expect(throws: ChannelFailure.self) { try build(message(unsubscribe: "https://x/a b")) }
    }

    @Test func nonASCIISubjectGoesAsEncodedWords() throws {
        let subject = "Änderung: Flug LX1234 fällt aus — neues Gate B34 für Zürich → Genève 🛫"
        let (headers, _, all) = try build(message(subject: subject))
        let line = try #require(headers.first { $0.hasPrefix("Subject: ") })
        #expect(line.hasPrefix("Subject: =?UTF-8?B?"))
        #expect(decodeEncodedWords(String(line.dropFirst("Subject: ".count))) == subject)
        // RFC 2047 §2: an encoded-word at most 75 characters, a line holding one at most 76.
        for physical in all.components(separatedBy: "\r\n") where physical.contains("=?UTF-8?") {
            #expect(physical.count <= 76)
        }
    }

    @Test func aSubjectCannotAddHeaders() throws {
        let (headers, _, _) = try build(message(subject: "Hello\r\nBcc: eve@example.org"))
        #expect(headers.contains("Subject: Hello  Bcc: eve@example.org"))
        #expect(!headers.contains { $0.hasPrefix("Bcc:") })
    }

    @Test func aDisplayNameWithSpecialsIsQuotedOrEncoded() throws {
        let quoted = try MailMessage(
            message(), from: MailAddress(parsing: "\"Ops, FlightEdge\" <ops@example.org>"), to: to, date: date)
        #expect(
            String(decoding: quoted.bytes, as: UTF8.self).contains("From: \"Ops, FlightEdge\" <ops@example.org>\r\n"))
        let encoded = try MailMessage(
            message(), from: MailAddress("ops@example.org", displayName: "Flughafen Zürich"), to: to, date: date)
        #expect(String(decoding: encoded.bytes, as: UTF8.self).contains("From: =?UTF-8?B?"))
    }

    @Test func bothPartsCarryTheExactTextInQuotedPrintable() throws {
        let text =
            "Grüezi Ana,\nyour flight LX1234 leaves from gate B34 = new.\n.\nA line with trailing space \n"
            + String(repeating: "long ", count: 60)
        let html = "<p>Gate <b>B34</b> &lt;script&gt;</p>"
        let (_, body, _) = try build(message(text: text, html: html))
        let parts = body.components(separatedBy: "\r\n--=_FlightEdge_")
        #expect(parts.count == 4)  // preamble, text, html, closing "--"
        #expect(
            parts[1].contains(
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"))
        #expect(
            parts[2].contains(
                "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"))
        let decodedText = decodeQuotedPrintable(try #require(parts[1].components(separatedBy: "\r\n\r\n").last))
        let decodedHTML = decodeQuotedPrintable(try #require(parts[2].components(separatedBy: "\r\n\r\n").last))
        #expect(decodedText == text.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(decodedHTML == html)
    }

    @Test func textOnlyWhenThereIsNoHTML() throws {
        let (headers, body, _) = try build(message(text: "Only text.", html: nil))
        #expect(headers.contains("Content-Type: text/plain; charset=utf-8"))
        #expect(headers.contains("Content-Transfer-Encoding: quoted-printable"))
        #expect(!body.contains("FlightEdge_"))
        #expect(body == "Only text.\r\n")
    }

    @Test func noLineIsLongerThan998AndEveryLineEndsInCRLF() throws {
        let huge = String(repeating: "x", count: 5000) + "\n" + String(repeating: "é", count: 3000)
        let mail = try MailMessage(
            message(subject: String(repeating: "Delay ", count: 400), text: huge, html: "<p>" + huge + "</p>"),
            from: from, to: to,
            date: date)
        let text = String(decoding: mail.bytes, as: UTF8.self)
        #expect(text.hasSuffix("\r\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
        let lengths = text.components(separatedBy: "\r\n").map(\.utf8.count)
        #expect(lengths.max()! <= 78)
    }

    @Test func quotedPrintableEncodesWhatItMust() {
        let encoded = String(decoding: MIMEEncoding.quotedPrintable("a=b\tc \r\nü\rend "), as: UTF8.self)
        #expect(encoded == "a=3Db\tc=20\r\n=C3=BC\r\nend=20")
    }

    @Test func base64MatchesRFC4648() {
        #expect(MIMEEncoding.base64(Array("".utf8)) == "")
        #expect(MIMEEncoding.base64(Array("f".utf8)) == "Zg==")
        #expect(MIMEEncoding.base64(Array("fo".utf8)) == "Zm8=")
        #expect(MIMEEncoding.base64(Array("foobar".utf8)) == "Zm9vYmFy")
    }

    @Test func dataIsDotStuffedWithCRLFAndEndsWithTheDotLine() {
        let stuffed = SMTPCommand.dotStuffed(Array(".first\nsecond\r\n..third\rlast".utf8))
        #expect(String(decoding: stuffed, as: UTF8.self) == "..first\r\nsecond\r\n...third\r\nlast\r\n.\r\n")
        #expect(String(decoding: SMTPCommand.dotStuffed(Array("x\r\n".utf8)), as: UTF8.self) == "x\r\n.\r\n")
    }

    @Test func addressesAreParsedAndChecked() throws {
        let parsed = try MailAddress(parsing: "FlightEdge <alerts@example.org>")
        #expect(parsed.displayName == "FlightEdge")
        #expect(parsed.address == "alerts@example.org")
        #expect(parsed.domain == "example.org")
        #expect(try MailAddress(parsing: "ops@example.org").displayName == nil)
        for bad in [
            "", "ana", "ana@", "@example.org", "a b@example.org", "ana@exa mple.org", "ana@ex..org", "änä@example.org",
            "ana@example.org>\r\nRCPT TO:<eve@example.org",
        ] {
            #expect(throws: MailAddress.Invalid.self) { try MailAddress(bad) }
        }
    }
}

/// RFC 2045 §6.7 undone: soft breaks removed, `=XX` decoded.
func decodeQuotedPrintable(_ text: String) -> String {
    let bytes = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
    var output: [UInt8] = []
    var index = 0
    while index < bytes.count {
        if bytes[index] == UInt8(ascii: "="), index + 2 < bytes.count,
            let value = UInt8(String(decoding: bytes[index + 1...index + 2], as: UTF8.self), radix: 16)
        {
            output.append(value)
            index += 3
        } else {
            output.append(bytes[index])
            index += 1
        }
    }
    return String(decoding: output, as: UTF8.self)
}

/// `=?UTF-8?B?...?=` words separated by spaces, decoded and joined.
func decodeEncodedWords(_ text: String) -> String {
    let bytes = text.split(separator: " ").flatMap { word -> [UInt8] in
        let payload = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
        return Array(Data(base64Encoded: String(payload)) ?? Data())
    }
    return String(decoding: bytes, as: UTF8.self)
}
