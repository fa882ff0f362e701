import MQTTWire
import NIOCore

/// Cuts the broker's bytes into packets with ``MQTTPacketParser`` and hands every whole packet
/// of a read up the pipeline together: one `channelRead` for a read's hundred PUBACKs, not one
/// boxed packet each.
struct MQTTPacketDecoder: ByteToMessageDecoder {
    typealias InboundOut = [MQTTInboundPacket]

    let version: MQTTProtocolVersion

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let (packets, consumed) = try buffer.withUnsafeReadableBytes { bytes in
            var packets: [MQTTInboundPacket] = []
            var offset = 0
            while let (packet, length) = try MQTTPacketParser.parse(UnsafeRawBufferPointer(rebasing: bytes[offset...]), version: version) {
                packets.append(packet)
                offset += length
            }
            return (packets, offset)
        }
        guard !packets.isEmpty else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: consumed)
        context.fireChannelRead(wrapInboundOut(packets))
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        // A partial packet at the end is dropped with the connection.
        _ = try decode(context: context, buffer: &buffer)
        return .needMoreData
    }
}
