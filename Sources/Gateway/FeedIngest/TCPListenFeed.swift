import Configuration
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// `transport = "tcp-listen"`: accepts feed senders on a port. Many senders at once; a peer
/// outside the `allow` list, or over the limits of ``ConnectionSlots`` (`max_connections`,
/// `max_connections_per_peer`, the slots kept per `allow` entry), is refused, counted and
/// logged; a connection silent for `idle_timeout`, or holding an unfinished frame for
/// `frame_timeout`, is closed. Reading stops while the pipeline is full, so TCP flow control
/// pushes back on the sender.
public struct TCPListenFeed: Sendable {
    public let config: FeedConfig
    public let sink: FrameSink
    public let logger: Logger

    public init(config: FeedConfig, sink: FrameSink, logger: Logger) {
        self.config = config
        self.sink = sink
        self.logger = logger
    }

    /// Binds and serves until the task is cancelled. `onListening` runs once the port is bound.
    public func run(onListening: @Sendable (SocketAddress) -> Void = { _ in }) async throws {
        guard let address = config.address else { return }
        let idleTimeout = TimeAmount.seconds(Int64(config.idleTimeoutSeconds))
        let tls = try config.tls.map { try FeedTLSContext.listener($0, feed: config.name) }
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(host: address.host, port: address.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try tls?.addHandler(to: channel, feed: config.name, counters: sink.counters, logger: logger)
                    return try StreamReader.wrap(channel, idleTimeout: idleTimeout)
                }
            }
        sink.counters.setListening(true)
        sink.counters.setSlots(config.maxConnections)
        defer {
            sink.counters.setListening(false)
            sink.counters.setSlots(0)
        }
        if let local = server.channel.localAddress { onListening(local) }
        logger.info("feed listening", metadata: ["feed": "\(config.name)", "address": "\(address)", "tls": "\(tls != nil)"])
        let slots = ConnectionSlots(config)
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    guard let peerIP = connection.channel.remoteAddress?.ipAddress else {
                        // Closed before it was accepted (the peer left, or TLS refused it, which
                        // its TLSFailureReporter counted): nothing to refuse, nothing to read.
                        logger.debug("feed connection closed before it was accepted", metadata: ["feed": "\(config.name)"])
                        try? await connection.channel.close()
                        continue
                    }
                    let peerText = peerIP
                    guard let entry = config.allow.firstIndex(where: { $0.contains(ipAddress: peerIP) }) else {
                        sink.counters.peerRefused()
                        logger.warning(
                            "feed refused a peer not on its allow list",
                            metadata: ["feed": "\(config.name)", "peer": "\(peerText)"])
                        try? await connection.channel.close()
                        continue
                    }
                    let number: Int
                    switch slots.take(peer: peerText, entry: entry) {
                    case .success(let taken):
                        number = taken
                    case .failure(let refusal):
                        sink.counters.peerRefused()
                        logger.warning(
                            "feed refused a connection \(refusal)",
                            metadata: ["feed": "\(config.name)", "peer": "\(peerText)", "open": "\(slots.open)"])
                        try? await connection.channel.close()
                        continue
                    }
                    group.addTask {
                        defer { slots.release(peer: peerText, entry: entry) }
                        await StreamReader(
                            config: config, sink: sink, logger: logger,
                            frameTimeout: .seconds(config.frameTimeoutSeconds)
                        ).read(connection, peer: peerText, connectionNumber: number)
                    }
                }
            }
        }
    }
}

/// Closes a connection when `IdleStateHandler` reports it silent for too long (feeds and the
/// operations endpoint alike).
public final class IdleConnectionCloser: ChannelInboundHandler, Sendable {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    public init() {}

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
