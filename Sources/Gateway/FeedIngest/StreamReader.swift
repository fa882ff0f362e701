import Configuration
import FeedFraming
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Reads one TCP connection to its end, framing its bytes as the feed says and delivering the
/// frames. Delivery waits while the pipeline is full, so reading stops and TCP pushes back.
struct StreamReader: Sendable {
    let config: FeedConfig
    let sink: FrameSink
    let logger: Logger

    func read(_ connection: NIOAsyncChannel<ByteBuffer, Never>, peer: String, connectionNumber: Int) async {
        let feed = config.name
        sink.counters.connectionOpened()
        defer { sink.counters.connectionClosed() }
        logger.debug("feed connection opened", metadata: ["feed": "\(feed)", "peer": "\(peer)"])
        var framer = makeFramer(config.framing, maxFrameBytes: config.maxFrameBytes)
        var outputs: [FramerOutput] = []
        var skipped: Int64 = 0
        let position = { (offset: Int64, _: Int64) in
            FramePosition.stream(peer: peer, connection: connectionNumber, offset: offset)
        }
        do {
            try await connection.executeThenClose { inbound, _ in
                do {
                    for try await buffer in inbound {
                        outputs.removeAll(keepingCapacity: true)
                        buffer.withUnsafeReadableBytes { framer.consume($0, into: &outputs) }
                        sink.skipped(framer, since: &skipped)
                        guard await sink.deliver(outputs, feed: feed, position: position) else { return }
                        if let failure = framer.failure {
                            logger.error(
                                "closing feed connection: its framing cannot be trusted any more",
                                metadata: ["feed": "\(feed)", "peer": "\(peer)", "reason": "\(failure)"])
                            return
                        }
                    }
                } catch NIOSSLError.uncleanShutdown {
                    // Many senders close without TLS close_notify: what came before is good.
                }
                outputs.removeAll(keepingCapacity: true)
                framer.finish(into: &outputs)
                _ = await sink.deliver(outputs, feed: feed, position: position)
            }
        } catch where error is NIOSSLError || error is BoringSSLError {
            // Logged and counted by the connection's TLSFailureReporter.
        } catch {
            logger.info(
                "feed connection ended with an error",
                metadata: ["feed": "\(feed)", "peer": "\(peer)", "error": "\(error)"])
        }
        logger.debug("feed connection closed", metadata: ["feed": "\(feed)", "peer": "\(peer)"])
    }
}

extension StreamReader {
    /// Puts a feed connection behind an idle timeout and a small read buffer: when the
    /// pipeline stops taking frames, NIO stops reading and TCP pushes back on the sender.
    static func wrap(_ channel: any Channel, idleTimeout: TimeAmount) throws -> NIOAsyncChannel<ByteBuffer, Never> {
        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
        try channel.pipeline.syncOperations.addHandler(IdleConnectionCloser())
        return try NIOAsyncChannel<ByteBuffer, Never>(
            wrappingChannelSynchronously: channel,
            configuration: .init(backPressureStrategy: .init(lowWatermark: 2, highWatermark: 16)))
    }
}
