import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A fast SMTP server for the relay's e-mail figures: EHLO, STARTTLS (the stand-ins' local CA),
/// AUTH PLAIN and LOGIN (any credentials), MAIL, RCPT, DATA, RSET, NOOP, QUIT, several messages
/// per connection. It keeps nothing but the count (aiosmtpd's stand-in writes each message to a
/// file and is the slower party).
final class SMTPSink: Sendable {
    let port: Int
    let recorder: SinkRecorder
    private let channel: any Channel

    init(tlsFolder: URL, recorder: SinkRecorder, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        let context = try NIOSSLContext.sinkServer(tlsFolder: tlsFolder)
        self.recorder = recorder
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(SMTPSinkHandler(recorder: recorder, tls: context))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        port = channel.localAddress?.port ?? 0
    }

    func stop() {
        try? channel.close().wait()
    }
}

/// One SMTP session of the ``SMTPSink``.
private final class SMTPSinkHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Mode {
        case command
        case authPlain
        case authLoginUser
        case authLoginPassword
        case data
    }

    private let recorder: SinkRecorder
    private let tls: NIOSSLContext
    private var secured = false
    private var mode = Mode.command
    private var buffer = ByteBuffer()
    private static let dataEnd = Array("\r\n.\r\n".utf8)

    init(recorder: SinkRecorder, tls: NIOSSLContext) {
        self.recorder = recorder
        self.tls = tls
    }

    func channelActive(context: ChannelHandlerContext) {
        reply(context, "220 bench.sink ESMTP ready")
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        buffer.writeBuffer(&chunk)
        while true {
            if case .data = mode {
                guard let end = find(Self.dataEnd, in: buffer.readableBytesView) else { return }
                buffer.moveReaderIndex(forwardBy: end + 5)
                buffer.discardReadBytes()
                mode = .command
                recorder.accept(deliveryID: nil)
                reply(context, "250 2.0.0 OK queued as \(recorder.accepted)")
                continue
            }
            guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return }
            let length = newline - buffer.readerIndex + 1
            let line = buffer.readString(length: length)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            buffer.discardReadBytes()
            if handle(line, context: context) == false { return }
        }
    }

    /// False when the connection's pipeline changed (STARTTLS) or it closes.
    private func handle(_ line: String, context: ChannelHandlerContext) -> Bool {
        switch mode {
        case .authPlain, .authLoginPassword:
            mode = .command
            reply(context, "235 2.7.0 Authentication successful")
            return true
        case .authLoginUser:
            mode = .authLoginPassword
            reply(context, "334 UGFzc3dvcmQ6")
            return true
        case .data, .command: break
        }
        let verb = line.prefix(while: { $0 != " " }).uppercased()
        switch verb {
        case "EHLO", "HELO":
            let extensions = secured ? ["AUTH PLAIN LOGIN", "PIPELINING", "8BITMIME"] : ["STARTTLS", "PIPELINING", "8BITMIME"]
            reply(context, (["250-bench.sink"] + extensions.dropLast().map { "250-" + $0 } + ["250 " + extensions.last!]).joined(separator: "\r\n"))
        case "STARTTLS":
            reply(context, "220 2.0.0 Ready to start TLS")
            secured = true
            try? context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
        case "AUTH":
            let parts = line.split(separator: " ")
            if parts.count >= 3 {
                reply(context, "235 2.7.0 Authentication successful")
            } else if parts.count == 2, parts[1].uppercased() == "LOGIN" {
                mode = .authLoginUser
                reply(context, "334 VXNlcm5hbWU6")
            } else {
                mode = .authPlain
                reply(context, "334 ")
            }
        case "MAIL", "RCPT", "RSET", "NOOP": reply(context, "250 2.1.0 OK")
        case "DATA":
            mode = .data
            // The terminator search starts before the message: a body of one "." line still ends it.
            buffer = ByteBuffer(string: "\r\n") + buffer
            reply(context, "354 End data with <CR><LF>.<CR><LF>")
        case "QUIT":
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "221 2.0.0 Bye\r\n"))).whenComplete { [channel = context.channel] _ in
                channel.close(promise: nil)
            }
            return false
        default: reply(context, "502 5.5.2 Command not recognized")
        }
        return true
    }

    private func reply(_ context: ChannelHandlerContext, _ text: String) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text + "\r\n")), promise: nil)
    }

    private func find(_ needle: [UInt8], in view: ByteBufferView) -> Int? {
        guard view.count >= needle.count else { return nil }
        var index = view.startIndex
        let last = view.endIndex - needle.count
        while index <= last {
            if view[index] == needle[0], view[index..<(index + needle.count)].elementsEqual(needle) { return index - view.startIndex }
            index += 1
        }
        return nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

private func + (lhs: ByteBuffer, rhs: ByteBuffer) -> ByteBuffer {
    var result = lhs
    var rhs = rhs
    result.writeBuffer(&rhs)
    return result
}
