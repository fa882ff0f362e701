import Channels
import Configuration
import EventSource
import Foundation
import Hummingbird
import Logging
import PostgresSupport
import Prometheus
import RelayStore
import ServiceLifecycle
import Systemd
import Telemetry

/// `flightedge-relay run`: the relay under swift-service-lifecycle.
///
/// Start: the HTTP API listens at once (its `/healthz` says what is not up yet); PostgreSQL is
/// awaited and migrated; then the event source, the intake and the dispatcher run, and systemd
/// hears `READY=1`. Stop (SIGTERM/SIGINT): the source stops taking messages (the one in hand is
/// committed first: libmosquitto acknowledges it only then), in-flight sends end and are recorded,
/// the HTTP API stops; exit 0.
public struct RelayService: Service, CustomStringConvertible {
    private let config: RelayConfig
    private let version: String
    private let logger: Logger

    public init(config: RelayConfig, version: String, logger: Logger) {
        self.config = config
        self.version = version
        self.logger = logger
    }

    public var description: String { "FlightEdge relay" }

    public func run() async throws {
        let notifier = SystemdNotifier()
        let password = try SecretFile.read(path: config.database.passwordFile, credential: "relay-db-password")
        let connector = DatabaseConnector(conninfo: config.database.url, password: password, logger: logger)
        let intakeStore = RelayStore(connector: connector, logger: logger, role: "intake")
        let dispatchStore = RelayStore(connector: connector, logger: logger, role: "dispatch")
        let apiStore = RelayStore(connector: connector, logger: logger, role: "api")
        let channels = try ChannelSet(config: config)
        let registry = PrometheusCollectorRegistry()
        let metrics = RelayMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let source = try makeSource()
        let instance = config.dispatch.instance ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"

        let links: LinkSigner
        do {
            links = try await cancelWhenGracefulShutdown { [config, logger] in
                let outcome = try await apiStore.migrate()
                logger.info("relay schema ready", metadata: ["version": "\(outcome.version)", "applied": "\(outcome.applied)"])
                let secret = try await apiStore.sharedSecret(name: "link-signing", candidate: Self.randomBytes(32))
                return LinkSigner(secret: secret, publicURL: config.http.publicURL)
            }
        } catch is CancellationError where Task.isShuttingDownGracefully {
            logger.notice("stopped while waiting for PostgreSQL at start")
            await channels.shutdown()
            return
        }

        let dispatcher = Dispatcher(
            store: dispatchStore, outcomeStore: RelayStore(connector: connector, logger: logger, role: "dispatch outcomes"),
            channels: channels.channels,
            settings: Dispatcher.Settings(
                instance: instance, leaseSeconds: config.dispatch.leaseSeconds, concurrency: config.dispatch.concurrency,
                retry: RetrySchedule(maxAttempts: config.dispatch.maxAttempts),
                recipientLimit: DeliveryPlanner(rules: config.rules, links: links).recipientLimit),
            metrics: metrics, logger: logger)
        let intake = EventIntake(
            store: intakeStore, planner: DeliveryPlanner(rules: config.rules, links: links), metrics: metrics, logger: logger
        ) { outcome in
            if case .recorded(let deliveries, _) = outcome, deliveries > 0 { dispatcher.wake() }
        }
        let enabled = channels.channels.map(\.kind.rawValue).sorted()
        // The passenger pages' live side: NOTIFY from every instance's commits, read on a
        // connection of its own, and the pages' reads on another (never behind the API's).
        let changes = PassengerChangeFeed(connector: connector)
        let hub = PassengerHub(store: RelayStore(connector: connector, logger: logger, role: "pages"), logger: logger)
        let passenger = PassengerRoutes(
            store: apiStore, links: links, hub: hub, enabled: channels.enabled,
            applicationServerKey: channels.applicationServerKey, limits: PublicSubscriptionLimits(),
            queued: { dispatcher.wake() })
        let routes = RelayRoutes(
            store: apiStore, links: links, enabled: channels.enabled,
            health: {
                RelayHealth(databaseUp: !apiStore.outage && !intakeStore.outage, sourceConnected: source.isConnected, channels: enabled)
            }, metrics: metrics, twilioAuthToken: channels.twilioAuthToken, passenger: passenger)
        let server = RelayHTTPServer(address: config.http.listen, routes: routes, logger: logger)
        // Issue #13: each airport's stream, its gaps asked for again, its gauges (docs/CENTRAL.md).
        AirportRoutes.configure(config.central)
        let replays = ReplayRequester(
            store: RelayStore(connector: connector, logger: logger, role: "replay"), source: source, central: config.central,
            metrics: AirportMetrics(factory: PrometheusMetricsFactory(registry: registry)), logger: logger)

        logger.notice(
            "relay starting",
            metadata: ["version": "\(version)", "instance": "\(instance)", "channels": "\(enabled.joined(separator: ","))"])
        await withDiscardingTaskGroup { group in
            group.addTask {
                do { try await server.run() } catch {
                    logger.critical("relay HTTP API stopped", metadata: ["error": "\(error)"])
                }
            }
            group.addTask {
                await cancelWhenGracefulShutdown {
                    await withDiscardingTaskGroup { parts in
                        parts.addTask {
                            do { try await source.run(handler: intake.take) } catch {
                                logger.critical("event source stopped", metadata: ["error": "\(error)"])
                            }
                        }
                        parts.addTask { await dispatcher.run() }
                        parts.addTask {
                            changes.start()
                            await hub.run(changes: changes.changes)
                        }
                        parts.addTask { await replays.run() }
                        _ = notifier.ready(status: "relay running (\(enabled.joined(separator: ", ")))")
                    }
                }
                _ = notifier.stopping()
                changes.stop()
                await channels.shutdown()
                await server.stop()
            }
        }
        logger.notice("relay stopped")
    }

    private func makeSource() throws -> any EventSource {
        let source = config.source
        switch source.kind {
        case .mqtt:
            guard let url = source.urls.first, let endpoint = RelaySourceURL(url) else {
                throw ChannelSet.SetupError(description: "[source] url: not an mqtt:// URL")
            }
            var settings = MQTTEventSource.Settings(
                host: endpoint.host, port: endpoint.port, clientID: source.clientID, topic: source.topic)
            settings.statusTopic = source.statusTopic
            settings.bridgeTopic = source.bridgeTopic
            settings.username = source.username
            settings.password = try SecretFile.read(path: source.passwordFile, credential: "relay-mqtt-password")
            settings.caFile = source.caFile ?? (endpoint.tls ? "/etc/ssl/certs/ca-certificates.crt" : nil)
            return MQTTEventSource(settings: settings, logger: logger)
        case .amqp:
            let password = try SecretFile.read(path: source.passwordFile, credential: "relay-amqp-password")
            do {
                var settings = try AMQPEventSource.Settings(
                    urls: source.urls, username: source.username, password: password, queue: source.queue)
                settings.caFile = source.caFile
                return AMQPEventSource(settings: settings, logger: logger)
            } catch {
                throw ChannelSet.SetupError(description: "[source] url: \(error)")
            }
        }
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}

/// `mqtt://host:port` / `mqtts://host:port` of `[source] url`.
struct RelaySourceURL {
    var host: String
    var port: Int
    var tls: Bool

    init?(_ url: String) {
        let tls = url.hasPrefix("mqtts://")
        guard tls || url.hasPrefix("mqtt://") else { return nil }
        var rest = url.dropFirst(tls ? 8 : 7)
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        guard let parsed = try? HostPort(parsing: String(rest)) else { return nil }
        host = parsed.host
        port = parsed.port
        self.tls = tls
    }
}
