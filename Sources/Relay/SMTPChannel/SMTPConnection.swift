import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// One TCP connection to the SMTP server: commands go out, replies come back in order
/// (``SMTPClientHandler``), and STARTTLS puts TLS under the same channel. What to send is the
/// state machines' business (``SessionOpening``, ``MailTransaction``); this is only the I/O.
final class SMTPConnection: Sendable {
    private let channel: any Channel
    private let endReason: SMTPClientHandler.EndReason
    private let pipeliningOffered = Atomic<Bool>(false)

    private init(channel: any Channel, endReason: SMTPClientHandler.EndReason) {
        self.channel = channel
        self.endReason = endReason
    }

    /// Connects to `host:port` (no bytes exchanged yet: read the greeting with ``greeting(timeout:)``).
    static func connect(
        host: String, port: Int, timeout: TimeAmount, group: any EventLoopGroup
    ) async throws -> SMTPConnection {
        let endReason = SMTPClientHandler.EndReason()
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(SMTPReplyDecoder()), SMTPClientHandler(endReason: endReason))
                }
            }
            .connect(host: host, port: port)
            .get()
        return SMTPConnection(channel: channel, endReason: endReason)
    }

    /// Whether the connection is still up (the server may have closed an idle one).
    var isActive: Bool { channel.isActive }

    /// Whether the server offered PIPELINING (RFC 2920) in the session's last EHLO: then a
    /// transaction's commands may go in one write (``sendPipelined(_:timeout:)``).
    var pipelining: Bool {
        get { pipeliningOffered.load(ordering: .relaxed) }
        set { pipeliningOffered.store(newValue, ordering: .relaxed) }
    }

    /// The server's first reply.
    func greeting(timeout: TimeAmount) async throws -> SMTPReply {
        try await exchange(nil, name: "the greeting", timeout: timeout)
    }

    /// Sends `command` and returns the server's reply to it.
    func send(_ command: SMTPCommand, timeout: TimeAmount) async throws -> SMTPReply {
        try await exchange(command.bytes, name: "\(command)", timeout: timeout)
    }

    /// Sends `commands` in one write, without waiting for a reply between them (RFC 2920), and
    /// returns each one's reply, or why none came, in order. Every reply is awaited, so the
    /// connection is in step again when this returns, whatever the server answered.
    func sendPipelined(_ commands: [SMTPCommand], timeout: TimeAmount) async -> [Result<SMTPReply, any Error>] {
        await exchange(commands.map { ($0.bytes, "\($0)") }, timeout: timeout)
    }

    private func exchange(_ bytes: [UInt8]?, name: String, timeout: TimeAmount) async throws -> SMTPReply {
        try await exchange([(bytes, name)], timeout: timeout)[0].get()
    }

    /// Writes the requests (one flush, after the last) and waits for each reply in order.
    private func exchange(_ requests: [(bytes: [UInt8]?, name: String)], timeout: TimeAmount) async
        -> [Result<SMTPReply, any Error>]
    {
        let endReason = self.endReason
        let replies = requests.map { _ in channel.eventLoop.makePromise(of: SMTPReply.self) }
        for (index, (bytes, name)) in requests.enumerated() {
            let request = SMTPClientHandler.Request(bytes: bytes, reply: replies[index], timeout: timeout, name: name)
            let written = index == requests.count - 1 ? channel.writeAndFlush(request) : channel.write(request)
            written.whenFailure { [reply = replies[index]] in reply.fail(endReason.value ?? $0) }
        }
        // A cancelled send stops waiting at once; the replies, when they come, go to the failed
        // promises, and the caller gives the connection up (its next reply would be these ones').
        return await withTaskCancellationHandler {
            var results: [Result<SMTPReply, any Error>] = []
            for reply in replies {
                do {
                    results.append(.success(try await reply.futureResult.get()))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        } onCancel: {
            for reply in replies { reply.fail(CancellationError()) }
        }
    }

    /// Puts TLS under the connection after the server's `220` to STARTTLS (RFC 3207): the TLS
    /// handler goes first in the same pipeline; its handshake runs before the next command leaves,
    /// and a handshake that fails (an untrusted certificate) fails that command's reply.
    func startTLS(context: NIOSSLContext, serverHostname: String?) async throws {
        let channel = self.channel
        try await channel.eventLoop.submit {
            let tls = try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
            try channel.pipeline.syncOperations.addHandler(tls, position: .first)
        }.get()
    }

    /// Says QUIT (waiting at most `timeout` for the reply) and closes; never throws.
    func quit(timeout: TimeAmount) async {
        if channel.isActive {
            _ = try? await send(.quit, timeout: timeout)
        }
        close()
    }

    /// Closes at once.
    func close() {
        channel.close(promise: nil)
    }
}
