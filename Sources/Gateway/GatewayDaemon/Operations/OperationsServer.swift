import Configuration
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// `[http] listen`: the operations endpoint, a Hummingbird application in a service group of its
/// own, so that the gateway stops it when it chooses (after draining, as before), not at the
/// first signal. A connection idle for 30 s is closed; one whose request head is not complete
/// within `headerTimeout` is closed too (``RequestHeadDeadline``); at most `maxConnections`
/// are open at once (further ones wait in the listen backlog), so descriptors stay for the
/// pipeline (``DescriptorBudget``).
final class OperationsServer: Sendable {
    private let group: ServiceGroup
    /// Connections open at once, at most.
    let maxConnections: Int

    init(
        address: HostPort, routes: OperationsRoutes, boards: BoardRoutes? = nil, maxConnections: Int = 1_024,
        headerTimeout: TimeAmount = .seconds(10), logger: Logger, onListening: @escaping @Sendable () -> Void = {}
    ) {
        self.maxConnections = maxConnections
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: PlainTextNotFound(paths: OperationsRoutes.paths))
        routes.add(to: router)
        boards?.add(to: router)
        let application = Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [RequestHeadDeadline(timeout: headerTimeout)], idleTimeout: .seconds(30))),
            configuration: ApplicationConfiguration(
                address: .hostname(address.host, port: address.port), backlog: 64,
                availableConnectionsDelegate: MaximumAvailableConnections(maxConnections, logger: logger)),
            onServerRunning: { _ in
                onListening()
                logger.info(
                    "operations endpoint listening (/healthz, /metrics)",
                    metadata: ["address": "\(address)", "max_connections": "\(maxConnections)"])
            },
            logger: logger)
        var configuration = ServiceGroupConfiguration(services: [application], logger: logger)
        // Open requests get a moment to finish; the daemon's own stop bounds stay what they were.
        configuration.maximumGracefulShutdownDuration = .seconds(2)
        configuration.maximumCancellationDuration = .seconds(1)
        group = ServiceGroup(configuration: configuration)
    }

    /// Serves until ``stop()``; throws at once when it cannot listen.
    func run() async throws {
        try await group.run()
    }

    /// Stops listening, lets open requests finish, closes idle connections; ``run()`` returns.
    func stop() async {
        await group.triggerGracefulShutdown()
    }
}
