import NIOCore

/// Cuts the server's bytes into lines and hands them to ``SMTPReplyParser``: one ``SMTPReply`` per
/// complete reply goes up the pipeline. Takes a bare LF as a line end too (lenient in what it reads).
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    /// RFC 5321 §4.5.3.1.5 allows 512 octets per reply line; more without a line end is not SMTP.
    static let maximumLineLength = 4096

    private var parser = SMTPReplyParser()

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: 10) else {
            if view.count > Self.maximumLineLength {
                throw SMTPProtocolError(message: "the server sent a line longer than \(Self.maximumLineLength) bytes")
            }
            return .needMoreData
        }
        var line = view[view.startIndex..<newline]
        if line.last == 13 { line = line.dropLast() }
        let reply = try parser.add(line: line)
        buffer.moveReaderIndex(forwardBy: newline - view.startIndex + 1)
        if let reply { context.fireChannelRead(wrapInboundOut(reply)) }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        // A partial line at the end is dropped: the connection is gone, its waiters fail.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
