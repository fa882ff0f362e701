import NIOCore
import Synchronization

/// Pairs commands with replies on one connection: each ``Request`` written down the pipeline is
/// sent and its promise gets the next reply. A reply that arrives with nobody waiting (the
/// greeting, before its request) is kept for the next request. A request waits at most its
/// timeout; then, or on an error or the connection's end, every waiting promise fails and the
/// connection is closed. Runs on the channel's event loop only.
final class SMTPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = SMTPReply
    typealias OutboundIn = Request
    typealias OutboundOut = ByteBuffer

    /// One command (nil bytes: only wait for a reply, like the greeting) and where its reply goes.
    struct Request: Sendable {
        var bytes: [UInt8]?
        var reply: EventLoopPromise<SMTPReply>
        var timeout: TimeAmount
        /// For the timeout's message.
        var name: String
    }

    private var waiting = CircularBuffer<Request>()
    private var unclaimed = CircularBuffer<SMTPReply>()
    private var timer: Scheduled<Void>?
    private var ended: (any Error)?
    /// Where the connection reads why it ended: a command written after the channel closed
    /// never reaches this handler (the pipeline is gone), only its write fails.
    private let endReason: EndReason

    init(endReason: EndReason) {
        self.endReason = endReason
    }

    /// The first error that ended the connection, readable from any thread.
    final class EndReason: Sendable {
        private let error = Mutex<(any Error)?>(nil)
        var value: (any Error)? { error.withLock { $0 } }
        fileprivate func record(_ reason: any Error) {
            error.withLock { if $0 == nil { $0 = reason } }
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let ended {
            request.reply.fail(ended)
            promise?.fail(ended)
            return
        }
        waiting.append(request)
        if let bytes = request.bytes {
            context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: promise)
        } else {
            promise?.succeed()
        }
        if let reply = unclaimed.popFirst() {
            deliver(reply, context: context)
        } else if waiting.count == 1 {
            armTimer(context: context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        if waiting.isEmpty {
            unclaimed.append(reply)
        } else {
            deliver(reply, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        end(with: error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        end(with: SMTPConnectionClosed())
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        end(with: SMTPConnectionClosed())
    }

    private func deliver(_ reply: SMTPReply, context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        guard let request = waiting.popFirst() else { return }
        request.reply.succeed(reply)
        if !waiting.isEmpty { armTimer(context: context) }
    }

    private func armTimer(context: ChannelHandlerContext) {
        guard let request = waiting.first else { return }
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: request.timeout) {
            let (handler, context) = loopBound.value
            handler.end(with: SMTPTimeout(waitingFor: request.name, after: request.timeout))
            context.close(promise: nil)
        }
    }

    private func end(with error: any Error) {
        if ended == nil { ended = error }
        endReason.record(error)
        timer?.cancel()
        timer = nil
        while let request = waiting.popFirst() { request.reply.fail(error) }
    }
}

/// The server closed the connection (or it broke) while a reply was awaited.
struct SMTPConnectionClosed: Error, Sendable, CustomStringConvertible {
    var description: String { "the SMTP server closed the connection" }
}

/// No reply came in time.
struct SMTPTimeout: Error, Sendable, CustomStringConvertible {
    var waitingFor: String
    var after: TimeAmount
    var description: String {
        "the SMTP server did not answer \(waitingFor) within \(Double(after.nanoseconds) / 1e9) s"
    }
}
