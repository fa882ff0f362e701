import Channels
import Testing

@testable import SMTPChannel

/// The reply parser and the two state machines, fed replies by hand: no server.
@Suite struct SMTPProtocolTests {
    func reply(_ text: String) throws -> SMTPReply {
        var parser = SMTPReplyParser()
        var result: SMTPReply?
        for line in text.split(separator: "\n") {
            #expect(result == nil, "a reply ended before its last line")
            result = try parser.add(line: Array(line.utf8))
        }
        return try #require(result)
    }

    let ehloWithTLS = "250-mail.example.org\n250-PIPELINING\n250-SIZE 10240000\n250 STARTTLS"
    let ehloWithAuth = "250-mail.example.org\n250-AUTH LOGIN PLAIN\n250 8BITMIME"

    @Test func multiLineRepliesBecomeOneReply() throws {
        let parsed = try reply(ehloWithTLS)
        #expect(parsed.code == 250)
        #expect(parsed.lines == ["mail.example.org", "PIPELINING", "SIZE 10240000", "STARTTLS"])
        let extensions = SMTPExtensions(ehlo: parsed)
        #expect(extensions.has("STARTTLS"))
        #expect(extensions.has("SIZE"))
        #expect(!extensions.has("AUTH"))
        #expect(SMTPExtensions(ehlo: try reply(ehloWithAuth)).authMechanisms == ["LOGIN", "PLAIN"])
    }

    @Test func repliesGiveTheirTextAndEnhancedCode() throws {
        let queued = try reply("250 OK queued as 17")
        #expect(queued.text == "OK queued as 17")
        #expect(queued.enhancedCode == nil)
        #expect(try reply("550 5.1.1 <ana@example.org>: No such mailbox").enhancedCode == "5.1.1")
        #expect(try reply("220").lines == [""])
    }

    @Test func garbageIsAProtocolError() {
        var parser = SMTPReplyParser()
        #expect(throws: SMTPProtocolError.self) { try parser.add(line: Array("HTTP/1.1 400 Bad Request".utf8)) }
        var mixed = SMTPReplyParser()
        #expect(throws: SMTPProtocolError.self) {
            _ = try mixed.add(line: Array("250-first".utf8))
            _ = try mixed.add(line: Array("251 second".utf8))
        }
    }

    @Test func opensWithSTARTTLSThenAuthPlain() throws {
        var opening = SessionOpening(heloName: "relay.local", tlsPolicy: .required, credentials: ("relay", "secret"))
        #expect(opening.next(after: try reply("220 mail.example.org ESMTP")) == .send(.ehlo("relay.local")))
        #expect(opening.next(after: try reply(ehloWithTLS)) == .send(.startTLS))
        #expect(opening.next(after: try reply("220 Ready to start TLS")) == .startTLS(then: .ehlo("relay.local")))
        #expect(opening.isSecured)
        // base64("\0relay\0secret")
        #expect(
            opening.next(after: try reply(ehloWithAuth)) == .send(.authPlain(initialResponse: "AHJlbGF5AHNlY3JldA==")))
        guard case .ready = opening.next(after: try reply("235 2.7.0 Authentication successful")) else {
            Issue.record("not ready after 235")
            return
        }
    }

    @Test func authLoginWhenPlainIsNotOffered() throws {
        var opening = SessionOpening(heloName: "h", tlsPolicy: .none, credentials: ("relay", "secret"))
        _ = opening.next(after: try reply("220 hi"))
        #expect(opening.next(after: try reply("250-h\n250 AUTH LOGIN")) == .send(.authLogin))
        #expect(opening.next(after: try reply("334 VXNlcm5hbWU6")) == .send(.authResponse("cmVsYXk=")))
        #expect(opening.next(after: try reply("334 UGFzc3dvcmQ6")) == .send(.authResponse("c2VjcmV0")))
        let refused = opening.next(after: try reply("535 5.7.8 Authentication credentials invalid"))
        guard case .fail(let failure) = refused else {
            Issue.record("no failure: \(refused)")
            return
        }
        #expect(failure.disposition == .misconfigured)
        #expect(failure.providerCode == "535")
    }

    @Test func fallsBackToHELOWhenEHLOIsRefused() throws {
        var opening = SessionOpening(heloName: "h", tlsPolicy: .opportunistic, credentials: nil)
        _ = opening.next(after: try reply("220 old server"))
        #expect(opening.next(after: try reply("502 Command not implemented")) == .send(.helo("h")))
        #expect(opening.next(after: try reply("250 old server")) == .ready(SMTPExtensions()))
    }

    @Test func requiredTLSWithoutSTARTTLSIsMisconfigured() throws {
        var opening = SessionOpening(heloName: "h", tlsPolicy: .required, credentials: nil)
        _ = opening.next(after: try reply("220 hi"))
        guard case .fail(let failure) = opening.next(after: try reply("250-h\n250 SIZE 100")) else {
            Issue.record("went on without STARTTLS")
            return
        }
        #expect(failure.disposition == .misconfigured)
        #expect(failure.message.contains("STARTTLS"))
    }

    @Test func opportunisticTLSGoesOnInPlainText() throws {
        var opening = SessionOpening(heloName: "h", tlsPolicy: .opportunistic, credentials: nil)
        _ = opening.next(after: try reply("220 hi"))
        #expect(
            opening.next(after: try reply("250-h\n250 SIZE 100"))
                == .ready(SMTPExtensions(ehlo: try reply("250-h\n250 SIZE 100"))))
        #expect(!opening.isSecured)
    }

    @Test func thePasswordNeverGoesInPlainTextUnlessTLSIsOff() throws {
        var opening = SessionOpening(heloName: "h", tlsPolicy: .opportunistic, credentials: ("u", "p"))
        _ = opening.next(after: try reply("220 hi"))
        guard case .fail(let failure) = opening.next(after: try reply("250-h\n250 AUTH PLAIN")) else {
            Issue.record("sent the password without TLS")
            return
        }
        #expect(failure.disposition == .misconfigured)
        var plain = SessionOpening(heloName: "h", tlsPolicy: .none, credentials: ("u", "p"))
        _ = plain.next(after: try reply("220 hi"))
        #expect(plain.next(after: try reply("250-h\n250 AUTH PLAIN")) == .send(.authPlain(initialResponse: "AHUAcA==")))
    }

    @Test func credentialsWithoutAnOfferedMechanismAreMisconfigured() throws {
        var opening = SessionOpening(heloName: "h", tlsPolicy: .none, credentials: ("u", "p"))
        _ = opening.next(after: try reply("220 hi"))
        guard case .fail(let failure) = opening.next(after: try reply("250-h\n250 AUTH CRAM-MD5")) else {
            Issue.record("logged in without a mechanism")
            return
        }
        #expect(failure.disposition == .misconfigured)
    }

    @Test func aBusyGreetingIsRetried() throws {
        var opening = SessionOpening(heloName: "h", tlsPolicy: .none, credentials: nil)
        guard case .fail(let failure) = opening.next(after: try reply("421 4.3.2 Too busy, try later")) else {
            Issue.record("went on after 421")
            return
        }
        #expect(failure.disposition == .retry(afterSeconds: nil))
    }

    @Test func aTransactionRunsMailRcptDataContent() throws {
        var transaction = MailTransaction(
            sender: "alerts@example.org", recipient: "ana@example.org", message: Array("x\r\n".utf8))
        #expect(transaction.start() == .mailFrom("alerts@example.org"))
        #expect(transaction.next(after: try reply("250 OK")) == .send(.rcptTo("ana@example.org")))
        #expect(transaction.next(after: try reply("250 OK")) == .send(.data))
        #expect(
            transaction.next(after: try reply("354 End data with <CR><LF>.<CR><LF>"))
                == .send(.content(Array("x\r\n".utf8))))
        #expect(transaction.next(after: try reply("250 OK queued as 9")) == .accepted(try reply("250 OK queued as 9")))
        #expect(
            String(decoding: SMTPCommand.rcptTo("ana@example.org").bytes, as: UTF8.self)
                == "RCPT TO:<ana@example.org>\r\n")
    }

    @Test(arguments: [
        ("rcpt", "550 5.1.1 No such user", ChannelFailure.Disposition.contactGone),
        ("rcpt", "551 User not local", .contactGone),
        ("rcpt", "553 Mailbox name not allowed", .contactGone),
        ("rcpt", "550 5.7.1 Relaying denied", .misconfigured),
        ("rcpt", "552 Mailbox full", .retry(afterSeconds: nil)),
        ("rcpt", "554 Transaction failed", .final),
        ("rcpt", "450 Mailbox busy", .retry(afterSeconds: nil)),
        ("mail", "530 5.7.0 Authentication required", .misconfigured),
        ("mail", "553 Sender address rejected", .misconfigured),
        ("mail", "552 Message size exceeds fixed limit", .final),
        ("mail", "421 Closing", .retry(afterSeconds: nil)),
        ("data", "554 No valid recipients", .final),
        ("content", "451 4.3.0 Try again later", .retry(afterSeconds: nil)),
        ("content", "554 5.6.0 Message refused", .final),
    ])
    func refusalsMapToDispositions(step: String, text: String, expected: ChannelFailure.Disposition) throws {
        var transaction = MailTransaction(sender: "a@example.org", recipient: "b@example.org", message: [])
        let replies = ["mail": 0, "rcpt": 1, "data": 2, "content": 3][step]!
        for (index, answer) in ["250 OK", "250 OK", "354 go"].enumerated() where index < replies {
            _ = transaction.next(after: try reply(answer))
        }
        switch transaction.next(after: try reply(text)) {
        case .fail(let failure):
            #expect(failure.disposition == expected, "\(step): \(text)")
            #expect(failure.providerCode == String(text.prefix(3)))
        case .accepted:
            #expect(text.hasPrefix("250"), "accepted \(text)")
        case .send(let command):
            Issue.record("went on with \(command) after \(text)")
        }
    }
}
