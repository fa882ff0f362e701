import FlightModel
import Logging
import MQTT
import Synchronization
import Timing

/// The daemon's one connection to the MQTT broker: configures the client (credentials, TLS,
/// the `offline` last will), reports each change of the connection once in the log, falls back
/// to MQTT 3.1.1 when the broker does not speak v5, and hands what the network thread reports
/// to the publisher as an ordered stream.
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

        public init(host: String, port: Int, clientID: String, statusTopic: String, willPayload: [UInt8]) {
            self.host = host
            self.port = port
            self.clientID = clientID
            self.statusTopic = statusTopic
            self.willPayload = willPayload
        }
    }

    /// What the network thread reported, in order. Its size is bounded in practice by the
    /// publisher's in-flight window (PUBACKs) and the few subscriptions the daemon has.
    public let events: AsyncStream<MQTTEvent>
    private let continuation: AsyncStream<MQTTEvent>.Continuation
    private let client: Mutex<MQTTClient?>
    private let settings: Settings
    private let logger: Logger
    private let connected = Atomic<Bool>(false)
    /// The CONNACK code of the last refusal logged (0: none since the last connection), so a
    /// broker that keeps refusing for the same reason is logged once, not at every retry.
    private let lastRefusal = Atomic<Int32>(0)
    /// libmosquitto gives up after a refused CONNACK (bad credentials, not authorised): the
    /// link reconnects itself, with this backoff, so a fix on the broker's side is picked up.
    private let refusalBackoff = Mutex(RetryBackoff(initial: .seconds(1), maximum: .seconds(60)))
    private let stopped = Atomic<Bool>(false)
    /// The last error libmosquitto logged (the TLS detail of a failed handshake), and the code
    /// of the last failed attempt logged, so a broker that stays unreachable is logged once.
    private let lastLibraryError = Mutex<String?>(nil)
    private let lastFailure = Atomic<Int32>(0)

    public init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(of: MQTTEvent.self)
        client = Mutex(nil)
    }

    /// True between a successful CONNACK and the next disconnect.
    public var isConnected: Bool { connected.load(ordering: .relaxed) }

    /// The protocol the current client speaks.
    public var protocolVersion: MQTTClient.ProtocolVersion {
        client.withLock { $0?.protocolVersion ?? .v5 }
    }

    /// Creates the client and starts connecting in the background (MQTT v5 first).
    public func start() throws(MQTTError) {
        try replaceClient(version: .v5)
    }

    private func replaceClient(version: MQTTClient.ProtocolVersion) throws(MQTTError) {
        var configuration = MQTTClient.Configuration(clientID: settings.clientID)
        configuration.cleanSession = true
        configuration.protocolVersion = version
        configuration.username = settings.username
        configuration.password = settings.password
        configuration.caFile = settings.caFile
        configuration.certFile = settings.certFile
        configuration.keyFile = settings.keyFile
        configuration.keepaliveSeconds = settings.keepaliveSeconds
        configuration.maxInflight = settings.maxInflight
        configuration.will = MQTTMessage(topic: settings.statusTopic, payload: settings.willPayload, qos: 1, retain: true)
        let sink = continuation
        let newClient = try MQTTClient(configuration: configuration) { event in sink.yield(event) }
        let old = client.withLock { current -> MQTTClient? in
            let old = current
            current = newClient
            return old
        }
        old?.stop()
        try newClient.start(host: settings.host, port: settings.port)
    }

    /// Tracks the connection from the events and logs each change once. Returns true when
    /// the event means the link just came up.
    public func observe(_ event: MQTTEvent) -> Bool {
        switch event {
        case .connected(let code, let reason):
            if code == 0 {
                connected.store(true, ordering: .relaxed)
                lastRefusal.store(0, ordering: .relaxed)
                lastFailure.store(0, ordering: .relaxed)
                lastLibraryError.withLock { $0 = nil }
                refusalBackoff.withLock { $0 = RetryBackoff(initial: .seconds(1), maximum: .seconds(60)) }
                logger.info(
                    "MQTT broker connected",
                    metadata: ["broker": "\(settings.host):\(settings.port)", "protocol": "\(protocolVersion)"])
                return true
            }
            // 1 (3.1.1) and 132 (v5): the broker does not speak this protocol version.
            if (code == 1 || code == 132) && protocolVersion == .v5 {
                logger.notice("MQTT broker does not speak v5; using MQTT 3.1.1")
                try? replaceClient(version: .v311)
                return false
            }
            if lastRefusal.exchange(code, ordering: .relaxed) != code {
                logger.error(
                    "MQTT broker refused the connection; retrying with backoff (logged again only if the reason changes)",
                    metadata: ["broker": "\(settings.host):\(settings.port)", "reason": "\(reason)", "code": "\(code)"])
            }
            retryAfterRefusal()
        case .disconnected(let code, let reason):
            let wasConnected = connected.exchange(false, ordering: .relaxed)
            if wasConnected && code != 0 {
                logger.warning(
                    "MQTT broker connection lost; reconnecting with backoff",
                    metadata: ["reason": "\(reason)"])
                lastFailure.store(0, ordering: .relaxed)
            } else if !wasConnected && code != 0 && lastFailure.exchange(code, ordering: .relaxed) != code {
                logConnectFailure(code: code, reason: reason)
            }
        case .libraryError(let text):
            // The first error of a failure is the telling one (a TLS handshake fails without
            // a disconnect event); the rest of it, and every retry, stay quiet.
            let first = lastLibraryError.withLock { last -> Bool in
                defer { last = text }
                return last == nil
            }
            if first && !isConnected { logLibraryError(text) }
        default:
            break
        }
        return false
    }

    /// A connection that failed before the broker answered (unreachable, reset). libmosquitto
    /// retries with backoff (1 s doubling to 30 s); this is logged once per kind of failure.
    private func logConnectFailure(code: Int32, reason: String) {
        if lastLibraryError.withLock({ $0 }) != nil { return }  // already told, with more detail
        logger.error(
            "MQTT broker connection failed; retrying with backoff",
            metadata: ["broker": "\(settings.host):\(settings.port)", "reason": "\(reason)", "code": "\(code)"])
    }

    /// What libmosquitto reported while connecting, with what an operator can check.
    private func logLibraryError(_ text: String) {
        let metadata: Logger.Metadata = ["broker": "\(settings.host):\(settings.port)", "detail": "\(text)"]
        if settings.caFile != nil && (text.contains("SSL") || text.contains("TLS")) {
            logger.error(
                "MQTT TLS handshake failed; retrying with backoff. Check that mqtt.ca_file signed the broker's certificate, that the certificate names this host, and mqtt.cert_file/key_file if the broker asks for a client certificate",
                metadata: metadata)
        } else {
            logger.error("MQTT client error while connecting; retrying with backoff", metadata: metadata)
        }
    }

    /// A new client after the backoff's next delay, speaking the same protocol.
    private func retryAfterRefusal() {
        let delay = refusalBackoff.withLock { $0.nextDelay() }
        let version = protocolVersion
        Task { [self] in
            try? await Task.sleep(for: delay)
            guard !stopped.load(ordering: .relaxed), !isConnected else { return }
            do {
                try replaceClient(version: version)
            } catch {
                logger.error("cannot set up a new MQTT client; retrying", metadata: ["error": "\(error)"])
                retryAfterRefusal()
            }
        }
    }

    /// Queues a message on the current client.
    @discardableResult
    public func publish(
        topic: String, payload: [UInt8], qos: Int, retain: Bool, properties: MQTTPublishProperties? = nil
    ) throws(MQTTError) -> Int32 {
        guard let current = client.withLock({ $0 }) else {
            throw MQTTError(code: .notConnected, message: "the MQTT client is not started", libraryCode: -1)
        }
        return try current.publish(topic: topic, payload: payload, qos: qos, retain: retain, properties: properties)
    }

    /// Subscribes on the current client.
    public func subscribe(_ filter: String, qos: Int) throws(MQTTError) {
        guard let current = client.withLock({ $0 }) else {
            throw MQTTError(code: .notConnected, message: "the MQTT client is not started", libraryCode: -1)
        }
        try current.subscribe(filter, qos: qos)
    }

    /// Sends DISCONNECT (no will) and stops the network thread; the event stream ends.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        let current = client.withLock { current -> MQTTClient? in
            let old = current
            current = nil
            return old
        }
        current?.stop()
        connected.store(false, ordering: .relaxed)
        continuation.finish()
    }
}
