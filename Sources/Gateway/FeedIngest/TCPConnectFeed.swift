import Configuration
import FlightModel
import Logging
import NIOCore
import NIOPosix
import Timing

/// `transport = "tcp-connect"`: connects to the feed's sender (an AODB that serves a stream)
/// and reconnects after every loss with capped exponential backoff and jitter. Each change of
/// state (connected, lost, unreachable) is logged once, not per attempt.
public struct TCPConnectFeed: Sendable {
    public let config: FeedConfig
    public let sink: FrameSink
    public let logger: Logger

    public init(config: FeedConfig, sink: FrameSink, logger: Logger) {
        self.config = config
        self.sink = sink
        self.logger = logger
    }

    /// Connects and reads until the task is cancelled.
    public func run() async throws {
        guard let address = config.address else { return }
        var backoff = RetryBackoff(initial: .milliseconds(500), maximum: .seconds(30))
        var connectionNumber = 0
        var unreachableLogged = false
        let idleTimeout = TimeAmount.seconds(Int64(config.idleTimeoutSeconds))
        let tls = try config.tls.map { try FeedTLSContext.connector($0, feed: config.name, host: address.host) }
        while !Task.isCancelled {
            do {
                let connection = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.seconds(5))
                    .channelOption(.allowRemoteHalfClosure, value: true)
                    .connect(host: address.host, port: address.port) { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try tls?.addHandler(to: channel, feed: config.name, counters: sink.counters, logger: logger)
                            return try StreamReader.wrap(channel, idleTimeout: idleTimeout)
                        }
                    }
                connectionNumber += 1
                if connectionNumber > 1 { sink.counters.reconnected() }
                logger.info("feed connected", metadata: ["feed": "\(config.name)", "address": "\(address)"])
                unreachableLogged = false
                backoff.reset()
                await StreamReader(config: config, sink: sink, logger: logger)
                    .read(connection, peer: "\(address)", connectionNumber: connectionNumber)
                if Task.isCancelled { return }
                logger.warning("feed connection lost; reconnecting", metadata: ["feed": "\(config.name)"])
            } catch {
                if !unreachableLogged {
                    logger.error(
                        "feed unreachable; retrying with backoff",
                        metadata: ["feed": "\(config.name)", "address": "\(address)", "error": "\(error)"])
                    unreachableLogged = true
                }
            }
            try await Task.sleep(for: backoff.nextDelay())
        }
    }
}
