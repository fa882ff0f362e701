import FlightModel
import Logging
import MQTT
import MQTTConnection
import MQTTWire
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import Timing

/// The daemon's one connection to the MQTT broker, on ``MQTTConnection`` (swift-nio): it
/// connects and reconnects with backoff, says who we are (credentials, TLS, the `offline` last
/// will), falls back to MQTT 3.1.1 when the broker does not speak v5, logs each change of the
/// connection once, and hands what the broker says to the publisher as an ordered stream.
///
/// Publishes batch without the publisher knowing: each ``publish(topic:payload:qos:retain:properties:)``
/// appends to a list, and only the one that finds the list empty schedules a hand-over on the
/// connection's event loop, which takes the whole list. A commit's messages so leave in one
/// write, and their PUBACKs come back in a few reads (docs/PERFORMANCE.md, ninth round).
public final class BrokerLink: PublisherLink {
    /// Where the broker is and who we are to it.
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var clientID: String
        public var username: String?
        public var password: String?
        public var caFile: String?
        public var certFile: String?
        public var keyFile: String?
        public var keepaliveSeconds: Int32 = 30
        public var maxInflight: Int32 = 100
        /// The retained topic that carries `online`/`offline` (`{prefix}/{IATA}/status`).
        public var statusTopic: String
        /// The retained payload the broker publishes for us if we vanish.
        public var willPayload: [UInt8]
        /// Between connection attempts: from `initial`, doubling to `maximum`, back to `initial`
        /// once the broker accepted us.
        public var reconnectBackoff = RetryBackoff(initial: .seconds(1), maximum: .seconds(30))

        public init(host: String, port: Int, clientID: String, statusTopic: String, willPayload: [UInt8]) {
            self.host = host
            self.port = port
            self.clientID = clientID
            self.statusTopic = statusTopic
            self.willPayload = willPayload
        }
    }

    /// What the broker said, in order: bounded in practice by the publisher's in-flight window
    /// (PUBACKs) and the few subscriptions the daemon has.
    public let events: AsyncStream<MQTTEvent>
    private let continuation: AsyncStream<MQTTEvent>.Continuation
    private let settings: Settings
    private let logger: Logger
    private let group: any EventLoopGroup
    private let state = Mutex(LinkState())
    private let connected = Atomic<Bool>(false)
    /// What the publisher last saw of a failure (its kind), so one that repeats is logged once.
    private let lastFailure = Mutex<String?>(nil)
    private let lastRefusal = Atomic<Int32>(0)
    private let lastEncodeError = Mutex<String?>(nil)
    private let runner = Mutex<Task<Void, Never>?>(nil)

    /// The link's state shared by the publisher's calls and the connection's event loop.
    private struct LinkState {
        var connection: MQTTConnection?
        /// Counts connections; `observed` is the one whose CONNACK the publisher has handled
        /// and whose close it has not (0: none). Publishes go to that connection only, so a
        /// message the publisher counts as in flight on one connection never leaves on the next.
        var generation: UInt64 = 0
        var observed: UInt64 = 0
        /// The connections whose CONNACK accepted them, in order, until the publisher observes it.
        var acceptedGenerations: [UInt64] = []
        var version: MQTTProtocolVersion = .v5
        var pending: [MQTTConnection.Outgoing] = []
        /// The connection `pending` is for: a list left by one that closed is the publisher's to
        /// send again, never the next connection's.
        var pendingGeneration: UInt64 = 0
        var lastMessageID: Int32 = 0
        var stopped = false
    }

    public init(settings: Settings, logger: Logger, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.settings = settings
        self.logger = logger
        self.group = group
        (events, continuation) = AsyncStream.makeStream(of: MQTTEvent.self)
    }

    /// True between a successful CONNACK and the next close, as the publisher saw them.
    public var isConnected: Bool { connected.load(ordering: .relaxed) }

    /// The protocol of the current connection.
    public var protocolVersion: MQTTClient.ProtocolVersion {
        state.withLock { $0.version } == .v5 ? .v5 : .v311
    }

    /// Reads the TLS files and starts connecting in the background (MQTT v5 first).
    public func start() throws(MQTTError) {
        let tls = try makeTLS()
        let task = Task { await self.maintain(tls: tls) }
        runner.withLock { $0 = task }
    }

    /// Connects, waits for the connection to end, waits the backoff, connects again; until
    /// ``stop()``.
    private func maintain(tls: MQTTConnection.TLS?) async {
        var backoff = settings.reconnectBackoff
        while !state.withLock({ $0.stopped }) {
            let version = state.withLock { $0.version }
            let (ends, endsContinuation) = AsyncStream.makeStream(of: ConnectionEnd.self)
            let generation = state.withLock { state -> UInt64 in
                state.generation += 1
                return state.generation
            }
            var end = ConnectionEnd.failed
            do {
                let outcome = ConnectOutcome()
                // The connection is kept before it connects: the publisher may see its CONNACK
                // and publish (the birth, the outbox) before this task resumes from `open`; a
                // publish finding no connection then waited for a reconnect that never came.
                let connection = try await MQTTConnection.open(
                    configuration(version: version, tls: tls), on: group,
                    prepared: { [weak self] connection in
                        self?.state.withLock { state in
                            if !state.stopped && state.generation == generation { state.connection = connection }
                        }
                    }
                ) { [weak self] event in
                    self?.received(event, generation: generation, version: version, outcome: outcome, ends: endsContinuation)
                }
                let stoppedMeanwhile = state.withLock { $0.stopped }
                if stoppedMeanwhile { await connection.close() }
                for await first in ends {
                    end = first
                    break
                }
            } catch {
                continuation.yield(.disconnected(code: -1, reason: Self.explain("\(error)")))
            }
            state.withLock { state in
                if state.generation == generation { state.connection = nil }
            }
            switch end {
            case .refused(let code) where version == .v5 && Self.refusesTheVersion(code):
                logger.notice("MQTT broker does not speak v5; using MQTT 3.1.1")
                state.withLock { $0.version = .v311 }
                continue
            case .lost:
                backoff = settings.reconnectBackoff
            case .refused, .failed:
                break
            }
            guard !state.withLock({ $0.stopped }) else { break }
            try? await Task.sleep(for: backoff.nextDelay())
        }
    }

    /// What one connection's CONNACK said; set on its event loop, read when it closes.
    private final class ConnectOutcome: Sendable {
        let accepted = Atomic<Bool>(false)
        /// The refusal's reason code, -1 while there is none.
        let refusal = Atomic<Int>(-1)

        /// How the connection ended, by what its CONNACK said.
        var end: ConnectionEnd {
            if accepted.load(ordering: .relaxed) { return .lost }
            let refusal = refusal.load(ordering: .relaxed)
            return refusal >= 0 ? .refused(UInt8(refusal)) : .failed
        }
    }

    /// How one connection ended, for ``maintain(tls:)``.
    private enum ConnectionEnd: Sendable {
        /// It had been accepted.
        case lost
        case refused(UInt8)
        /// It never got a CONNACK (TCP, TLS, a broker that closed at once).
        case failed
    }

    /// CONNACK 1 (3.1.1) and 0x84 (v5): the broker does not speak the protocol version asked for.
    private static func refusesTheVersion(_ code: UInt8) -> Bool { code == 1 || code == 0x84 }

    private func configuration(version: MQTTProtocolVersion, tls: MQTTConnection.TLS?) -> MQTTConnection.Configuration {
        var connect = MQTTConnect(
            version: version, clientID: settings.clientID, cleanStart: true,
            keepAliveSeconds: UInt16(clamping: settings.keepaliveSeconds), username: settings.username,
            password: settings.password.map { Array($0.utf8) },
            will: MQTTApplicationMessage(topic: settings.statusTopic, payload: settings.willPayload, qos: 1, retain: true))
        connect.receiveMaximum = nil
        return MQTTConnection.Configuration(
            host: settings.host, port: settings.port, connect: connect, maximumInFlight: Int(settings.maxInflight), tls: tls)
    }

    /// The connection's events, on its event loop, turned into the publisher's.
    private func received(
        _ event: MQTTConnection.Event, generation: UInt64, version: MQTTProtocolVersion, outcome: ConnectOutcome,
        ends: AsyncStream<ConnectionEnd>.Continuation
    ) {
        switch event {
        case .connected:
            outcome.accepted.store(true, ordering: .relaxed)
            state.withLock { $0.acceptedGenerations.append(generation) }
            continuation.yield(.connected(code: 0, reason: "connection accepted"))
        case .refused(let ack):
            outcome.refusal.store(Int(ack.reasonCode), ordering: .relaxed)
            if !(version == .v5 && Self.refusesTheVersion(ack.reasonCode)) {
                continuation.yield(.connected(code: Int32(ack.reasonCode), reason: Self.refusalText(ack)))
            }
        case .acknowledged(let acknowledgements):
            // One event for the read: the publisher wakes once for them all.
            continuation.yield(
                .publishedMany(
                    acknowledgements.map { (Int32(truncatingIfNeeded: $0.tag), Int32($0.reasonCode)) }))
        case .rejected(let tag, let error):
            // Not sendable as it is (a topic or payload the protocol cannot carry): the
            // publisher keeps it and retries with backoff, logging the refusal once.
            let isNew = lastEncodeError.withLock { last -> Bool in
                defer { last = error.description }
                return last != error.description
            }
            if isNew { logger.error("cannot encode an MQTT message (logged once per error)", metadata: ["error": "\(error)"]) }
            continuation.yield(.published(messageID: Int32(truncatingIfNeeded: tag), reasonCode: 0x83))
        case .message(let message):
            continuation.yield(
                .message(
                    MQTTMessage(
                        topic: message.topic, payload: message.payload, qos: Int(message.qos), retain: message.retain,
                        userProperties: message.properties.userProperties.map { ($0.name, $0.value) },
                        contentType: message.properties.contentType)))
        case .subscribed(let reasonCodes):
            continuation.yield(.subscribed(messageID: 0, grantedQoS: reasonCodes.map { Int32($0) }))
        case .closed(let reason, _):
            // The publisher holds every message it has not seen acknowledged and sends them
            // again after the next CONNACK: the connection's list of them is not needed.
            let end = outcome.end
            ends.yield(end)
            ends.finish()
            switch end {
            case .lost: continuation.yield(.disconnected(code: 7, reason: Self.explain(reason)))
            case .failed: continuation.yield(.disconnected(code: -1, reason: Self.explain(reason)))
            // A refusal was told as such (its `.connected` with the code); the close after it is not news.
            case .refused: break
            }
        }
    }

    /// Tracks the connection from the events and logs each change once. Returns true when
    /// the event means the link just came up.
    public func observe(_ event: MQTTEvent) -> Bool {
        switch event {
        case .connected(let code, let reason):
            if code == 0 {
                state.withLock { state in
                    state.observed = state.acceptedGenerations.isEmpty ? 0 : state.acceptedGenerations.removeFirst()
                }
                connected.store(true, ordering: .relaxed)
                lastRefusal.store(0, ordering: .relaxed)
                lastFailure.withLock { $0 = nil }
                logger.info(
                    "MQTT broker connected",
                    metadata: ["broker": "\(settings.host):\(settings.port)", "protocol": "\(protocolVersion)"])
                return true
            }
            if lastRefusal.exchange(code, ordering: .relaxed) != code {
                logger.error(
                    "MQTT broker refused the connection; retrying with backoff (logged again only if the reason changes)",
                    metadata: ["broker": "\(settings.host):\(settings.port)", "reason": "\(reason)", "code": "\(code)"])
            }
        case .disconnected(let code, let reason):
            state.withLock { $0.observed = 0 }
            let wasConnected = connected.exchange(false, ordering: .relaxed)
            if wasConnected && code != 0 {
                logger.warning("MQTT broker connection lost; reconnecting with backoff", metadata: ["reason": "\(reason)"])
            } else if !wasConnected && code != 0 {
                let kind = Self.failureKind(reason)
                let isNew = lastFailure.withLock { last -> Bool in
                    defer { last = kind }
                    return last != kind
                }
                if isNew { logConnectFailure(reason) }
            }
        default:
            break
        }
        return false
    }

    /// A connection that failed before the broker answered (unreachable, reset, TLS), with what
    /// an operator can check.
    private func logConnectFailure(_ reason: String) {
        let metadata: Logger.Metadata = ["broker": "\(settings.host):\(settings.port)", "detail": "\(reason)"]
        if settings.caFile != nil && (reason.contains("TLS") || reason.contains("SSL")) {
            logger.error(
                "MQTT TLS handshake failed; retrying with backoff. Check that mqtt.ca_file signed the broker's certificate, that the certificate names this host, and mqtt.cert_file/key_file if the broker asks for a client certificate",
                metadata: metadata)
        } else {
            logger.error("MQTT broker connection failed; retrying with backoff", metadata: metadata)
        }
    }

    /// Queues a message for the connection the publisher saw come up.
    @discardableResult
    public func publish(
        topic: String, payload: [UInt8], qos: Int, retain: Bool, properties: MQTTWire.MQTTPublishProperties? = nil
    ) throws(MQTTError) -> Int32 {
        var message = MQTTApplicationMessage(topic: topic, payload: payload, qos: UInt8(clamping: qos), retain: retain)
        if let properties { message.properties = properties }
        // `handOver`: the generation whose list this message started, which schedules its hand-over.
        let (connection, messageID, handOver) = state.withLock {
            state -> (MQTTConnection?, Int32, UInt64?) in
            guard state.observed != 0, state.observed == state.generation, let connection = state.connection else {
                return (nil, 0, nil)
            }
            if state.pendingGeneration != state.observed {
                state.pending.removeAll()
                state.pendingGeneration = state.observed
            }
            state.lastMessageID = state.lastMessageID == .max ? 1 : state.lastMessageID + 1
            state.pending.append(MQTTConnection.Outgoing(tag: UInt64(state.lastMessageID), message))
            return (connection, state.lastMessageID, state.pending.count == 1 ? state.pendingGeneration : nil)
        }
        guard let connection else {
            throw MQTTError(code: .notConnected, message: "the MQTT broker is not connected", libraryCode: -1)
        }
        if let generation = handOver {
            connection.publish { [self] in takePending(generation: generation) }
        }
        return messageID
    }

    /// The messages waiting for the connection `generation`, on its event loop.
    private func takePending(generation: UInt64) -> [MQTTConnection.Outgoing] {
        state.withLock { state in
            guard state.pendingGeneration == generation else { return [] }
            defer { state.pending.removeAll(keepingCapacity: true) }
            return state.pending
        }
    }

    /// Subscribes on the current connection.
    public func subscribe(_ filter: String, qos: Int) throws(MQTTError) {
        guard let connection = state.withLock({ $0.observed != 0 ? $0.connection : nil }) else {
            throw MQTTError(code: .notConnected, message: "the MQTT broker is not connected", libraryCode: -1)
        }
        connection.subscribe([MQTTSubscription(filter, qos: UInt8(clamping: qos))])
    }

    /// Sends DISCONNECT (the broker drops the will), stops reconnecting; the event stream ends.
    public func stop() async {
        let connection = state.withLock { state -> MQTTConnection? in
            state.stopped = true
            state.observed = 0
            return state.connection
        }
        await connection?.close()
        // Not awaited: a TCP connect in progress to an unreachable broker holds the task for
        // up to its 10 s timeout, and a connection it makes after this closes at once.
        runner.withLock { $0 }?.cancel()
        connected.store(false, ordering: .relaxed)
        continuation.finish()
    }

    // MARK: - Wording

    /// The TLS context from `mqtt.ca_file`, `cert_file` and `key_file`, or nil without `ca_file`.
    private func makeTLS() throws(MQTTError) -> MQTTConnection.TLS? {
        guard let caFile = settings.caFile else { return nil }
        func load<T>(_ key: String, _ path: String, _ read: (String) throws -> T) throws(MQTTError) -> T {
            do {
                return try read(path)
            } catch {
                throw MQTTError(code: .setupFailed, message: "mqtt.\(key) \(path): \(error)", libraryCode: -1)
            }
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try load("ca_file", caFile) { try NIOSSLCertificate.fromPEMFile($0) })
        if let certFile = settings.certFile, let keyFile = settings.keyFile {
            configuration.certificateChain = try load("cert_file", certFile) {
                try NIOSSLCertificate.fromPEMFile($0).map { .certificate($0) }
            }
            configuration.privateKey = try load("key_file", keyFile) { .privateKey(try NIOSSLPrivateKey(file: $0, format: .pem)) }
        }
        let context = try load("ca_file", caFile) { _ in try NIOSSLContext(configuration: configuration) }
        // SNI takes a host name, never an address; an address is checked against the
        // certificate's IP entries instead.
        let isAddress = (try? SocketAddress(ipAddress: settings.host, port: 0)) != nil
        return MQTTConnection.TLS(context: context, serverHostname: isAddress ? nil : settings.host)
    }

    /// A failure as an operator reads it: BoringSSL names a failed check in capitals.
    static func explain(_ text: String) -> String {
        guard text.contains("CERTIFICATE_VERIFY_FAILED") else { return text }
        return "TLS handshake failed: certificate verify failed (\(text))"
    }

    /// What stays the same across the attempts of one failure (not the addresses or timings).
    static func failureKind(_ reason: String) -> String {
        if reason.contains("certificate verify failed") || reason.contains("CERTIFICATE_VERIFY_FAILED") { return "certificate" }
        if reason.contains("TLS") || reason.contains("SSL") { return "tls" }
        if reason.contains("refused") { return "refused" }
        if reason.contains("reset") { return "reset" }
        return reason
    }

    /// The broker's reason for refusing CONNECT, in both protocol versions' codes.
    static func refusalText(_ ack: MQTTConnAck) -> String {
        let text: String
        switch ack.reasonCode {
        case 1: text = "unacceptable protocol version"
        case 2: text = "identifier rejected"
        case 3: text = "server unavailable"
        case 4: text = "bad user name or password"
        case 5: text = "not authorised"
        default: text = MQTTClient.reasonText(Int32(ack.reasonCode))
        }
        return ack.reasonString.map { "\(text): \($0)" } ?? text
    }
}
