import Channels
import FlightEdgeTestSupport
import Foundation
import SMTPChannel
import Testing

/// The channel against the real stand-in (`scripts/standins/smtp.py`): STARTTLS, AUTH, the
/// message as it arrives, failures the stand-in is told to make, the pool. Each test mails its
/// own recipients, and the stand-in's failures are limited to them, so nothing here depends on
/// what else the stand-in receives meanwhile.
@Suite(.serialized) struct SMTPChannelTests {
    let standin: SMTPStandin

    init() throws {
        standin = try SMTPStandin.shared()
    }

    func settings(
        port: Int? = nil, password: String = SMTPStandin.password, trustCA: Bool = true,
        startTLS: SMTPChannel.Settings.StartTLS = .required, host: String = "127.0.0.1", maxConnections: Int = 4
    ) throws -> SMTPChannel.Settings {
        SMTPChannel.Settings(
            host: host, port: port ?? standin.port, startTLS: startTLS,
            username: startTLS == .none ? nil : SMTPStandin.user,
            password: startTLS == .none ? nil : password,
            from: try MailAddress(parsing: "FlightEdge <alerts@example.org>"),
            trustedCAFile: trustCA ? standin.caFile : nil, heloName: "relay.test", commandTimeout: .seconds(10),
            maxConnections: maxConnections)
    }

    static func recipient() -> String { "t-\(UUID().uuidString.prefix(8).lowercased())@example.org" }

    func message(
        id: String = "d-\(UUID().uuidString)", subject: String = "Gate change: LX1234 now leaves from B34",
        text: String = "Hello,\nyour flight LX1234 now leaves from gate B34.\n",
        html: String? = "<p>Gate <b>B34</b></p>"
    ) -> OutgoingMessage {
        OutgoingMessage(
            deliveryID: id, replaceKey: "LX1234/gate", subject: subject, text: text, html: html,
            unsubscribeURL: "https://relay.example.org/unsubscribe?s=\(id)&sig=abc", locale: "de")
    }

    func expectFailure(
        _ disposition: ChannelFailure.Disposition, code: String? = nil,
        _ body: () async throws(ChannelFailure) -> ProviderAcceptance
    ) async {
        do {
            let acceptance = try await body()
            Issue.record("sent (\(acceptance.providerID ?? "-")), expected \(disposition)")
        } catch {
            #expect(error.disposition == disposition, "\(error)")
            if let code { #expect(error.providerCode == code, "\(error)") }
        }
    }

    @Test func aMessageGoesOutThroughSTARTTLSAndAUTHAsWritten() async throws {
        let channel = try SMTPChannel(settings: settings())
        defer { Task { await channel.shutdown() } }
        let to = Self.recipient()
        let sent = message(
            subject: "Änderung: LX1234 fliegt ab Gate B34 ✈︎", text: "Grüezi,\nGate B34.\n.\nEnd",
            html: "<p>Gate B34</p>")
        let acceptance = try await channel.send(sent, to: .email(address: to))

        let record = try #require(try standin.received(for: to).first)
        #expect(acceptance.providerID == "OK queued as \(record.queueID)")
        #expect(record.tls)
        #expect(record.authUser == SMTPStandin.user)
        #expect(record.mailFrom == "alerts@example.org")
        #expect(record.messageID == "<\(sent.deliveryID)@example.org>")
        #expect(record.subject == sent.subject)
        #expect(record.to == to)
        #expect(record.listUnsubscribe == "<\(sent.unsubscribeURL!)>")
        #expect(record.text == sent.text)
        #expect(record.html == sent.html)

        let eml = try standin.mail(record)
        for header in [
            "From: FlightEdge <alerts@example.org>", "To: \(to)", "Message-ID: <\(sent.deliveryID)@example.org>",
            "MIME-Version: 1.0",
            "Content-Language: de", "Auto-Submitted: auto-generated",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            "Content-Type: multipart/alternative;", "Content-Type: text/plain; charset=utf-8",
            "Content-Type: text/html; charset=utf-8",
        ] {
            #expect(eml.contains(header), "the .eml lacks \(header)")
        }
    }

    @Test func theSameDeliverySentTwiceCarriesTheSameMessageID() async throws {
        let channel = try SMTPChannel(settings: settings())
        defer { Task { await channel.shutdown() } }
        let to = Self.recipient()
        let sent = message()
        _ = try await channel.send(sent, to: .email(address: to))
        _ = try await channel.send(sent, to: .email(address: to))
        let ids = try standin.received(for: to).map(\.messageID)
        #expect(ids.count == 2)
        #expect(Set(ids) == ["<\(sent.deliveryID)@example.org>"])
    }

    @Test func aWrongPasswordIsMisconfigured() async throws {
        let channel = try SMTPChannel(settings: settings(password: "not-the-password"))
        defer { Task { await channel.shutdown() } }
        await expectFailure(.misconfigured, code: "535") { () async throws(ChannelFailure) in
            try await channel.send(message(), to: .email(address: Self.recipient()))
        }
    }

    @Test func anUntrustedCertificateIsMisconfigured() async throws {
        let channel = try SMTPChannel(settings: settings(trustCA: false))
        defer { Task { await channel.shutdown() } }
        await expectFailure(.misconfigured, code: "TLS") { () async throws(ChannelFailure) in
            try await channel.send(message(), to: .email(address: Self.recipient()))
        }
    }

    @Test func theCertificateIsCheckedAgainstAHostName() async throws {
        let channel = try SMTPChannel(settings: settings(host: "localhost"))
        defer { Task { await channel.shutdown() } }
        let to = Self.recipient()
        _ = try await channel.send(message(), to: .email(address: to))
        #expect(try standin.received(for: to).count == 1)
    }

    @Test func aTemporaryFailureIsRetriedAndTheConnectionGoesOn() async throws {
        let channel = try SMTPChannel(settings: settings(maxConnections: 1))
        defer { Task { await channel.shutdown() } }
        let to = Self.recipient()
        try standin.fail("tempfail", recipient: to)
        await expectFailure(.retry(afterSeconds: nil), code: "451") { () async throws(ChannelFailure) in
            try await channel.send(message(), to: .email(address: to))
        }
        #expect(try standin.received(for: to).isEmpty)
        _ = try await channel.send(message(), to: .email(address: to))
        #expect(try standin.received(for: to).count == 1)
    }

    @Test func anUnknownMailboxIsAContactGone() async throws {
        let channel = try SMTPChannel(settings: settings())
        defer { Task { await channel.shutdown() } }
        let to = Self.recipient()
        try standin.fail("reject-rcpt", recipient: to)
        await expectFailure(.contactGone, code: "550") { () async throws(ChannelFailure) in
            try await channel.send(message(), to: .email(address: to))
        }
        #expect(try standin.received(for: to).isEmpty)
    }

    /// RFC 2920 §3.1: a server may answer DATA with 354 though every recipient was refused. The
    /// pipelined client then does not send the message and does not reuse the connection (the
    /// server waits for data on it): the next send opens another. Reused, that connection would
    /// swallow the next send's commands as message text and answer nothing until the command
    /// timeout, here far beyond the test's time limit.
    @Test(.timeLimit(.minutes(1)))
    func dataAcceptedAfterARefusedRecipientClosesTheConnection() async throws {
        var patient = try settings(maxConnections: 1)
        patient.commandTimeout = .seconds(300)
        let channel = try SMTPChannel(settings: patient)
        defer { Task { await channel.shutdown() } }
        let to = Self.recipient()
        _ = try await channel.send(message(), to: .email(address: to))
        try standin.fail("reject-rcpt-take-data", recipient: to)
        await expectFailure(.contactGone, code: "550") { () async throws(ChannelFailure) in
            try await channel.send(message(), to: .email(address: to))
        }
        _ = try await channel.send(message(), to: .email(address: to))
        let records = try standin.received(for: to)
        #expect(records.count == 2, "the refused one kept nothing")
        #expect(records.allSatisfy { $0.pipelined == true })
        #expect(Set(records.map(\.connection)).count == 2, "a new connection after the 354: \(records.map(\.connection))")
    }

    @Test func aRefusedMessageIsFinal() async throws {
        let channel = try SMTPChannel(settings: settings())
        defer { Task { await channel.shutdown() } }
        let to = Self.recipient()
        try standin.fail("reject-data", recipient: to)
        await expectFailure(.final, code: "554") { () async throws(ChannelFailure) in
            try await channel.send(message(), to: .email(address: to))
        }
    }

    @Test func aConnectionDroppedAfterTheDataIsRetriedOnANewConnection() async throws {
        let channel = try SMTPChannel(settings: settings(maxConnections: 1))
        defer { Task { await channel.shutdown() } }
        let to = Self.recipient()
        try standin.fail("drop", recipient: to)
        await expectFailure(.retry(afterSeconds: nil)) { () async throws(ChannelFailure) in
            try await channel.send(message(), to: .email(address: to))
        }
        _ = try await channel.send(message(), to: .email(address: to))
        #expect(try standin.received(for: to).count == 1)
    }

    @Test func aServerThatDoesNotAnswerTimesOutAsRetry() async throws {
        var slow = try settings()
        slow.dataTimeout = .seconds(1)
        let channel = try SMTPChannel(settings: slow)
        defer { Task { await channel.shutdown() } }
        let to = Self.recipient()
        try standin.fail("stall", recipient: to)
        let start = ContinuousClock.now
        await expectFailure(.retry(afterSeconds: nil)) { () async throws(ChannelFailure) in
            try await channel.send(message(), to: .email(address: to))
        }
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func aCancelledSendStopsWaiting() async throws {
        let channel = try SMTPChannel(settings: settings())
        defer { Task { await channel.shutdown() } }
        let to = Self.recipient()
        try standin.fail("stall", recipient: to)
        let start = ContinuousClock.now
        let send = Task { () async throws(ChannelFailure) -> ProviderAcceptance in
            try await channel.send(message(), to: .email(address: to))
        }
        try await Task.sleep(for: .milliseconds(300))
        send.cancel()
        do {
            let acceptance = try await send.value
            Issue.record("sent (\(acceptance.providerID ?? "-")) though cancelled")
        } catch let failure as ChannelFailure {
            #expect(failure.disposition == .retry(afterSeconds: nil), "\(failure)")
        }
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func contentArrivesAsTheCallerWroteIt() async throws {
        let channel = try SMTPChannel(settings: settings())
        defer { Task { await channel.shutdown() } }
        let to = Self.recipient()
        let remark = "Remark: <script>alert(1)</script> & more"
        let escaped = "<p>Remark: &lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>"
        _ = try await channel.send(message(text: remark, html: escaped), to: .email(address: to))
        _ = try await channel.send(message(text: remark, html: "<p>\(remark)</p>"), to: .email(address: to))
        let records = try standin.received(for: to)
        #expect(records.map(\.text) == [remark, remark])
        #expect(records.map(\.html) == [escaped, "<p>\(remark)</p>"])
    }

    @Test func twoHundredMessagesShareOnePooledConnection() async throws {
        let channel = try SMTPChannel(settings: settings())
        defer { Task { await channel.shutdown() } }
        let to = Self.recipient()
        let start = ContinuousClock.now
        for number in 1...200 {
            _ = try await channel.send(message(id: "pool-\(to)-\(number)"), to: .email(address: to))
        }
        let elapsed = ContinuousClock.now - start
        let records = try standin.received(for: to)
        #expect(records.count == 200)
        #expect(Set(records.map(\.messageID)).count == 200)
        #expect(Set(records.map(\.connection)).count == 1, "connections: \(Set(records.map(\.connection)))")
        #expect(records.allSatisfy { $0.pipelined == true }, "RSET, MAIL, RCPT and DATA in one write: the stand-in offers PIPELINING")
        print(
            "SMTP one after another: 200 messages in \(elapsed), \(Int(200 / elapsed.seconds)) messages/s over 1 connection"
        )
    }

    @Test func concurrentSendsUseAtMostMaxConnections() async throws {
        let channel = try SMTPChannel(settings: settings(maxConnections: 3))
        defer { Task { await channel.shutdown() } }
        let to = Self.recipient()
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for number in 0..<25 {
                        _ = try await channel.send(message(id: "c-\(to)-\(worker)-\(number)"), to: .email(address: to))
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        let records = try standin.received(for: to)
        let connections = Set(records.map(\.connection))
        #expect(records.count == 200)
        #expect((1...3).contains(connections.count), "connections: \(connections)")
        print(
            "SMTP 8 senders: 200 messages in \(elapsed), \(Int(200 / elapsed.seconds)) messages/s over \(connections.count) connections"
        )
    }

    @Test func noSendAfterShutdown() async throws {
        let channel = try SMTPChannel(settings: settings())
        _ = try await channel.send(message(), to: .email(address: Self.recipient()))
        await channel.shutdown()
        await expectFailure(.retry(afterSeconds: nil)) { () async throws(ChannelFailure) in
            try await channel.send(message(), to: .email(address: Self.recipient()))
        }
    }

    @Test func aContactOfAnotherChannelOrABadAddressIsRefused() async throws {
        let channel = try SMTPChannel(settings: settings())
        defer { Task { await channel.shutdown() } }
        await expectFailure(.final) { () async throws(ChannelFailure) in
            try await channel.send(message(), to: .sms(number: "+41790000000"))
        }
        await expectFailure(.contactGone) { () async throws(ChannelFailure) in
            try await channel.send(message(), to: .email(address: "ana@example.org>\r\nRCPT TO:<eve@example.org"))
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
