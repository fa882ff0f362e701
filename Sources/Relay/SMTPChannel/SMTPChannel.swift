import Channels
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// The e-mail channel: each ``send(_:to:)`` is one SMTP transaction (RFC 5321) with the configured
/// submission server, over STARTTLS (RFC 3207) and logged in (AUTH PLAIN or LOGIN) as configured,
/// on a small pool of reused connections (RSET between messages, a new connection when the server
/// closed the old one, QUIT at ``shutdown()``). When the server offers PIPELINING (RFC 2920), RSET,
/// MAIL, RCPT and DATA go in one write: two round trips a message instead of five.
///
/// The message is a ``MailMessage``; its `Message-ID` comes from the delivery id, so every retry of
/// a delivery carries the same one. How replies and broken connections map to
/// ``ChannelFailure/Disposition``: see `SMTPReply.failure(after:)` and ``Settings``.
public final class SMTPChannel: NotificationChannel {
    /// Always `.email`.
    public let kind = ChannelKind.email
    /// What the channel was made with.
    public let settings: Settings
    private let pool: SMTPConnectionPool

    /// A channel for `settings`; connects on the first send. Throws `.misconfigured` when the
    /// settings cannot work: a `trustedCAFile` that does not load, a username without a password.
    public init(settings: Settings, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton)
        throws(ChannelFailure)
    {
        if settings.username != nil, settings.password == nil {
            throw ChannelFailure(.misconfigured, "[smtp] username is set but no password was read (password_file)")
        }
        var tls: NIOSSLContext?
        if settings.startTLS != .none {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.additionalTrustRoots = settings.trustedCAFile.map { [.file($0)] } ?? []
            do {
                tls = try NIOSSLContext(configuration: configuration)
            } catch {
                throw ChannelFailure(
                    .misconfigured,
                    "cannot load the trusted CA file \(settings.trustedCAFile ?? "") ([smtp] ca_file): \(error)")
            }
        }
        self.settings = settings
        let session = SessionStarter(settings: settings, tls: tls, group: group)
        pool = SMTPConnectionPool(
            limit: settings.maxConnections, idleTimeout: settings.idleTimeout, quitTimeout: .seconds(2)
        ) { () async throws(ChannelFailure) in try await session.open() }
    }

    /// Sends `message` to the e-mail address `contact` as one SMTP transaction and returns the
    /// server's `250` text after the data (`OK queued as 17`: the queue id) as the provider id.
    public func send(_ message: OutgoingMessage, to contact: ContactPoint) async throws(ChannelFailure)
        -> ProviderAcceptance
    {
        guard case .email(let address) = contact else {
            throw ChannelFailure(.final, "the e-mail channel cannot send to a \(contact.channel.rawValue) contact")
        }
        let recipient: MailAddress
        do {
            recipient = try MailAddress(address)
        } catch {
            throw ChannelFailure(.contactGone, "cannot send to \(address): \(error.message)")
        }
        let mail = try MailMessage(message, from: settings.from, to: recipient, date: Date())
        let transaction = MailTransaction(
            sender: settings.from.address, recipient: recipient.address, message: mail.bytes)

        // A reused connection the server closed meanwhile fails its RSET: take another, at most
        // once per possible connection; a new one is not retried here (the dispatcher retries).
        for _ in 0...settings.maxConnections {
            let lease = try await pool.lease()
            if lease.connection.pipelining {
                guard let acceptance = try await deliverPipelined(transaction, reset: lease.reused, on: lease.connection)
                else { continue }
                return acceptance
            }
            if lease.reused {
                guard let reset = try? await lease.connection.send(.reset, timeout: settings.commandTimeout.timeAmount),
                    reset.code == 250
                else {
                    await pool.giveBack(lease.connection, reusable: false)
                    continue
                }
            }
            var started = transaction
            return try await deliver(&started, from: started.start(), on: lease.connection)
        }
        throw ChannelFailure(.retry(afterSeconds: nil), "the SMTP server kept closing the connections it had open")
    }

    /// One transaction with PIPELINING (RFC 2920): RSET (on a reused connection), MAIL, RCPT and
    /// DATA in one write, then the message once DATA is answered `354`: two round trips, where
    /// one command at a time takes five. Nil when the reused connection's RSET failed (the server
    /// closed it meanwhile): the caller takes another.
    private func deliverPipelined(_ start: MailTransaction, reset: Bool, on connection: SMTPConnection)
        async throws(ChannelFailure) -> ProviderAcceptance?
    {
        var transaction = start
        let commands = (reset ? [SMTPCommand.reset] : []) + transaction.pipelined()
        let replies = await connection.sendPipelined(commands, timeout: settings.commandTimeout.timeAmount)
        if reset {
            guard case .success(let reply) = replies[0], reply.code == 250 else {
                await pool.giveBack(connection, reusable: false)
                return nil
            }
        }
        // DATA answered 354 means the server now reads the message, whatever came before.
        let dataAccepted = if case .success(let reply) = replies.last { reply.code == 354 } else { false }
        for (command, result) in zip(commands, replies).dropFirst(reset ? 1 : 0) {
            let reply: SMTPReply
            switch result {
            case .success(let answer): reply = answer
            case .failure(let error):
                await pool.giveBack(connection, reusable: false)
                throw ChannelFailure.smtp(error, during: "\(command)", server: server)
            }
            switch transaction.next(after: reply) {
            case .send(.content(let message)):
                return try await deliver(&transaction, from: .content(message), on: connection)
            case .send:
                continue  // the group's next command: sent already
            case .accepted(let reply):  // not before the message; kept for completeness
                await pool.giveBack(connection, reusable: true)
                return ProviderAcceptance(providerID: reply.text.isEmpty ? nil : reply.text)
            case .fail(let failure):
                // Every reply of the group is in: the connection is in step, unless the server
                // took DATA anyway (a refused recipient, then 354) and waits for a message.
                await pool.giveBack(connection, reusable: reply.code != 421 && !dataAccepted)
                throw failure
            }
        }
        await pool.giveBack(connection, reusable: false)
        throw ChannelFailure(.retry(afterSeconds: nil), "the SMTP server's replies to MAIL, RCPT and DATA ended early")
    }

    /// Runs a transaction from `command` on a leased connection, one command at a time, and gives
    /// the connection back.
    private func deliver(_ transaction: inout MailTransaction, from first: SMTPCommand, on connection: SMTPConnection)
        async throws(ChannelFailure) -> ProviderAcceptance
    {
        var command = first
        while true {
            let reply: SMTPReply
            do {
                let timeout = if case .content = command { settings.dataTimeout } else { settings.commandTimeout }
                reply = try await connection.send(command, timeout: timeout.timeAmount)
            } catch {
                await pool.giveBack(connection, reusable: false)
                throw ChannelFailure.smtp(error, during: "\(command)", server: server)
            }
            switch transaction.next(after: reply) {
            case .send(let next):
                command = next
            case .accepted(let reply):
                await pool.giveBack(connection, reusable: true)
                return ProviderAcceptance(providerID: reply.text.isEmpty ? nil : reply.text)
            case .fail(let failure):
                await pool.giveBack(connection, reusable: reply.code != 421)
                throw failure
            }
        }
    }

    /// Closes every connection (QUIT on the idle ones); sends after it fail with `.retry`.
    public func shutdown() async {
        await pool.shutdown()
    }

    private var server: String { "\(settings.host):\(settings.port)" }
}

extension Duration {
    /// The same span for NIO.
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
