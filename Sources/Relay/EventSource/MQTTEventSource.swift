import Logging
import MQTT
import Synchronization

/// Events from an MQTT broker: a persistent session (clean session off, MQTT 3.1.1, so the broker
/// keeps the session and queues QoS 1 messages while the relay is away) subscribed at QoS 1.
///
/// The handler runs inside libmosquitto's message callback, and libmosquitto sends the PUBACK
/// only when that callback returns: an event is acknowledged after it is committed, never before.
/// A `$share/relay/…` topic splits the messages between instances on a broker that supports it.
public final class MQTTEventSource: EventSource {
    /// What the source connects with.
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var clientID: String
        public var topic: String
        /// The airports' retained `status` (`stream_seq`: where each stream ends); nil: not read.
        public var statusTopic: String?
        /// The airports' bridge notifications (`1`/`0`); nil: not read.
        public var bridgeTopic: String?
        public var username: String?
        public var password: String?
        /// Setting it turns TLS on.
        public var caFile: String?
        /// Unacknowledged messages the broker may send ahead.
        public var inflight: Int32 = 100

        public init(host: String, port: Int, clientID: String, topic: String) {
            self.host = host
            self.port = port
            self.clientID = clientID
            self.topic = topic
        }
    }

    private let settings: Settings
    private let logger: Logger
    private let state = ConnectionFlag()
    /// The running client, for replay requests.
    private let current = Mutex<MQTTClient?>(nil)

    private final class ConnectionFlag: Sendable {
        let connected = Atomic<Bool>(false)
    }

    public init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    public var isConnected: Bool { state.connected.load(ordering: .relaxed) }

    public func run(handler: @escaping @Sendable (SourceMessage) -> Void) async throws {
        var configuration = MQTTClient.Configuration(clientID: settings.clientID)
        configuration.cleanSession = false
        configuration.protocolVersion = .v311
        configuration.username = settings.username
        configuration.password = settings.password
        configuration.caFile = settings.caFile
        configuration.maxInflight = settings.inflight
        configuration.maxReconnectDelay = 10
        let subscription = Mutex<MQTTClient?>(nil)
        let settings = settings
        let logger = logger
        let state = state
        let client = try MQTTClient(configuration: configuration) { event in
            switch event {
            case .connected(let code, let reason):
                guard code == 0 else {
                    logger.error("MQTT broker refused the relay", metadata: ["reason": "\(reason)"])
                    return
                }
                state.connected.store(true, ordering: .relaxed)
                logger.notice("MQTT source connected", metadata: ["broker": "\(settings.host):\(settings.port)", "topic": "\(settings.topic)"])
                // The persistent session keeps the subscription; subscribing again is harmless
                // and covers a broker that lost its state.
                subscription.withLock { client in
                    do {
                        try client?.subscribe(settings.topic, qos: 1)
                        if let statusTopic = settings.statusTopic { try client?.subscribe(statusTopic, qos: 1) }
                        if let bridgeTopic = settings.bridgeTopic { try client?.subscribe(bridgeTopic, qos: 1) }
                    } catch {
                        logger.error("MQTT subscribe failed", metadata: ["error": "\(error)"])
                    }
                }
            case .disconnected(_, let reason):
                if state.connected.exchange(false, ordering: .relaxed) {
                    logger.warning("MQTT source disconnected; reconnecting", metadata: ["reason": "\(reason)"])
                }
            case .subscribed(_, let granted):
                if granted.contains(where: { $0 > 2 }) {
                    logger.error("MQTT broker refused the subscription (ACL?)", metadata: ["topic": "\(settings.topic)"])
                }
            case .message(let message):
                handler(SourceMessage(topic: message.topic, payload: message.payload))
            case .libraryError(let text):
                logger.debug("libmosquitto: \(text)")
            case .published, .publishedMany:
                break
            }
        }
        subscription.withLock { $0 = client }
        current.withLock { $0 = client }
        try client.start(host: settings.host, port: settings.port)
        defer {
            current.withLock { $0 = nil }
            subscription.withLock { $0 = nil }
            client.stop()
            state.connected.store(false, ordering: .relaxed)
        }
        // Runs until cancelled; libmosquitto's thread does the work.
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
    }

    /// Publishes the request at QoS 1 on the relay's own session (the broker's ACL must let the
    /// relay write `flightedge/+/cmd/replay`; conf/mosquitto/flightedge.acl does). libmosquitto
    /// resends it after a reconnect until the broker acknowledged it.
    public func send(_ command: ReplayCommand) throws {
        try current.withLock { client throws(ReplayCommandError) in
            guard let client, isConnected else { throw ReplayCommandError("MQTT source not connected") }
            do {
                try client.publish(topic: command.topic, payload: command.payload, qos: 1, retain: false)
            } catch {
                throw ReplayCommandError("cannot publish \(command.topic): \(error)")
            }
        }
    }
}
