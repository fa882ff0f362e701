import Configuration
import FeedFraming
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import Timing

/// Reads one TCP connection to its end, framing its bytes as the feed says and delivering the
/// frames. Delivery waits while the pipeline is full, so reading stops and TCP pushes back.
/// With a `frameTimeout`, a connection that holds bytes without completing a frame for that
/// long is closed (a sender trickling a byte at a time no longer holds its slot forever).
struct StreamReader: Sendable {
    let config: FeedConfig
    let sink: FrameSink
    let logger: Logger
    var frameTimeout: Duration?

    /// Reads the connection until it ends, on the connection's own event loop: each read's
    /// bytes reach the framer there, without waking another thread to take them.
    func read(_ connection: NIOAsyncChannel<ByteBuffer, Never>, peer: String, connectionNumber: Int) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(connection.channel.eventLoop)) {
            await readOnLoop(connection, peer: peer, connectionNumber: connectionNumber)
        }
    }

    private func readOnLoop(_ connection: NIOAsyncChannel<ByteBuffer, Never>, peer: String, connectionNumber: Int) async {
        guard let frameTimeout else {
            await read(connection, peer: peer, connectionNumber: connectionNumber, pending: nil)
            return
        }
        // Monotonic nanoseconds since an unfinished frame began (0: none), watched by a timer.
        let pending = PendingFrame()
        let limit = UInt64(frameTimeout.components.seconds) * 1_000_000_000
            + UInt64(frameTimeout.components.attoseconds / 1_000_000_000)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: min(frameTimeout, .seconds(1)))
                    let since = pending.since.load(ordering: .relaxed)
                    if since != 0 && monotonicNanoseconds() &- since >= limit {
                        sink.counters.frameTimedOut()
                        logger.warning(
                            "closing feed connection: no frame completed within frame_timeout",
                            metadata: ["feed": "\(config.name)", "peer": "\(peer)", "frame_timeout": "\(frameTimeout)"])
                        connection.channel.close(promise: nil)
                        return
                    }
                }
            }
            await read(connection, peer: peer, connectionNumber: connectionNumber, pending: pending)
            group.cancelAll()
        }
    }

    private func read(
        _ connection: NIOAsyncChannel<ByteBuffer, Never>, peer: String, connectionNumber: Int, pending: PendingFrame?
    ) async {
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
                    var lastEnd: Int64 = 0
                    for try await buffer in inbound {
                        outputs.removeAll(keepingCapacity: true)
                        buffer.withUnsafeReadableBytes { framer.consume($0, into: &outputs) }
                        sink.skipped(framer, since: &skipped)
                        if let pending {
                            if let last = outputs.last { lastEnd = last.end }
                            if framer.offset <= lastEnd {
                                pending.since.store(0, ordering: .relaxed)
                            } else if pending.since.load(ordering: .relaxed) == 0 {
                                pending.since.store(monotonicNanoseconds(), ordering: .relaxed)
                            }
                        }
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

/// When the unfinished frame of a connection began (monotonic nanoseconds; 0: none).
final class PendingFrame: Sendable {
    let since = Atomic<UInt64>(0)
}
