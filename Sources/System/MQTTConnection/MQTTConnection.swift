import MQTTWire
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// One MQTT connection on swift-nio that batches: the publishes handed over together leave in
/// one write, as many as the in-flight window allows, and each read's PUBACKs refill it once.
///
/// The connection does not reconnect: when it closes, ``Event/closed(reason:unacknowledged:)``
/// lists the tags of the messages the broker has not acknowledged, in order, for the owner to
/// publish again on the next connection. Messages handed over after the close are dropped:
/// the owner has seen `.closed` by then, or will, and holds what it has not seen acknowledged.
public final class MQTTConnection: Sendable {
    /// Where to connect and what to say in CONNECT.
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var connect: MQTTConnect
        /// QoS 1 messages sent and not yet acknowledged, at most (the broker's Receive Maximum
        /// lowers it on MQTT 5).
        public var maximumInFlight: Int
        /// TLS in front of MQTT; nil: plain TCP.
        public var tls: TLS?

        public init(host: String, port: Int, connect: MQTTConnect, maximumInFlight: Int = 100, tls: TLS? = nil) {
            self.host = host
            self.port = port
            self.connect = connect
            self.maximumInFlight = maximumInFlight
            self.tls = tls
        }
    }

    /// The TLS side of a connection: a context made once (its PEM files read when it is made),
    /// and the name the broker's certificate must carry (nil for an address, which is checked
    /// against the certificate's IP entries instead: SNI takes names only).
    public struct TLS: Sendable {
        public var context: NIOSSLContext
        public var serverHostname: String?

        public init(context: NIOSSLContext, serverHostname: String?) {
            self.context = context
            self.serverHostname = serverHostname
        }
    }

    /// A message to publish; `tag` is the owner's, handed back with its acknowledgement.
    public struct Outgoing: Sendable {
        public var tag: UInt64
        public var message: MQTTApplicationMessage

        public init(tag: UInt64, _ message: MQTTApplicationMessage) {
            self.tag = tag
            self.message = message
        }
    }

    /// The broker's answer to one message.
    public struct Acknowledgement: Sendable, Equatable {
        public var tag: UInt64
        /// Below 0x80 the broker took the message (0x10: nobody subscribed); from 0x80 it refused it.
        public var reasonCode: UInt8
        public var reasonString: String?

        public init(tag: UInt64, reasonCode: UInt8 = 0, reasonString: String? = nil) {
            self.tag = tag
            self.reasonCode = reasonCode
            self.reasonString = reasonString
        }
    }

    /// What happens on the connection, in order, on its event loop: keep the handler short.
    public enum Event: Sendable {
        case connected(MQTTConnAck)
        /// The broker refused the CONNECT; the connection closes next.
        case refused(MQTTConnAck)
        /// The broker took or refused QoS 1 messages: one event for all the PUBACKs of a read,
        /// in order, so the owner wakes once for them. QoS 0 messages are acknowledged when
        /// written, with reason 0.
        case acknowledged([Acknowledgement])
        /// A message could not be encoded (bad topic, too large): it was not sent.
        case rejected(tag: UInt64, error: MQTTWireError)
        /// A message on a subscription; a QoS 1 message was acknowledged before this event.
        case message(MQTTIncomingPublish)
        /// The broker answered a ``MQTTConnection/subscribe(_:)``: per filter, the granted QoS
        /// or a refusal (0x80 or more).
        case subscribed(reasonCodes: [UInt8])
        /// The connection ended (`reason` says how); `unacknowledged` are the tags of the QoS 1
        /// messages sent or queued that the broker did not acknowledge, in order.
        case closed(reason: String, unacknowledged: [UInt64])
    }

    private let channel: any Channel
    private let session: NIOLoopBound<MQTTSession>

    private init(channel: any Channel, session: NIOLoopBound<MQTTSession>) {
        self.channel = channel
        self.session = session
    }

    /// Opens the TCP connection and sends CONNECT; the answer arrives as an event.
    ///
    /// `prepared` gets the connection before the TCP connection is made, so before any event:
    /// an owner that publishes once it sees ``Event/connected(_:)`` finds the connection where
    /// it keeps it, however late the task awaiting `open` resumes.
    public static func open(
        _ configuration: Configuration, on group: any EventLoopGroup,
        prepared: @escaping @Sendable (MQTTConnection) -> Void = { _ in },
        onEvent: @escaping @Sendable (Event) -> Void
    ) async throws -> MQTTConnection {
        let loop = group.next()
        // The connection is made as its session is added: a broker that refuses at once closes
        // the channel, and a lookup in the pipeline after `connect` could find it torn down.
        let made = Mutex<MQTTConnection?>(nil)
        _ = try await ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls = configuration.tls {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverHostname))
                    }
                    let session = MQTTSession(configuration: configuration, onEvent: onEvent)
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(MQTTPacketDecoder(version: configuration.connect.version)))
                    try channel.pipeline.syncOperations.addHandler(session)
                    let connection = MQTTConnection(channel: channel, session: NIOLoopBound(session, eventLoop: channel.eventLoop))
                    made.withLock { $0 = connection }
                    prepared(connection)
                }
            }
            .connect(host: configuration.host, port: configuration.port).get()
        guard let connection = made.withLock({ $0 }) else { throw ChannelError.inappropriateOperationForState }
        return connection
    }

    /// Queues messages; those the window allows leave at once, in one write.
    public func publish(_ messages: [Outgoing]) {
        publish { messages }
    }

    /// Queues what `take` returns when the connection's event loop runs it: an owner that
    /// collects messages under its own lock schedules this once per burst, not once per message.
    public func publish(taking take: @escaping @Sendable () -> [Outgoing]) {
        let session = self.session
        channel.eventLoop.execute { session.value.enqueue(take()) }
    }

    /// Subscribes to topic filters; the broker's answer arrives as ``Event/subscribed(reasonCodes:)``.
    public func subscribe(_ subscriptions: [MQTTSubscription]) {
        let session = self.session
        channel.eventLoop.execute { session.value.subscribe(subscriptions) }
    }

    /// Sends DISCONNECT (the broker drops the will) and closes.
    public func close() async {
        let session = self.session
        try? await channel.eventLoop.submit { session.value.disconnect() }.get()
        try? await channel.closeFuture.get()
    }
}

/// The connection's state, on its event loop only.
final class MQTTSession: ChannelInboundHandler {
    typealias InboundIn = [MQTTInboundPacket]
    typealias OutboundOut = ByteBuffer

    private let configuration: MQTTConnection.Configuration
    private let onEvent: @Sendable (MQTTConnection.Event) -> Void
    private var context: ChannelHandlerContext?
    private var waiting = CircularBuffer<MQTTConnection.Outgoing>()
    /// This read's PUBACKs, handed over together when the read completes.
    private var acknowledgements: [MQTTConnection.Acknowledgement] = []
    /// Sent QoS 1 messages in the order sent, which is the order of their PUBACKs (MQTT 5.0 §4.6).
    private var inFlight = CircularBuffer<(packetID: UInt16, tag: UInt64)>()
    private var window: Int
    private var nextPacketID: UInt16 = 1
    private var connected = false
    private var refill = false
    private var encoded: [UInt8] = []
    private var started = false
    /// Set when this side closes: the packets after the one that made it close are not handled.
    private var closing = false
    private var keepAlive: RepeatedTask?
    private var lastWrite = NIODeadline.now()
    private var lastRead = NIODeadline.now()
    private var closeReason: String?

    init(configuration: MQTTConnection.Configuration, onEvent: @escaping @Sendable (MQTTConnection.Event) -> Void) {
        self.configuration = configuration
        self.onEvent = onEvent
        self.window = max(1, configuration.maximumInFlight)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    /// Sends CONNECT once: from `handlerAdded` when the channel is already active, else from
    /// `channelActive`.
    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        encoded.removeAll(keepingCapacity: true)
        do {
            try MQTTPacketWriter.connect(configuration.connect, into: &encoded)
        } catch {
            closeConnection(context, reason: error.description)
            return
        }
        write(context)
        let seconds = Int64(configuration.connect.keepAliveSeconds)
        guard seconds > 0 else { return }
        // Checked twice per keep-alive: a PINGREQ after a quiet half, and the broker given one
        // and a half before the connection counts as dead (what brokers allow clients).
        // The task holds the session until the connection closes and cancels it.
        let session = NIOLoopBound(self, eventLoop: context.eventLoop)
        keepAlive = context.eventLoop.scheduleRepeatedTask(
            initialDelay: .milliseconds(seconds * 500), delay: .milliseconds(seconds * 500)
        ) { _ in
            session.value.checkKeepAlive(seconds: seconds)
        }
    }

    private func checkKeepAlive(seconds: Int64) {
        guard let context else { return }
        let now = NIODeadline.now()
        if now - lastRead > .milliseconds(seconds * 1500) {
            closeConnection(context, reason: "no packet from the broker for \(Double(seconds) * 1.5) s (keep-alive \(seconds) s)")
        } else if now - lastWrite >= .milliseconds(seconds * 500) {
            encoded.removeAll(keepingCapacity: true)
            MQTTPacketWriter.pingreq(into: &encoded)
            write(context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastRead = .now()
        for packet in unwrapInboundIn(data) where !closing {
            handle(packet, context)
        }
    }

    private func handle(_ packet: MQTTInboundPacket, _ context: ChannelHandlerContext) {
        switch packet {
        case .connack(let ack):
            guard ack.accepted else {
                onEvent(.refused(ack))
                closeConnection(context, reason: "the broker refused the connection (reason 0x\(String(ack.reasonCode, radix: 16)))")
                return
            }
            if let maximum = ack.receiveMaximum { window = min(window, Int(maximum)) }
            connected = true
            onEvent(.connected(ack))
            refill = true
        case .puback(let packetID, let reason, let reasonString):
            guard let first = inFlight.first, first.packetID == packetID else {
                closeConnection(context, reason: "PUBACK for packet \(packetID), which is not the oldest in flight")
                return
            }
            inFlight.removeFirst()
            acknowledgements.append(MQTTConnection.Acknowledgement(tag: first.tag, reasonCode: reason, reasonString: reasonString))
            refill = true
        case .publish(let message):
            onEvent(.message(message))
            if message.qos == 1 {
                encoded.removeAll(keepingCapacity: true)
                MQTTPacketWriter.puback(packetID: message.packetID, into: &encoded)
                write(context)
            }
        case .disconnect(let reason, let text):
            closeConnection(context, reason: "the broker disconnected (reason 0x\(String(reason, radix: 16))\(text.map { ": \($0)" } ?? ""))")
        case .suback(_, let reasonCodes):
            onEvent(.subscribed(reasonCodes: reasonCodes))
        case .pingresp:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !acknowledgements.isEmpty {
            let done = acknowledgements
            acknowledgements.removeAll(keepingCapacity: true)
            onEvent(.acknowledged(done))
        }
        if refill {
            refill = false
            flushWindow(context)
        }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let reason = error is NIOSSLError || error is BoringSSLError ? "TLS handshake failed: \(error)" : "\(error)"
        closeConnection(context, reason: closeReason ?? reason)
    }

    private func closeConnection(_ context: ChannelHandlerContext, reason: String) {
        closing = true
        closeReason = reason
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        keepAlive?.cancel()
        keepAlive = nil
        connected = false
        // PUBACKs of a read the close cut short still count.
        if !acknowledgements.isEmpty {
            onEvent(.acknowledged(acknowledgements))
            acknowledgements.removeAll()
        }
        let unacknowledged = inFlight.map(\.tag) + waiting.map(\.tag)
        inFlight.removeAll()
        waiting.removeAll()
        onEvent(.closed(reason: closeReason ?? "the broker closed the connection", unacknowledged: unacknowledged))
        self.context = nil
        context.fireChannelInactive()
    }

    func enqueue(_ messages: [MQTTConnection.Outgoing]) {
        guard !closing, context != nil || !started else { return }
        waiting.append(contentsOf: messages)
        if connected, let context { flushWindow(context) }
    }

    func subscribe(_ subscriptions: [MQTTSubscription]) {
        guard connected, !closing, let context else { return }
        encoded.removeAll(keepingCapacity: true)
        do {
            try MQTTPacketWriter.subscribe(
                packetID: takePacketID(), subscriptions, version: configuration.connect.version, into: &encoded)
        } catch {
            closeConnection(context, reason: error.description)
            return
        }
        write(context)
    }

    func disconnect() {
        guard let context else { return }
        encoded.removeAll(keepingCapacity: true)
        MQTTPacketWriter.disconnect(into: &encoded)
        write(context)
        closeConnection(context, reason: "closed by this client")
    }

    /// Encodes what the window allows into one buffer and writes it.
    private func flushWindow(_ context: ChannelHandlerContext) {
        encoded.removeAll(keepingCapacity: true)
        var acknowledgedAtOnce: [MQTTConnection.Acknowledgement] = []
        while inFlight.count < window, let message = waiting.popFirst() {
            let packetID: UInt16 = message.message.qos > 0 ? takePacketID() : 0
            do {
                try MQTTPacketWriter.publish(
                    message.message, packetID: packetID, version: configuration.connect.version, into: &encoded)
            } catch {
                onEvent(.rejected(tag: message.tag, error: error))
                continue
            }
            if message.message.qos > 0 {
                inFlight.append((packetID, message.tag))
            } else {
                acknowledgedAtOnce.append(MQTTConnection.Acknowledgement(tag: message.tag))
            }
        }
        guard !encoded.isEmpty else { return }
        write(context)
        if !acknowledgedAtOnce.isEmpty { onEvent(.acknowledged(acknowledgedAtOnce)) }
    }

    private func takePacketID() -> UInt16 {
        defer { nextPacketID = nextPacketID == .max ? 1 : nextPacketID + 1 }
        return nextPacketID
    }

    private func write(_ context: ChannelHandlerContext) {
        let buffer = context.channel.allocator.buffer(bytes: encoded)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        lastWrite = .now()
    }
}
