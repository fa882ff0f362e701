import MQTTWire
import NIOCore

/// Cuts the broker's bytes into packets with ``MQTTPacketParser``: every packet a read holds
/// goes up the pipeline, with one `channelReadComplete` after them.
struct MQTTPacketDecoder: ByteToMessageDecoder {
    typealias InboundOut = MQTTInboundPacket

    let version: MQTTProtocolVersion

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let parsed = try buffer.withUnsafeReadableBytes { try MQTTPacketParser.parse($0, version: version) }
        guard let (packet, length) = parsed else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: length)
        context.fireChannelRead(wrapInboundOut(packet))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        // A partial packet at the end is dropped with the connection.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
