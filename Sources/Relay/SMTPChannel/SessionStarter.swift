import Channels
import NIOCore
import NIOSSL

/// Opens one session: connects, then walks ``SessionOpening`` (greeting, EHLO, STARTTLS, AUTH)
/// over the connection. The pool calls it for each new connection.
struct SessionStarter: Sendable {
    let settings: SMTPChannel.Settings
    let tls: NIOSSLContext?
    let group: any EventLoopGroup

    /// A connection ready for MAIL FROM, or the failure that stopped it (the connection closed).
    func open() async throws(ChannelFailure) -> SMTPConnection {
        let server = "\(settings.host):\(settings.port)"
        let connection: SMTPConnection
        do {
            connection = try await SMTPConnection.connect(
                host: settings.host, port: settings.port, timeout: settings.connectTimeout.timeAmount, group: group)
        } catch {
            throw ChannelFailure.smtp(error, during: "connecting", server: server)
        }
        let policy: SessionOpening.TLSPolicy =
            switch settings.startTLS {
            case .required: .required
            case .opportunistic: .opportunistic
            case .none: .none
            }
        var opening = SessionOpening(
            heloName: settings.heloName, tlsPolicy: policy,
            credentials: settings.username.map { ($0, settings.password ?? "") })
        let timeout = settings.commandTimeout.timeAmount
        var step = "the greeting"
        do {
            var reply = try await connection.greeting(timeout: timeout)
            while true {
                switch opening.next(after: reply) {
                case .send(let command):
                    step = "\(command)"
                    reply = try await connection.send(command, timeout: timeout)
                case .startTLS(let command):
                    step = "the TLS handshake"
                    guard let tls else { preconditionFailure("STARTTLS without a TLS context (starttls = none)") }
                    try await connection.startTLS(
                        context: tls, serverHostname: Self.isIPAddress(settings.host) ? nil : settings.host)
                    reply = try await connection.send(command, timeout: timeout)
                case .ready(let extensions):
                    connection.pipelining = extensions.has("PIPELINING")
                    return connection
                case .fail(let failure):
                    await connection.quit(timeout: .seconds(2))
                    throw failure
                }
            }
        } catch let failure as ChannelFailure {
            throw failure
        } catch {
            connection.close()
            throw ChannelFailure.smtp(error, during: step, server: server)
        }
    }

    /// An IP literal gets no SNI: NIOSSL then checks the certificate against the peer's address.
    private static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
