import Configuration
import Foundation
import HistoryStore
import Logging
import MQTT
import Postgres
import Publisher
import ServiceLifecycle
import Systemd

/// `flightedge run`: connects to PostgreSQL (migrating the schema) and to the broker, says
/// `online`, tells systemd it is ready, and on SIGTERM/SIGINT says `offline` and exits.
public struct GatewayService: Service {
    private let config: GatewayConfig
    private let logger: Logger
    private let status: GatewayStatus
    private let notifier = SystemdNotifier()

    public init(config: GatewayConfig, version: String, logger: Logger) {
        self.config = config
        self.logger = logger
        self.status = GatewayStatus(version: version)
    }

    /// Topic of the retained liveness message.
    var statusTopic: String { "\(config.mqtt.topicPrefix)/\(config.airport.iata)/status" }

    public func run() async throws {
        let databasePassword = try SecretFile.read(path: config.database.passwordFile, credential: "db-password")
        let connector = DatabaseConnector(conninfo: config.database.url, password: databasePassword, logger: logger)
        let connection = try await connector.connectWithRetry()
        let outcome = try SchemaMigrator(connection: connection).migrate()
        logger.info("database schema ready", metadata: ["version": "\(outcome.version)", "applied": "\(outcome.applied)"])

        let broker = try makeBrokerLink()
        try broker.start()

        try await withThrowingDiscardingTaskGroup { group in
            let (firstConnect, firstConnectDone) = AsyncStream.makeStream(of: Void.self)
            group.addTask {
                for await event in broker.events where broker.observe(event) {
                    // After every (re)connect: say online (the will says offline if we vanish).
                    _ = try? broker.publish(topic: statusTopic, payload: status.payload(online: true), qos: 1, retain: true)
                    firstConnectDone.yield()
                }
            }
            for await _ in firstConnect.cancelOnGracefulShutdown() { break }
            if !Task.isShuttingDownGracefully {
                notifier.ready(status: "database up · mqtt up · \(config.feeds.count) feed(s)")
                logger.info("FlightEdge ready", metadata: ["airport": "\(config.airport.iata)"])
                try? await gracefulShutdown()
            }
            notifier.stopping()
            logger.info("stopping")
            if broker.isConnected {
                _ = try? broker.publish(topic: statusTopic, payload: status.payload(online: false), qos: 1, retain: true)
                try? await Task.sleep(for: .milliseconds(200))
            }
            broker.stop()
        }
    }

    private func makeBrokerLink() throws -> BrokerLink {
        let mqtt = config.mqtt
        var settings = BrokerLink.Settings(
            host: mqtt.host, port: mqtt.port, clientID: mqtt.clientID, statusTopic: statusTopic,
            willPayload: status.payload(online: false))
        settings.username = mqtt.username
        settings.password = try SecretFile.read(path: mqtt.passwordFile, credential: "mqtt-password")
        settings.caFile = mqtt.caFile
        settings.certFile = mqtt.certFile
        settings.keyFile = mqtt.keyFile
        settings.keepaliveSeconds = Int32(mqtt.keepaliveSeconds)
        settings.maxInflight = Int32(mqtt.maxInflight)
        return BrokerLink(settings: settings, logger: logger)
    }
}
